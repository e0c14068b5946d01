// The City each requested reference names, for GET /compare: by key, else exact name, else alias (most
// evidence wins a tie). One row per reference, in the order given; `city` is null when none matches.
UNWIND range(0, size($refs) - 1) AS i
WITH i, $refs[i] AS ref
OPTIONAL CALL (ref) {
  MATCH (c:Entity:City {key: ref}) RETURN c, 0 AS rank
  UNION
  MATCH (c:City {name: ref}) RETURN c, 1 AS rank
  UNION
  MATCH (c:City) WHERE ref IN coalesce(c.aliases, []) RETURN c, 2 AS rank
}
WITH i, ref, c, rank
ORDER BY i, rank, c.evidence_count DESC, c.key
WITH i, ref, collect(c)[0] AS c
RETURN ref, c {.key, .name, .level, .aliases} AS city
ORDER BY i

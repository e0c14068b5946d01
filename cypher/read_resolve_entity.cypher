// An entity named by its key, else by its exact name, else by an alias (most evidence wins a tie).
CALL () {
  MATCH (e:Entity {key: $ref}) RETURN e, 0 AS rank
  UNION
  MATCH (e:Entity {name: $ref}) RETURN e, 1 AS rank
  UNION
  MATCH (e:Entity) WHERE $ref IN coalesce(e.aliases, []) RETURN e, 2 AS rank
}
WITH e, rank ORDER BY rank, e.evidence_count DESC, e.key LIMIT 1
RETURN e {.key, .label, .name} AS entity

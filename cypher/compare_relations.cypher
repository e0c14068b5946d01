// Every relationship of $types with at least one end among $keys (the compared cities and their parts),
// once each, with both ends: what graph/compare.py derives cooperation, funding and brokers from.
UNWIND $keys AS key
MATCH (:Entity {key: key})-[r]-(:Entity)
WHERE type(r) IN $types
WITH DISTINCT r
WITH r, startNode(r) AS s, endNode(r) AS t
RETURN r.key AS key, type(r) AS type,
       s {.key, .name, .label} AS source, t {.key, .name, .label} AS target,
       r.amount_cny AS amount_cny, coalesce(r.evidence_count, 0) AS evidence_count
ORDER BY key

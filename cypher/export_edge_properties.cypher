// The property names of the exported relationships (as export_edges.cypher selects them) and the types of
// their values: the headers a streamed export writes before its first edge.
MATCH (s:Entity)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->(t:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($labels IS NULL OR (s.label IN $labels AND t.label IN $labels))
UNWIND keys(r) AS name
RETURN DISTINCT name, valueType(r[name]) AS type

// The relationships of one view for export, by fact key (unknown keys give no row); the same columns as
// export_edges.cypher.
UNWIND $keys AS k
CALL (k) {
  MATCH (s:Entity)-[r:HOSTS {key: k}]->(t:Entity) RETURN r, s, t
  UNION
  MATCH (s:Entity)-[r:FUNDS {key: k}]->(t:Entity) RETURN r, s, t
  UNION
  MATCH (s:Entity)-[r:COOPERATES {key: k}]->(t:Entity) RETURN r, s, t
  UNION
  MATCH (s:Entity)-[r:SETS_TARGET {key: k}]->(t:Entity) RETURN r, s, t
}
RETURN s.key AS source, t.key AS target, type(r) AS type, properties(r) AS props,
       COLLECT {
         MATCH (ev:Evidence {fact: r.key})
         WITH ev ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT 1
         RETURN ev.sentence
       } AS sentences
ORDER BY r.key

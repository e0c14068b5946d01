// Relationships by fact key (e.g. the steps of a path) with their evidence; unknown keys give no row.
UNWIND $keys AS k
CALL (k) {
  MATCH (s:Entity)-[r:HOSTS {key: k}]->(t:Entity) RETURN r, s, t
  UNION
  MATCH (s:Entity)-[r:FUNDS {key: k}]->(t:Entity) RETURN r, s, t
  UNION
  MATCH (s:Entity)-[r:COOPERATES {key: k}]->(t:Entity) RETURN r, s, t
}
RETURN r.key AS key, type(r) AS type, s.key AS source, t.key AS target,
       r.amount_cny AS amount_cny, r.confidence AS confidence,
       COLLECT {
         MATCH (ev:Evidence {fact: r.key})
         OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
         WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
         RETURN ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence, .note,
                    .amount_cny, source: d.source}
       } AS evidence

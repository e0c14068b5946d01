// One entity: its properties, the documents that mention it, a few evidence samples, its degree per type
// (as GET /entities/{key}/relationships lists them: the extension SETS_TARGET included).
MATCH (e:Entity {key: $key})
CALL (e) {
  OPTIONAL MATCH (d:Document)-[:MENTIONS]->(e)
  WITH d ORDER BY d.date DESC, d.id
  RETURN collect(d {.id, .source, .title, date: toString(d.date)}) AS documents
}
CALL (e) {
  OPTIONAL MATCH (ev:Evidence {fact: e.key})
  WITH ev ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
  OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
  RETURN collect(ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence, .note,
                     .amount_cny, source: d.source}) AS evidence
}
CALL (e) {
  OPTIONAL MATCH (e)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-(:Entity)
  WITH type(r) AS type, count(r) AS n
  RETURN collect(CASE WHEN type IS NOT NULL THEN [type, n] END) AS degree
}
RETURN properties(e) AS entity, documents, evidence, degree

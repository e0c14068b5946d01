// The evidence of facts by key (the relationships a console query returned, for their hover text): the
// $limit most confident pieces per fact, each with its document's source; a fact without evidence gives no row.
UNWIND $facts AS fact
CALL (fact) {
  MATCH (ev:Evidence {fact: fact})
  OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
  WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $limit
  RETURN collect(ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence, .note,
                     .amount_cny, source: d.source}) AS evidence
}
WITH fact, evidence WHERE size(evidence) > 0
RETURN fact, evidence

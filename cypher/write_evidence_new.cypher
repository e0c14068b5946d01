// Evidence of a document written for the first time (write_document.cypher said it did not exist): its
// evidence keys start with its id, so none can exist yet and CREATE replaces write_evidence's MERGE (an
// index seek and lock per row); the evidence_key constraint still refuses a duplicate at commit.
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
CREATE (ev:Evidence {
  key: row.key,
  fact: row.fact,
  kind: row.kind,
  document_id: $document_id,
  start: row.start,
  end: row.end,
  sentence: row.sentence,
  extractor: row.extractor,
  confidence: row.confidence,
  amount_cny: row.amount_cny,
  note: row.note
})-[:IN_DOCUMENT]->(d)

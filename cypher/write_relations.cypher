// One relationship per fact, MERGEd on its key with a static type so the key constraint's index is used
// (MERGE with a dynamic type $(row.type) plans an all-relationships scan in 5.26): one branch per type,
// the extension SETS_TARGET (one fact per policy, indicator and year; its key ends in the year) included.
// doc_ids lists the documents that state the fact; counts and confidence are recomputed from Evidence
// (not counting evidence marked `retracted`, which this transaction deletes at its end).
UNWIND $rows AS row
MATCH (a:Entity {key: row.source})
MATCH (b:Entity {key: row.target})
CALL (row, a, b) {
  WITH * WHERE row.type = 'HOSTS'
  MERGE (a)-[r:HOSTS {key: row.key}]->(b)
  RETURN r
  UNION ALL
  WITH * WHERE row.type = 'FUNDS'
  MERGE (a)-[r:FUNDS {key: row.key}]->(b)
  RETURN r
  UNION ALL
  WITH * WHERE row.type = 'COOPERATES'
  MERGE (a)-[r:COOPERATES {key: row.key}]->(b)
  RETURN r
  UNION ALL
  WITH * WHERE row.type = 'SETS_TARGET'
  MERGE (a)-[r:SETS_TARGET {key: row.key}]->(b)
  RETURN r
}
SET r += row.properties,
    r.doc_ids = CASE
      WHEN $document_id IN coalesce(r.doc_ids, []) THEN r.doc_ids
      ELSE coalesce(r.doc_ids, []) + $document_id
    END
WITH r, row
CALL (r) {
  OPTIONAL MATCH (ev:Evidence {fact: r.key})
  WHERE ev.retracted IS NULL
  RETURN count(ev) AS evidence_count, max(ev.confidence) AS confidence, max(ev.amount_cny) AS amount
}
SET r.evidence_count = evidence_count,
    r.confidence = confidence,
    r.amount_cny = coalesce(amount, row.amount_cny)

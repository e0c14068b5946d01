// Baseline for bench/bench_load.py only: one relation with its endpoints and evidence per statement,
// each in its own transaction - the row-at-a-time way the batched writer replaces.
MERGE (d:Document {id: $document_id})
MERGE (a:Entity {key: $source.key})
ON CREATE SET a.name = $source.name, a.label = $source.label
SET a:$($source.label)
MERGE (b:Entity {key: $target.key})
ON CREATE SET b.name = $target.name, b.label = $target.label
SET b:$($target.label)
MERGE (d)-[:MENTIONS]->(a)
MERGE (d)-[:MENTIONS]->(b)
WITH d, a, b
CALL (a, b) {
  WITH * WHERE $row.type = 'HOSTS'
  MERGE (a)-[r:HOSTS {key: $row.key}]->(b)
  RETURN r
  UNION ALL
  WITH * WHERE $row.type = 'FUNDS'
  MERGE (a)-[r:FUNDS {key: $row.key}]->(b)
  RETURN r
  UNION ALL
  WITH * WHERE $row.type = 'COOPERATES'
  MERGE (a)-[r:COOPERATES {key: $row.key}]->(b)
  RETURN r
}
SET r.doc_ids = [$document_id], r.evidence_count = 1, r.amount_cny = $row.amount_cny
MERGE (ev:Evidence {key: $evidence.key})
SET ev += $evidence
MERGE (ev)-[:IN_DOCUMENT]->(d)

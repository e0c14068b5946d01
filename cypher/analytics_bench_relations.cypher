// Bulk load for bench/bench_analytics.py: generated relations between loaded actors (layout of STORAGE.md).
UNWIND $rows AS row
MATCH (a:Entity {key: row.source})
MATCH (b:Entity {key: row.target})
CREATE (a)-[r:$(row.type)]->(b)
SET r.key = row.key, r.doc_ids = row.doc_ids, r.evidence_count = row.evidence_count, r.confidence = 0.9

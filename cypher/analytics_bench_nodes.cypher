// Bulk load for bench/bench_analytics.py: generated actors into an empty database (layout of STORAGE.md).
// CREATE, not MERGE: the generator's keys are unique, and the bench measures analytics, not loading.
UNWIND $rows AS row
CREATE (n:Entity {key: row.key, name: row.name, label: row.label, aliases: [], doc_ids: [], evidence_count: 0})
SET n:$(row.label)

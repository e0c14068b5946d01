// MERGE on the constrained Entity label, then add the specific label (a dynamic label costs no look-up).
// `pinyin` (graph/pinyin.py) is the name's search key: set with the name, on creation.
// What this document says of an entity (its aliases) lives on its MENTIONS relationship, so that the
// union over documents can be recomputed when a document is retracted. Mentions and evidence marked
// `retracted` (by the retract_* queries of the same transaction) are about to be deleted: they don't count.
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
MERGE (n:Entity {key: row.key})
ON CREATE SET n.name = row.name, n.label = row.label, n.pinyin = row.pinyin
SET n:$(row.label), n += row.properties
MERGE (d)-[m:MENTIONS]->(n)
SET m.aliases = row.aliases
WITH n
CALL (n) {
  OPTIONAL MATCH (:Document)-[m:MENTIONS]->(n)
  WHERE m.retracted IS NULL
  UNWIND coalesce(m.aliases, []) AS alias
  WITH DISTINCT alias
  ORDER BY alias
  RETURN collect(alias) AS aliases
}
SET n.aliases = [a IN aliases WHERE a <> n.name],
    n.doc_ids = COLLECT {
      MATCH (doc:Document)-[m:MENTIONS]->(n) WHERE m.retracted IS NULL RETURN doc.id ORDER BY doc.id
    },
    n.evidence_count = COUNT { (ev:Evidence {fact: n.key}) WHERE ev.retracted IS NULL }

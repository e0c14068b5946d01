// Recompute aliases and provenance of entities that lost a mention or evidence (marked ones do not
// count); returns those no document mentions and no remaining relationship uses, for the sweep.
UNWIND $keys AS key
MATCH (n:Entity {key: key})
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
WITH n
WHERE size(n.doc_ids) = 0
  AND NOT EXISTS { (n)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-() WHERE size(r.doc_ids) > 0 }
RETURN collect(elementId(n)) AS ids

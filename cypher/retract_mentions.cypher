// Mark a document's mentions of entities for deletion, except the keys in $keep; returns what the
// sweep deletes and the entities that lose a mention.
MATCH (:Document {id: $document_id})-[m:MENTIONS]->(n:Entity)
WHERE NOT n.key IN $keep
SET m.retracted = true
RETURN collect(elementId(m)) AS ids, collect(n.key) AS keys

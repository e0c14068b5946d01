// Mark a document's evidence for deletion, except the keys in $keep; returns what the sweep deletes
// and the facts that lose evidence. Nothing is deleted here: in Neo4j 5.26 every index seek in a
// transaction that has deleted many entities costs time in proportion to them, so deletes come last.
MATCH (:Document {id: $document_id})<-[:IN_DOCUMENT]-(ev:Evidence)
WHERE NOT ev.key IN $keep
SET ev.retracted = true
RETURN collect(elementId(ev)) AS ids,
       collect(DISTINCT CASE ev.kind WHEN 'entity' THEN ev.fact END) AS entities,
       collect(DISTINCT CASE ev.kind WHEN 'relation' THEN ev.fact END) AS relations

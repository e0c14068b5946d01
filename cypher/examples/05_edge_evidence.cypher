// The evidence of an edge
// Each HOSTS fact from 徐州 with the sentence it was read from, its offsets and the source document
// (a sentence links to the document reader, marked there).
MATCH (a:Entity {name: '徐州'})-[r:HOSTS]->(b:Entity)
MATCH (ev:Evidence {fact: r.key})-[:IN_DOCUMENT]->(d:Document)
RETURN b.name AS hosted, ev.sentence AS sentence, ev.start AS start, ev.end AS end, d.source AS document,
       d.id AS document_id
ORDER BY hosted, start

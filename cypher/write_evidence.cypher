// Evidence of one document, entity and relation evidence alike; `fact` joins it to its fact's key.
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
MERGE (ev:Evidence {key: row.key})
SET ev.fact = row.fact,
    ev.kind = row.kind,
    ev.document_id = $document_id,
    ev.start = row.start,
    ev.end = row.end,
    ev.sentence = row.sentence,
    ev.extractor = row.extractor,
    ev.confidence = row.confidence,
    ev.amount_cny = row.amount_cny,
    ev.note = row.note
MERGE (ev)-[:IN_DOCUMENT]->(d)

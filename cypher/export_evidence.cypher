// Every piece of evidence of the facts $facts (relation keys), for the CSV export's evidence table:
// in fact order, then document and offset.
UNWIND $facts AS fact
MATCH (ev:Evidence {fact: fact})
RETURN ev.fact AS fact, ev.document_id AS document_id, ev.start AS start, ev.end AS end,
       ev.sentence AS sentence, ev.extractor AS extractor, ev.confidence AS confidence,
       ev.amount_cny AS amount_cny
ORDER BY fact, document_id, start

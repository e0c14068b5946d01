// Funding aimed at enterprises
// FUNDS into an enterprise, or into a fund or programme whose name or evidence speaks of enterprises (企业): who gives, to what, how much (yuan, when the text states it) and the sentence it was read from. The corpus names no enterprise as a recipient, so its rows are the programmes meant for them (科技企业贷款风险补偿资金, 重大项目产业基金 …).
MATCH (funder:Entity)-[f:FUNDS]->(recipient:Entity)
WHERE recipient:Enterprise OR recipient.name CONTAINS '企业'
   OR EXISTS { MATCH (ev:Evidence {fact: f.key}) WHERE ev.sentence CONTAINS '企业' }
OPTIONAL CALL (f) {
  MATCH (ev:Evidence {fact: f.key})
  RETURN ev ORDER BY ev.sentence CONTAINS '企业' DESC, ev.confidence DESC, ev.start LIMIT 1
}
RETURN funder, f, recipient, funder.name AS funder_name, recipient.name AS recipient_name,
       recipient.label AS recipient_label, f.amount_cny AS amount_cny, ev.sentence AS sentence,
       ev.document_id AS document_id, ev.start AS start, ev.end AS end
ORDER BY recipient:Enterprise DESC, coalesce(f.amount_cny, -1) DESC, recipient_name

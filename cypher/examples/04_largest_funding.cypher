// Largest stated funding amounts
// FUNDS relationships of any recipient with an amount, largest first.
MATCH (funder:Entity)-[f:FUNDS]->(recipient:Entity)
WHERE f.amount_cny IS NOT NULL
RETURN funder, f, recipient, funder.name AS funder_name, recipient.name AS recipient_name,
       recipient.label AS recipient_label, f.amount_cny AS amount_cny
ORDER BY f.amount_cny DESC
LIMIT 25

// Funding received by enterprises, with amounts
// Every FUNDS relationship into an enterprise: who gives, how much (yuan, when the text states it), on how much evidence.
MATCH (funder:Entity)-[f:FUNDS]->(e:Enterprise)
RETURN funder, f, e, funder.name AS funder_name, e.name AS enterprise, f.amount_cny AS amount_cny,
       f.evidence_count AS evidence
ORDER BY f.amount_cny DESC, e.name

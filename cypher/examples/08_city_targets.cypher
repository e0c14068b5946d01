// Targets a city's policies set
// The quantified targets of 徐州's policies (the extension SETS_TARGET, not scored), by indicator and year, with the sentence or table row each was read from. GET /cities/徐州/targets serves the same, grouped per indicator.
MATCH (p:Policy)-[r:SETS_TARGET {city: 'City:徐州'}]->(i:Indicator)
OPTIONAL MATCH (ev:Evidence {fact: r.key})
WITH p, r, i, collect(ev.sentence)[0] AS evidence
RETURN i.name AS indicator, r.year AS year, r.comparator AS comparator, r.value AS value, r.unit AS unit,
       p.name AS policy, evidence
ORDER BY indicator, year

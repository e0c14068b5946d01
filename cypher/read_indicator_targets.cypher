// An indicator named by its key, exact name or alias, and every target set for it (the extension
// SETS_TARGET), each with its policy, the city it is tied to (r.city) and evidence: one indicator across cities.
// No row when no Indicator has that key, name or alias.
CALL () {
  MATCH (i:Indicator {key: $ref}) RETURN i, 0 AS rank
  UNION
  MATCH (i:Indicator {name: $ref}) RETURN i, 1 AS rank
  UNION
  MATCH (i:Indicator) WHERE $ref IN coalesce(i.aliases, []) RETURN i, 2 AS rank
}
WITH i, rank ORDER BY rank, i.key LIMIT 1
CALL (i) {
  OPTIONAL MATCH (p:Policy)-[r:SETS_TARGET]->(i)
  OPTIONAL MATCH (c:City {key: r.city})
  WITH p, r, c ORDER BY c.name, r.unit, r.year, p.name
  RETURN collect(CASE WHEN r IS NOT NULL THEN {
    key: r.key, year: r.year, value: r.value, value_max: r.value_max, unit: r.unit,
    comparator: r.comparator, stated: r.stated, tentative: coalesce(r.tentative, false),
    city: CASE WHEN c IS NULL THEN null ELSE c {.key, .label, .name} END, policy: p {.key, .label, .name},
    evidence: COLLECT {
      MATCH (ev:Evidence {fact: r.key})
      OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
      WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
      RETURN ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence,
                 .amount_cny, source: d.source}
    }
  } END) AS targets
}
RETURN i {.key, .label, .name} AS indicator, targets

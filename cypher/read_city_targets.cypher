// A city named by its key, exact name or alias, and the targets its policies set (the extension
// SETS_TARGET, tied to the city by r.city), each with its policy, indicator and evidence.
// No row when no City has that key, name or alias.
CALL () {
  MATCH (c:City {key: $ref}) RETURN c, 0 AS rank
  UNION
  MATCH (c:City {name: $ref}) RETURN c, 1 AS rank
  UNION
  MATCH (c:City) WHERE $ref IN coalesce(c.aliases, []) RETURN c, 2 AS rank
}
WITH c, rank ORDER BY rank, c.evidence_count DESC, c.key LIMIT 1
CALL (c) {
  OPTIONAL MATCH (p:Policy)-[r:SETS_TARGET {city: c.key}]->(i:Indicator)
  WITH p, r, i ORDER BY i.name, r.unit, r.year, p.name
  RETURN collect(CASE WHEN r IS NOT NULL THEN {
    key: r.key, year: r.year, value: r.value, value_max: r.value_max, unit: r.unit,
    comparator: r.comparator, stated: r.stated, tentative: coalesce(r.tentative, false),
    indicator: i {.key, .label, .name}, policy: p {.key, .label, .name},
    evidence: COLLECT {
      MATCH (ev:Evidence {fact: r.key})
      OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
      WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
      RETURN ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence,
                 .amount_cny, source: d.source}
    }
  } END) AS targets
}
RETURN c {.key, .label, .name} AS city, targets

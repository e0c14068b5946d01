// The neighbourhood of one entity up to $depth (1 or 2) hops over HOSTS/FUNDS/COOPERATES (and the extension
// SETS_TARGET, drawn on an Indicator's page), any direction.
// Only relationships of $types whose ends (other than the centre) have a label in $labels; a 2-hop
// relationship counts only when its bridge is drawn too. With $min_confidence, only facts (bridges too) whose
// most confident evidence (r.confidence, kept by the store) reaches it. Nearest first, then the rarer types
// (fewer matching relationships of that type), then best-evidenced: $limit of total, so a cap keeps the few
// FUNDS of a city among its many HOSTS.
// No row when the entity does not exist.
MATCH (c:Entity {key: $key})
OPTIONAL CALL (c) {
  MATCH (c)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-(:Entity)
  RETURN r, 1 AS hop
  UNION
  MATCH (c)-[r1:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-(m:Entity)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-(:Entity)
  WHERE $depth >= 2 AND type(r1) IN $types AND m.label IN $labels
    AND ($min_confidence IS NULL OR r1.confidence >= $min_confidence)
  RETURN r, 2 AS hop
}
WITH c, r, min(hop) AS hop
WITH c, r, hop, startNode(r) AS s, endNode(r) AS t
ORDER BY hop, r.evidence_count DESC, r.key
WITH c, collect(CASE WHEN r IS NOT NULL AND type(r) IN $types
                       AND (s = c OR s.label IN $labels) AND (t = c OR t.label IN $labels)
                       AND ($min_confidence IS NULL OR r.confidence >= $min_confidence)
                  THEN {r: r, hop: hop} END) AS rows
CALL (rows) {
  UNWIND rows AS row
  WITH type(row.r) AS type, collect(row) AS same
  UNWIND same AS row
  WITH row, size(same) AS frequency
  ORDER BY row.hop, frequency, row.r.evidence_count DESC, row.r.key
  RETURN collect(row) AS ranked
}
WITH c, size(rows) AS total, ranked[..$limit] AS page
CALL (page) {
  UNWIND page AS row
  WITH row.r AS r, row.hop AS hop
  RETURN collect({
    key: r.key, type: type(r), source: startNode(r).key, target: endNode(r).key, hop: hop,
    amount_cny: r.amount_cny, confidence: r.confidence,
    evidence: COLLECT {
      MATCH (ev:Evidence {fact: r.key})
      OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
      WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
      RETURN ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence, .note,
                 .amount_cny, source: d.source}
    }
  }) AS items
}
RETURN c.key AS key, total, items

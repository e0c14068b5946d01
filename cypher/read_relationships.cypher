// The relationships of one entity, each with its other end and evidence; COOPERATES matches any direction.
// The extension SETS_TARGET is listed too (a policy's targets, an indicator's policies) with its
// properties (year, value, unit, …). With $min_confidence, only facts with evidence at least that confident
// (r.confidence is the highest confidence of the fact's evidence, kept by the store). No row when the
// entity does not exist.
MATCH (e:Entity {key: $key})
OPTIONAL CALL (e) {
  MATCH (e)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->(o:Entity)
  WHERE $direction <> 'in' OR type(r) = 'COOPERATES'
  RETURN r, o, CASE type(r) WHEN 'COOPERATES' THEN 'both' ELSE 'out' END AS direction
  UNION ALL
  MATCH (e)<-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]-(o:Entity)
  WHERE $direction <> 'out' OR type(r) = 'COOPERATES'
  RETURN r, o, CASE type(r) WHEN 'COOPERATES' THEN 'both' ELSE 'in' END AS direction
}
WITH e, r, o, direction
ORDER BY r.evidence_count DESC, r.key
WITH e, collect(CASE WHEN r IS NOT NULL AND ($type IS NULL OR type(r) = $type)
                       AND ($label IS NULL OR o.label = $label)
                       AND ($min_confidence IS NULL OR r.confidence >= $min_confidence)
                  THEN {r: r, o: o, direction: direction} END) AS rows
WITH size(rows) AS total, rows[$offset..($offset + $limit)] AS page
CALL (page) {
  UNWIND page AS row
  WITH row.r AS r, row.o AS o, row.direction AS direction
  RETURN collect({
    key: r.key, type: type(r), direction: direction,
    source: startNode(r).key, target: endNode(r).key,
    other: o {.key, .label, .name},
    amount_cny: r.amount_cny, confidence: r.confidence, properties: properties(r),
    evidence_count: coalesce(r.evidence_count, 0), doc_ids: coalesce(r.doc_ids, []),
    evidence: COLLECT {
      MATCH (ev:Evidence {fact: r.key})
      OPTIONAL MATCH (ev)-[:IN_DOCUMENT]->(d:Document)
      WITH ev, d ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT $evidence_limit
      RETURN ev {.fact, .kind, .document_id, .start, .end, .sentence, .extractor, .confidence, .note,
                 .amount_cny, source: d.source}
    }
  }) AS items
}
RETURN total, items

// All entities (optionally of one label), best-evidenced first.
CALL () {
  MATCH (e:Entity) WHERE $label IS NULL OR e.label = $label
  RETURN count(e) AS total
}
CALL () {
  MATCH (e:Entity) WHERE $label IS NULL OR e.label = $label
  WITH e ORDER BY e.evidence_count DESC, e.key SKIP $offset LIMIT $limit
  RETURN collect(e {.key, .label, .name, .aliases, .evidence_count, score: null, exact: false}) AS items
}
RETURN total, items

// Recompute the provenance of relationships that lost support or evidence (marked evidence does not
// count); returns those no document states any more, for the sweep to delete.
UNWIND $keys AS key
MATCH ()-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET {key: key}]->()
CALL (r) {
  OPTIONAL MATCH (ev:Evidence {fact: r.key})
  WHERE ev.retracted IS NULL
  RETURN count(ev) AS evidence_count, max(ev.confidence) AS confidence, max(ev.amount_cny) AS amount
}
SET r.evidence_count = evidence_count,
    r.confidence = confidence,
    r.amount_cny = CASE WHEN evidence_count > 0 THEN amount ELSE r.amount_cny END
WITH r
WHERE size(r.doc_ids) = 0
RETURN collect(elementId(r)) AS ids

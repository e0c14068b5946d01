// One page of a city's part of the graph: the actors with keys in $keys (outside $labels: skipped), each
// with its outgoing relations of $types, as one record of lists; the caller keeps the relations whose
// target is in the part. Weight as in analytics_page.
UNWIND $keys AS key
MATCH (s:Entity {key: key})
WHERE $labels IS NULL OR s.label IN $labels
CALL (s) {
  MATCH (s)-[r:HOSTS|FUNDS|COOPERATES]->(t:Entity)
  WHERE type(r) IN $types AND ($labels IS NULL OR t.label IN $labels)
  WITH t, r,
       CASE WHEN $by_documents THEN size(coalesce(r.doc_ids, [])) ELSE coalesce(r.evidence_count, 1) END AS w
  RETURN collect([t.key, type(r), CASE WHEN w < 1 THEN 1 ELSE w END]) AS out
}
RETURN collect([s.key, s.name, s.label, out]) AS rows

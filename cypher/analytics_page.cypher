// One page of the actor graph: the next $page actors after key $after (key-index order, no SKIP), each with
// its outgoing relations of $types, as ONE record of lists, which the driver decodes far faster than one
// record per relation. Actors outside $labels (null = all) are scanned, for the cursor, but not returned.
// Weight: evidence count, or number of documents when $by_documents; at least 1.
MATCH (s:Entity)
WHERE s.key > $after
WITH s
ORDER BY s.key
LIMIT $page
CALL (s) {
  MATCH (s)-[r:HOSTS|FUNDS|COOPERATES]->(t:Entity)
  WHERE type(r) IN $types AND ($labels IS NULL OR (s.label IN $labels AND t.label IN $labels))
  WITH t, r,
       CASE WHEN $by_documents THEN size(coalesce(r.doc_ids, [])) ELSE coalesce(r.evidence_count, 1) END AS w
  RETURN collect([t.key, type(r), CASE WHEN w < 1 THEN 1 ELSE w END]) AS out
}
RETURN collect(CASE WHEN $labels IS NULL OR s.label IN $labels THEN [s.key, s.name, s.label, out] END) AS rows,
       count(s) AS scanned,
       max(s.key) AS last

// One page of the relationships between exported entities, optionally only of $types and between entities
// of $labels; the whole stored graph by default, the extension SETS_TARGET (policy -> indicator, per year)
// included. Pages run in (source key, relation key) order: the $batch next after the relationship
// $after_key of the source $after_source. The sources come from the entity_key index in key order, so a page
// sorts only one source's relationships at a time.
// `sentence` is the fact's first evidence in the explorer's order (most confident, then document, offset).
MATCH (s:Entity)
WHERE s.key >= $after_source AND ($labels IS NULL OR s.label IN $labels)
MATCH (s)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->(t:Entity)
WHERE (s.key > $after_source OR r.key > $after_key)
  AND ($types IS NULL OR type(r) IN $types)
  AND ($labels IS NULL OR t.label IN $labels)
WITH s, r, t
ORDER BY s.key, r.key
LIMIT $batch
RETURN s.key AS source, t.key AS target, type(r) AS type, properties(r) AS props,
       COLLECT {
         MATCH (ev:Evidence {fact: r.key})
         WITH ev ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT 1
         RETURN ev.sentence
       } AS sentences
ORDER BY source, props.key

// Relationships between exported entities, optionally only of $types and between entities of $labels;
// the whole stored graph by default, the extension SETS_TARGET (policy -> indicator, per year) included.
// `sentence` is the fact's first evidence in the explorer's order (most confident, then document, offset).
MATCH (s:Entity)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->(t:Entity)
WHERE ($types IS NULL OR type(r) IN $types)
  AND ($labels IS NULL OR (s.label IN $labels AND t.label IN $labels))
RETURN s.key AS source, t.key AS target, type(r) AS type, properties(r) AS props,
       COLLECT {
         MATCH (ev:Evidence {fact: r.key})
         WITH ev ORDER BY ev.confidence DESC, ev.document_id, ev.start LIMIT 1
         RETURN ev.sentence
       } AS sentences
ORDER BY r.key

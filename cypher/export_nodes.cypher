// One page of the entities for export, optionally only those whose label is in $labels: the $batch next
// after the key $after, in key order (read on the entity_key index, so a page costs its own rows only).
MATCH (e:Entity)
WHERE e.key > $after AND ($labels IS NULL OR e.label IN $labels)
RETURN properties(e) AS entity
ORDER BY e.key
LIMIT $batch

// Entities for export, optionally only those whose label is in $labels.
MATCH (e:Entity)
WHERE $labels IS NULL OR e.label IN $labels
RETURN properties(e) AS entity
ORDER BY e.key

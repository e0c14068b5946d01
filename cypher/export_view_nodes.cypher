// The entities of one view (an entity page's neighbourhood, a path page's paths) for export, by key.
UNWIND $keys AS k
MATCH (e:Entity {key: k})
RETURN properties(e) AS entity
ORDER BY e.key

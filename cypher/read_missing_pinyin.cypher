// Entities without a pinyin search key (written before keys existed, or loaded by other means), by key.
MATCH (e:Entity) WHERE e.pinyin IS NULL
RETURN e.key AS key, e.name AS name
ORDER BY e.key
LIMIT $limit

// The best-connected entities (degree over HOSTS/FUNDS/COOPERATES), optionally of one label.
MATCH (n:Entity)
WHERE $label IS NULL OR n.label = $label
WITH n, COUNT { (n)-[:HOSTS|FUNDS|COOPERATES]-(:Entity) } AS degree
WHERE degree > 0
RETURN n.key AS key, n.name AS name, n.label AS label, coalesce(n.aliases, []) AS aliases, degree
ORDER BY degree DESC, n.key
LIMIT $limit

// Entities by key with their degree over HOSTS/FUNDS/COOPERATES (node size in the drawing).
UNWIND $keys AS k
MATCH (n:Entity {key: k})
RETURN n.key AS key, n.name AS name, n.label AS label, coalesce(n.aliases, []) AS aliases,
       COUNT { (n)-[:HOSTS|FUNDS|COOPERATES]-(:Entity) } AS degree

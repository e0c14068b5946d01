// Best-connected actors per label
// The five actors of each label with the most HOSTS/FUNDS/COOPERATES relationships.
MATCH (n:Entity)
WITH n, COUNT { (n)-[:HOSTS|FUNDS|COOPERATES]-(:Entity) } AS degree
ORDER BY degree DESC
WITH n.label AS label, collect({name: n.name, degree: degree})[..5] AS top
RETURN label, top
ORDER BY label

// Cooperation network around a university
// The university with the most cooperation partners, its partners and their partners (COOPERATES is stored
// once and read undirected). To pick one, replace the first two lines with MATCH (u:Institute {name: '中国矿业大学'}).
MATCH (u:Institute)-[:COOPERATES]-(:Entity)
WHERE u.name ENDS WITH '大学' OR u.name ENDS WITH '学院'
WITH u, count(*) AS partners ORDER BY partners DESC, u.name LIMIT 1
MATCH (u)-[c:COOPERATES]-(partner:Entity)
OPTIONAL MATCH (partner)-[c2:COOPERATES]-(other:Entity)
WHERE other <> u
RETURN u, c, partner, c2, other

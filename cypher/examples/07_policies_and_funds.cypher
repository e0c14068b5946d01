// Policies and programmes a city funds or hosts
// Named policy instruments linked to 扬州 and the documents that mention them.
MATCH (c:City {name: '扬州'})-[r:HOSTS|FUNDS]->(p:Policy)
OPTIONAL MATCH (d:Document)-[:MENTIONS]->(p)
RETURN c, r, p, type(r) AS relation, p.name AS policy, collect(DISTINCT d.source) AS documents

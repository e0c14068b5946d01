// The keys of a city's part of the graph: the city, what it hosts, and what its parks (and their
// sub-parks, up to 4 parks deep) host. A city is found by name or alias; one row per city found.
UNWIND $cities AS city
MATCH (c:Entity:City)
WHERE c.name = city OR city IN c.aliases
CALL (c) {
  RETURN c AS m
  UNION
  MATCH (c)-[:HOSTS]->(m:Entity)
  RETURN m
  UNION
  // The label test inside the quantified pattern prunes the expansion at every non-park step.
  MATCH (c)-[:HOSTS]->(:Park)(()-[:HOSTS]->(:Park)){0,3}()-[:HOSTS]->(m:Entity)
  RETURN m
}
RETURN city, collect(DISTINCT m.key) AS members

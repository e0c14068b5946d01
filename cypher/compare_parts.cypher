// Each city's part of the graph (graph/compare.py): the entities it hosts directly, through its districts
// and counties (child City nodes whose level is in $sub_levels) and through the parks of either, up to four
// parks deep; and the policies the city or one of those it hosts funds, directly or through policies it
// funds (a policy is never hosted: the programmes a city pays into are its policies, so that every Policy
// its funding figures reach is one of its actors).
// A province's prefecture cities are members but their contents are not: a province does not absorb its
// cities. The city itself is not its own member. One row per city key, members by key.
UNWIND $cities AS key
MATCH (c:Entity:City {key: key})
OPTIONAL CALL (c) {
  MATCH (c)(()-[:HOSTS]->(d:City) WHERE d.level IN $sub_levels){0,1}
           (()-[:HOSTS]->(:Park)){0,4}()-[:HOSTS]->(m:Entity)
  WHERE m <> c
  RETURN DISTINCT m
}
WITH key, c, collect(m) AS hosted
CALL (c, hosted) {
  UNWIND [c] + hosted AS funder
  MATCH (funder)(()-[:FUNDS]->(:Policy))*()-[:FUNDS]->(p:Entity:Policy)
  WHERE NOT p IN hosted
  RETURN collect(DISTINCT p) AS funded
}
UNWIND hosted + funded AS m
WITH key, m
ORDER BY m.key
RETURN key AS city, collect(m {.key, .name, .label}) AS members

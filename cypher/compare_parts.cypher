// Each city's part of the graph (graph/compare.py): the entities it hosts directly, through its districts
// and counties (child City nodes whose level is in $sub_levels) and through the parks of either, up to four
// parks deep. A province's prefecture cities are members but their contents are not: a province does not
// absorb its cities. The city itself is not its own member. One row per city key, members by key.
UNWIND $cities AS key
MATCH (c:Entity:City {key: key})
OPTIONAL CALL (c) {
  MATCH (c)(()-[:HOSTS]->(d:City) WHERE d.level IN $sub_levels){0,1}
           (()-[:HOSTS]->(:Park)){0,4}()-[:HOSTS]->(m:Entity)
  WHERE m <> c
  RETURN DISTINCT m
}
WITH key, m
ORDER BY m.key
RETURN key AS city, collect(m {.key, .name, .label}) AS members

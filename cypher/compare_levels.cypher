// Each City level (province, municipality, prefecture, county, district) with its cities, best-evidenced
// first, at most $limit per level: the comparison page offers those of the compared level as quick picks.
MATCH (c:Entity:City)
WHERE c.level IS NOT NULL
WITH c
ORDER BY c.evidence_count DESC, c.key
WITH c.level AS level, collect(c {.key, .name, .level}) AS cities
RETURN level, cities[..$limit] AS cities
ORDER BY level

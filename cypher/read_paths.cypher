// Shortest paths between two entities over HOSTS/FUNDS/COOPERATES, any direction, at most $max_hops (<= 6).
// The pattern's bound must be a literal, so it is the API's ceiling and $max_hops filters below it.
MATCH (a:Entity {key: $source}), (b:Entity {key: $target})
MATCH p = allShortestPaths((a)-[:HOSTS|FUNDS|COOPERATES*..6]-(b))
WITH p WHERE length(p) <= $max_hops
RETURN length(p) AS length,
       [n IN nodes(p) | n {.key, .label, .name}] AS nodes,
       [r IN relationships(p) | {key: r.key, type: type(r), source: startNode(r).key,
                                 target: endNode(r).key, amount_cny: r.amount_cny}] AS relationships
LIMIT $limit

// Up to $limit shortest paths between two entities over HOSTS/FUNDS/COOPERATES, in any direction, of at
// most $max_hops (<= 6), shortest first: Neo4j's SHORTEST k, so longer paths follow when they exist.
// A step may not use a type in $exclude_types, nor pass through an entity whose label is in $exclude_labels
// or (with $exclude_provinces) a province (City of level province); the two ends are always allowed.
// Paths that visit an entity twice are dropped. SHORTEST's k and the quantifier's bound must be literals:
// the API's ceilings (100 paths, 6 hops), with $limit and $max_hops cutting below them.
MATCH (a:Entity {key: $source}), (b:Entity {key: $target})
MATCH p = SHORTEST 100 (a)(()-[r:HOSTS|FUNDS|COOPERATES]-(n:Entity)
      WHERE NOT type(r) IN $exclude_types
        AND (n.key = $target
             OR NOT (n.label IN $exclude_labels
                     OR ($exclude_provinces AND n.label = 'City' AND coalesce(n.level, '') = 'province')))){1,6}(b)
WITH p WHERE length(p) <= $max_hops
  AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
WITH p ORDER BY length(p), [x IN relationships(p) | x.key]
RETURN length(p) AS length,
       [n IN nodes(p) | n {.key, .label, .name}] AS nodes,
       [r IN relationships(p) | {key: r.key, type: type(r), source: startNode(r).key,
                                 target: endNode(r).key, amount_cny: r.amount_cny}] AS relationships
LIMIT $limit

// Write one batch of analytics results back as node properties; keys no longer in the graph are skipped.
UNWIND $rows AS row
MATCH (n:Entity {key: row.key})
SET n.degree = row.degree,
    n.pagerank = row.pagerank,
    n.betweenness = row.betweenness,
    n.community = row.community,
    n.analytics_run_at = $run_at
RETURN count(n) AS updated

// The fact a curator names by its key (as the relationship lists show it), with its ends.
MATCH (s:Entity)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET {key: $key}]->(t:Entity)
RETURN r.key AS key, type(r) AS type, s.key AS source, t.key AS target, r.doc_ids AS doc_ids
LIMIT 1

// The sweep, second half: delete nodes (evidence, entities, documents) and what still hangs on them.
UNWIND $ids AS id
MATCH (n)
WHERE elementId(n) = id
DETACH DELETE n

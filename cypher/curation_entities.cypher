// The entities among $keys that are in the graph, with their names: curation checks a key before using it.
UNWIND $keys AS key
MATCH (e:Entity {key: key})
RETURN e.key AS key, e.name AS name, e.label AS label

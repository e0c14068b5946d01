// The property names of the exported entities (those of $labels, or all) and the types of their values:
// the headers (GraphML keys, GEXF attributes, CSV columns) a streamed export writes before its first node.
MATCH (e:Entity)
WHERE $labels IS NULL OR e.label IN $labels
UNWIND keys(e) AS name
RETURN DISTINCT name, valueType(e[name]) AS type

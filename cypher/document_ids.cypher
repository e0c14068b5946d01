// Content ids of every stored document: ingest skips files whose content is already in the graph.
MATCH (d:Document)
RETURN d.id AS id

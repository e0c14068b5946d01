// The policies that name each broker (graph/compare.py): a Policy linked to it by a relationship of $types
// (either direction), or named in a document that mentions it, nearest first: `distance` is the fewest
// characters between an entity evidence span of each in one document (0: the same sentence).
// Linked first, then by distance, then by documents mentioning both, then by name; at most $limit each.
UNWIND $brokers AS key
MATCH (b:Entity {key: key})
CALL (b) {
  MATCH (b)-[r]-(p:Policy)
  WHERE type(r) IN $types
  RETURN p, type(r) AS via, null AS distance
  UNION ALL
  MATCH (eb:Evidence {fact: b.key})
  WHERE eb.kind = 'entity'
  MATCH (ep:Evidence {document_id: eb.document_id})
  WHERE ep.kind = 'entity' AND ep.fact <> b.key
  MATCH (p:Entity:Policy {key: ep.fact})
  RETURN p, null AS via,
         CASE WHEN ep.start >= eb.end THEN ep.start - eb.end
              WHEN eb.start >= ep.end THEN eb.start - ep.end
              ELSE 0 END AS distance
}
WITH b, p, collect(DISTINCT via) AS relations, min(distance) AS distance
WITH b, p, relations, distance,
     size([d IN coalesce(p.doc_ids, []) WHERE d IN coalesce(b.doc_ids, [])]) AS documents
ORDER BY size(relations) DESC, distance, documents DESC, p.name
WITH b, collect(p {.key, .name, relations: relations, distance: distance, documents: documents}) AS policies
RETURN b.key AS broker, policies[..$limit] AS policies

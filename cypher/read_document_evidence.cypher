// Every piece of evidence in one document, with the fact it supports: an entity (key, label, name) or a
// relationship (type and both ends), found by its key through the per-type key constraints. A fact that is
// no longer stored (its evidence outlived it) comes back with null ends. Ordered by position.
MATCH (ev:Evidence {document_id: $id})
CALL (ev) {
  OPTIONAL MATCH (e:Entity {key: ev.fact}) WHERE ev.kind = 'entity'
  RETURN e {.key, .label, .name} AS entity
}
CALL (ev) {
  OPTIONAL CALL (ev) {
    MATCH (s:Entity)-[r:HOSTS {key: ev.fact}]->(t:Entity) RETURN r, s, t
    UNION
    MATCH (s:Entity)-[r:FUNDS {key: ev.fact}]->(t:Entity) RETURN r, s, t
    UNION
    MATCH (s:Entity)-[r:COOPERATES {key: ev.fact}]->(t:Entity) RETURN r, s, t
    UNION
    MATCH (s:Entity)-[r:SETS_TARGET {key: ev.fact}]->(t:Entity) RETURN r, s, t
  }
  RETURN CASE WHEN r IS NULL THEN null ELSE {type: type(r), source: s {.key, .label, .name},
                                             target: t {.key, .label, .name}} END AS relation
}
WITH ev, entity, relation ORDER BY ev.start, ev.end, ev.fact
RETURN ev {.fact, .kind, .start, .end, .sentence, .extractor, .confidence, .note, .amount_cny,
           entity: entity, relation: relation} AS evidence

// Counts per entity label and relation type, plus documents and evidence.
CALL () {
  MATCH (e:Entity) WITH e.label AS label, count(*) AS n RETURN collect([label, n]) AS labels
}
CALL () {
  MATCH (:Entity)-[r]->(:Entity) WITH type(r) AS type, count(*) AS n RETURN collect([type, n]) AS types
}
CALL () { MATCH (d:Document) RETURN count(d) AS documents }
CALL () { MATCH (ev:Evidence) RETURN count(ev) AS evidence }
RETURN labels, types, documents, evidence

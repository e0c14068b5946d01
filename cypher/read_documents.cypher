// Ingested documents, newest first, each with how many entities, relations and evidence it yielded.
CALL () {
  MATCH (d:Document) RETURN count(d) AS total
}
CALL () {
  MATCH (d:Document)
  WITH d ORDER BY d.ingested_at DESC, d.id SKIP $offset LIMIT $limit
  RETURN collect(d {.id, .source, .title, .length, date: toString(d.date), ingested_at: toString(d.ingested_at),
                    entities: COUNT { (d)-[:MENTIONS]->(:Entity) },
                    evidence: COUNT { (:Evidence)-[:IN_DOCUMENT]->(d) },
                    relations: COUNT { MATCH (ev:Evidence {kind: 'relation'})-[:IN_DOCUMENT]->(d)
                                       RETURN DISTINCT ev.fact }}) AS items
}
RETURN total, items

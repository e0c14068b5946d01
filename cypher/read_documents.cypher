// Ingested documents with how many entities, relations and evidence each yielded; $q keeps those whose
// title or source contains it (case-insensitive), $sort names the column to order by (title, source, date,
// ingested_at, entities, relations, evidence), $descending its direction; ties by id.
MATCH (d:Document)
WHERE $q IS NULL OR toLower(coalesce(d.title, '')) CONTAINS $q OR toLower(d.source) CONTAINS $q
WITH d {.id, .source, .title, .length, date: toString(d.date), ingested_at: toString(d.ingested_at),
        entities: COUNT { (d)-[:MENTIONS]->(:Entity) },
        evidence: COUNT { (:Evidence)-[:IN_DOCUMENT]->(d) },
        relations: COUNT { MATCH (ev:Evidence {kind: 'relation'})-[:IN_DOCUMENT]->(d)
                           RETURN DISTINCT ev.fact }} AS row, d.ingested_at AS ingested_at
// One sort key per query, of one type: the ingest time as a datetime (its string drops trailing zeros
// of the fraction, which would misorder), the date as its fixed-width ISO string, absent dates first.
WITH row, CASE $sort WHEN 'title' THEN coalesce(row.title, row.source)
                     WHEN 'source' THEN row.source
                     WHEN 'date' THEN coalesce(row.date, '')
                     WHEN 'ingested_at' THEN ingested_at
                     WHEN 'entities' THEN row.entities
                     WHEN 'relations' THEN row.relations
                     ELSE row.evidence END AS sort_key
ORDER BY CASE WHEN $descending THEN sort_key END DESC, CASE WHEN NOT $descending THEN sort_key END, row.id
WITH collect(row) AS rows
RETURN size(rows) AS total, rows[$offset..($offset + $limit)] AS items

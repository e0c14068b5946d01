// Every stored document's id and source: `ingest --sync` retracts those whose file is gone.
MATCH (d:Document)
RETURN d.id AS id, d.source AS source
ORDER BY source, id

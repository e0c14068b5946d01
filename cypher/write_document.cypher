// One Document node per content id; ingested_at records the first write only. `existed` tells the
// writer whether there is anything of this document's to retract; it is read after the MERGE, under the
// id's lock, so that of two concurrent writes of one new document the second still retracts the first.
MERGE (d:Document {id: $document.id})
ON CREATE SET d.ingested_at = datetime(), d.created_by_this_write = true
WITH d, d.created_by_this_write IS NULL AS existed
REMOVE d.created_by_this_write
SET d.source = $document.source,
    d.title = $document.title,
    d.date = $document.date,
    d.text = $document.text,
    d.length = $document.length
RETURN existed

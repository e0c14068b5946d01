// Other versions of a source: the documents a new version replaces.
MATCH (old:Document {source: $source})
WHERE old.id <> $document_id
RETURN old.id AS id
ORDER BY id

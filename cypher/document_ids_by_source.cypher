// The ids of the stored documents with this source: an upload under a source already taken is a new version.
MATCH (d:Document {source: $source})
RETURN d.id AS id

// A document to remove once its evidence and support are retracted; returns its node for the sweep.
MATCH (d:Document {id: $document_id})
RETURN elementId(d) AS id

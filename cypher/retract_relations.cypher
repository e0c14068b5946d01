// Withdraw a document's support from the relationships it stated, except the keys in $keep.
// Both ends of a fact a document states are entities it MENTIONS, so expanding from them finds them all
// (the extension SETS_TARGET too: its policy and indicator are entities of the same document).
MATCH (:Document {id: $document_id})-[:MENTIONS]->(:Entity)-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->()
WHERE $document_id IN r.doc_ids AND NOT r.key IN $keep
SET r.doc_ids = [x IN r.doc_ids WHERE x <> $document_id]
RETURN collect(r.key) AS keys

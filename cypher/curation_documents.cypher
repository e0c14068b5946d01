// The documents a correction touches, with everything needed to extract them again: those that mention
// one of $keys, and those with one of $ids or $sources (an added fact's document and its other versions).
CALL () {
  UNWIND $keys AS key
  MATCH (:Entity {key: key})<-[:MENTIONS]-(d:Document)
  RETURN d
  UNION
  UNWIND $ids AS id
  MATCH (d:Document {id: id})
  RETURN d
  UNION
  UNWIND $sources AS source
  MATCH (d:Document {source: source})
  RETURN d
}
RETURN d.id AS id, d.source AS source, d.title AS title, d.date AS date, d.text AS text
ORDER BY id

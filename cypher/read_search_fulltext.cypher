// Entities whose name or an alias matches a full-text query, best first: exact name or alias matches, then
// by score. $index: the full-text index over Entity name/aliases (cypher/schema.cypher); $lucene: an escaped
// phrase query. A broad query ("科技") has 10^4 hits, so no property of a hit is read before paging: hits
// come in score order, exact names are found through the name index, exact aliases among the first
// $window hits (a field that equals the whole phrase scores at the top), and only the page is projected.
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node, score
WITH node, score WHERE $label IS NULL OR $label IN labels(node)
WITH collect({e: node, score: score}) AS hits
CALL () {
  OPTIONAL MATCH (x:Entity {name: $q})
  RETURN collect(x) AS named
}
WITH hits, [i IN range(0, size(hits) - 1)
            WHERE hits[i].e IN named OR (i < $window AND $q IN coalesce(hits[i].e.aliases, []))] AS exact_at
WITH hits, exact_at,
     CASE WHEN size(exact_at) = 0 THEN range(0, size(hits) - 1)
          ELSE exact_at + [i IN range(0, size(hits) - 1) WHERE NOT i IN exact_at] END AS ranked
RETURN size(hits) AS total,
       [i IN ranked[$offset..($offset + $limit)] |
         {key: hits[i].e.key, label: hits[i].e.label, name: hits[i].e.name, aliases: hits[i].e.aliases,
          evidence_count: hits[i].e.evidence_count, score: hits[i].score, exact: i IN exact_at}] AS items

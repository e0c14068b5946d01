// Entities whose name or an alias contains $needle (lower-cased): the fallback for queries the
// full-text analyzer cannot match (one character, part of a Latin word). Exact matches first.
MATCH (e:Entity)
WHERE ($label IS NULL OR e.label = $label)
  AND (toLower(e.name) CONTAINS $needle OR any(a IN coalesce(e.aliases, []) WHERE toLower(a) CONTAINS $needle))
WITH e, (e.name = $q OR $q IN coalesce(e.aliases, [])) AS exact
ORDER BY exact DESC, size(e.name), e.evidence_count DESC, e.key
WITH collect({e: e, exact: exact}) AS hits
RETURN size(hits) AS total,
       [h IN hits[$offset..($offset + $limit)] |
         {key: h.e.key, label: h.e.label, name: h.e.name, aliases: h.e.aliases,
          evidence_count: h.e.evidence_count, score: null, exact: h.exact}] AS items

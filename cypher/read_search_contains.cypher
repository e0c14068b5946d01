// Entities whose name or an alias contains $needle (lower-cased), or whose pinyin key (graph/pinyin.py)
// contains $pinyin when it is given: the search for what the full-text analyzer cannot match (one
// character, part of a Latin word, pinyin). Exact name or alias matches first, then names that sound
// exactly like $pinyin, then those whose pinyin starts with it, then shorter names.
MATCH (e:Entity)
WHERE ($label IS NULL OR e.label = $label)
  AND (toLower(e.name) CONTAINS $needle
       OR any(a IN coalesce(e.aliases, []) WHERE toLower(a) CONTAINS $needle)
       OR ($pinyin IS NOT NULL AND e.pinyin CONTAINS $pinyin))
WITH e, (e.name = $q OR $q IN coalesce(e.aliases, [])) AS exact,
     CASE WHEN $pinyin IS NULL OR e.pinyin IS NULL THEN 2
          WHEN e.pinyin = $pinyin THEN 0
          WHEN e.pinyin STARTS WITH $pinyin THEN 1
          ELSE 2 END AS sound
ORDER BY exact DESC, sound, size(e.name), e.evidence_count DESC, e.key
WITH collect({e: e, exact: exact}) AS hits
RETURN size(hits) AS total,
       [h IN hits[$offset..($offset + $limit)] |
         {key: h.e.key, label: h.e.label, name: h.e.name, aliases: h.e.aliases,
          evidence_count: h.e.evidence_count, score: null, exact: h.exact}] AS items

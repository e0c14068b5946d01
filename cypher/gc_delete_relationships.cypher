// The sweep, first half: delete relationships by element id (a look-up that stays fast after deletes).
UNWIND $ids AS id
MATCH ()-[r]->()
WHERE elementId(r) = id
DELETE r

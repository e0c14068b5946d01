// Store pinyin search keys computed in Python (graph/pinyin.py): rows of {key, pinyin}.
UNWIND $rows AS row
MATCH (e:Entity {key: row.key})
SET e.pinyin = row.pinyin

// One document with its text, counts, and the entities it mentions.
MATCH (d:Document {id: $id})
RETURN d {.id, .source, .title, .length, .text, date: toString(d.date), ingested_at: toString(d.ingested_at),
          entities: COUNT { (d)-[:MENTIONS]->(:Entity) },
          evidence: COUNT { (:Evidence)-[:IN_DOCUMENT]->(d) },
          relations: COUNT { MATCH (ev:Evidence {kind: 'relation'})-[:IN_DOCUMENT]->(d) RETURN DISTINCT ev.fact },
          mentions: COLLECT { MATCH (d)-[:MENTIONS]->(e:Entity) RETURN e {.key, .label, .name} ORDER BY e.key }
         } AS document

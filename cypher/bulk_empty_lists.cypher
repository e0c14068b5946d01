// After a bulk import: neo4j-admin stores an empty list as no property at all, where the writer stores [].
// Entities without aliases and mentions that give none get their empty list back, in batches (a
// province's corpus has millions of mentions).
MATCH (n:Entity) WHERE n.aliases IS NULL
CALL (n) { SET n.aliases = [] } IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[m:MENTIONS]->() WHERE m.aliases IS NULL
CALL (m) { SET m.aliases = [] } IN TRANSACTIONS OF 10000 ROWS;

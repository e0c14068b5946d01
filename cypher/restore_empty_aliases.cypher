// After a bulk import (ingest/bulk.py): neo4j-admin stores an empty list as no property at all, where the
// writer stores []. Entities without aliases get their empty list back, in batches.
MATCH (n:Entity) WHERE n.aliases IS NULL
CALL (n) { SET n.aliases = [] } IN TRANSACTIONS OF 10000 ROWS

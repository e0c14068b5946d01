// After a bulk import (ingest/bulk.py): mentions that give no alias get their empty list back, in batches
// (a province's corpus has millions of mentions).
MATCH ()-[m:MENTIONS]->() WHERE m.aliases IS NULL
CALL (m) { SET m.aliases = [] } IN TRANSACTIONS OF 10000 ROWS

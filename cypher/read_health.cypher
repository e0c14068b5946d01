// Server version and node counts (from the count store, so cheap).
CALL dbms.components() YIELD versions, edition
WITH versions[0] AS version, edition LIMIT 1
CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
CALL () { MATCH (n:Document) RETURN count(n) AS documents }
CALL () { MATCH (n:Evidence) RETURN count(n) AS evidence }
RETURN version, edition, entities, documents, evidence

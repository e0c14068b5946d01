// Schema of the innograph store (see STORAGE.md). Every statement is idempotent (IF NOT EXISTS);
// graph.store.apply_schema runs them in order at start-up, then waits for the indexes to come online.

// Identity: one node per entity key, document id and evidence key.
CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT evidence_key IF NOT EXISTS FOR (ev:Evidence) REQUIRE ev.key IS UNIQUE;

// One relationship per fact. A uniqueness constraint (Community has them for relationships since 5.7)
// is also the index that MERGE (a)-[r:HOSTS {key: ...}]->(b) seeks with; a dynamic type would scan.
CREATE CONSTRAINT hosts_key IF NOT EXISTS FOR ()-[r:HOSTS]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT funds_key IF NOT EXISTS FOR ()-[r:FUNDS]-() REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT cooperates_key IF NOT EXISTS FOR ()-[r:COOPERATES]-() REQUIRE r.key IS UNIQUE;
// Extension (not scored): the targets a policy sets, one per (policy, indicator, year), read per city.
CREATE CONSTRAINT sets_target_key IF NOT EXISTS FOR ()-[r:SETS_TARGET]-() REQUIRE r.key IS UNIQUE;
CREATE INDEX sets_target_city IF NOT EXISTS FOR ()-[r:SETS_TARGET]-() ON (r.city);

// Provenance look-ups: the evidence of a fact, of a document; the versions of a source.
CREATE INDEX evidence_fact IF NOT EXISTS FOR (ev:Evidence) ON (ev.fact);
CREATE INDEX evidence_document IF NOT EXISTS FOR (ev:Evidence) ON (ev.document_id);
CREATE INDEX document_source IF NOT EXISTS FOR (d:Document) ON (d.source);

// Filters by label and exact name, on Entity and on each specific label.
CREATE INDEX entity_label IF NOT EXISTS FOR (n:Entity) ON (n.label);
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
CREATE INDEX city_name IF NOT EXISTS FOR (n:City) ON (n.name);
CREATE INDEX park_name IF NOT EXISTS FOR (n:Park) ON (n.name);
CREATE INDEX institute_name IF NOT EXISTS FOR (n:Institute) ON (n.name);
CREATE INDEX enterprise_name IF NOT EXISTS FOR (n:Enterprise) ON (n.name);
CREATE INDEX policy_name IF NOT EXISTS FOR (n:Policy) ON (n.name);
CREATE INDEX indicator_name IF NOT EXISTS FOR (n:Indicator) ON (n.name);

// Name search. The cjk analyzer indexes Chinese as overlapping character bigrams, so any substring of
// two or more characters of a name or alias matches; a full-text index reads LIST<STRING> (aliases) as is.
CREATE FULLTEXT INDEX entity_search IF NOT EXISTS
FOR (n:Entity) ON EACH [n.name, n.aliases]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}};

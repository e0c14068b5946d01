"""The Neo4j writer against a real Neo4j: schema, idempotency, version replacement, provenance, search."""

from __future__ import annotations

import re
from typing import Any

import pytest
from neo4j import Driver, Neo4jDriver
from neo4j.exceptions import ClientError
from pydantic import ValidationError

from graph.cypher import CYPHER_DIR, statements
from graph.errors import BadInput, NotFound
from graph.model import Document, Entity, Evidence, Graph, Label, Relation, RelType
from graph.read import run_read
from graph.store import StoreError, apply_schema, delete_document, write_graph
from tests.conftest import Neo4jEndpoint
from tests.helpers import evidence, make_document

XUZHOU_V1 = "华为、中兴等企业都已入驻徐州市。徐州软件园牵手北京中关村。常州给予研究所2000万元支持。"
XUZHOU_V2 = "华为、中兴等企业都已入驻徐州市。徐州市设立徐州高新区。"


# --- building graphs --------------------------------------------------------------------------------


def entity(doc: Document, label: Label, name: str, sentence: str, **kwargs: Any) -> Entity:
    return Entity.create(label=label, name=name, evidence=(evidence(doc, sentence),), **kwargs)


def relation(
    doc: Document, type_: RelType, source: Entity, target: Entity, sentence: str, **kw: Any
) -> Relation:
    return Relation(
        type=type_, source=source.key, target=target.key, evidence=(evidence(doc, sentence),), **kw
    )


def first_version() -> Graph:
    """徐州 hosts 华为; 徐州软件园 cooperates with 中关村; 常州 funds a research institute with 2000万."""
    doc = make_document(XUZHOU_V1, "news/xuzhou.txt")
    s1, s2, s3 = (
        "华为、中兴等企业都已入驻徐州市。",
        "徐州软件园牵手北京中关村。",
        "常州给予研究所2000万元支持。",
    )
    xuzhou = entity(doc, Label.CITY, "徐州", s1, aliases=("徐州市",), properties={"level": "prefecture"})
    huawei = entity(doc, Label.ENTERPRISE, "华为", s1)
    park = entity(doc, Label.PARK, "徐州软件园", s2)
    zgc = entity(doc, Label.PARK, "中关村", s2, aliases=("北京中关村",))
    changzhou = entity(doc, Label.CITY, "常州", s3)
    institute = entity(doc, Label.INSTITUTE, "研究所", s3)
    return Graph(
        document=doc,
        entities=(xuzhou, huawei, park, zgc, changzhou, institute),
        relations=(
            relation(doc, RelType.HOSTS, xuzhou, huawei, s1),
            relation(doc, RelType.COOPERATES, park, zgc, s2),
            relation(doc, RelType.FUNDS, changzhou, institute, s3, amount_cny=20_000_000.0),
        ),
    )


def second_version() -> Graph:
    """The same source, changed: 徐州 still hosts 华为; the rest is gone; 徐州 now hosts 徐州高新区."""
    doc = make_document(XUZHOU_V2, "news/xuzhou.txt")
    s1, s2 = "华为、中兴等企业都已入驻徐州市。", "徐州市设立徐州高新区。"
    xuzhou = entity(doc, Label.CITY, "徐州", s1, aliases=("徐州市",))
    huawei = entity(doc, Label.ENTERPRISE, "华为", s1)
    zone = entity(doc, Label.PARK, "徐州高新区", s2)
    return Graph(
        document=doc,
        entities=(xuzhou, huawei, zone),
        relations=(
            relation(doc, RelType.HOSTS, xuzhou, huawei, s1),
            relation(doc, RelType.HOSTS, xuzhou, zone, s2),
        ),
    )


def other_document() -> Graph:
    """Another source that also says 徐州 hosts 华为, and calls 徐州 彭城."""
    doc = make_document("彭城是华为的落户地。", "policy/other.txt")
    sentence = "彭城是华为的落户地。"
    xuzhou = entity(doc, Label.CITY, "徐州", sentence, aliases=("彭城",), properties={"population_m": 9.0})
    huawei = entity(doc, Label.ENTERPRISE, "华为", sentence)
    return Graph(
        document=doc,
        entities=(xuzhou, huawei),
        relations=(relation(doc, RelType.HOSTS, xuzhou, huawei, sentence),),
    )


# --- reading the database ---------------------------------------------------------------------------


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Any) -> str:
    """An empty database with the schema applied; its name."""
    database: str = neo4j_server.database
    apply_schema(driver, database=database)
    return database


def rows(driver: Driver, database: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=database)
    return [r.data() for r in records]


def counts(driver: Driver, database: str) -> dict[str, int]:
    """How many nodes of each kind and relationships of each type the database holds."""
    nodes = rows(driver, database, "MATCH (n) RETURN labels(n)[0] AS kind, count(*) AS n")
    rels = rows(driver, database, "MATCH ()-[r]->() RETURN type(r) AS kind, count(*) AS n")
    return {row["kind"]: row["n"] for row in (*nodes, *rels)}


def element_ids(driver: Driver, database: str) -> set[str]:
    query = "MATCH (n) RETURN elementId(n) AS id UNION ALL MATCH ()-[r]->() RETURN elementId(r) AS id"
    return {row["id"] for row in rows(driver, database, query)}


def fact(driver: Driver, database: str, key: str) -> dict[str, Any] | None:
    """A relationship's properties by fact key, or None."""
    found = rows(driver, database, "MATCH ()-[r {key: $key}]->() RETURN properties(r) AS p", key=key)
    return found[0]["p"] if found else None


def node(driver: Driver, database: str, key: str) -> dict[str, Any] | None:
    found = rows(driver, database, "MATCH (n:Entity {key: $key}) RETURN properties(n) AS p", key=key)
    return found[0]["p"] if found else None


def evidence_of(driver: Driver, database: str, key: str) -> list[str]:
    query = "MATCH (ev:Evidence {fact: $key}) RETURN ev.document_id AS d ORDER BY d"
    return [row["d"] for row in rows(driver, database, query, key=key)]


def rel_key(graph: Graph, type_: RelType, source: str, target: str) -> str:
    (r,) = [r for r in graph.relations if r.type is type_ and {r.source, r.target} == {source, target}]
    return r.key


# --- schema -----------------------------------------------------------------------------------------


def test_schema_applies_twice_without_change(driver: Driver, db: str) -> None:
    def schema() -> list[dict[str, Any]]:
        return rows(
            driver,
            db,
            "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state "
            "WHERE type <> 'LOOKUP' RETURN * ORDER BY name",
        )

    before = schema()
    assert apply_schema(driver, database=db) == len(statements("schema"))
    assert schema() == before
    assert {row["state"] for row in before} == {"ONLINE"}
    by_name = {row["name"]: row for row in before}
    assert by_name["entity_search"]["type"] == "FULLTEXT"
    assert by_name["entity_search"]["properties"] == ["name", "aliases"]
    assert {"entity_key", "document_id", "evidence_key", "hosts_key", "funds_key", "cooperates_key"} <= set(
        by_name
    )


# --- routing: the same code on one server, a cluster or Aura --------------------------------------


def test_reads_run_in_read_mode_and_writes_in_write_transactions(
    driver: Driver, db: str, neo4j_server: Neo4jEndpoint
) -> None:
    # The second pass of `make test` reaches the server through neo4j://, the routing driver of a cluster.
    assert isinstance(driver, Neo4jDriver) == neo4j_server.uri.startswith("neo4j")
    # A read-routed transaction may go to a follower, so the server refuses a write in one: were a
    # graph.read query to write, it would fail here, not only on a cluster.
    with pytest.raises(ClientError) as refused:
        run_read(driver, "CREATE (:Probe)", database=db)
    assert refused.value.code == "Neo.ClientError.Statement.AccessMode"
    graph = first_version()
    write_graph(driver, graph, database=db)
    # Read right after the write, through the read route: the shared bookmarks make it see the write.
    (record,) = run_read(
        driver, "MATCH (d:Document {id: $id}) RETURN count(d) AS n", database=db, id=graph.document.id
    )
    assert record["n"] == 1


# --- idempotency ------------------------------------------------------------------------------------


def test_writing_a_document_twice_changes_nothing(driver: Driver, db: str) -> None:
    graph = first_version()
    first = write_graph(driver, graph, database=db)
    before, ids = counts(driver, db), element_ids(driver, db)

    again = write_graph(driver, graph, database=db)

    assert first.nodes_created == 1 + 6 + 9  # document, entities, evidence (6 entity + 3 relation)
    assert first.evidence_created == 9
    assert counts(driver, db) == before
    assert element_ids(driver, db) == ids  # nothing was deleted and recreated
    assert not again.changed
    assert (again.evidence_created, again.evidence_deleted, again.replaced) == (0, 0, ())
    assert before == {
        "Document": 1,
        "Entity": 6,
        "Evidence": 9,
        "MENTIONS": 6,
        "IN_DOCUMENT": 9,
        "HOSTS": 1,
        "COOPERATES": 1,
        "FUNDS": 1,
    }


def test_small_batches_store_the_same_graph(driver: Driver, db: str) -> None:
    graph = first_version()
    summary = write_graph(driver, graph, database=db, batch_size=2)
    stored = counts(driver, db)
    props = [node(driver, db, e.key) for e in graph.entities]

    assert summary.phases["entities"].statements == 3  # 6 entities in batches of 2
    assert summary.phases["evidence"].statements == 5  # 9 pieces of evidence
    delete_document(driver, graph.document.id, database=db)
    write_graph(driver, graph, database=db)
    assert counts(driver, db) == stored
    assert [node(driver, db, e.key) for e in graph.entities] == props


def test_rewriting_with_less_evidence_deletes_only_the_stale_evidence(driver: Driver, db: str) -> None:
    graph = first_version()
    write_graph(driver, graph, database=db)
    xuzhou = graph.entities[0]
    trimmed = graph.model_copy(
        update={"entities": (xuzhou.model_copy(update={"evidence": ()}), *graph.entities[1:])}
    )

    summary = write_graph(driver, trimmed, database=db)

    assert (summary.evidence_deleted, summary.nodes_deleted, summary.relationships_deleted) == (1, 1, 1)
    stored = node(driver, db, xuzhou.key)
    assert stored is not None and stored["evidence_count"] == 0  # still mentioned, so still there
    assert stored["doc_ids"] == [graph.document.id]


# --- versions and shared facts ----------------------------------------------------------------------


def test_a_changed_version_replaces_the_old_versions_facts(driver: Driver, db: str) -> None:
    v1, v2 = first_version(), second_version()
    write_graph(driver, v1, database=db)

    summary = write_graph(driver, v2, database=db)

    assert summary.replaced == (v1.document.id,)
    docs = rows(driver, db, "MATCH (d:Document) RETURN d.id AS id")
    assert docs == [{"id": v2.document.id}]
    assert rows(driver, db, "MATCH (ev:Evidence {document_id: $id}) RETURN ev", id=v1.document.id) == []
    # Facts only v1 stated are gone: relationships, and then their entities.
    for type_, source, target in (
        (RelType.COOPERATES, "Park:徐州软件园", "Park:中关村"),
        (RelType.FUNDS, "City:常州", "Institute:研究所"),
    ):
        assert fact(driver, db, rel_key(v1, type_, source, target)) is None
    for key in ("Park:徐州软件园", "Park:中关村", "City:常州", "Institute:研究所"):
        assert node(driver, db, key) is None
    # Facts both versions state stay, with v2's evidence only; v2's new facts are there.
    hosts = fact(driver, db, rel_key(v2, RelType.HOSTS, "City:徐州", "Enterprise:华为"))
    assert hosts is not None
    assert (hosts["doc_ids"], hosts["evidence_count"]) == ([v2.document.id], 1)
    assert fact(driver, db, rel_key(v2, RelType.HOSTS, "City:徐州", "Park:徐州高新区")) is not None
    assert counts(driver, db) == {
        "Document": 1,
        "Entity": 3,
        "Evidence": 5,
        "MENTIONS": 3,
        "IN_DOCUMENT": 5,
        "HOSTS": 2,
    }


def test_facts_other_documents_state_survive_with_their_evidence(driver: Driver, db: str) -> None:
    v1, other = first_version(), other_document()
    write_graph(driver, v1, database=db)
    write_graph(driver, other, database=db)
    key = rel_key(other, RelType.HOSTS, "City:徐州", "Enterprise:华为")
    shared = fact(driver, db, key)
    assert shared is not None
    assert (sorted(shared["doc_ids"]), shared["evidence_count"]) == (
        sorted([v1.document.id, other.document.id]),
        2,
    )

    delete_document(driver, v1.document.id, database=db)

    kept = fact(driver, db, key)
    assert kept is not None
    assert (kept["doc_ids"], kept["evidence_count"]) == ([other.document.id], 1)
    assert evidence_of(driver, db, key) == [other.document.id]
    xuzhou = node(driver, db, "City:徐州")
    assert xuzhou is not None and xuzhou["doc_ids"] == [other.document.id]
    assert node(driver, db, "City:常州") is None  # only the deleted document knew it
    assert counts(driver, db)["Entity"] == 2


def test_properties_and_aliases_are_unioned_across_documents(driver: Driver, db: str) -> None:
    v1, other = first_version(), other_document()
    write_graph(driver, v1, database=db)
    write_graph(driver, other, database=db)

    both = node(driver, db, "City:徐州")
    assert both is not None
    assert (both["aliases"], both["level"], both["population_m"]) == (["彭城", "徐州市"], "prefecture", 9.0)
    assert rows(driver, db, "MATCH (n:City {name: '徐州'}) RETURN n.key AS key") == [{"key": "City:徐州"}]

    delete_document(driver, other.document.id, database=db)
    left = node(driver, db, "City:徐州")
    assert left is not None and left["aliases"] == ["徐州市"]  # aliases follow the documents that say them


def test_delete_document_removes_everything_it_alone_stated(driver: Driver, db: str) -> None:
    graph = first_version()
    write_graph(driver, graph, database=db)

    summary = delete_document(driver, graph.document.id, database=db)

    assert counts(driver, db) == {}
    assert (summary.nodes_deleted, summary.evidence_deleted) == (1 + 6 + 9, 9)
    with pytest.raises(NotFound, match="no document"):
        delete_document(driver, graph.document.id, database=db)


# --- relationships and provenance -------------------------------------------------------------------


def test_cooperates_is_stored_once_whatever_the_direction(driver: Driver, db: str) -> None:
    doc_a = make_document("徐州软件园牵手北京中关村。", "a.txt")
    doc_b = make_document("中关村与徐州软件园签约合作。", "b.txt")
    graphs = []
    for doc, sentence, reverse in ((doc_a, doc_a.text, False), (doc_b, doc_b.text, True)):
        park = entity(doc, Label.PARK, "徐州软件园", sentence)
        zgc = entity(doc, Label.PARK, "中关村", sentence)
        ends = (zgc, park) if reverse else (park, zgc)
        graphs.append(
            Graph(
                document=doc,
                entities=(park, zgc),
                relations=(
                    relation(doc, RelType.COOPERATES, ends[0], ends[1], sentence),
                    relation(doc, RelType.COOPERATES, ends[1], ends[0], sentence),  # said both ways
                ),
            )
        )
        write_graph(driver, graphs[-1], database=db)

    stored = rows(
        driver, db, "MATCH (a)-[r:COOPERATES]->(b) RETURN a.key AS a, b.key AS b, r.evidence_count AS n"
    )
    assert stored == [{"a": "Park:中关村", "b": "Park:徐州软件园", "n": 2}]
    for name in ("徐州软件园", "中关村"):
        partners = rows(
            driver, db, "MATCH (:Park {name: $name})-[:COOPERATES]-(o) RETURN o.name AS o", name=name
        )
        assert len(partners) == 1


def test_funds_keeps_the_amount_on_the_edge_and_each_evidence(driver: Driver, db: str) -> None:
    graph = first_version()
    write_graph(driver, graph, database=db)
    key = rel_key(graph, RelType.FUNDS, "City:常州", "Institute:研究所")

    funds = fact(driver, db, key)
    amounts = rows(driver, db, "MATCH (ev:Evidence {fact: $key}) RETURN ev.amount_cny AS a", key=key)

    assert funds is not None and funds["amount_cny"] == 20_000_000.0
    assert amounts == [{"a": 20_000_000.0}]
    assert funds["confidence"] == 0.9


def storage_example() -> str:
    """The researcher's Cypher for an edge's evidence, as cypher/STORAGE.md shows it."""
    text = (CYPHER_DIR / "STORAGE.md").read_text(encoding="utf-8")
    block = re.search(r"The evidence of an edge.*?:\n\n((?:    .*\n?)+)", text)
    assert block is not None, "STORAGE.md lost its example of reading an edge's evidence"
    return "\n".join(line[4:] for line in block.group(1).splitlines())


def test_the_storage_doc_query_reads_an_edges_evidence(driver: Driver, db: str) -> None:
    v1, other = first_version(), other_document()
    write_graph(driver, v1, database=db)
    write_graph(driver, other, database=db)

    found = rows(driver, db, storage_example())

    assert sorted((r["b.name"], r["ev.sentence"], r["d.source"]) for r in found) == [
        ("华为", "华为、中兴等企业都已入驻徐州市。", "news/xuzhou.txt"),
        ("华为", "彭城是华为的落户地。", "policy/other.txt"),
    ]
    for r in found:
        source_text = XUZHOU_V1 if r["d.source"] == "news/xuzhou.txt" else "彭城是华为的落户地。"
        assert source_text[r["ev.start"] : r["ev.end"]] == r["ev.sentence"]


# --- full-text search -------------------------------------------------------------------------------


def search(driver: Driver, database: str, text: str) -> list[str]:
    query = "CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node RETURN node.name AS name"
    return [row["name"] for row in rows(driver, database, query, q=text)]


def test_fulltext_finds_chinese_substrings_of_names_and_aliases(driver: Driver, db: str) -> None:
    write_graph(driver, first_version(), database=db)
    write_graph(driver, other_document(), database=db)

    # cjk indexes overlapping bigrams: 徐州市 → 徐州, 州市; a query matches any of its bigrams, best first.
    assert search(driver, db, "徐州市")[0] == "徐州"
    assert search(driver, db, "州市") == ["徐州"]  # only the alias 徐州市 has this bigram
    assert search(driver, db, "彭城") == ["徐州"]  # an alias another document gave
    assert search(driver, db, "北京") == ["中关村"]  # alias 北京中关村
    assert search(driver, db, "软件") == ["徐州软件园"]  # a substring inside a name
    assert set(search(driver, db, "徐州")) == {"徐州", "徐州软件园"}
    # A single character inside a longer word is no token of its own: it finds nothing.
    assert search(driver, db, "州") == []

    delete_document(driver, other_document().document.id, database=db)
    assert search(driver, db, "彭城") == []  # the index follows the recomputed aliases


# --- bad input --------------------------------------------------------------------------------------


def test_the_model_rejects_evidence_that_does_not_match(driver: Driver, db: str) -> None:
    doc = make_document(XUZHOU_V1, "news/xuzhou.txt")
    good = evidence(doc, "华为、中兴等企业都已入驻徐州市。")
    with pytest.raises(ValidationError, match="has length"):
        Evidence(document_id=doc.id, start=0, end=3, sentence="华为", extractor="t", confidence=0.5)
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        Evidence.model_validate(good.model_dump() | {"confidence": 1.5})
    shifted = Evidence(
        document_id=doc.id, start=1, end=17, sentence=good.sentence, extractor="t", confidence=0.5
    )
    with pytest.raises(ValidationError, match="does not match the document text"):
        Graph(document=doc, entities=(Entity.create(label=Label.CITY, name="徐州", evidence=(shifted,)),))
    stranger = Evidence.model_validate(good.model_dump() | {"document_id": "0" * 64})
    with pytest.raises(ValidationError, match="belongs to another document"):
        Graph(document=doc, entities=(Entity.create(label=Label.CITY, name="徐州", evidence=(stranger,)),))
    assert counts(driver, db) == {}


def test_reserved_property_names_are_refused_before_writing(driver: Driver, db: str) -> None:
    doc = make_document(XUZHOU_V1, "news/xuzhou.txt")
    bad = Entity.create(label=Label.CITY, name="徐州", properties={"doc_ids": "x"})
    with pytest.raises(BadInput, match="doc_ids"):
        write_graph(driver, Graph(document=doc, entities=(bad,)), database=db)
    with pytest.raises(BadInput, match="batch_size"):
        write_graph(driver, first_version(), database=db, batch_size=0)
    assert counts(driver, db) == {}


def test_a_refused_write_stores_nothing(driver: Driver, db: str) -> None:
    graph = first_version()
    key = rel_key(graph, RelType.HOSTS, "City:徐州", "Enterprise:华为")
    # A HOSTS relationship that already owns the fact's key between other nodes: the MERGE of the fact
    # then violates the key constraint, half-way through the document's transaction.
    rows(driver, db, "CREATE (:Entity {key: 'x'})-[:HOSTS {key: $key}]->(:Entity {key: 'y'})", key=key)

    with pytest.raises(StoreError, match="nothing was stored"):
        write_graph(driver, graph, database=db)

    assert counts(driver, db) == {"Entity": 2, "HOSTS": 1}

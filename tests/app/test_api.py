"""The HTTP API against a real Neo4j holding the seed graph (tests/app/conftest.py) written by the store."""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from app.main import create_app
from graph.analytics import run_analytics
from graph.config import Settings
from graph.model import Entity, Graph, Label, Relation, RelType
from graph.store import write_graph
from tests.app.conftest import API_KEY, Seeded, api_settings, load_corpus, load_seed
from tests.conftest import Neo4jEndpoint
from tests.helpers import evidence, make_document

# --- helpers ----------------------------------------------------------------------------------------


def count(driver: Driver, database: str, cypher: str, **params: Any) -> int:
    records, _, _ = driver.execute_query(cypher, params, database_=database)
    return int(records[0][0])


def fingerprint(driver: Driver, database: str) -> tuple[int, int, int, int]:
    """Nodes, relationships, labels and property values in the database: any write changes one of them."""
    records, _, _ = driver.execute_query(
        "MATCH (n) RETURN count(n) AS nodes, sum(size(labels(n))) AS labels, "
        "sum(size(keys(n))) AS props, COUNT { ()-[]->() } AS rels",
        database_=database,
    )
    r = records[0]
    return r["nodes"], r["rels"], r["labels"], r["props"]


def keys_of(page: dict[str, Any]) -> list[str]:
    return [item["key"] for item in page["items"]]


# --- /entities --------------------------------------------------------------------------------------


def test_alias_search_finds_the_entity_first_and_exact(client: TestClient) -> None:
    page = client.get("/entities", params={"q": "徐州市"}).json()
    assert page["items"][0]["key"] == "City:徐州"
    assert page["items"][0]["exact"] is True
    assert "徐州市" in page["items"][0]["aliases"]


def test_search_ranks_exact_name_before_longer_names_containing_it(client: TestClient) -> None:
    page = client.get("/entities", params={"q": "徐州"}).json()
    keys = keys_of(page)
    assert keys[0] == "City:徐州"
    assert {"Park:徐州高新区", "Park:徐州软件园", "Institute:徐州产业技术研究院"} <= set(keys)
    assert page["total"] == len(keys)
    assert [i["exact"] for i in page["items"]].count(True) == 1


def test_chinese_substring_search_inside_a_name(client: TestClient) -> None:
    assert keys_of(client.get("/entities", params={"q": "软件"}).json()) == ["Park:徐州软件园"]
    assert "Institute:中国矿业大学" in keys_of(client.get("/entities", params={"q": "矿业"}).json())


def test_one_character_query_falls_back_to_contains(client: TestClient) -> None:
    keys = keys_of(client.get("/entities", params={"q": "徐", "limit": 200}).json())
    assert {"City:徐州", "Park:徐州高新区", "Enterprise:徐工集团"} <= set(keys)
    assert "City:扬州" not in keys


def test_search_filters_by_label_and_pages(client: TestClient) -> None:
    parks = client.get("/entities", params={"q": "徐州", "label": "Park"}).json()
    assert parks["total"] == 2
    assert all(item["label"] == "Park" for item in parks["items"])
    first = client.get("/entities", params={"q": "徐州", "limit": 1, "offset": 0}).json()
    second = client.get("/entities", params={"q": "徐州", "limit": 1, "offset": 1}).json()
    everything = client.get("/entities", params={"q": "徐州"}).json()
    assert first["total"] == second["total"] == everything["total"]
    assert keys_of(first) + keys_of(second) == keys_of(everything)[:2]


def test_listing_without_query_counts_every_entity(
    client: TestClient, driver: Driver, seeded: Seeded
) -> None:
    page = client.get("/entities", params={"limit": 200}).json()
    assert page["total"] == count(driver, seeded.database, "MATCH (e:Entity) RETURN count(e)")
    assert len(page["items"]) == page["total"]
    cities = client.get("/entities", params={"label": "City"}).json()
    assert {i["key"] for i in cities["items"]} == {"City:徐州", "City:江苏省", "City:扬州"}


def test_search_with_no_match_and_with_lucene_syntax(client: TestClient) -> None:
    for q in ["不存在的名字", 'a"b', "(徐州", "徐州*", "AND", "\\"]:
        response = client.get("/entities", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert client.get("/entities", params={"q": "不存在的名字"}).json()["total"] == 0


def test_bad_search_parameters_are_422(client: TestClient) -> None:
    assert client.get("/entities", params={"label": "Person"}).status_code == 422
    assert client.get("/entities", params={"limit": 0}).status_code == 422
    assert client.get("/entities", params={"offset": -1}).status_code == 422


# --- /entities/{key} --------------------------------------------------------------------------------


def test_entity_detail(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    body = client.get("/entities/City:徐州").json()
    assert body["name"] == "徐州"
    assert body["aliases"] == ["徐州市"]
    assert body["properties"]["level"] == "prefecture"
    ids = {g.document.id for g in seeded.graphs}
    assert {d["id"] for d in body["documents"]} == ids == set(body["doc_ids"])
    stored = count(driver, seeded.database, "MATCH (ev:Evidence {fact: 'City:徐州'}) RETURN count(ev)")
    assert body["evidence_count"] == stored == 2
    texts = {g.document.id: g.document.text for g in seeded.graphs}
    for ev in body["evidence"]:
        assert texts[ev["document_id"]][ev["start"] : ev["end"]] == ev["sentence"]
    assert body["degree"] == {"HOSTS": 4, "FUNDS": 1}


def test_unknown_entity_is_404_json(client: TestClient) -> None:
    for path in ["/entities/City:不存在", "/entities/City:不存在/relationships", "/entities/a/b/c"]:
        response = client.get(path)
        assert response.status_code == 404
        assert "No entity has the key" in response.json()["detail"]


# --- /entities/{key}/relationships ------------------------------------------------------------------


def test_relationships_by_direction(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    db = seeded.database
    out = client.get("/entities/City:徐州/relationships", params={"direction": "out"}).json()
    inc = client.get("/entities/City:徐州/relationships", params={"direction": "in"}).json()
    both = client.get("/entities/City:徐州/relationships").json()
    assert out["total"] == count(
        driver, db, "MATCH (:Entity {key: 'City:徐州'})-[r]->(:Entity) RETURN count(r)"
    )
    assert inc["total"] == count(
        driver, db, "MATCH (:Entity {key: 'City:徐州'})<-[r]-(:Entity) RETURN count(r)"
    )
    assert both["total"] == out["total"] + inc["total"] == 5
    assert {r["other"]["key"] for r in inc["items"]} == {"City:江苏省"}
    assert all(r["direction"] == "in" and r["target"] == "City:徐州" for r in inc["items"])
    funds = [r for r in out["items"] if r["type"] == "FUNDS"]
    assert funds[0]["amount_cny"] == 20_000_000
    assert funds[0]["other"]["name"] == "徐州产业技术研究院"


def test_relationships_filter_by_type_and_label_and_page(client: TestClient) -> None:
    hosts = client.get("/entities/City:徐州/relationships", params={"type": "HOSTS"}).json()
    assert hosts["total"] == 4 and all(r["type"] == "HOSTS" for r in hosts["items"])
    firms = client.get("/entities/City:徐州/relationships", params={"label": "Enterprise"}).json()
    assert {r["other"]["key"] for r in firms["items"]} == {"Enterprise:华为", "Enterprise:中兴"}
    page = client.get("/entities/City:徐州/relationships", params={"limit": 2, "offset": 4}).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    assert client.get("/entities/City:徐州/relationships", params={"direction": "up"}).status_code == 422


def test_relationships_filter_by_minimum_confidence(
    client: TestClient, driver: Driver, seeded: Seeded, reseed: None
) -> None:
    """A fact passes when one piece of its evidence reaches min_confidence; out of range is a 422."""
    text = "徐州与扬州开展合作。徐州高新区位于徐州。"
    doc = make_document(text, "seed/confidence.txt")
    coop, park = "徐州与扬州开展合作。", "徐州高新区位于徐州。"
    xuzhou = Entity.create(label=Label.CITY, name="徐州", evidence=(evidence(doc, coop, confidence=0.3),))
    yangzhou = Entity.create(label=Label.CITY, name="扬州", evidence=(evidence(doc, coop, confidence=0.3),))
    zone = Entity.create(label=Label.PARK, name="徐州高新区", evidence=(evidence(doc, park, confidence=0.4),))
    relations = (  # a new low-confidence fact, and a low second evidence of a seed fact (0.9)
        Relation(
            type=RelType.COOPERATES,
            source=xuzhou.key,
            target=yangzhou.key,
            evidence=(evidence(doc, coop, confidence=0.3),),
        ),
        Relation(
            type=RelType.HOSTS,
            source=xuzhou.key,
            target=zone.key,
            evidence=(evidence(doc, park, confidence=0.4),),
        ),
    )
    graph = Graph(document=doc, entities=(xuzhou, yangzhou, zone), relations=relations)
    write_graph(driver, graph, database=seeded.database)
    url = "/entities/City:徐州/relationships"
    everything = client.get(url).json()
    assert everything["total"] == 6 and "City:徐州|COOPERATES|City:扬州" in keys_of(everything)
    for least, total in ((0.0, 6), (0.3, 6), (0.35, 5), (0.9, 5), (0.95, 0), (1.0, 0)):
        page = client.get(url, params={"min_confidence": least}).json()
        assert page["total"] == len(page["items"]) == total, least
        assert all(max(ev["confidence"] for ev in r["evidence"]) >= least for r in page["items"])
    hosts = client.get(url, params={"min_confidence": 0.5, "type": "HOSTS"}).json()
    assert "City:徐州|HOSTS|Park:徐州高新区" in keys_of(hosts)  # its 0.9 evidence passes, its 0.4 does not
    for bad in ("1.5", "-0.1", "nan", "high"):
        response = client.get(url, params={"min_confidence": bad})
        assert response.status_code == 422, bad
        assert "min_confidence" in response.text, bad


def test_cooperates_is_undirected(client: TestClient) -> None:
    for key, other in [("Park:徐州软件园", "Park:中关村"), ("Park:中关村", "Park:徐州软件园")]:
        for direction in ["in", "out", "both"]:
            page = client.get(f"/entities/{key}/relationships", params={"direction": direction}).json()
            assert [(r["type"], r["direction"], r["other"]["key"]) for r in page["items"]] == [
                ("COOPERATES", "both", other)
            ]


def test_relationship_evidence_is_verbatim_in_its_document(client: TestClient) -> None:
    page = client.get("/entities/City:江苏省/relationships").json()
    assert page["total"] == 2
    evidence = [ev for rel in page["items"] for ev in rel["evidence"]]
    assert evidence, "every stored relation carries evidence"
    for rel in page["items"]:
        assert len(rel["evidence"]) == rel["evidence_count"]
        for ev in rel["evidence"]:
            assert ev["fact"] == rel["key"]
            doc = client.get(f"/documents/{ev['document_id']}").json()
            assert doc["source"] == ev["source"]
            assert doc["text"][ev["start"] : ev["end"]] == ev["sentence"]
    # 江苏省 hosts 徐州 in both documents: two pieces of evidence for one fact.
    to_xuzhou = next(r for r in page["items"] if r["other"]["key"] == "City:徐州")
    assert len({ev["document_id"] for ev in to_xuzhou["evidence"]}) == 2


# --- /paths -----------------------------------------------------------------------------------------


def test_shortest_path_by_names_and_aliases(client: TestClient) -> None:
    body = client.get("/paths", params={"source": "华为", "target": "徐工", "max_hops": 6}).json()
    assert body["source"]["key"] == "Enterprise:华为" and body["target"]["key"] == "Enterprise:徐工集团"
    assert body["paths"]
    for path in body["paths"]:
        nodes = [n["key"] for n in path["nodes"]]
        assert nodes[0] == "Enterprise:华为" and nodes[-1] == "Enterprise:徐工集团"
        assert path["length"] == len(path["relationships"]) == len(nodes) - 1
        for a, b, rel in zip(nodes[:-1], nodes[1:], path["relationships"], strict=True):
            assert {a, b} == {rel["source"], rel["target"]}
    lengths = {p["length"] for p in body["paths"]}
    assert len(lengths) == 1
    too_short = client.get(
        "/paths", params={"source": "华为", "target": "徐工", "max_hops": min(lengths) - 1}
    )
    assert too_short.status_code == 200 and too_short.json()["paths"] == []


def test_path_by_key_and_alias(client: TestClient) -> None:
    body = client.get("/paths", params={"source": "City:江苏省", "target": "徐州市", "max_hops": 1}).json()
    assert [[n["key"] for n in p["nodes"]] for p in body["paths"]] == [["City:江苏省", "City:徐州"]]


def test_path_errors(client: TestClient) -> None:
    assert client.get("/paths", params={"source": "华为", "target": "华为"}).status_code == 400
    missing = client.get("/paths", params={"source": "不存在", "target": "华为"})
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    assert client.get("/paths", params={"source": "华为", "target": "中兴", "max_hops": 7}).status_code == 422
    assert client.get("/paths", params={"source": "华为"}).status_code == 422


# --- /cypher ----------------------------------------------------------------------------------------


def test_cypher_read_with_parameters_and_graph_values(client: TestClient) -> None:
    response = client.post(
        "/cypher",
        json={
            "query": "MATCH p = (a:Entity {name: $name})-[r:HOSTS]->(b) "
            "RETURN a, r, b.name AS b, p ORDER BY b",
            "params": {"name": "江苏省"},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == ["a", "r", "b", "p"]
    assert [row[2] for row in body["rows"]] == ["徐州", "扬州"]
    assert body["truncated"] is False
    assert {n["properties"]["name"] for n in body["nodes"]} == {"江苏省", "徐州", "扬州"}
    assert {r["type"] for r in body["relationships"]} == {"HOSTS"} and len(body["relationships"]) == 2
    node_ids = {n["id"] for n in body["nodes"]}
    for rel in body["relationships"]:
        assert rel["start"] in node_ids and rel["end"] in node_ids
    assert body["rows"][0][3]["relationships"][0] in {r["id"] for r in body["relationships"]}


def test_cypher_row_cap_truncates(client: TestClient, app: Any) -> None:
    cap = app.state.settings.cypher_row_cap
    body = client.post(
        "/cypher", json={"query": "UNWIND range(1, $n) AS x RETURN x", "params": {"n": cap + 5}}
    ).json()
    assert body["truncated"] is True and len(body["rows"]) == cap == body["row_cap"]
    body = client.post(
        "/cypher", json={"query": "UNWIND range(1, $n) AS x RETURN x", "params": {"n": cap}}
    ).json()
    assert body["truncated"] is False and len(body["rows"]) == cap


def test_cypher_values_json_cannot_hold(client: TestClient) -> None:
    body = client.post("/cypher", json={"query": "RETURN 0.0/0.0 AS nan, date('2024-05-01') AS d"}).json()
    assert body["rows"] == [["NaN", "2024-05-01"]]


REFUSED = [
    "CREATE (n:Entity {key: 'x'})",
    "MERGE (n:Entity {key: 'City:徐州'}) SET n.name = 'changed' RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Entity) SET n.hacked = true",
    "MATCH (n:Entity) REMOVE n:City",
    "CALL dbms.security.listUsers()",
    "CALL dbms.killQueries(['query-1'])",
    "CALL dbms.killQuery('query-1')",
    "CALL `dbms`.`security`.`createUser`('eve', 'pw', false)",
    "CALL db.createLabel('Evil')",
    "CALL db.clearQueryCaches()",
    "CREATE USER eve SET PASSWORD 'secret-password' CHANGE NOT REQUIRED",
    "ALTER USER neo4j SET PASSWORD 'another-password'",
    "SHOW USERS",
    "SHOW DATABASES",
    "CREATE DATABASE evil",
    "DROP DATABASE neo4j",
    "GRANT ROLE admin TO eve",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CREATE INDEX evil FOR (n:Entity) ON (n.evil)",
    "DROP CONSTRAINT entity_key",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "USE system SHOW USERS",
    "USE system MATCH (n) RETURN n",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS RETURN 1",
    "/* comment */ create (n:X)",
    "FOREACH (x IN [1] | CREATE (:X))",
]


@pytest.mark.parametrize("query", REFUSED)
def test_cypher_refuses_writes_and_admin_and_changes_nothing(
    client: TestClient, driver: Driver, seeded: Seeded, query: str
) -> None:
    before = fingerprint(driver, seeded.database)
    response = client.post("/cypher", json={"query": query})
    assert response.status_code in (403, 400), response.text
    assert "Traceback" not in response.text
    if response.status_code == 400:
        # Only for statements Neo4j cannot even plan inside a read transaction.
        assert "IN TRANSACTIONS" in query
    assert fingerprint(driver, seeded.database) == before
    assert client.get("/entities/City:徐州").json()["name"] == "徐州"


def test_cypher_allows_read_procedures_and_names_that_look_like_keywords(client: TestClient) -> None:
    for query in [
        "CALL db.labels() YIELD label RETURN label ORDER BY label",
        "SHOW INDEXES YIELD name RETURN name",
        "MATCH (n:Entity) WHERE n.name = 'CREATE USER' RETURN n.use AS use",
        "RETURN 'DELETE everything; LOAD CSV' AS text",
    ]:
        response = client.post("/cypher", json={"query": query})
        assert response.status_code == 200, (query, response.text)


def test_cypher_syntax_error_is_400_with_neo4j_message(client: TestClient) -> None:
    response = client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert response.status_code == 400
    assert "Invalid input" in response.json()["detail"]
    missing = client.post("/cypher", json={"query": "RETURN $x"})
    assert missing.status_code == 400 and "x" in missing.json()["detail"]
    assert client.post("/cypher", json={"query": ""}).status_code == 422
    assert client.post("/cypher", json={"params": {}}).status_code == 422


@pytest.mark.parametrize(
    "query", ["/*", "RETURN 1 /* open", "RETURN 'open", 'RETURN "open', "RETURN `open", "MATCH//\U00010000"]
)
def test_cypher_unterminated_comment_or_quote_is_400(client: TestClient, query: str) -> None:
    # Neo4j 5.26 answers these with an unclassified DatabaseError (its lexer trips), not a syntax error.
    response = client.post("/cypher", json={"query": query})
    assert response.status_code == 400, response.text
    assert any(
        word in response.json()["detail"] for word in ("unterminated", "could not read", "Invalid input")
    )


def test_slow_cypher_is_stopped_with_408(_session_settings: Settings, seeded: Seeded) -> None:
    app = create_app(api_settings(_session_settings, cypher_timeout_s=0.5), apply_schema=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post(
            "/cypher",
            json={"query": "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 99 RETURN count(*)"},
        )
        assert response.status_code == 408
        assert "0.5 s" in response.json()["detail"]
        assert c.get("/health").status_code == 200


# --- /documents -------------------------------------------------------------------------------------


def test_documents_list_with_counts(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    page = client.get("/documents").json()
    assert page["total"] == 2
    by_id = {d["id"]: d for d in page["items"]}
    for graph in seeded.graphs:
        row = by_id[graph.document.id]
        assert row["source"] == graph.document.source
        assert row["length"] == len(graph.document.text)
        assert row["entities"] == len(graph.entities)
        assert row["relations"] == len(graph.relations)
        stored = count(
            driver,
            seeded.database,
            "MATCH (:Evidence)-[:IN_DOCUMENT]->(d:Document {id: $id}) RETURN count(*)",
            id=graph.document.id,
        )
        assert row["evidence"] == stored > 0


def test_document_detail_and_404(client: TestClient, seeded: Seeded) -> None:
    graph = seeded.graphs[1]
    body = client.get(f"/documents/{graph.document.id}").json()
    assert body["text"] == graph.document.text
    assert {m["key"] for m in body["mentions"]} == {e.key for e in graph.entities}
    assert client.get("/documents/" + "0" * 64).status_code == 404


def test_upload_needs_a_configured_key(_session_settings: Settings, seeded: Seeded) -> None:
    app = create_app(_session_settings.model_copy(update={"api_key": None}), apply_schema=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post(
            "/documents", files={"file": ("a.txt", "徐州".encode())}, headers={"X-API-Key": "x"}
        )
    assert response.status_code == 503
    assert response.json()["detail"] == "set INNOGRAPH_API_KEY to enable uploads, deletes and corrections"


def test_upload_refuses_missing_or_wrong_key(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    before = fingerprint(driver, seeded.database)
    files = {"file": ("a.txt", "徐州市支持华为。".encode())}
    assert client.post("/documents", files=files).status_code == 401
    assert client.post("/documents", files=files, headers={"X-API-Key": "wrong"}).status_code == 401
    assert fingerprint(driver, seeded.database) == before


def test_upload_refuses_unsupported_type_and_oversize(
    _session_settings: Settings, driver: Driver, seeded: Seeded
) -> None:
    before = fingerprint(driver, seeded.database)
    app = create_app(api_settings(_session_settings, max_upload_bytes=100), apply_schema=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        headers = {"X-API-Key": API_KEY}
        exe = c.post("/documents", files={"file": ("tool.exe", b"MZ...")}, headers=headers)
        assert exe.status_code == 415 and ".exe" in exe.json()["detail"]
        big = c.post("/documents", files={"file": ("big.txt", "徐".encode() * 100)}, headers=headers)
        assert big.status_code == 413 and "100 byte" in big.json()["detail"]
        empty = c.post("/documents", files={"file": ("empty.txt", b"   ")}, headers=headers)
        assert empty.status_code == 400 and empty.json()["detail"]
    assert fingerprint(driver, seeded.database) == before


def test_upload_ingests_a_corpus_document(client: TestClient, seeded: Seeded, reseed: None) -> None:
    from graph.config import ROOT

    path = sorted((ROOT / "data" / "corpus").glob("*.txt"))[0]
    response = client.post(
        "/documents", files={"file": (path.name, path.read_bytes())}, headers={"X-API-Key": API_KEY}
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["source"] == f"upload:{path.name}" and result["entities"] > 0
    doc = client.get(f"/documents/{result['document_id']}").json()
    assert doc["entities"] == result["entities"] and doc["relations"] == result["relations"]
    assert doc["text"] and doc["evidence"] == result["evidence"]
    name = doc["mentions"][0]["name"]
    assert doc["mentions"][0]["key"] in keys_of(
        client.get("/entities", params={"q": name, "limit": 200}).json()
    )


def kept_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_an_upload_is_kept_in_the_upload_folder_and_delete_undoes_it(
    client: TestClient, seeded: Seeded, reseed: None
) -> None:
    from graph.config import ROOT

    upload_dir = client.app.state.settings.upload_dir  # type: ignore[attr-defined]
    path = sorted((ROOT / "data" / "corpus").glob("*.txt"))[1]
    before = client.get("/stats").json()
    files_before = kept_files(upload_dir)
    headers = {"X-API-Key": API_KEY}
    result = client.post("/documents", files={"file": (path.name, path.read_bytes())}, headers=headers).json()
    kept = upload_dir / path.name
    assert kept.read_bytes() == path.read_bytes()
    assert kept_files(upload_dir) == files_before | {path.name}  # and no temporary file left
    assert client.get("/stats").json()["documents"] == before["documents"] + 1

    deleted = client.delete(f"/documents/{result['document_id']}", headers=headers)

    assert deleted.status_code == 200, deleted.text
    body = deleted.json()
    assert (body["document_id"], body["source"], body["file_removed"]) == (
        result["document_id"],
        f"upload:{path.name}",
        str(kept),
    )
    assert body["evidence_deleted"] == result["evidence"] and body["nodes_deleted"] > 0
    assert not kept.exists()
    assert client.get("/stats").json() == before
    assert client.get(f"/documents/{result['document_id']}").status_code == 404


def test_an_upload_that_cannot_be_read_keeps_no_file(client: TestClient, seeded: Seeded) -> None:
    upload_dir = client.app.state.settings.upload_dir  # type: ignore[attr-defined]
    before = kept_files(upload_dir)
    response = client.post(
        "/documents", files={"file": ("blank.txt", b"  \n ")}, headers={"X-API-Key": API_KEY}
    )
    assert response.status_code == 400
    assert kept_files(upload_dir) == before


def test_delete_document_needs_the_key_and_names_an_unknown_id(
    client: TestClient, driver: Driver, seeded: Seeded
) -> None:
    before = fingerprint(driver, seeded.database)
    doc_id = seeded.graphs[0].document.id
    missing = client.delete(f"/documents/{doc_id}")
    assert missing.status_code == 401
    assert missing.json()["detail"].startswith("missing or wrong X-API-Key header: send the key")
    assert client.delete(f"/documents/{doc_id}", headers={"X-API-Key": "wrong"}).status_code == 401
    unknown = client.delete("/documents/" + "0" * 64, headers={"X-API-Key": API_KEY})
    assert unknown.status_code == 404
    assert (
        "No document has the id" in unknown.json()["detail"]
        and "list of documents" in unknown.json()["detail"]
    )
    assert fingerprint(driver, seeded.database) == before


def test_deleting_a_folder_document_leaves_its_file(
    client: TestClient, driver: Driver, seeded: Seeded, reseed: None
) -> None:
    graph = seeded.graphs[1]
    response = client.delete(f"/documents/{graph.document.id}", headers={"X-API-Key": API_KEY})
    assert response.status_code == 200
    assert response.json()["file_removed"] is None and response.json()["source"] == "seed/jiangsu.txt"
    assert count(driver, seeded.database, "MATCH (d:Document) RETURN count(d)") == 1


# --- /stats, /health, /export -----------------------------------------------------------------------


def test_stats_match_the_store(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    db = seeded.database
    body = client.get("/stats").json()
    assert body["labels"] == {"City": 3, "Enterprise": 3, "Institute": 2, "Park": 3}
    assert body["entities"] == count(driver, db, "MATCH (e:Entity) RETURN count(e)")
    assert body["relation_types"] == {"COOPERATES": 2, "FUNDS": 2, "HOSTS": 5}
    assert body["relationships"] == count(driver, db, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r)")
    assert body["documents"] == 2
    assert body["evidence"] == count(driver, db, "MATCH (ev:Evidence) RETURN count(ev)")


def test_health_reports_version_and_counts(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["version"].startswith("5.")
    assert body["nodes"]["Entity"] == 11 and body["nodes"]["Document"] == 2


def test_health_is_503_on_a_dead_port(_session_settings: Settings) -> None:
    port = _free_port()
    app = create_app(_session_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{port}"}))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/health")
        assert response.status_code == 503
        assert f"127.0.0.1:{port}" in response.json()["detail"]
        assert c.get("/entities", params={"q": "徐州"}).status_code == 503
        assert c.get("/stats").status_code == 503


def test_health_says_which_credentials_were_refused(_session_settings: Settings, seeded: Seeded) -> None:
    wrong = _session_settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    with TestClient(create_app(wrong, apply_schema=False), raise_server_exceptions=False) as c:
        response = c.get("/health")
        assert response.status_code == 503
        assert "NEO4J_PASSWORD" in response.json()["detail"]
    # One failed login only: Neo4j locks the user for a few seconds after three (auth_max_failed_attempts).


def test_health_recovers_when_neo4j_comes_back(_session_settings: Settings, seeded: Seeded) -> None:
    target = int(_session_settings.neo4j_uri.rsplit(":", 1)[1])
    proxy = TcpProxy(target)
    proxy.start()
    uri = f"bolt://127.0.0.1:{proxy.port}"
    app = create_app(_session_settings.model_copy(update={"neo4j_uri": uri}), apply_schema=False)
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            assert c.get("/health").status_code == 200
            proxy.stop()
            assert c.get("/health").status_code == 503
            assert c.get("/health").status_code == 503
            proxy.start()
            assert c.get("/health").status_code == 200
            assert c.get("/entities/City:徐州").status_code == 200
    finally:
        proxy.stop()


def test_export_graphml(client: TestClient, driver: Driver, seeded: Seeded) -> None:
    response = client.get("/export", params={"format": "graphml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    graph = nx.read_graphml(io.BytesIO(response.content), force_multigraph=True)
    assert graph.number_of_nodes() == count(driver, seeded.database, "MATCH (e:Entity) RETURN count(e)")
    assert graph.number_of_edges() == 9
    assert graph.nodes["City:徐州"]["label"] == "徐州" and graph.nodes["City:徐州"]["type"] == "City"
    types = [d["type"] for _, _, d in graph.edges(data=True)]
    assert sorted(set(types)) == ["COOPERATES", "FUNDS", "HOSTS"]


def test_export_filtered_json_round_trips(client: TestClient) -> None:
    response = client.get("/export", params={"format": "json", "label": ["City", "Park"], "type": "HOSTS"})
    graph = nx.node_link_graph(response.json(), edges="links")
    assert {d["type"] for _, d in graph.nodes(data=True)} == {"City", "Park"}
    assert {d["type"] for _, _, d in graph.edges(data=True)} == {"HOSTS"}
    assert ("City:徐州", "Park:徐州高新区") in {(u, v) for u, v, _ in graph.edges(data=True)}
    assert "Enterprise:华为" not in graph


def test_export_csv_zip(client: TestClient) -> None:
    response = client.get("/export", params={"format": "csv"})
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8-sig"))))
        edges = list(csv.DictReader(io.StringIO(archive.read("edges.csv").decode("utf-8-sig"))))
    assert len(nodes) == 11 and len(edges) == 9
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    funds = next(e for e in edges if e["relation"] == "FUNDS" and e["source"] == "City:徐州")
    assert float(funds["amount_cny"]) == 20_000_000
    assert client.get("/export", params={"format": "xlsx"}).status_code == 422


def test_exports_keep_the_analytics_properties(
    client: TestClient, driver: Driver, seeded: Seeded, reseed: None
) -> None:
    """After `innograph analyse`, GraphML and CSV carry degree, pagerank, betweenness and community."""
    result = run_analytics(driver, database=seeded.database)
    stored = {
        record["key"]: record["pagerank"]
        for record in driver.execute_query(
            "MATCH (e:Entity) WHERE e.pagerank IS NOT NULL RETURN e.key AS key, e.pagerank AS pagerank",
            database_=seeded.database,
        ).records
    }
    assert len(stored) == len(result.nodes) > 0
    graphml = nx.read_graphml(io.BytesIO(client.get("/export").content), force_multigraph=True)
    for key, pagerank in stored.items():
        attrs = graphml.nodes[key]
        assert attrs["pagerank"] == pytest.approx(pagerank)
        assert {"degree", "betweenness", "community", "analytics_run_at"} <= set(attrs)
    response = client.get("/export", params={"format": "csv"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8-sig"))))
    assert {"degree", "pagerank", "betweenness", "community"} <= set(rows[0])
    assert {r["id"]: float(r["pagerank"]) for r in rows if r["pagerank"]} == pytest.approx(stored)


def test_errors_are_json_detail_never_a_stack_trace(client: TestClient) -> None:
    for response in [
        client.get("/entities/City:不存在"),
        client.post("/cypher", json={"query": "CREATE (n)"}),
        client.post("/cypher", json={"query": "RETURN 1/0"}),
        client.get("/paths", params={"source": "华为", "target": "华为"}),
    ]:
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()) == {"detail"}
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/entities",
        "/entities/{key}",
        "/entities/{key}/relationships",
        "/paths",
        "/cypher",
        "/documents",
        "/documents/{id}",
        "/stats",
        "/health",
        "/export",
    }
    assert expected <= set(paths)
    assert client.get("/docs").status_code == 200


# --- a TCP proxy that can go down and come back, to play a Neo4j restart ------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a local target port; stop() drops every connection and the listener."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves the port listening.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


# --- the corpus, ingested through the real pipeline ---------------------------------------------------


@pytest.fixture(scope="class")
def corpus(driver: Driver, neo4j_server: Neo4jEndpoint) -> Iterator[int]:
    """data/corpus through the real pipeline for one class; the seed graph is restored afterwards."""
    yield load_corpus(driver, neo4j_server.database)
    load_seed(driver, neo4j_server.database)


@pytest.fixture(scope="class")
def api(app: Any, corpus: int) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class TestCorpus:
    """The same API over data/corpus read, extracted and stored by the ingest pipeline."""

    def test_alias_search_finds_xuzhou(self, api: TestClient) -> None:
        page = api.get("/entities", params={"q": "徐州市", "label": "City"}).json()
        assert page["items"][0]["name"] == "徐州" and page["items"][0]["exact"] is True

    def test_every_relationship_evidence_is_verbatim(self, api: TestClient, driver: Driver) -> None:
        records, _, _ = driver.execute_query(
            "MATCH (e:Entity) RETURN e.key AS key ORDER BY COUNT { (e)-[]-(:Entity) } DESC, e.key LIMIT 5"
        )
        texts: dict[str, str] = {}
        checked = 0
        for record in records:
            page = api.get(f"/entities/{record['key']}/relationships", params={"limit": 200}).json()
            assert page["total"] > 0
            for rel in page["items"]:
                assert rel["evidence"], rel["key"]
                for ev in rel["evidence"]:
                    if ev["document_id"] not in texts:
                        texts[ev["document_id"]] = api.get(f"/documents/{ev['document_id']}").json()["text"]
                    assert texts[ev["document_id"]][ev["start"] : ev["end"]] == ev["sentence"]
                    checked += 1
        assert checked >= 10

    def test_documents_and_stats_agree_with_the_store(
        self, api: TestClient, corpus: int, driver: Driver
    ) -> None:
        docs = api.get("/documents").json()
        assert docs["total"] == corpus == 5
        assert all(d["entities"] > 0 and d["evidence"] > 0 for d in docs["items"])
        stats = api.get("/stats").json()
        assert stats["documents"] == corpus
        records, _, _ = driver.execute_query("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n")
        assert stats["relationships"] == records[0]["n"] > 0
        assert sum(d["relations"] for d in docs["items"]) >= stats["relationships"]

    def test_export_holds_the_whole_graph(self, api: TestClient) -> None:
        stats = api.get("/stats").json()
        graph = nx.read_graphml(io.BytesIO(api.get("/export").content), force_multigraph=True)
        assert graph.number_of_nodes() == stats["entities"]
        assert graph.number_of_edges() == stats["relationships"]


def test_a_lockout_of_the_projects_own_user_is_a_503_with_what_to_do(_session_settings: Settings) -> None:
    from fastapi import FastAPI
    from neo4j.exceptions import Neo4jError

    from app.main import _install_error_handlers

    lockout = Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Security.AuthenticationRateLimit",
        message="The client has provided incorrect authentication details too many times in a row.",
    )
    app = FastAPI()
    _install_error_handlers(app, _session_settings)

    @app.get("/locked")
    def locked() -> None:
        raise lockout  # what the driver raises for every query while Neo4j locks our user

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    detail = response.json()["detail"]
    assert "locked" in detail and "retry in 5 s" in detail and "Neo." not in detail

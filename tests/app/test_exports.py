"""Exports (app/exports.py) over the seed graph: GraphML and GEXF as Gephi reads them, the CSV evidence
table, and the export of one explorer view; streamed over the corpus, equal to the whole graph written at
once, read in pages, and limited in number at once."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Generator, Iterator
from typing import Any
from urllib.parse import quote

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app import exports
from app.limits import Slots, export_slots
from app.main import create_app
from graph import read
from graph.config import Settings
from graph.cypher import query
from graph.errors import Busy
from graph.model import Graph
from tests.app.conftest import Seeded, api_settings, load_corpus, load_seed
from tests.conftest import Neo4jEndpoint


def _texts(seeded: Seeded) -> dict[str, str]:
    return {g.document.id: g.document.text for g in seeded.graphs}


def _evidence_of(seeded: Seeded) -> dict[str, set[str]]:
    """Relation key -> the sentences of its seed evidence."""
    found: dict[str, set[str]] = {}
    graph: Graph
    for graph in seeded.graphs:
        for rel in graph.relations:
            found.setdefault(rel.key, set()).update(ev.sentence for ev in rel.evidence)
    return found


def _zip_table(content: bytes, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_graphml_names_nodes_by_name_and_carries_edge_evidence(client: TestClient, seeded: Seeded) -> None:
    graph = nx.read_graphml(io.BytesIO(client.get("/export").content), force_multigraph=True)
    for graph_ in seeded.graphs:
        for entity in graph_.entities:
            assert graph.nodes[entity.key]["label"] == entity.name
            assert graph.nodes[entity.key]["type"] == entity.label.value
    evidence = _evidence_of(seeded)
    docs = {g.document.id for g in seeded.graphs}
    for _, _, key, attrs in graph.edges(keys=True, data=True):
        assert attrs["sentence"] in evidence[key]
        assert attrs["evidence_count"] == len(evidence[key]) >= 1
        assert attrs["doc_ids"] and set(attrs["doc_ids"].split("|")) <= docs
        assert attrs["label"] == attrs["relation"] == attrs["type"]
    funds = graph.edges[
        "City:徐州", "Institute:徐州产业技术研究院", "City:徐州|FUNDS|Institute:徐州产业技术研究院"
    ]
    assert funds["amount_cny"] == 20_000_000


def test_gexf_parses_with_names_as_labels(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/export", params={"format": "gexf"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/gexf+xml")
    assert 'filename="innograph.gexf"' in response.headers["content-disposition"]
    graph = nx.read_gexf(io.BytesIO(response.content))
    assert graph.nodes["City:徐州"]["label"] == "徐州" and graph.nodes["City:徐州"]["type"] == "City"
    evidence = _evidence_of(seeded)
    assert graph.number_of_edges() == len(evidence)
    for _, _, attrs in graph.edges(data=True):  # read_gexf keeps the edge id (the relation key) as "id"
        key = attrs["id"]
        assert attrs["relation"] in {"HOSTS", "FUNDS", "COOPERATES"} and attrs["label"] == attrs["relation"]
        assert attrs["sentence"] in evidence[key]
        assert attrs["symmetric"] == (attrs["relation"] == "COOPERATES")


def test_csv_evidence_table_quotes_the_documents(client: TestClient, seeded: Seeded) -> None:
    content = client.get("/export", params={"format": "csv"}).content
    rows = _zip_table(content, "evidence.csv")
    edges = {e["key"]: e for e in _zip_table(content, "edges.csv")}
    texts = _texts(seeded)
    evidence = _evidence_of(seeded)
    assert len(rows) == sum(len(s) for s in evidence.values())
    assert {r["relation_key"] for r in rows} == set(edges) == set(evidence)
    for row in rows:
        text = texts[row["document_id"]]
        assert row["sentence"] in text and text[int(row["start"]) : int(row["end"])] == row["sentence"]
        edge = edges[row["relation_key"]]
        assert (row["relation"], row["source"], row["target"]) == (
            edge["relation"],
            edge["source"],
            edge["target"],
        )
    nodes = _zip_table(content, "nodes.csv")
    assert {n["label"] for n in nodes if n["id"] == "City:徐州"} == {"徐州"}


def test_entity_view_export_is_the_pages_subgraph(client: TestClient, seeded: Seeded) -> None:
    page = client.get("/explore/entity/City:徐州").text
    assert "Export this view" in page
    assert f"/export/entity/City:{quote('徐州')}?depth=1&amp;limit=120&amp;format=gexf" in page
    response = client.get("/export/entity/City:徐州", params={"format": "gexf", "types": "HOSTS"})
    assert response.status_code == 200
    graph = nx.read_gexf(io.BytesIO(response.content))
    hosts = {(r.source, r.target) for g in seeded.graphs for r in g.relations if r.type.value == "HOSTS"}
    expected = {pair for pair in hosts if "City:徐州" in pair}
    assert set(graph.edges) == expected
    assert set(graph.nodes) == {k for pair in expected for k in pair}
    rows = _zip_table(
        client.get("/export/entity/City:徐州", params={"format": "csv", "types": "FUNDS"}).content,
        "evidence.csv",
    )
    assert [r["sentence"] for r in rows] == ["徐州市设立2000万元科技基金支持徐州产业技术研究院。"]


def test_bad_export_requests_say_what_to_do(client: TestClient) -> None:
    missing = client.get("/export/entity/City:不存在")
    assert missing.status_code == 404
    assert "City:不存在" in missing.json()["detail"] and "search for its name" in missing.json()["detail"]
    bad_format = client.get("/export/entity/City:徐州", params={"format": "xlsx"})
    assert bad_format.status_code == 422
    assert "gexf" in bad_format.json()["detail"][0]["msg"]
    assert client.get("/export/entity/City:徐州", params={"depth": 3}).status_code == 422


# --- streamed exports: the same graph as one read, pages of bounded size, a limit on exports at once -------


def _old_gephi(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph named as the exports named it before they streamed: the reference for the streamed files."""
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    for key, attrs in graph.nodes(data=True):
        node = dict(attrs)
        node["type"] = node.pop("label", "")
        node["label"] = node.get("name", key)
        out.add_node(key, **node)
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        edge = dict(attrs)
        edge["relation"] = edge["label"] = edge.get("type", "")
        out.add_edge(source, target, key=key, **edge)
    return out


def _old_files(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """GraphML, GEXF and node-link JSON as networkx's own writers give them for the whole graph in memory."""
    gephi = _old_gephi(graph)
    graphml = io.BytesIO()
    nx.write_graphml(gephi, graphml, encoding="utf-8")
    for _, _, key, attrs in gephi.edges(keys=True, data=True):
        attrs.pop("type", None)
        attrs["id"] = key
    gexf = io.BytesIO()
    nx.write_gexf(gephi, gexf, encoding="utf-8")
    node_link = json.dumps(nx.node_link_data(_old_gephi(graph), edges="links"), ensure_ascii=False)
    return {"graphml": graphml.getvalue(), "gexf": gexf.getvalue(), "json": node_link.encode()}


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert {(s, t, k): d for s, t, k, d in a.edges(keys=True, data=True)} == {
        (s, t, k): d for s, t, k, d in b.edges(keys=True, data=True)
    }


@pytest.fixture(scope="class")
def corpus_db(driver: Driver, neo4j_server: Neo4jEndpoint) -> Iterator[str]:
    """data/corpus through the real pipeline for one class; the seed graph is restored afterwards."""
    assert load_corpus(driver, neo4j_server.database) > 0
    yield neo4j_server.database
    load_seed(driver, neo4j_server.database)


@pytest.fixture(scope="class")
def small_pages(_session_settings: Settings, corpus_db: str) -> Iterator[TestClient]:
    """The API reading exports 7 rows per Neo4j read, so every export of the corpus is many pages."""
    app = create_app(api_settings(_session_settings, export_batch_size=7), apply_schema=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class TestStreamedOnCorpus:
    def test_every_format_equals_the_whole_graph_written_at_once(
        self, small_pages: TestClient, driver: Driver, corpus_db: str
    ) -> None:
        whole = read.export_graph(driver, database=corpus_db, labels=None, types=None)
        assert whole.number_of_nodes() > 100 and whole.number_of_edges() > 100
        old = _old_files(whole)
        streamed = {
            fmt: small_pages.get("/export", params={"format": fmt}) for fmt in ("graphml", "gexf", "json")
        }
        assert all(r.status_code == 200 for r in streamed.values())
        _same_graph(
            nx.read_graphml(io.BytesIO(streamed["graphml"].content), force_multigraph=True),
            nx.read_graphml(io.BytesIO(old["graphml"]), force_multigraph=True),
        )
        _same_graph(nx.read_gexf(io.BytesIO(streamed["gexf"].content)), nx.read_gexf(io.BytesIO(old["gexf"])))
        new_json, old_json = json.loads(streamed["json"].content), json.loads(old["json"])
        assert new_json["nodes"] == old_json["nodes"]  # both in key order
        assert sorted(new_json["links"], key=lambda e: e["key"]) == sorted(
            old_json["links"], key=lambda e: e["key"]
        )
        assert {k: v for k, v in new_json.items() if k not in ("nodes", "links")} == {
            k: v for k, v in old_json.items() if k not in ("nodes", "links")
        }
        _same_graph(nx.node_link_graph(new_json, edges="links"), nx.node_link_graph(old_json, edges="links"))

    def test_the_csv_tables_equal_those_of_the_whole_graph(
        self, small_pages: TestClient, driver: Driver, corpus_db: str
    ) -> None:
        whole = _old_gephi(read.export_graph(driver, database=corpus_db, labels=None, types=None))
        content = small_pages.get("/export", params={"format": "csv"}).content
        nodes = _zip_table(content, "nodes.csv")
        assert [n["id"] for n in nodes] == sorted(whole.nodes)
        for row in nodes:
            attrs = whole.nodes[row["id"]]
            assert row["label"] == attrs["label"] and row["type"] == attrs["type"]
            assert row["evidence_count"] == str(attrs.get("evidence_count", ""))
        edges = _zip_table(content, "edges.csv")
        assert sorted(e["key"] for e in edges) == sorted(k for _, _, k in whole.edges(keys=True))
        evidence = _zip_table(content, "evidence.csv")
        stored = read.export_evidence(driver, database=corpus_db, facts=[e["key"] for e in edges])
        assert sorted((r["relation_key"], r["document_id"], r["start"]) for r in evidence) == sorted(
            (ev.fact, ev.document_id, str(ev.start)) for ev in stored
        )

    def test_a_filtered_export_streams_the_same_subgraph(
        self, small_pages: TestClient, driver: Driver, corpus_db: str
    ) -> None:
        params = {"label": ["City", "Park"], "type": "HOSTS"}
        whole = read.export_graph(driver, database=corpus_db, labels=["City", "Park"], types=["HOSTS"])
        assert whole.number_of_edges() > 10
        response = small_pages.get("/export", params=params)
        _same_graph(
            nx.read_graphml(io.BytesIO(response.content), force_multigraph=True),
            nx.read_graphml(io.BytesIO(_old_files(whole)["graphml"]), force_multigraph=True),
        )

    def test_neo4j_is_read_in_pages_of_the_batch_size(self, driver: Driver, corpus_db: str) -> None:
        source = read.export_source(driver, database=corpus_db, labels=None, types=None, batch_size=5)
        node_pages = list(source.nodes())
        edge_pages = list(source.edges())
        assert len(node_pages) > 20 and max(len(p) for p in node_pages) == 5
        assert len(edge_pages) > 20 and max(len(p) for p in edge_pages) == 5
        keys = [k for p in edge_pages for _, _, k, _ in p]
        assert len(keys) == len(set(keys))  # no page repeats a row of another
        # Neo4j holds one page too: each page is read from the key index in order and never sorted whole.
        for name in ("export_nodes", "export_edges"):
            plan = driver.execute_query(
                "EXPLAIN " + query(name),
                labels=None,
                types=None,
                after="",
                after_source="",
                after_key="",
                batch=5,
                database_=corpus_db,
            ).summary.plan
            operators = _operators(plan)
            assert not {"Sort", "Eager"} & operators, f"{name}: {' '.join(sorted(operators))}"
            # A page's rows are sorted one source at a time (the only Top is each fact's first sentence).
            assert name == "export_nodes" or "PartialTop" in operators, sorted(operators)
            assert any("IndexSeekByRange" in op for op in operators), (name, operators)


def _operators(plan: Any) -> set[str]:
    found = {plan["operatorType"].split("@")[0]}
    for child in plan.get("children", []):
        found |= _operators(child)
    return found


def test_exports_past_the_limit_are_refused_with_retry_after(
    _session_settings: Settings, seeded: Seeded
) -> None:
    app = create_app(api_settings(_session_settings, max_concurrent_exports=2), apply_schema=False)
    slots: Slots = app.state.export_slots
    with TestClient(app, raise_server_exceptions=False) as c:
        held = [slots.take(), slots.take()]  # two downloads in progress
        for path, params in [
            ("/export", {}),
            ("/export/entity/City:徐州", {}),
            ("/export/paths", {"source": "徐州", "target": "扬州"}),
        ]:
            refused = c.get(path, params={**params, "format": "json"})
            assert refused.status_code == 429, (path, refused.text)
            assert refused.headers["retry-after"] == "5"
            assert "INNOGRAPH_MAX_CONCURRENT_EXPORTS" in refused.json()["detail"]
        held.pop()()
        assert c.get("/export").status_code == 200
        assert c.get("/export").status_code == 200  # a finished download gave its slot back


def test_a_download_abandoned_midway_gives_its_slot_back(driver: Driver, seeded: Seeded) -> None:
    slots = export_slots(1)
    release = slots.take()
    source = read.export_source(driver, database=seeded.database, labels=None, types=None, batch_size=1)
    body = exports.download(source, exports.ExportFormat.GRAPHML, release)
    assert isinstance(body, Generator)
    assert next(body).startswith(b"<?xml")
    with pytest.raises(Busy):
        slots.take()
    body.close()  # the client went away
    slots.take()

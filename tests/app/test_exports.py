"""Exports (app/exports.py) over the seed graph: GraphML and GEXF as Gephi reads them, the CSV evidence
table, and the export of one explorer view."""

from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import quote

import networkx as nx
from fastapi.testclient import TestClient

from graph.model import Graph
from tests.app.conftest import Seeded


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

"""Paths (GET /paths, /export/paths and the explorer's path page): several paths shortest first, each step
with its own direction, and labels, provinces or types left out. Over the seed graph plus one document in
which 徐州 and 扬州 cooperate, so that two routes join them: directly, and through the province 江苏省."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterator

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver

from graph import read
from graph.model import Document, Entity, Graph, Label, Relation, RelType, content_id
from graph.store import write_graph
from tests.app.browser import Visit, serve
from tests.app.conftest import Seeded, load_seed
from tests.conftest import Neo4jEndpoint
from tests.helpers import evidence

COOPERATION = "徐州与扬州签署协议，共建创新走廊。"


@pytest.fixture(scope="module")
def two_routes(seeded: Seeded, driver: Driver, neo4j_server: Neo4jEndpoint) -> Iterator[nx.MultiDiGraph]:
    """The seed and a document where 徐州 COOPERATES 扬州; the stored graph as networkx. Restored after."""
    doc = Document(id=content_id(COOPERATION.encode()), source="test/cooperation.txt", text=COOPERATION)
    ev = (evidence(doc, COOPERATION),)
    xuzhou = Entity.create(label=Label.CITY, name="徐州", evidence=ev)
    yangzhou = Entity.create(label=Label.CITY, name="扬州", evidence=ev)
    relation = Relation(type=RelType.COOPERATES, source=xuzhou.key, target=yangzhou.key, evidence=ev)
    write_graph(
        driver,
        Graph(document=doc, entities=(xuzhou, yangzhou), relations=(relation,)),
        database=seeded.database,
    )
    yield read.export_graph(driver, database=seeded.database, labels=None, types=None)
    load_seed(driver, neo4j_server.database)


@pytest.fixture(scope="module")
def base(app: FastAPI, two_routes: nx.MultiDiGraph) -> Iterator[str]:
    with serve(app) as url:
        yield url


def chain(path: dict[str, object]) -> list[str]:
    """A path as names and arrows that follow each relationship (← when it points back along the walk)."""
    nodes, steps = path["nodes"], path["relationships"]
    assert isinstance(nodes, list) and isinstance(steps, list)
    out = [nodes[0]["name"]]
    for node, step in zip(nodes[1:], steps, strict=True):
        arrow = {"forward": "→", "backward": "←", "both": "—"}[step["direction"]]
        out += [f"{arrow} {step['type']} {arrow}", node["name"]]
    return out


def simple_paths(graph: nx.MultiDiGraph, source: str, target: str, cutoff: int) -> int:
    """Simple paths of at most ``cutoff`` hops in any direction, one per choice of parallel relationship."""
    undirected = graph.to_undirected()
    return sum(
        math.prod(undirected.number_of_edges(a, b) for a, b in itertools.pairwise(p))
        for p in nx.all_simple_paths(nx.Graph(undirected), source, target, cutoff=cutoff)
    )


def test_each_step_shows_its_own_direction(client: TestClient, two_routes: nx.MultiDiGraph) -> None:
    up = client.get("/paths", params={"source": "徐州高新区", "target": "江苏省"}).json()
    assert chain(up["paths"][0]) == ["徐州高新区", "← HOSTS ←", "徐州", "← HOSTS ←", "江苏省"]
    step = up["paths"][0]["relationships"][0]
    assert (step["source"], step["target"]) == ("City:徐州", "Park:徐州高新区")  # as stored
    down = client.get("/paths", params={"source": "江苏省", "target": "徐州高新区"}).json()
    assert chain(down["paths"][0]) == ["江苏省", "→ HOSTS →", "徐州", "→ HOSTS →", "徐州高新区"]


def test_several_paths_shortest_first(client: TestClient, two_routes: nx.MultiDiGraph) -> None:
    body = client.get("/paths", params={"source": "徐州", "target": "扬州", "max_hops": 4}).json()
    assert len(body["paths"]) == simple_paths(two_routes, "City:徐州", "City:扬州", 4) == 2
    assert [p["length"] for p in body["paths"]] == [1, 2]
    assert chain(body["paths"][0]) == ["徐州", "— COOPERATES —", "扬州"]
    assert chain(body["paths"][1]) == ["徐州", "← HOSTS ←", "江苏省", "→ HOSTS →", "扬州"]
    one = client.get("/paths", params={"source": "徐州", "target": "扬州", "limit": 1}).json()
    assert [p["length"] for p in one["paths"]] == [1]


def test_leaving_out_provinces_labels_or_types(client: TestClient, two_routes: nx.MultiDiGraph) -> None:
    def routes(**leave_out: object) -> list[list[str]]:
        params = {"source": "徐州", "target": "扬州", **leave_out}
        return [chain(p) for p in client.get("/paths", params=params).json()["paths"]]

    direct = ["徐州", "— COOPERATES —", "扬州"]
    assert routes(exclude_provinces=True) == [direct]
    assert routes(exclude_label="City") == [direct]  # the ends are Cities themselves and still count
    assert routes(exclude_type="COOPERATES") == [["徐州", "← HOSTS ←", "江苏省", "→ HOSTS →", "扬州"]]
    assert not routes(exclude_type="COOPERATES", exclude_provinces=True)
    assert routes(exclude_label="Park") == routes()
    # 华为 reaches 中国矿业大学 through 江苏省 and, shorter, by the cooperation; without provinces, by that
    both = client.get("/paths", params={"source": "华为", "target": "矿大", "max_hops": 5}).json()["paths"]
    assert any("江苏省" in chain(p) for p in both)
    params = {"source": "华为", "target": "矿大", "max_hops": 5, "exclude_provinces": True}
    kept = client.get("/paths", params=params).json()["paths"]
    assert kept and all("江苏省" not in chain(p) for p in kept)
    assert [chain(p) for p in kept] == [chain(p) for p in both if "江苏省" not in chain(p)]


def test_bad_path_requests_say_what_to_do(client: TestClient, two_routes: nx.MultiDiGraph) -> None:
    everything = {"exclude_type": ["HOSTS", "FUNDS", "COOPERATES"]}
    response = client.get("/paths", params={"source": "徐州", "target": "扬州", **everything})
    assert response.status_code == 400
    assert "keep at least one" in response.json()["detail"]
    same = client.get("/paths", params={"source": "徐州", "target": "徐州市"})
    assert same.status_code == 400 and "choose two different actors" in same.json()["detail"]
    assert (
        client.get("/paths", params={"source": "徐州", "target": "扬州", "exclude_label": "Town"}).status_code
        == 422
    )
    missing = client.get("/export/paths", params={"source": "不存在", "target": "扬州"})
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    page = client.get("/explore/paths", params={"source": "徐州", "target": "扬州", **everything})
    assert page.status_code == 400 and "keep at least one" in page.text


def test_paths_view_exports_just_its_paths(client: TestClient, two_routes: nx.MultiDiGraph) -> None:
    params = {"source": "徐州", "target": "扬州", "exclude_provinces": "true", "format": "graphml"}
    graph = nx.read_graphml(
        io.BytesIO(client.get("/export/paths", params=params).content), force_multigraph=True
    )
    assert set(graph.nodes) == {"City:徐州", "City:扬州"}
    assert [d["relation"] for _, _, d in graph.edges(data=True)] == ["COOPERATES"]
    assert next(iter(graph.edges(data=True)))[2]["sentence"] == COOPERATION
    page = client.get(
        "/explore/paths", params={"source": "徐州", "target": "扬州", "exclude_provinces": "true"}
    )
    assert (
        "/export/paths?source=City%3A%E5%BE%90%E5%B7%9E" in page.text
        and "exclude_provinces=true" in page.text
    )


def test_chromium_path_page_shows_directions(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(base + "/explore/paths?source=徐州高新区&target=扬州&max_hops=4")
    page.wait_for_selector("#graph[data-ready='1']", state="attached")
    first = page.locator("#path-list li").first
    assert (
        " ".join(first.locator(".chain").inner_text().split())
        == "徐州高新区 ← HOSTS ← 徐州 — COOPERATES — 扬州"
    )
    second = page.locator("#path-list li").nth(1)
    assert " ".join(second.locator(".chain").inner_text().split()) == (
        "徐州高新区 ← HOSTS ← 徐州 ← HOSTS ← 江苏省 → HOSTS → 扬州"
    )
    assert page.locator(".side-head h2").inner_text() == "2 paths, shortest first · 2–3 hops"
    # leave out COOPERATES in the form: one path, through the province
    page.locator("#leave-out input[value=COOPERATES]").check()
    page.locator("button[type=submit]", has_text="Find paths").click()
    page.wait_for_selector("#graph[data-ready='1']", state="attached")
    assert page.locator("#path-list li").count() == 1
    assert "江苏省" in page.locator("#path-list li").inner_text()
    assert page.locator("#leave-out input[value=COOPERATES]").is_checked()
    assert not visit.errors

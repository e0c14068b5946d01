"""The entity page's drawing and the Cypher console over data/corpus ingested by the real pipeline, in real
headless Chromium (Playwright) and over HTTP. Expected figures come from the database, never from constants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from neo4j import Driver
from playwright.sync_api import Page

from app.explorer.pages import load_examples
from app.main import create_app
from graph.config import Settings
from tests.app.browser import Visit, screenshot, serve, wait_drawn
from tests.app.conftest import load_corpus
from tests.conftest import Neo4jEndpoint

HUB = "City:徐州"
CORE = "HOSTS|FUNDS|COOPERATES"
ACTORS = ["City", "Park", "Institute", "Enterprise", "Policy"]


@dataclass(frozen=True)
class Corpus:
    base: str
    driver: Driver
    database: str

    def rows(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = self.driver.execute_query(cypher, params, database_=self.database, routing_="r")
        return [dict(r) for r in records]

    def entity_url(self, key: str, query: str = "") -> str:
        return f"{self.base}/explore/entity/{quote(key, safe=':')}{query}"


@pytest.fixture(scope="module")
def corpus(driver: Driver, neo4j_server: Neo4jEndpoint, _session_settings: Settings) -> Iterator[Corpus]:
    """data/corpus through the real pipeline, and the app served over it, for the module."""
    assert load_corpus(driver, neo4j_server.database) > 0
    with serve(create_app(_session_settings)) as base:
        yield Corpus(base, driver, neo4j_server.database)


def type_counts(corpus: Corpus, key: str) -> dict[str, int]:
    rows = corpus.rows(
        f"MATCH (:Entity {{key: $key}})-[r:{CORE}]-(o:Entity) WHERE o.label IN $labels "
        "RETURN type(r) AS type, count(*) AS n",
        key=key,
        labels=ACTORS,
    )
    return {r["type"]: r["n"] for r in rows}


def open_entity(visit: Visit, url: str) -> Page:
    page = visit.page
    page.goto(url)
    wait_drawn(page)
    return page


# --- the Cypher console over HTTP -------------------------------------------------------------------


def test_every_example_query_returns_rows_on_the_corpus(corpus: Corpus) -> None:
    examples = load_examples()
    assert len(examples) >= 8
    with httpx.Client(base_url=corpus.base, timeout=30) as api:
        for example in examples:
            response = api.post("/cypher", json={"query": example.query, "params": {}})
            assert response.status_code == 200, (example.name, response.text)
            assert len(response.json()["rows"]) >= 1, f"{example.name} ({example.title}) returns no row"


def test_cypher_returns_the_stored_evidence_of_the_relationships_it_returns(corpus: Corpus) -> None:
    query = "MATCH (a:City)-[f:FUNDS]->(b:Entity) RETURN a, f, b"
    with httpx.Client(base_url=corpus.base) as api:
        body = api.post("/cypher", json={"query": query, "params": {}}).json()
    keys = {r["properties"]["key"] for r in body["relationships"]}
    assert keys and set(body["evidence"]) == keys
    for key in keys:
        stored = corpus.rows("MATCH (ev:Evidence {fact: $key}) RETURN ev.sentence AS s", key=key)
        assert {ev["sentence"] for ev in body["evidence"][key]} <= {r["s"] for r in stored}


def test_a_syntax_error_is_told_in_the_users_own_text(corpus: Corpus) -> None:
    with httpx.Client(base_url=corpus.base) as api:
        response = api.post("/cypher", json={"query": "MATCH (n) RETRN n", "params": {}})
        missing = api.post("/cypher", json={"query": "RETURN $x", "params": {}})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "EXPLAIN" not in detail
    assert detail.startswith("Error in the query at line 1, column 11: Invalid input 'RETRN'")
    assert missing.status_code == 400 and "params" in missing.json()["detail"]


# --- the entity page --------------------------------------------------------------------------------


def test_a_capped_page_keeps_the_rarer_types_and_says_how_many(corpus: Corpus) -> None:
    counts = type_counts(corpus, HUB)
    total, limit = sum(counts.values()), 20
    assert counts["FUNDS"] < counts["HOSTS"] and total > limit
    html = httpx.get(corpus.entity_url(HUB, f"?limit={limit}")).text
    listed = re.findall(r'data-edge="[^"]+" data-type="([A-Z]+)"', html)
    assert len(listed) == limit
    # the types in rising order of frequency fill the cap: every FUNDS and COOPERATES of 徐州 is there
    room = limit
    for type_, n in sorted(counts.items(), key=lambda kv: kv[1]):
        assert listed.count(type_) == min(n, room), type_
        room -= min(n, room)
    head = re.search(r"<h2>Relationships(.*?)</h2>", html, re.S)
    assert head is not None
    text = re.sub(r"<[^>]+>", "", head.group(0))
    assert text == f"Relationships — showing {limit} of {total}"


def node_positions(page: Page) -> dict[str, dict[str, float]]:
    positions: dict[str, dict[str, float]] = page.evaluate("window.explorer.network.getPositions()")
    return positions


def test_the_same_page_draws_the_same_and_no_labels_overlap(corpus: Corpus, visit: Visit) -> None:
    page = open_entity(visit, corpus.entity_url(HUB))
    first = node_positions(page)
    assert len(first) == 1 + len(
        corpus.rows(f"MATCH (:Entity {{key: $k}})-[:{CORE}]-(o) RETURN DISTINCT o", k=HUB)
    )
    # the boxes vis-network drew: every label against every label and every shape
    overlaps = page.evaluate(
        """() => {
          const net = window.explorer.network, ids = Object.keys(net.getPositions()), boxes = [];
          for (const id of ids) {
            const n = net.body.nodes[id], s = n.labelModule.size;
            boxes.push({id, kind: "label", l: s.left, t: s.top, r: s.left + s.width, b: s.top + s.height});
            boxes.push({id, kind: "shape", l: n.shape.left, t: n.shape.top,
                        r: n.shape.left + n.shape.width, b: n.shape.top + n.shape.height});
          }
          const bad = [];
          for (const a of boxes) for (const b of boxes) {
            if (a.id >= b.id || (a.kind === "shape" && b.kind === "shape")) continue;
            if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) bad.push([a.id, a.kind, b.id, b.kind]);
          }
          return bad;
        }"""
    )
    assert overlaps == []
    screenshot(page, "entity-radial.png")
    again = open_entity(visit, corpus.entity_url(HUB))
    assert node_positions(again) == first
    assert not visit.errors, visit.errors


def test_a_filter_refits_the_graph_and_updates_the_counts(corpus: Corpus, visit: Visit) -> None:
    counts = type_counts(corpus, HUB)
    total = sum(counts.values())
    page = open_entity(visit, corpus.entity_url(HUB))
    assert page.locator("#cap-note").inner_text() == f"{total} in view"
    before = page.evaluate("window.explorer.network.getScale()")
    page.uncheck("input[data-filter-type=HOSTS]")
    kept = total - counts["HOSTS"]
    assert (
        page.locator("#cap-note").inner_text() == f"{kept} in view · {counts['HOSTS']} hidden by the filters"
    )
    assert page.evaluate("window.explorer.visibleEdgeCount()") == kept
    for label in ("City", "Park", "Institute", "Policy"):
        page.uncheck(f"input[data-filter-label={label}]")
    # what is left is a few nodes: drawn larger, and all of them inside the canvas
    assert page.evaluate("window.explorer.network.getScale()") > before
    outside = page.evaluate(
        """() => {
          const net = window.explorer.network, box = net.body.container;
          const w = box.clientWidth, h = box.clientHeight;
          return window.explorer.nodeView.getIds().filter(id => {
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            return p.x < 0 || p.y < 0 || p.x > w || p.y > h;
          });
        }"""
    )
    assert outside == []
    page.check("input[data-filter-type=HOSTS]")
    for label in ("City", "Park", "Institute", "Policy"):
        page.check(f"input[data-filter-label={label}]")
    assert page.locator("#cap-note").inner_text() == f"{total} in view"


def dom_point(page: Page, key: str) -> dict[str, float]:
    point: dict[str, float] = page.evaluate(
        """id => {
          const net = window.explorer.network, box = net.body.container.getBoundingClientRect();
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          return {x: box.left + p.x, y: box.top + p.y};
        }""",
        key,
    )
    return point


def test_double_click_expands_a_neighbour_in_place(corpus: Corpus, visit: Visit) -> None:
    # the neighbour of 徐州 with the most actors of its own that the page does not draw yet
    row = corpus.rows(
        f"MATCH (c:Entity {{key: $hub}})-[:{CORE}]-(n:Entity) "
        f"WITH c, collect(DISTINCT n) AS ring UNWIND ring AS n "
        f"MATCH (n)-[r:{CORE}]-(m:Entity) WHERE m.label IN $labels AND m <> c "
        "WITH n, ring, collect(DISTINCT r.key) AS rels, collect(DISTINCT m) AS ms "
        "RETURN n.key AS key, size(rels) AS rels, size([m IN ms WHERE NOT m IN ring]) AS new "
        "ORDER BY new DESC, key LIMIT 1",
        hub=HUB,
        labels=ACTORS,
    )[0]
    assert row["new"] > 0
    page = open_entity(visit, corpus.entity_url(HUB))
    url = page.url
    nodes, edges = page.evaluate("[window.explorer.nodes.length, window.explorer.edges.length]")
    spot = dom_point(page, row["key"])
    page.mouse.dblclick(spot["x"], spot["y"])
    page.wait_for_function("document.body.dataset.expandState === 'done'")
    assert page.url == url, "a double-click expands in place, it does not open the node's page"
    assert page.evaluate("window.explorer.nodes.length") == nodes + row["new"]
    assert page.evaluate("window.explorer.edges.length") == edges + row["rels"]
    assert page.locator("#rel-list .rel-added").count() == row["rels"]
    assert page.locator("#cap-note").inner_text().endswith(f"· {row['rels']} more from expanding")
    screenshot(page, "entity-expanded.png")
    assert not visit.errors, visit.errors


def test_the_expand_button_of_a_list_row_does_the_same(corpus: Corpus, visit: Visit) -> None:
    page = open_entity(visit, corpus.entity_url(HUB))
    before = page.evaluate("window.explorer.edges.length")
    keys = page.locator("#rel-list [data-expand]").evaluate_all("bs => bs.map(b => b.dataset.expand)")
    with_more = corpus.rows(
        f"UNWIND $keys AS k MATCH (n:Entity {{key: k}})-[r:{CORE}]-(m:Entity) "
        "WHERE m.key <> $hub AND m.label IN $labels "
        "RETURN k, count(DISTINCT r) AS n ORDER BY n DESC, k LIMIT 1",
        keys=keys,
        hub=HUB,
        labels=ACTORS,
    )[0]
    page.locator(f"#rel-list [data-expand='{with_more['k']}']").first.click()
    page.wait_for_function("document.body.dataset.expandState === 'done'")
    assert page.evaluate("window.explorer.edges.length") == before + with_more["n"]


def test_a_two_node_graph_gets_a_small_canvas(corpus: Corpus, visit: Visit) -> None:
    lone = corpus.rows(
        f"MATCH (n:Entity) WHERE n.label IN $labels AND COUNT {{ (n)-[:{CORE}]-(:Entity) }} = 1 "
        "RETURN n.key AS key ORDER BY key LIMIT 1",
        labels=ACTORS,
    )[0]["key"]
    page = open_entity(visit, corpus.entity_url(lone))
    small = page.locator(".graph-wrap").bounding_box()
    assert page.evaluate("window.explorer.nodes.length") == 2
    hub = open_entity(visit, corpus.entity_url(HUB)).locator(".graph-wrap").bounding_box()
    assert small is not None and hub is not None
    assert small["height"] <= 320 < hub["height"]


def test_900_px_wide_the_graph_keeps_the_width_and_labels_a_reading_size(
    corpus: Corpus, visit: Visit
) -> None:
    page = visit.page
    page.set_viewport_size({"width": 900, "height": 800})
    open_entity(visit, corpus.entity_url(HUB))
    graph = page.locator(".graph-wrap").bounding_box()
    side = page.locator(".side").bounding_box()
    assert graph is not None and side is not None
    assert graph["width"] >= 800 and side["y"] >= graph["y"] + graph["height"]  # the list goes under it
    # vis-network labels are 22 px at scale 1: on screen at least 8 px
    assert page.evaluate("window.explorer.network.getScale()") * 22 >= 8
    assert page.evaluate("document.documentElement.scrollWidth") <= 900  # nothing sticks out sideways
    screenshot(page, "entity-900.png")


# --- the Cypher console in the browser ---------------------------------------------------------------


def test_hovering_a_console_edge_shows_its_evidence(corpus: Corpus, visit: Visit) -> None:
    example = next(e for e in load_examples() if e.name == "04_largest_funding")
    body = httpx.post(f"{corpus.base}/cypher", json={"query": example.query, "params": {}}).json()
    page = visit.page
    page.goto(f"{corpus.base}/explore/cypher?example={example.name}")
    page.wait_for_function("document.body.dataset.cypherState === 'done'")
    wait_drawn(page, "#cypher-graph")
    spot = page.evaluate(
        """() => {
          const net = window.explorer.network, box = net.body.container.getBoundingClientRect();
          net.stopSimulation();
          for (const id of Object.keys(net.body.edges)) {
            const c = net.body.edges[id].edgeType.getPoint(0.5), p = net.canvasToDOM(c);
            const r = 8 / net.getScale();
            const area = {left: c.x - r, right: c.x + r, top: c.y - r, bottom: c.y + r};
            const edges = net.selectionHandler._getAllEdgesOverlappingWith(area);
            const nodes = net.selectionHandler._getAllNodesOverlappingWith(area);
            if (nodes.length === 0 && edges.length === 1) return {id, x: box.left + p.x, y: box.top + p.y};
          }
          return null;
        }"""
    )
    assert spot is not None, "no edge can be hovered alone"
    rel = next(r for r in body["relationships"] if r["id"] == spot["id"])
    sentence = body["evidence"][rel["properties"]["key"]][0]["sentence"]
    page.mouse.move(spot["x"], spot["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "no evidence stored" not in text
    assert " ".join(sentence.split())[:40] in " ".join(text.split())
    # amounts in the table read as a Chinese source states them, the exact yuan on hover
    cell = page.locator("#rows td.amount-cell").first
    assert re.fullmatch(r"[\d.]+(万亿|亿|万)?元", cell.inner_text())
    assert cell.get_attribute("title", timeout=1000) is not None
    assert not visit.outside_requests(), visit.outside_requests()


def test_an_error_clears_the_old_result_and_speaks_of_the_users_text(corpus: Corpus, visit: Visit) -> None:
    example = next(e for e in load_examples() if e.description)
    page = visit.page
    page.goto(f"{corpus.base}/explore/cypher?example={example.name}")
    page.wait_for_function("document.body.dataset.cypherState === 'done'")
    assert page.locator("#rows tbody tr").count() > 0 and page.locator("#example-desc").inner_text()
    page.fill("#query", "MATCH (n) RETRN n")
    page.click("#run")
    page.wait_for_function("document.body.dataset.cypherState === 'error'")
    status = page.locator("#status").inner_text()
    assert "EXPLAIN" not in status and "line 1, column 11" in status
    assert page.locator("#rows tbody tr").count() == 0 and page.locator("#rows thead th").count() == 0
    assert page.locator("#example-desc").inner_text() == ""
    assert page.evaluate("window.explorer") is None
    assert page.locator("#cypher-graph canvas").count() == 0
    assert page.locator("#graph-count").inner_text() == ""
    screenshot(page, "cypher-error.png")

"""The web explorer in real headless Chromium (Playwright), served by uvicorn over a real Neo4j.

The graph is the hand-annotated gold of three corpus documents (data/gold) written through
graph.store.write_graph, plus one small funding document. Expected figures come from the database
(graph.read, networkx over graph.read.export_graph), never from constants. Screenshots of the home,
entity and Cypher pages are saved to test-artifacts/.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import networkx as nx
import pytest
from neo4j import Driver

from app.explorer.pages import DEFAULT_LIMIT, load_examples
from app.explorer.viz import format_amount
from app.main import create_app
from graph import read
from graph.config import ROOT, Settings
from graph.model import (
    CORE_LABELS,
    CORE_TYPES,
    Document,
    Entity,
    Evidence,
    Graph,
    Label,
    Relation,
    RelType,
    content_id,
)
from graph.server import find_free_ports
from graph.store import apply_schema, delete_document, write_graph
from tests.app.browser import OUTSIDE_URL, Visit, screenshot, serve, wait_drawn
from tests.conftest import Neo4jEndpoint, delete_all_data
from tests.helpers import evidence

FUNDING_TEXT = "徐州市设立科技专项资金，向徐工集团提供2000万元研发补助。徐工集团与中国矿业大学共建实验室。"


# --- test data: the gold annotations as Graphs -------------------------------------------------------


def _evidence(doc: Document, sentence: str) -> tuple[Evidence, ...]:
    """The gold evidence sentence, when the text holds it."""
    if not sentence or sentence not in doc.text:
        return ()
    return (evidence(doc, sentence, extractor="gold", confidence=1.0),)


def gold_graph(path: Path) -> Graph:
    """One gold file (data/gold/*.json) and its corpus document as a Graph; evidence cut from the text."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    raw = (ROOT / "data" / "corpus" / gold["doc"]).read_bytes()
    doc = Document(id=content_id(raw), source=f"data/corpus/{gold['doc']}", text=raw.decode("utf-8"))
    entities: dict[str, Entity] = {}
    by_name: dict[str, Entity] = {}
    for item in gold["entities"]:
        entity = Entity.create(
            label=Label(item["label"]),
            name=item["name"],
            aliases=tuple(item["aliases"]),
            evidence=_evidence(doc, item["name"]),
        )
        entities.setdefault(entity.key, entity)
        for name in (item["name"], *item["aliases"]):
            by_name.setdefault(name, entities[entity.key])
    relations: dict[str, Relation] = {}
    for item in gold["relations"]:
        source, target = by_name.get(item["source"]), by_name.get(item["target"])
        if source is None or target is None or source.key == target.key:
            continue  # the gold names an end it does not list as an entity: not a fact we can store
        amount = item.get("amount_cny")
        relation = Relation(
            type=RelType(item["type"]),
            source=source.key,
            target=target.key,
            amount_cny=float(amount) if amount is not None else None,
            evidence=_evidence(doc, item["evidence"]),
        )
        relations.setdefault(relation.key, relation)
    return Graph(document=doc, entities=tuple(entities.values()), relations=tuple(relations.values()))


def funding_graph() -> Graph:
    """A small document with an enterprise funded with a stated amount (rare in the gold documents)."""
    doc = Document(id=content_id(FUNDING_TEXT.encode()), source="test/funding.txt", text=FUNDING_TEXT)
    first, second = (part + "。" for part in FUNDING_TEXT.split("。")[:2])
    xuzhou = Entity.create(label=Label.CITY, name="徐州", aliases=("徐州市",), evidence=_evidence(doc, first))
    xcmg = Entity.create(
        label=Label.ENTERPRISE, name="徐工集团", aliases=("徐工",), evidence=_evidence(doc, first)
    )
    cumt = Entity.create(label=Label.INSTITUTE, name="中国矿业大学", evidence=_evidence(doc, second))
    return Graph(
        document=doc,
        entities=(xuzhou, xcmg, cumt),
        relations=(
            Relation(
                type=RelType.FUNDS,
                source=xuzhou.key,
                target=xcmg.key,
                amount_cny=20_000_000.0,
                evidence=_evidence(doc, first),
            ),
            Relation(
                type=RelType.COOPERATES, source=xcmg.key, target=cumt.key, evidence=_evidence(doc, second)
            ),
        ),
    )


@dataclass(frozen=True)
class Live:
    """The app served over HTTP on 127.0.0.1, and the graph it serves."""

    base: str
    driver: Driver
    database: str
    graph: nx.MultiDiGraph

    def url(self, path: str) -> str:
        return self.base + path

    def entity_path(self, key: str) -> str:
        return "/explore/entity/" + quote(key, safe=":")


def write_test_graph(driver: Driver, database: str) -> nx.MultiDiGraph:
    """Empty the database, write the gold graphs and the funding document; the stored graph as networkx."""
    delete_all_data(driver, database)
    apply_schema(driver, database=database)
    for path in sorted((ROOT / "data" / "gold").glob("*.json")):
        write_graph(driver, gold_graph(path), database=database)
    write_graph(driver, funding_graph(), database=database)
    return read.export_graph(driver, database=database, labels=None, types=None)


@pytest.fixture(scope="module")
def graph_data(driver: Driver, neo4j_server: Neo4jEndpoint) -> nx.MultiDiGraph:
    """The gold graphs and the funding document, written by the store, for the module."""
    return write_test_graph(driver, neo4j_server.database)


@pytest.fixture(scope="module")
def live(graph_data: nx.MultiDiGraph, _session_settings: Settings, driver: Driver) -> Iterator[Live]:
    """uvicorn serving create_app() in a background thread on a free port, for the module."""
    with serve(create_app(_session_settings)) as base:
        yield Live(base, driver, _session_settings.neo4j_database, graph_data)


def undirected_neighbours(graph: nx.MultiDiGraph, key: str) -> set[str]:
    return set(graph.successors(key)) | set(graph.predecessors(key))


def incident_edges(graph: nx.MultiDiGraph, key: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(source, target, attributes with the fact key as "key") of every relationship at ``key``."""
    return [
        (u, v, {**d, "key": k})
        for u, v, k, d in [
            *graph.out_edges(key, keys=True, data=True),
            *graph.in_edges(key, keys=True, data=True),
        ]
    ]


def best_connected(graph: nx.MultiDiGraph) -> str:
    return str(max(graph.nodes, key=lambda n: (graph.degree(n), n)))


# --- the main journey -------------------------------------------------------------------------------


def test_search_open_entity_filter_and_read_evidence(live: Live, visit: Visit) -> None:
    """Home → search by name → entity page: one drawn node per listed relationship end, filters, evidence."""
    page = visit.page
    hub = best_connected(live.graph)
    hub_name = live.graph.nodes[hub]["name"]

    page.goto(live.url("/explore"))
    stats = read.get_stats(live.driver, database=live.database)
    for label, n in stats.labels.items():
        assert page.locator(".stat", has_text=label).locator(".n").inner_text() == str(n)
    screenshot(page, "home.png")

    page.fill(".hero input[name=q]", hub_name)
    page.click(".hero button[type=submit]")
    page.wait_for_selector("#results")
    link = page.locator(f"#results a[href='{live.entity_path(hub)}']")
    assert link.inner_text() == hub_name
    link.click()
    page.wait_for_url(re.compile(re.escape(live.entity_path(hub))))
    wait_drawn(page)

    # the relationship list is the hub's relationships, as the graph (networkx export) has them
    rows = page.locator("#rel-list [data-edge]")
    listed = rows.evaluate_all("rows => rows.map(r => r.dataset.edge)")
    expected = {d["key"] for _, _, d in incident_edges(live.graph, hub)}
    assert len(expected) <= DEFAULT_LIMIT, "the journey expects the whole neighbourhood on one page"
    assert set(listed) == expected
    # the canvas draws every end of every listed relationship: ≥ 1 node per relationship, none missing
    drawn = set(page.evaluate("Object.keys(window.explorer.network.getPositions())"))
    ends = {hub} | undirected_neighbours(live.graph, hub)
    assert ends <= drawn
    assert len(drawn) >= len(undirected_neighbours(live.graph, hub))
    assert page.evaluate("window.explorer.visibleEdgeCount()") == len(listed)

    # a relation-type filter changes what is drawn and listed
    hosts = sum(1 for _, _, d in incident_edges(live.graph, hub) if d["type"] == "HOSTS")
    assert 0 < hosts < len(listed)
    page.uncheck("input[data-filter-type=HOSTS]")
    assert page.evaluate("window.explorer.visibleEdgeCount()") == len(listed) - hosts
    assert page.locator("#rel-list [data-type=HOSTS]:visible").count() == 0
    hosts_only = {
        v if u == hub else u for u, v, d in incident_edges(live.graph, hub) if d["type"] == "HOSTS"
    } - {v if u == hub else u for u, v, d in incident_edges(live.graph, hub) if d["type"] != "HOSTS"}
    drawn_now = set(page.evaluate("window.explorer.nodeView.getIds()"))
    assert not (hosts_only & drawn_now), "nodes reached only by HOSTS must disappear with HOSTS"
    page.check("input[data-filter-type=HOSTS]")
    assert page.evaluate("window.explorer.visibleEdgeCount()") == len(listed)

    # a label filter hides that label's nodes (the entity itself always stays)
    parks = {n for n in undirected_neighbours(live.graph, hub) if live.graph.nodes[n]["label"] == "Park"}
    assert parks
    page.uncheck("input[data-filter-label=Park]")
    drawn_now = set(page.evaluate("window.explorer.nodeView.getIds()"))
    assert not (parks & drawn_now) and hub in drawn_now
    page.check("input[data-filter-label=Park]")

    # the evidence of an edge: in the list beside the graph (with the amount), and in the hover tooltip
    rels = read.list_relationships(
        live.driver,
        database=live.database,
        key=hub,
        type_=None,
        direction="both",
        label=None,
        limit=200,
        offset=0,
    )
    funded = next(r for r in rels.items if r.amount_cny is not None and r.evidence)
    row = page.locator(f"#rel-list [data-edge='{funded.key}']")
    assert funded.evidence[0].sentence in row.inner_text()
    assert funded.evidence[0].source is not None and funded.evidence[0].source in row.inner_text()
    assert row.locator(".amount").inner_text() == format_amount(funded.amount_cny)
    # hover the middle of an edge that no node or other edge covers there
    with_evidence = [r.key for r in sorted(rels.items, key=lambda r: r.amount_cny is None) if r.evidence]
    spot = page.evaluate(
        """ids => {
          const net = window.explorer.network, box = net.body.container.getBoundingClientRect();
          net.stopSimulation();  // a layout still settling would move the spot before the pointer gets there
          for (const id of ids) {
            const c = net.body.edges[id].edgeType.getPoint(0.5), p = net.canvasToDOM(c);
            // the tooltip shows the first edge under the pointer: pick a spot where only this one is
            // 8 screen pixels around the point, in canvas units (the star is drawn zoomed out)
            const r = 8 / net.getScale();
            const area = {left: c.x - r, right: c.x + r, top: c.y - r, bottom: c.y + r};
            const under = net.selectionHandler._getAllEdgesOverlappingWith(area);
            const nodes = net.selectionHandler._getAllNodesOverlappingWith(area);
            if (nodes.length === 0 && under.length === 1 && under[0] === id) {
              return {id: id, x: box.left + p.x, y: box.top + p.y};
            }
          }
          return null;
        }""",
        with_evidence,
    )
    assert spot is not None, "no edge can be hovered alone"
    hovered = next(r for r in rels.items if r.key == spot["id"])
    page.mouse.move(spot["x"], spot["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert hovered.evidence[0].sentence in tooltip.inner_text()
    assert hovered.other.name in tooltip.inner_text() and hub_name in tooltip.inner_text()
    page.mouse.move(5, 5)
    screenshot(page, "entity.png")
    assert not visit.errors, visit.errors
    assert not visit.outside_requests(), visit.outside_requests()


def test_clicking_a_node_opens_its_page(live: Live, visit: Visit) -> None:
    hub = best_connected(live.graph)
    page = visit.page
    page.goto(live.url(live.entity_path(hub)))
    wait_drawn(page)
    # a real mouse click where vis draws a neighbour that no other node covers
    spot = page.evaluate(
        """ids => {
          const net = window.explorer.network, box = net.body.container.getBoundingClientRect();
          for (const id of ids) {
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            if (net.getNodeAt(p) === id) return {id: id, x: box.left + p.x, y: box.top + p.y};
          }
          return null;
        }""",
        sorted(undirected_neighbours(live.graph, hub)),
    )
    assert spot is not None, "no neighbour is clickable"
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_url(re.compile(re.escape(live.entity_path(spot["id"]))))
    assert page.locator("h1").inner_text().startswith(live.graph.nodes[spot["id"]]["name"])


def test_two_hops_are_capped_with_a_visible_count(live: Live, visit: Visit) -> None:
    """Depth 2 of an entity whose second ring is large: 'showing N of M', M counted with networkx."""
    g = live.graph
    start = min(
        (n for n in g.nodes if g.nodes[n]["label"] != "City"),
        key=lambda n: (
            -len({k for m in undirected_neighbours(g, n) for k in undirected_neighbours(g, m)}),
            n,
        ),
    )
    ring1 = undirected_neighbours(g, start)
    within_two = {d["key"] for m in {start} | ring1 for _, _, d in incident_edges(g, m)}
    limit = 5
    assert len(within_two) > limit
    page = visit.page
    page.goto(live.url(f"{live.entity_path(start)}?depth=2&limit={limit}"))
    wait_drawn(page)
    assert page.locator("#cap-note").inner_text().startswith(f"showing {limit} of {len(within_two)}")
    assert page.locator("#rel-list [data-edge]").count() == limit
    assert page.evaluate("window.explorer.visibleEdgeCount()") == limit

    # narrowing on the server: COOPERATES only, the count is the COOPERATES part of the two-hop set
    page.goto(live.url(f"{live.entity_path(start)}?depth=1&types=COOPERATES"))
    wait_drawn(page)
    coop = [d["key"] for _, _, d in incident_edges(g, start) if d["type"] == "COOPERATES"]
    listed = page.locator("#rel-list [data-edge]").evaluate_all("rows => rows.map(r => r.dataset.edge)")
    assert sorted(listed) == sorted(coop)


def test_paths_page_draws_the_shortest_paths(live: Live, visit: Visit) -> None:
    g = nx.Graph(live.graph.to_undirected())
    source = "Park:徐州软件园"
    target = "Institute:中国矿业大学"
    length = nx.shortest_path_length(g, source, target)
    paths = list(nx.all_shortest_paths(g, source, target))
    # Neo4j counts a path once per choice of parallel relationship (HOSTS and FUNDS between one pair)
    multi = live.graph.to_undirected()
    expected_paths = sum(
        math.prod(multi.number_of_edges(a, b) for a, b in itertools.pairwise(p)) for p in paths
    )
    page = visit.page
    page.goto(
        live.url("/explore/paths?" + httpx.QueryParams({"source": "徐州软件园", "target": "矿大"}).__str__())
    )
    wait_drawn(page)
    # k shortest paths (20 by default), shortest first: every shortest one, then longer ones
    rows = page.locator("#path-list li")
    lengths = [int(x) for x in rows.evaluate_all("rows => rows.map(r => r.dataset.length)")]
    assert lengths == sorted(lengths) and lengths.count(length) == expected_paths
    heading = page.locator(".side-head h2").inner_text()
    assert heading.startswith(f"{rows.count()} path") and f" · {length}" in heading
    drawn = set(page.evaluate("Object.keys(window.explorer.network.getPositions())"))
    assert {n for p in paths for n in p} <= drawn
    assert not visit.outside_requests()

    page.goto(live.url("/explore/paths?source=不存在的地方&target=徐州"))
    assert "不存在的地方" in page.locator("#paths-error").inner_text()


def test_cypher_page_runs_examples_and_draws_graph_results(live: Live, visit: Visit) -> None:
    examples = load_examples()
    assert len(examples) >= 4
    page = visit.page
    page.goto(live.url("/explore/cypher"))
    with httpx.Client(base_url=live.base) as api:
        for example in examples:
            page.select_option("#example", example.name)
            page.wait_for_function("['done', 'error'].includes(document.body.dataset.cypherState)")
            body = api.post("/cypher", json={"query": example.query, "params": {}}).json()
            assert page.evaluate("document.body.dataset.cypherState") == "done", page.locator(
                "#status"
            ).inner_text()
            assert page.locator("#rows tbody tr").count() == len(body["rows"])
            if body["nodes"]:
                wait_drawn(page, "#cypher-graph")
                assert page.evaluate("window.explorer.visibleNodeCount()") == len(body["nodes"])
    parks = next(e for e in examples if "parks" in e.title.lower())
    page.select_option("#example", parks.name)
    page.wait_for_function("document.body.dataset.cypherState === 'done'")
    wait_drawn(page, "#cypher-graph")
    hosted_parks = [
        v
        for _, v, d in live.graph.out_edges("City:徐州", data=True)
        if d["type"] == "HOSTS" and v.startswith("Park:")
    ]
    assert page.evaluate("window.explorer.visibleNodeCount()") >= len(hosted_parks) + 1
    screenshot(page, "cypher.png")

    # a write is refused by the API and the page says so
    page.fill("#query", "CREATE (n:Entity {key: 'x'}) RETURN n")
    page.click("#run")
    page.wait_for_function("document.body.dataset.cypherState === 'error'")
    assert page.locator("#status").inner_text().startswith("403")
    assert not visit.outside_requests(), visit.outside_requests()


def test_pages_load_nothing_from_outside_and_render_chinese(live: Live, visit: Visit) -> None:
    """Every page and everything it loads comes from the app; the CJK font is the local Noto one."""
    hub = best_connected(live.graph)
    page = visit.page
    for path in (
        "/",
        "/explore?q=徐州",
        live.entity_path(hub),
        "/explore/paths?source=徐州&target=扬州",
        "/explore/cypher",
    ):
        response = page.goto(live.url(path))
        assert response is not None and response.status == 200, path
        html = response.text()
        assert not OUTSIDE_URL.findall(html), (path, OUTSIDE_URL.findall(html)[:3])
        # every src/href is a path of this app, a fragment or inline data
        refs = re.findall(r"""(?:src|href)=["']([^"']*)["']""", html)
        assert refs and all(r.startswith(("/", "#", "?", "data:")) for r in refs), (path, refs)
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '徐州高新区')"), path
    page.wait_for_timeout(300)
    assert visit.requests, "the browser recorded no request"
    assert not visit.outside_requests(), visit.outside_requests()
    assert not visit.errors, visit.errors
    # every script and stylesheet is served by the app itself
    for url in visit.requests:
        if "/static/" in url:
            assert httpx.get(url).status_code == 200, url


def test_unknown_entity_and_bad_input_are_client_errors(live: Live) -> None:
    with httpx.Client(base_url=live.base) as client:
        missing = client.get("/explore/entity/City:不存在")
        assert missing.status_code == 404
        assert "City:不存在" in missing.text and "<html" in missing.text
        assert "search for its name" in missing.text and "GET /" not in missing.text
        # a hand-edited address: a page for a person, not the API's validation JSON
        deep = client.get("/explore/entity/City:徐州?depth=3")
        assert deep.status_code == 400 and "<html" in deep.text
        assert "“depth” should be less than or equal to 2 (it was &#39;3&#39;)." in deep.text
        nope = client.get("/explore/entity/City:徐州?labels=Nope")
        assert nope.status_code == 400 and "“labels” should be &#39;City&#39;" in nope.text
        assert "Change it in the form and try again." in nope.text
        unknown = client.get("/explore/paths?source=不存在的地方&target=徐州")
        assert unknown.status_code == 404
        assert "No entity called &#39;不存在的地方&#39; — try a shorter name or pinyin" in unknown.text
        assert "GET /" not in unknown.text
        assert client.get("/static/explorer/../pages.py").status_code == 404
        assert client.get("/static/explorer/nope.js").status_code == 404


def test_explorer_over_the_ingested_corpus(live: Live, visit: Visit) -> None:
    """The corpus as `innograph ingest` stores it: the home page ranks actors by degree and each of the
    best-connected actors' pages lists and draws its relationships, each with evidence."""
    from ingest.batch import ingest_paths

    try:
        delete_all_data(live.driver, live.database)
        report = ingest_paths(
            [ROOT / "data" / "corpus"], driver=live.driver, database=live.database, workers=1
        )
        assert report.files and all(row.error is None for row in report.files), report.files
        # The actor network the home page ranks and the entity pages draw: the core labels and types
        # (the corpus also yields Indicator nodes and SETS_TARGET facts, which neither shows).
        g = read.export_graph(
            live.driver,
            database=live.database,
            labels=[label.value for label in CORE_LABELS],
            types=[t.value for t in CORE_TYPES],
        )
        by_degree = sorted(g.nodes, key=lambda n: (-g.degree(n), n))
        page = visit.page
        page.goto(live.url("/explore"))
        top = page.locator("table a.ent").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert top[:5] == [live.entity_path(k) for k in by_degree[:5]]
        for key in by_degree[:3]:
            page.goto(live.url(live.entity_path(key)))
            wait_drawn(page)
            listed = page.locator("#rel-list [data-edge]").evaluate_all(
                "rows => rows.map(r => r.dataset.edge)"
            )
            incident = {d["key"] for _, _, d in incident_edges(g, key)}
            if len(incident) <= DEFAULT_LIMIT:
                assert set(listed) == incident
            else:
                assert len(listed) == DEFAULT_LIMIT and set(listed) <= incident
                assert f"showing {DEFAULT_LIMIT} of {len(incident)}" in page.locator("#cap-note").inner_text()
            drawn = set(page.evaluate("Object.keys(window.explorer.network.getPositions())"))
            ends = {n for u, v, d in incident_edges(g, key) if d["key"] in listed for n in (u, v)}
            assert ends <= drawn
            without_evidence = page.locator("#rel-list [data-edge]:not(:has(blockquote.evidence))").count()
            assert without_evidence == 0
        assert not visit.errors, visit.errors
        assert not visit.outside_requests(), visit.outside_requests()
    finally:
        write_test_graph(live.driver, live.database)


def test_api_links_give_the_same_view_as_json(live: Live) -> None:
    """The entity page's JSON links answer 200 with the same entity and relationships the page lists."""
    hub = best_connected(live.graph)
    with httpx.Client(base_url=live.base) as client:
        for query in ("", "?types=COOPERATES", "?types=FUNDS&labels=Institute"):
            html = client.get(live.entity_path(hub) + query).text
            listed = set(re.findall(r'data-edge="([^"]+)"', html))
            links = dict(re.findall(r'<a class="btn btn-ghost btn-sm" href="([^"]+)">([^<]+)</a>', html))
            by_title = {title: href.replace("&amp;", "&") for href, title in links.items()}
            assert client.get(by_title["entity JSON"]).json()["key"] == hub
            page = client.get(by_title["relationships JSON"]).json()
            assert {item["key"] for item in page["items"]} == listed, query


LOW_TEXT = "徐工集团与低置信研究院开展合作。"


def test_minimum_confidence_filter_narrows_the_page_and_its_json_link(live: Live, visit: Visit) -> None:
    """The entity page's Min confidence control drops facts whose best evidence is below it, from the
    drawing, the list and the relationships JSON link; a bad value is a 400 that says what to enter."""
    doc = Document(id=content_id(LOW_TEXT.encode()), source="test/low.txt", text=LOW_TEXT)
    low = (evidence(doc, LOW_TEXT, extractor="relate:coop:with", confidence=0.3),)
    firm = Entity.create(label=Label.ENTERPRISE, name="徐工集团", evidence=low)
    other = Entity.create(label=Label.INSTITUTE, name="低置信研究院", evidence=low)
    fact = Relation(type=RelType.COOPERATES, source=firm.key, target=other.key, evidence=low)
    write_graph(
        live.driver, Graph(document=doc, entities=(firm, other), relations=(fact,)), database=live.database
    )
    try:
        page = visit.page
        page.goto(live.url(live.entity_path(firm.key)))
        wait_drawn(page)
        listed = set(page.locator("#rel-list [data-edge]").evaluate_all("rs => rs.map(r => r.dataset.edge)"))
        assert fact.key in listed and len(listed) >= 2
        page.fill("#min-confidence", "0.5")
        page.click("#view-form button[type=submit]")
        page.wait_for_url(re.compile(r"min_confidence=0\.5"))
        wait_drawn(page)
        narrowed = set(
            page.locator("#rel-list [data-edge]").evaluate_all("rs => rs.map(r => r.dataset.edge)")
        )
        assert narrowed == listed - {fact.key}
        assert page.evaluate("window.explorer.visibleEdgeCount()") == len(narrowed)
        assert page.input_value("#min-confidence") == "0.5"
        json_link = page.locator("a", has_text="relationships JSON").get_attribute("href") or ""
        assert "min_confidence=0.5" in json_link
        with httpx.Client(base_url=live.base) as client:
            assert {r["key"] for r in client.get(json_link).json()["items"]} == narrowed
            bad = client.get(live.entity_path(firm.key), params={"min_confidence": "2"})
            assert bad.status_code == 400 and "from 0 to 1" in bad.text
            assert client.get(live.entity_path(firm.key), params={"min_confidence": ""}).status_code == 200
    finally:
        delete_document(live.driver, doc.id, database=live.database)
    assert visit.errors == []


def test_pages_say_neo4j_is_down_with_503(_session_settings: Settings) -> None:
    """With Neo4j unreachable the pages still answer: an HTML 503 that says what to do."""
    from fastapi.testclient import TestClient

    (port,) = find_free_ports(1)
    down = _session_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{port}"})
    with TestClient(create_app(down, apply_schema=False), raise_server_exceptions=False) as client:
        for path in ("/explore", "/explore/entity/City:徐州", "/explore/paths?source=徐州&target=扬州"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert "Neo4j" in response.text and "<html" in response.text
        assert client.get("/explore/cypher").status_code == 200  # the console itself needs no database

"""GET /compare and the comparison page over data/corpus ingested through the real pipeline.

Every figure is checked against Cypher written here, independently of cypher/compare_*.cypher (a city's
part as a variable-length path whose inner nodes must be a district/county then parks, and the policies a
chain of FUNDS reaches from there), and the brokers against networkx's own betweenness. The page is drawn
in headless Chromium; test-artifacts/compare.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.explorer.compare import SUGGESTED_CITIES, nice_ticks
from app.main import create_app
from graph.config import Settings
from graph.server import find_free_ports
from tests.app.browser import ARTIFACTS, OUTSIDE_URL, Visit, screenshot, serve
from tests.app.conftest import api_settings, load_corpus
from tests.conftest import Neo4jEndpoint

PAIR = "徐州,扬州"

# A city's part, written differently from cypher/compare_parts.cypher: every path of HOSTS from the city
# whose inner nodes are an optional first district/county and then at most four parks.
PART = """
MATCH (c:City {name: $name})
MATCH p = (c)-[:HOSTS*1..6]->(m:Entity)
WITH c, m, nodes(p)[1..-1] AS via
WHERE m <> c
  AND all(i IN range(0, size(via) - 1)
          WHERE via[i]:Park OR (i = 0 AND via[i]:City AND via[i].level IN ['district', 'county']))
  AND size([n IN via WHERE n:Park]) <= 4
WITH DISTINCT m
RETURN m.label AS label, count(m) AS n, collect(m.key) AS keys
"""
# The policies the city or what it hosts funds, directly or through policies: a policy is never hosted.
FUNDED_POLICIES = """
MATCH p = (f:Entity)-[:FUNDS*1..]->(q:Policy)
WHERE f.key IN $hosts AND all(n IN nodes(p)[1..] WHERE n:Policy) AND NOT q.key IN $hosts
RETURN DISTINCT q.key AS key
"""
# FUNDS → Policy with an end in a city's area: how many, and to how many distinct policies.
FUNDED_POLICY_ROWS = """
MATCH (s:Entity)-[r:FUNDS]->(t:Policy) WHERE s.key IN $area OR t.key IN $area
RETURN count(r) AS relationships, collect(DISTINCT t.key) AS policies
"""
LEVEL_OF = "MATCH (c:City {name: $name}) RETURN c.level AS level"
BEST_OF_LEVEL = """
MATCH (c:City {level: $level}) RETURN c.name AS name ORDER BY c.evidence_count DESC, c.key LIMIT $limit
"""
INSIDE = """
MATCH (a:Entity)-[r:COOPERATES]-(b:Entity) WHERE a.key IN $area AND b.key IN $area
RETURN count(DISTINCT r) AS n
"""
OUTSIDE = """
MATCH (a:Entity)-[r:COOPERATES]-(b:Entity) WHERE a.key IN $area AND NOT b.key IN $area
RETURN count(DISTINCT r) AS n
"""
ACROSS = """
MATCH (a:Entity)-[r:COOPERATES]-(b:Entity) WHERE a.key IN $one AND b.key IN $other
RETURN count(DISTINCT r) AS n
"""
FUNDING = """
MATCH (s:Entity)-[r:FUNDS]->(t:Entity) WHERE s.key IN $area OR t.key IN $area
RETURN t.label AS label, count(r) AS n, count(r.amount_cny) AS stated,
       sum(coalesce(r.amount_cny, 0.0)) AS total
ORDER BY label
"""
LINKS = """
MATCH (a:Entity)-[r:HOSTS|FUNDS|COOPERATES]-(b:Entity) WHERE a.key IN $keys
RETURN DISTINCT a.key AS a, b.key AS b
"""
POLICY_LINKS = """
MATCH (:Entity {key: $key})-[:HOSTS|FUNDS|COOPERATES]-(p:Policy) RETURN DISTINCT p.key AS key, p.name AS name
"""
NEAR_POLICIES = """
MATCH (eb:Evidence {fact: $key}) WHERE eb.kind = 'entity'
MATCH (d:Document {id: eb.document_id})-[:MENTIONS]->(p:Policy)
MATCH (ep:Evidence {fact: p.key, document_id: d.id}) WHERE ep.kind = 'entity'
RETURN p.key AS key, p.name AS name, eb.start AS bs, eb.end AS be, ep.start AS ps, ep.end AS pe
"""
SHARED_DOCUMENTS = """
MATCH (d:Document)-[:MENTIONS]->(:Entity {key: $broker}), (d)-[:MENTIONS]->(:Entity {key: $policy})
RETURN count(DISTINCT d) AS n
"""


def rows(driver: Driver, database: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=database)
    return [dict(r) for r in records]


@dataclass(frozen=True)
class Expected:
    """What Cypher says of one city, queried directly."""

    key: str
    actors: dict[str, int]
    area: list[str]  # the city and its part


def expected(driver: Driver, database: str, name: str) -> Expected:
    key = rows(driver, database, "MATCH (c:City {name: $name}) RETURN c.key AS key", name=name)[0]["key"]
    found = rows(driver, database, PART, name=name)
    members = [k for row in found for k in row["keys"]]
    actors = {r["label"]: r["n"] for r in found}
    funded = [r["key"] for r in rows(driver, database, FUNDED_POLICIES, hosts=[key, *members])]
    if funded:
        actors["Policy"] = actors.get("Policy", 0) + len(funded)
    return Expected(key=key, actors=actors, area=[key, *members, *funded])


# --- fixtures: the corpus for this module ----------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(driver: Driver, neo4j_server: Neo4jEndpoint) -> str:
    """data/corpus through the real pipeline, for this module; the database's name."""
    assert load_corpus(driver, neo4j_server.database) > 0
    return neo4j_server.database


@pytest.fixture(scope="module")
def api(_session_settings: Settings, corpus: str) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(_session_settings)), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def live(_session_settings: Settings, corpus: str) -> Iterator[str]:
    """uvicorn serving the app over the corpus; its base URL."""
    with serve(create_app(_session_settings)) as base:
        yield base


# --- GET /compare -----------------------------------------------------------------------------------


def test_compare_counts_equal_cypher_counts(api: TestClient, driver: Driver, corpus: str) -> None:
    response = api.get("/compare", params={"cities": PAIR})
    assert response.status_code == 200, response.text
    body = response.json()
    xz, yz = (expected(driver, corpus, name) for name in PAIR.split(","))
    assert [c["city"]["key"] for c in body["cities"]] == [xz.key, yz.key]
    for city, exp in zip(body["cities"], (xz, yz), strict=True):
        area = exp.area
        assert {k: v for k, v in city["actors"].items() if v} == exp.actors
        assert city["actors_total"] == sum(exp.actors.values()) == len(area) - 1
        assert city["cooperation_inside"] == rows(driver, corpus, INSIDE, area=area)[0]["n"]
        assert city["cooperation_outside"] == rows(driver, corpus, OUTSIDE, area=area)[0]["n"]
        assert len(city["partners"]) == min(city["cooperation_outside"], 20)
        funding = rows(driver, corpus, FUNDING, area=area)
        assert [(f["label"], f["relationships"], f["with_amount"]) for f in city["funding"]] == [
            (f["label"], f["n"], f["stated"]) for f in funding
        ]
        assert [f["amount_cny"] for f in city["funding"]] == pytest.approx([f["total"] for f in funding])
        assert city["funding_relationships"] == sum(f["n"] for f in funding)
    (pair,) = body["pairs"]
    assert pair["cities"] == [xz.key, yz.key]
    assert pair["count"] == rows(driver, corpus, ACROSS, one=xz.area, other=yz.area)[0]["n"]
    # the corpus gives both cities actors, outside partners and funding: the figures are not vacuous
    for city in body["cities"]:
        assert city["actors_total"] > 20 and city["cooperation_outside"] > 0 and city["funding"]
    assert any(c["funding_amount_cny"] > 0 for c in body["cities"])


def test_brokers_are_networkx_betweenness_in_the_cities_graph(
    api: TestClient, driver: Driver, corpus: str
) -> None:
    """The top actors of each part by betweenness in the graph of both parts and their neighbours."""
    body = api.get("/compare", params={"cities": PAIR, "top": 5}).json()
    cities = [expected(driver, corpus, name) for name in PAIR.split(",")]
    keys = sorted({k for c in cities for k in c.area})
    g = nx.Graph()
    g.add_nodes_from(keys)
    g.add_edges_from((r["a"], r["b"]) for r in rows(driver, corpus, LINKS, keys=keys) if r["a"] != r["b"])
    scores = nx.betweenness_centrality(g, normalized=True)
    assert body["broker_graph"] == {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "exact": True}
    compared = {c.key for c in cities}
    for city, exp in zip(body["cities"], cities, strict=True):
        ranked = sorted(
            (k for k in exp.area if k not in compared and scores[k] > 0), key=lambda k: (-scores[k], k)
        )[:5]
        assert [b["key"] for b in city["brokers"]] == ranked
        assert [b["betweenness"] for b in city["brokers"]] == pytest.approx([scores[k] for k in ranked])
        assert [b["degree"] for b in city["brokers"]] == [g.degree(k) for k in ranked]
    assert any(city["brokers"] for city in body["cities"])


def test_policies_of_a_broker_are_linked_or_nearest_in_its_documents(
    api: TestClient, driver: Driver, corpus: str
) -> None:
    body = api.get("/compare", params={"cities": PAIR, "policies": 3}).json()
    brokers = [b for city in body["cities"] for b in city["brokers"]]
    assert any(b["policies"] for b in brokers)
    for broker in brokers:
        linked = {r["key"]: r["name"] for r in rows(driver, corpus, POLICY_LINKS, key=broker["key"])}
        nearest: dict[str, tuple[int, str]] = {}
        for r in rows(driver, corpus, NEAR_POLICIES, key=broker["key"]):
            gap = max(0, max(r["bs"], r["ps"]) - min(r["be"], r["pe"]))
            if r["key"] not in nearest or gap < nearest[r["key"]][0]:
                nearest[r["key"]] = (gap, r["name"])
        docs = {
            k: rows(driver, corpus, SHARED_DOCUMENTS, broker=broker["key"], policy=k)[0]["n"]
            for k in {*linked, *nearest}
        }

        ranks = {
            key: (
                0 if key in linked else 1,
                nearest[key][0] if key in nearest else float("inf"),
                -docs[key],
                linked.get(key) or nearest[key][1],
            )
            for key in docs
        }
        listed = broker["policies"]
        assert [p["key"] for p in listed] == sorted(docs, key=ranks.__getitem__)[:3], broker["name"]
        for p in listed:
            assert p["distance"] == (nearest[p["key"]][0] if p["key"] in nearest else None)
            assert p["documents"] == docs[p["key"]]
            assert bool(p["relations"]) == (p["key"] in linked)


def test_every_policy_xuzhou_funds_is_among_its_policy_actors(
    api: TestClient, driver: Driver, corpus: str
) -> None:
    """Issue 11 saw 徐州 with Policy 0 among its actors beside 4 FUNDS → Policy: both are over one set now."""
    body = api.get("/compare", params={"cities": PAIR}).json()
    xz = next(c for c in body["cities"] if c["city"]["name"] == "徐州")
    exp = expected(driver, corpus, "徐州")
    funded = rows(driver, corpus, FUNDED_POLICY_ROWS, area=exp.area)[0]
    (row,) = [r for r in xz["funding"] if r["label"] == "Policy"]
    assert row["relationships"] == funded["relationships"]
    assert len(funded["policies"]) >= 4  # the programmes 徐州 pays into (专项资金, 引导基金, 风险补偿资金)
    assert set(funded["policies"]) <= set(exp.area) - {exp.key}
    assert xz["actors"]["Policy"] == exp.actors["Policy"] >= len(funded["policies"])
    assert xz["actors_total"] == sum(xz["actors"].values())


def chips(html: str) -> list[tuple[str, str]]:
    """The quick-pick chips of a comparison page: (city name, level as the chip states it)."""
    return re.findall(r'<button type="button" class="chip" data-city="([^"]+)" data-level="([^"]+)"', html)


@pytest.mark.parametrize(
    ("params", "levels"),
    [
        ({}, ["prefecture"]),
        ({"cities": PAIR}, ["prefecture"]),
        ({"cities": "邳州,新沂"}, ["county"]),
        ({"cities": "江苏,山东"}, ["province"]),
        ({"cities": "徐州,天津"}, ["prefecture", "municipality"]),
        ({"cities": PAIR, "level": "district"}, ["district"]),
        ({"cities": "徐州,火星"}, ["prefecture"]),  # no comparison: the default level
    ],
)
def test_chips_offer_only_cities_of_the_compared_level(
    api: TestClient, driver: Driver, corpus: str, params: dict[str, str], levels: list[str]
) -> None:
    response = api.get("/explore/compare", params=params)
    assert response.status_code in (200, 404), response.text
    offered = chips(response.text)
    assert offered
    # each chip is of a compared level, by the graph, not only by what the chip says
    for name, level in offered:
        assert rows(driver, corpus, LEVEL_OF, name=name) == [{"level": level}], name
    assert list(dict.fromkeys(level for _, level in offered)) == levels
    for level in levels:
        best = [r["name"] for r in rows(driver, corpus, BEST_OF_LEVEL, level=level, limit=SUGGESTED_CITIES)]
        assert [name for name, lvl in offered if lvl == level] == best
    # the other levels are a link away
    linked = re.findall(r'<a href="([^"]+)" data-level="([^"]+)"', response.text)
    assert {lvl for _, lvl in linked} == {
        "province",
        "municipality",
        "prefecture",
        "county",
        "district",
    } - set(levels)


def test_cities_by_alias_key_or_repeated_parameter(api: TestClient) -> None:
    def without_requested(body: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        requested = [c["city"].pop("requested") for c in body["cities"]]
        return requested, body

    _, by_name = without_requested(api.get("/compare", params={"cities": PAIR}).json())
    for cities, asked in (
        ("徐州市,扬州市", ["徐州市", "扬州市"]),
        ("City:徐州，City:扬州", ["City:徐州", "City:扬州"]),
        (["徐州市", "扬州"], ["徐州市", "扬州"]),
    ):
        requested, body = without_requested(api.get("/compare", params={"cities": cities}).json())
        assert requested == asked
        assert body == by_name, cities


def test_unknown_city_is_404_naming_each(api: TestClient) -> None:
    response = api.get("/compare", params={"cities": "徐州,火星,不存在市"})
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "'火星'" in detail and "'不存在市'" in detail and "'徐州'" not in detail


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"cities": "徐州"}, 400, "got 1"),
        ({"cities": "徐州,扬州,常州,济宁,济南,郑州,天津,晋江,泉州"}, 400, "got 9"),
        ({"cities": "徐州,,扬州"}, 400, "empty city name"),
        ({"cities": "徐州,徐州市"}, 400, "same city"),
        ({"cities": "徐州,扬州", "top": 0}, 422, "top"),
        ({}, 422, "cities"),
    ],
)
def test_bad_requests_say_why(api: TestClient, params: dict[str, Any], status: int, says: str) -> None:
    response = api.get("/compare", params=params)
    assert response.status_code == status, response.text
    assert says in str(response.json()["detail"])


def test_openapi_documents_compare(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/compare"]["get"]
    assert {"200", "400", "404", "422", "503"} <= set(operation["responses"])


# --- the page ---------------------------------------------------------------------------------------


def test_nice_ticks() -> None:
    assert nice_ticks(28) == [0, 10, 20, 30]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(2e8) == [0, 5e7, 1e8, 1.5e8, 2e8]
    assert nice_ticks(0) == [0.0, 1.0]


def test_compare_page_draws_the_table_and_the_chart(live: str, visit: Visit, api: TestClient) -> None:
    """Form → page: a column per city with the API's figures, SVG bars per label and city, entity links."""
    body = api.get("/compare", params={"cities": PAIR}).json()
    page = visit.page
    page.goto(live + "/explore/compare")
    page.fill("#compare-form input[name=cities]", "")
    page.click(".cmp-suggest .chip[data-city='徐州']")
    page.click(".cmp-suggest .chip[data-city='扬州']")
    assert page.input_value("#compare-form input[name=cities]") == PAIR
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-table")
    cities = body["cities"]
    headers = page.locator("#compare-table thead th.cmp-city").evaluate_all(
        "ths => ths.map(t => t.dataset.city)"
    )
    assert headers == [c["city"]["key"] for c in cities]
    for label in body["labels"]:
        cells = page.locator(f"#compare-table tr[data-row='actors-{label}'] td.num").all_inner_texts()
        assert cells == [str(c["actors"][label]) for c in cities], label
    for row, field in (("coop-inside", "cooperation_inside"), ("coop-outside", "cooperation_outside")):
        cells = page.locator(f"#compare-table tr[data-row='{row}'] td.num").all_inner_texts()
        assert cells == [str(c[field]) for c in cities], row
    for c in cities:
        brokers = page.locator(f"#compare-table td.cmp-brokers[data-city='{c['city']['key']}'] [data-broker]")
        listed = brokers.evaluate_all("lis => lis.map(li => li.dataset.broker)")
        assert listed == [b["key"] for b in c["brokers"]]
    pair = body["pairs"][0]
    assert page.locator("#pairs tr[data-pair] td.num").inner_text() == str(pair["count"])
    # the chart: one bar per label and city, with the actor counts as values, in the cities' colours
    bars = page.locator("#chart-actors rect.chart-bar")
    assert bars.count() == len(body["labels"]) * len(cities)
    drawn = bars.evaluate_all("rs => rs.map(r => [r.dataset.series, +r.dataset.value, r.getBBox().height])")
    for c in cities:
        mine = [(v, h) for s, v, h in drawn if s == c["city"]["name"]]
        assert [v for v, _ in mine] == [c["actors"][label] for label in body["labels"]]
        assert all((h > 0) == (v > 0) for v, h in mine)
    heights = {v: h for _, v, h in drawn}
    assert heights[max(heights)] > 100  # legible: the tallest bar is most of the plot's height
    assert page.locator("#chart-funding rect.chart-bar").count() > 0
    # entity links lead to the entity pages
    first = cities[0]["city"]
    link = page.locator(f"#compare-table a[href='/explore/entity/{quote(first['key'], safe=':')}']").first
    assert link.inner_text() == first["name"]
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '徐州扬州')")
    screenshot(page, "compare.png")
    page.screenshot(path=str(ARTIFACTS / "compare-full.png"), full_page=True)
    html = httpx.get(page.url).text
    assert not OUTSIDE_URL.findall(html), OUTSIDE_URL.findall(html)[:3]
    assert not visit.outside_requests(), visit.outside_requests()
    assert not visit.errors, visit.errors
    link.click()
    page.wait_for_url("**/explore/entity/**")
    assert page.locator("h1").inner_text().startswith(first["name"])


def test_chromium_compare_page_shows_level_chips_and_policy_counts_that_agree(
    live: str, visit: Visit, driver: Driver, corpus: str
) -> None:
    """徐州 beside 扬州: prefecture chips only; the Policy actors cell covers every policy Funding lists."""
    page = visit.page
    page.goto(live + "/explore/compare?" + urlencode({"cities": PAIR}))
    page.wait_for_selector("#compare-table")
    offered = page.locator(".cmp-suggest .chip").evaluate_all(
        "cs => cs.map(c => [c.dataset.city, c.dataset.level, c.getBoundingClientRect().width])"
    )
    assert len(offered) > 2 and all(width > 0 for _, _, width in offered)
    for name, level, _ in offered:
        assert level == "prefecture" and rows(driver, corpus, LEVEL_OF, name=name) == [{"level": level}], name
    xz = expected(driver, corpus, "徐州")
    funded = rows(driver, corpus, FUNDED_POLICY_ROWS, area=xz.area)[0]
    actors_row = page.locator("#compare-table tr[data-row='actors-Policy']")
    policy_actors = int(actors_row.locator(f"td.num[data-city='{xz.key}']").inner_text())
    funding = page.locator(f"#compare-table tr[data-row='funding-Policy'] td.num[data-city='{xz.key}']")
    relationships = int(funding.inner_text().split("·")[0])
    assert relationships == funded["relationships"]
    assert policy_actors == xz.actors["Policy"] >= len(funded["policies"]) >= 4
    assert "that it or its actors fund" in actors_row.inner_text()  # the page says what it counts
    screenshot(page, "compare-chips.png")
    # another level is a click away, and then only its cities are offered
    page.click("#compare-levels a[data-level='county']")
    page.wait_for_url("**level=county**")
    page.wait_for_selector("#compare-table")
    levels = page.locator(".cmp-suggest .chip").evaluate_all("cs => cs.map(c => c.dataset.level)")
    assert levels and set(levels) == {"county"}
    assert not visit.outside_requests(), visit.outside_requests()
    assert not visit.errors, visit.errors


def test_compare_page_errors_keep_the_form(live: str) -> None:
    with httpx.Client(base_url=live) as client:
        unknown = client.get("/explore/compare", params={"cities": "徐州,火星"})
        assert unknown.status_code == 404
        assert "火星" in unknown.text and 'id="compare-error"' in unknown.text
        assert 'value="徐州,火星"' in unknown.text
        one = client.get("/explore/compare", params={"cities": "徐州"})
        assert one.status_code == 400 and 'id="compare-error"' in one.text
        empty = client.get("/explore/compare")
        assert empty.status_code == 200 and 'id="compare-table"' not in empty.text
        assert 'href="/explore/compare"' in empty.text  # the nav link


def test_compare_says_neo4j_is_down_with_503(_session_settings: Settings) -> None:
    (port,) = find_free_ports(1)
    down = _session_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{port}"})
    with TestClient(create_app(down, apply_schema=False), raise_server_exceptions=False) as client:
        api = client.get("/compare", params={"cities": PAIR})
        assert api.status_code == 503 and "Neo4j" in api.json()["detail"]
        page = client.get("/explore/compare", params={"cities": PAIR})
        assert page.status_code == 503 and "Neo4j" in page.text and "<html" in page.text

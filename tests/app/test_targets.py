"""GET /cities/{key}/targets and the target charts of a City's explorer page, over data/corpus ingested
through the real pipeline into the real Neo4j; figures are checked against direct Cypher counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver

from app.explorer.charts import nice_ceiling, target_chart, value_label
from app.main import create_app
from graph.config import Settings
from graph.views import EntityRef, EvidenceView, IndicatorSeries, TargetPoint
from tests.app.browser import Visit, screenshot, serve, wait_drawn
from tests.app.conftest import api_settings, load_corpus
from tests.conftest import Neo4jEndpoint

XUZHOU_POLICY = "Policy:关于实施创新驱动发展战略深入推进区域性产业科技创新中心建设的工作意见"


@pytest.fixture(scope="module")
def corpus(driver: Driver, neo4j_server: Neo4jEndpoint) -> int:
    return load_corpus(driver, neo4j_server.database)


@pytest.fixture(scope="module")
def app(_session_settings: Settings, corpus: int) -> FastAPI:
    return create_app(api_settings(_session_settings))


@pytest.fixture(scope="module")
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def scalar(driver: Driver, cypher: str, **params: Any) -> Any:
    records, _, _ = driver.execute_query(cypher, params)
    return records[0][0]


def city_counts(driver: Driver, city: str) -> tuple[int, int]:
    """(targets, series) of a city, counted in Cypher: a series is an (indicator, unit) pair."""
    return (
        scalar(driver, "MATCH (:Policy)-[r:SETS_TARGET {city: $c}]->(:Indicator) RETURN count(r)", c=city),
        scalar(
            driver,
            "MATCH (:Policy)-[r:SETS_TARGET {city: $c}]->(i:Indicator) "
            "RETURN count(DISTINCT [i.key, r.unit])",
            c=city,
        ),
    )


def url(key: str) -> str:
    return f"/cities/{quote(key, safe=':')}/targets"


# --- API ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("city", ["City:徐州", "City:扬州"])
def test_a_citys_targets_match_the_store(api: TestClient, driver: Driver, city: str) -> None:
    response = api.get(url(city))
    assert response.status_code == 200, response.text
    body = response.json()
    targets, series = city_counts(driver, city)
    assert body["city"]["key"] == city
    assert body["total"] == sum(len(s["points"]) for s in body["series"]) == targets > 20
    assert len(body["series"]) == series
    texts: dict[str, str] = {}
    for s in body["series"]:
        years = [p["year"] for p in s["points"]]
        assert years == sorted(years) and {p["unit"] for p in s["points"]} == {s["unit"]}
        for p in s["points"]:
            assert p["evidence"], p["key"]
            assert p["key"].endswith(f"|SETS_TARGET|{s['indicator']['key']}|{p['year']}")
            for ev in p["evidence"]:
                doc = ev["document_id"]
                if doc not in texts:
                    texts[doc] = api.get(f"/documents/{doc}").json()["text"]
                assert texts[doc][ev["start"] : ev["end"]] == ev["sentence"]


def test_the_indicator_table_is_one_series_per_row(api: TestClient) -> None:
    body = api.get(url("City:徐州")).json()
    by_name = {s["indicator"]["name"]: s for s in body["series"]}
    rd = by_name["研发经费支出占GDP比重"]
    assert rd["unit"] == "%"
    assert [(p["year"], p["value"], p["comparator"]) for p in rd["points"]] == [
        (2017, 2.1, "="),
        (2018, 2.3, "="),
        (2019, 2.4, "="),
        (2020, 2.5, "="),
    ]
    assert {p["policy"]["key"] for p in rd["points"]} == {XUZHOU_POLICY}
    patents = by_name["万人发明专利拥有量"]["points"][-1]
    assert (patents["year"], patents["value"], patents["unit"], patents["comparator"], patents["stated"]) == (
        2020,
        12.0,
        "件",
        ">=",
        "≥12",
    )
    # the eight table rows come first: the longest series
    assert all(len(s["points"]) == 4 for s in body["series"][:8])


def test_a_city_is_found_by_name_or_alias(api: TestClient) -> None:
    by_key = api.get(url("City:徐州")).json()
    assert api.get(url("徐州")).json() == by_key
    assert api.get(url("徐州市")).json() == by_key


@pytest.mark.parametrize("ref", ["City:不存在", "不存在市", "Park:徐州高新区"])
def test_an_unknown_city_is_a_404_that_says_which(api: TestClient, ref: str) -> None:
    response = api.get(url(ref))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert ref in response.json()["detail"] and "City" in response.json()["detail"]


def test_a_city_without_targets_has_no_series(api: TestClient, driver: Driver) -> None:
    key = scalar(
        driver,
        "MATCH (c:City) WHERE NOT EXISTS { ()-[:SETS_TARGET {city: c.key}]->() } "
        "RETURN c.key ORDER BY c.key LIMIT 1",
    )
    body = api.get(url(key)).json()
    assert (body["total"], body["series"]) == (0, [])


def test_a_policys_relationships_list_its_targets_with_their_year(api: TestClient, driver: Driver) -> None:
    page = api.get(
        f"/entities/{quote(XUZHOU_POLICY, safe=':')}/relationships",
        params={"type": "SETS_TARGET", "limit": 200},
    ).json()
    assert page["total"] == scalar(
        driver, "MATCH (:Entity {key: $k})-[r:SETS_TARGET]->() RETURN count(r)", k=XUZHOU_POLICY
    )
    rel = next(r for r in page["items"] if r["key"].endswith("Indicator:研发经费支出占GDP比重|2019"))
    assert rel["properties"]["year"] == 2019 and rel["properties"]["value"] == 2.4
    assert rel["other"]["label"] == "Indicator" and rel["direction"] == "out"


def test_stats_count_the_extension_apart(api: TestClient, driver: Driver) -> None:
    stats = api.get("/stats").json()
    assert stats["labels"]["Indicator"] == scalar(driver, "MATCH (i:Indicator) RETURN count(i)")
    assert stats["relation_types"]["SETS_TARGET"] == scalar(
        driver, "MATCH ()-[r:SETS_TARGET]->() RETURN count(r)"
    )


# --- explorer ----------------------------------------------------------------------------------------


def _point(year: int, value: float, comparator: str = "=", value_max: float | None = None) -> TargetPoint:
    sentence = f"到{year}年，指标达{value}。"
    return TargetPoint(
        key=f"Policy:p|SETS_TARGET|Indicator:x|{year}",
        year=year,
        value=value,
        value_max=value_max,
        unit="件",
        comparator=comparator,
        stated=str(value),
        policy=EntityRef(key="Policy:p", label="Policy", name="p"),
        evidence=[
            EvidenceView(fact="f", document_id="d" * 64, start=0, end=len(sentence), sentence=sentence)
        ],
    )


def test_a_chart_puts_years_left_to_right_and_values_bottom_up() -> None:
    series = IndicatorSeries(
        indicator=EntityRef(key="Indicator:x", label="Indicator", name="x"),
        unit="件",
        points=[_point(2017, 7), _point(2018, 8.2), _point(2020, 12, ">="), _point(2021, 5, "range", 8)],
    )
    chart = target_chart(series)
    xs, ys = [p.x for p in chart.points], [p.y for p in chart.points]
    assert xs == sorted(xs) and chart.left < xs[0] and xs[-1] < chart.right
    assert xs[1] - xs[0] == pytest.approx((xs[2] - xs[1]) / 2, abs=0.2)  # by year, not by index
    assert ys[0] > ys[1] > ys[2]  # larger values higher up
    assert chart.y_ticks[0] == (chart.bottom, "0") and float(chart.y_ticks[-1][1]) >= 12
    assert [p.label for p in chart.points] == ["7", "8.2", "≥12", "5–8"]
    assert chart.points[3].y_top is not None and chart.points[3].y_top < chart.points[3].y
    assert len(chart.lines) == 1 and "到2020年，指标达12" in chart.points[2].title
    assert value_label(_point(2020, 90, "~")) == "≈90"
    assert nice_ceiling(2.5) == (3.0, 1.0) and nice_ceiling(7650) == (8000.0, 2000.0)


def test_a_citys_page_charts_each_indicator(
    api: TestClient, _session_settings: Settings, corpus: int, visit: Visit
) -> None:
    """One SVG chart per series; points carry year and value, their hover titles quote the evidence."""
    body = api.get(url("City:徐州")).json()
    with serve(create_app(_session_settings)) as base:
        page = visit.page
        page.goto(base + "/explore/entity/" + quote("City:徐州", safe=":"))
        wait_drawn(page)
        charts = page.locator("#targets figure.target-chart")
        assert charts.count() == len(body["series"])
        names = charts.locator("figcaption a").all_inner_texts()
        assert names == [s["indicator"]["name"] for s in body["series"]]
        first = charts.nth(0)
        series = body["series"][0]
        points = first.locator("g.point")
        assert points.count() == len(series["points"])
        for i, p in enumerate(series["points"]):
            point = points.nth(i)
            assert point.get_attribute("data-year") == str(p["year"])
            assert float(point.get_attribute("data-value") or "nan") == p["value"]
            title = point.locator("title").text_content() or ""
            assert p["evidence"][0]["sentence"] in title and p["policy"]["name"] in title
            assert f"字符 {p['evidence'][0]['start']}–{p['evidence'][0]['end']}" in title
        assert first.locator("svg").evaluate("svg => svg.getBBox().width") > 100
        assert page.locator("a[href='#targets']").inner_text().startswith(f"policy targets ({body['total']})")
        page.locator("#targets").scroll_into_view_if_needed()
        page.locator("#targets figure.target-chart").nth(0).hover()
        screenshot(page, "city_targets.png")
        # a page that is not a City's has no target section; the policy's page says where its targets are
        page.goto(base + "/explore/entity/" + quote(XUZHOU_POLICY, safe=":"))
        wait_drawn(page)
        assert page.locator("#targets").count() == 0
        n = sum(p["policy"]["key"] == XUZHOU_POLICY for s in body["series"] for p in s["points"])
        assert page.locator("#target-note").inner_text().startswith(f"{n} policy targets (SETS_TARGET)")
    assert not visit.errors, visit.errors
    assert not visit.outside_requests(), visit.outside_requests()


# --- one indicator across cities ---------------------------------------------------------------------


def shared_indicator(driver: Driver) -> str:
    """The indicator whose targets are tied to the most cities (then the most targets), found in Cypher."""
    return scalar(
        driver,
        "MATCH (:Policy)-[r:SETS_TARGET]->(i:Indicator) "
        "WITH i, count(DISTINCT r.city) AS cities, count(r) AS targets "
        "RETURN i.key ORDER BY cities DESC, targets DESC, i.key LIMIT 1",
    )


def test_an_indicator_across_cities_matches_the_store(api: TestClient, driver: Driver) -> None:
    key = shared_indicator(driver)
    response = api.get(f"/indicators/{quote(key, safe=':')}/targets")
    assert response.status_code == 200, response.text
    body = response.json()
    cities = scalar(
        driver,
        "MATCH (:Policy)-[r:SETS_TARGET]->(:Indicator {key: $k}) RETURN collect(DISTINCT r.city)",
        k=key,
    )
    assert len(cities) >= 2  # the corpus has targets of 徐州 and 扬州 for it
    targets = scalar(driver, "MATCH (:Policy)-[r:SETS_TARGET]->(:Indicator {key: $k}) RETURN count(r)", k=key)
    assert body["indicator"]["key"] == key
    assert body["total"] == sum(len(s["points"]) for s in body["series"]) == targets
    assert {s["city"]["key"] for s in body["series"]} == set(cities)
    for s in body["series"]:
        assert s["indicator"]["key"] == key
        for p in s["points"]:
            series_of_city = api.get(url(s["city"]["key"])).json()["series"]
            assert p["key"] in {q["key"] for c in series_of_city for q in c["points"]}
    name = body["indicator"]["name"]
    assert api.get(f"/indicators/{quote(name)}/targets").json() == body


def test_an_unknown_indicator_is_a_404_that_says_which(api: TestClient) -> None:
    response = api.get("/indicators/Indicator:不存在/targets")
    assert response.status_code == 404
    assert "Indicator:不存在" in response.json()["detail"]


def test_an_indicators_page_charts_one_series_per_city(
    api: TestClient, driver: Driver, _session_settings: Settings, visit: Visit
) -> None:
    key = shared_indicator(driver)
    body = api.get(f"/indicators/{quote(key, safe=':')}/targets").json()
    with serve(create_app(_session_settings)) as base:
        page = visit.page
        page.goto(base + "/explore/entity/" + quote(key, safe=":"))
        wait_drawn(page)
        charts = page.locator("#targets figure.target-chart")
        assert charts.count() == len(body["series"]) >= 2
        assert charts.locator("figcaption a").all_inner_texts() == [s["city"]["name"] for s in body["series"]]
        title = charts.nth(0).locator("g.point title").nth(0).text_content() or ""
        assert title.startswith(f"{body['series'][0]['city']['name']} · {body['indicator']['name']}")
        assert "one chart per city" in page.locator("#targets .targets-head").inner_text()
        # the canvas draws the policies that set the targets (SETS_TARGET), not an empty actor network
        policies = {p["policy"]["key"] for s in body["series"] for p in s["points"]}
        drawn = set(page.evaluate("Object.keys(window.explorer.network.getPositions())"))
        assert drawn == policies | {key}
        assert page.evaluate("window.explorer.visibleEdgeCount()") == body["total"]  # one edge per year
        page.locator("#targets").scroll_into_view_if_needed()
        screenshot(page, "indicator_targets.png")
    assert not visit.errors, visit.errors
    assert not visit.outside_requests(), visit.outside_requests()

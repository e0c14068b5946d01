"""Documents: the API list (sort, filter), the explorer's list and reader, and evidence citations that open
the reader at their span, in real Chromium over a real Neo4j.

The graph is the API seed (two documents) plus a long dated document whose one fact sits far down the
page, so that opening its citation must scroll. Expected orders and counts come from the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.main import create_app
from graph import read
from graph.config import Settings
from graph.model import Document, Entity, Graph, Label, Relation, RelType, content_id
from graph.store import write_graph
from tests.app.browser import Visit, screenshot, serve
from tests.app.conftest import api_settings, load_seed
from tests.conftest import Neo4jEndpoint
from tests.helpers import evidence

FAR_SENTENCE = "扬州高新区位于扬州市。"
LONG_TEXT = (
    "《扬州市科技创新报告》\n\n"
    + "\n\n".join(f"第{i}段：本段介绍园区建设与产业发展的一般情况，没有提到具体的主体。" for i in range(80))
    + f"\n\n{FAR_SENTENCE}\n"
)
COLUMNS = ("title", "source", "date", "ingested_at", "entities", "relations", "evidence")


def long_graph() -> Graph:
    doc = Document(
        id=content_id(LONG_TEXT.encode()),
        source="test/Yangzhou-Report.txt",
        title="扬州市科技创新报告",
        date=dt.date(2020, 5, 1),
        text=LONG_TEXT,
    )
    ev = (evidence(doc, FAR_SENTENCE, extractor="test-seed"),)
    city = Entity.create(label=Label.CITY, name="扬州", aliases=("扬州市",), evidence=ev)
    park = Entity.create(label=Label.PARK, name="扬州高新区", evidence=ev)
    hosts = Relation(type=RelType.HOSTS, source=city.key, target=park.key, evidence=ev)
    return Graph(document=doc, entities=(city, park), relations=(hosts,))


@pytest.fixture(scope="module")
def database(driver: Driver, neo4j_server: Neo4jEndpoint) -> str:
    load_seed(driver, neo4j_server.database)
    write_graph(driver, long_graph(), database=neo4j_server.database)
    return neo4j_server.database


@pytest.fixture(scope="module")
def client(database: str, _session_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(_session_settings)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def base(database: str, _session_settings: Settings) -> Iterator[str]:
    with serve(create_app(api_settings(_session_settings))) as url:
        yield url


def _stored(driver: Driver, database: str) -> list[dict[str, Any]]:
    """Every document's listed fields, counted straight from the graph (not through read.py)."""
    records, _, _ = driver.execute_query(
        """MATCH (d:Document)
           RETURN d.id AS id, d.title AS title, d.source AS source, toString(d.date) AS date,
                  d.ingested_at AS ingested_at,
                  COUNT { (d)-[:MENTIONS]->() } AS entities,
                  COUNT { (:Evidence)-[:IN_DOCUMENT]->(d) } AS evidence,
                  size(collect { MATCH (ev:Evidence {kind: 'relation'})-[:IN_DOCUMENT]->(d)
                                 RETURN DISTINCT ev.fact }) AS relations""",
        database_=database,
    )
    return [dict(r) for r in records]


def _sort_key(column: str, row: dict[str, Any]) -> Any:
    if column == "title":
        return row["title"] or row["source"]
    if column == "date":
        return row["date"] or ""
    return row[column]


def _expected_ids(rows: list[dict[str, Any]], column: str, order: str) -> list[str]:
    by_id = sorted(rows, key=lambda r: r["id"])  # ties in id order, both directions
    return [r["id"] for r in sorted(by_id, key=lambda r: _sort_key(column, r), reverse=order == "desc")]


# --- the API list ---------------------------------------------------------------------------------------


def test_documents_sort_by_every_column_both_ways(client: TestClient, driver: Driver, database: str) -> None:
    rows = _stored(driver, database)
    assert len(rows) == 3
    assert len({r["entities"] for r in rows}) > 1, "counts must differ for the sort to be tested"
    for column in COLUMNS:
        for order in ("asc", "desc"):
            body = client.get("/documents", params={"sort": column, "order": order}).json()
            assert [d["id"] for d in body["items"]] == _expected_ids(rows, column, order), (column, order)
    # the default is the newest first, with the counts the graph holds
    body = client.get("/documents").json()
    assert [d["id"] for d in body["items"]] == _expected_ids(rows, "ingested_at", "desc")
    listed = {d["id"]: d for d in body["items"]}
    for row in rows:
        got = listed[row["id"]]
        assert (got["entities"], got["relations"], got["evidence"]) == (
            row["entities"],
            row["relations"],
            row["evidence"],
        )


def test_documents_filter_by_title_or_source_case_insensitively(client: TestClient) -> None:
    def ids(q: str) -> tuple[int, set[str]]:
        body = client.get("/documents", params={"q": q}).json()
        return body["total"], {d["source"] for d in body["items"]}

    assert ids("seed/") == (2, {"seed/xuzhou.txt", "seed/jiangsu.txt"})
    assert ids("YANGZHOU-report") == (1, {"test/Yangzhou-Report.txt"})  # the source, any case
    assert ids("科技创新") == (1, {"test/Yangzhou-Report.txt"})  # the title
    assert ids("江苏") == (1, {"seed/jiangsu.txt"})
    assert ids("不存在的标题") == (0, set())
    page = client.get("/documents", params={"q": "seed", "sort": "title", "order": "asc", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_documents_list_refuses_an_unknown_sort(client: TestClient) -> None:
    response = client.get("/documents", params={"sort": "colour"})
    assert response.status_code == 422
    assert "title" in response.text and "ingested_at" in response.text  # the choices are named


def test_an_unknown_document_is_a_404_that_says_what_to_do(client: TestClient) -> None:
    missing = "0" * 64
    response = client.get(f"/documents/{missing}")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith(f"No document has the id {missing!r}") and "list of documents" in detail
    page = client.get(f"/explore/documents/{missing}")
    assert page.status_code == 404 and "<html" in page.text
    assert f"No document with id &#39;{missing}&#39; is stored" in page.text
    assert "documents list" in page.text


# --- the explorer's pages -------------------------------------------------------------------------------


def test_a_bad_at_is_a_400_with_a_clear_message(client: TestClient) -> None:
    doc = long_graph().document
    for at, says in [
        ("abc", "give START-END character offsets"),
        ("20-10", "START must be smaller than END"),
        (f"0-{len(LONG_TEXT) + 1}", f"past the end of the document ({len(LONG_TEXT)} characters)"),
    ]:
        response = client.get(f"/explore/documents/{doc.id}", params={"at": at})
        assert response.status_code == 400, at
        assert says in response.text and "Bad request" in response.text, at
    too_long = client.get(f"/explore/documents/{doc.id}", params={"at": "x" * 41})
    assert too_long.status_code == 400 and "<html" in too_long.text  # a page answers a page, not JSON


def test_the_list_page_sorts_and_filters(client: TestClient, driver: Driver, database: str) -> None:
    rows = _stored(driver, database)
    html = client.get("/explore/documents", params={"sort": "entities", "order": "asc"}).text
    listed = re.findall(r'<tr data-document="([0-9a-f]{64})">', html)
    assert listed == _expected_ids(rows, "entities", "asc")
    # the current column's header flips the order; the others sort their own way first
    assert 'href="/explore/documents?sort=entities&amp;order=desc"' in html
    assert 'href="/explore/documents?sort=title&amp;order=asc"' in html
    filtered = client.get("/explore/documents", params={"q": "扬州"}).text
    assert re.findall(r'<tr data-document="([0-9a-f]{64})">', filtered) == [long_graph().document.id]
    assert "扬州市科技创新报告" in filtered and "2020-05-01" in filtered
    assert "No document" in client.get("/explore/documents", params={"q": "无此文"}).text


def test_the_reader_lists_every_span_and_keeps_the_text(
    client: TestClient, driver: Driver, database: str
) -> None:
    graph = load_seed_graphs()[0]
    html = client.get(f"/explore/documents/{graph.document.id}").text
    stored = read.document_evidence(driver, database=database, id_=graph.document.id)
    assert stored
    assert set(re.findall(r'<li id="span-(\d+)-(\d+)"', html)) == {(str(e.start), str(e.end)) for e in stored}
    paragraphs = re.findall(r'<div class="reader-text" lang="zh-CN">(.*?)</div>', html, re.S)[0]
    assert re.sub(r"<[^>]+>|\s", "", paragraphs) == re.sub(r"\s", "", graph.document.text)


def load_seed_graphs() -> list[Graph]:
    from tests.app.conftest import seed_graphs

    return seed_graphs()


# --- in Chromium ----------------------------------------------------------------------------------------


def _in_view(visit: Visit, selector: str) -> bool:
    box = visit.page.locator(selector).bounding_box()
    height = visit.page.viewport_size["height"] if visit.page.viewport_size else 0
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_an_evidence_citation_opens_the_reader_with_its_sentence_marked(
    base: str, driver: Driver, database: str, visit: Visit
) -> None:
    page = visit.page
    park = "Park:扬州高新区"
    page.goto(f"{base}/explore/entity/{quote(park, safe=':')}")
    rels = read.list_relationships(
        driver, database=database, key=park, type_=None, direction="both", label=None, limit=10, offset=0
    )
    fact = rels.items[0]
    ev = fact.evidence[0]
    assert ev.sentence == FAR_SENTENCE
    page.locator(f"#rel-list [data-edge='{fact.key}'] a.cite").first.click()
    page.wait_for_url(re.compile(r"/explore/documents/[0-9a-f]{64}\?at="))
    assert page.url.endswith(f"/explore/documents/{ev.document_id}?at={ev.start}-{ev.end}#at")
    mark = page.locator("mark#at")
    assert mark.inner_text() == ev.sentence
    assert _in_view(visit, "mark#at"), "the reader scrolls to the marked span"
    # the marked sentence's highlight links back to its fact
    link = mark.locator("a.ev").first
    assert link.get_attribute("href") in {
        f"/explore/entity/{quote(k, safe=':')}" for k in ("City:扬州", park)
    }
    screenshot(page, "reader.png")

    # the entity's own mention (the Where … is mentioned list) opens the reader the same way
    page.goto(f"{base}/explore/entity/{quote(park, safe=':')}")
    page.locator("#mentions a.cite").first.click()
    page.wait_for_url(re.compile(r"\?at="))
    assert page.locator("mark#at").inner_text() == FAR_SENTENCE
    assert not visit.errors, visit.errors
    assert not visit.outside_requests(), visit.outside_requests()


def test_the_cypher_console_links_evidence_to_the_reader(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{base}/explore/cypher")
    page.wait_for_function("document.body.dataset.cypherState === 'done'")  # the example it opens with
    page.fill(
        "#query",
        f"MATCH (ev:Evidence {{sentence: '{FAR_SENTENCE}'}}) "
        "RETURN ev, ev.sentence, ev.start, ev.end, ev.document_id LIMIT 1",
    )
    page.click("#run")
    page.wait_for_function("document.body.dataset.cypherState === 'done'")
    page.wait_for_function("document.querySelector('#rows thead').textContent.includes('ev.document_id')")
    links = page.locator("#rows tbody a.cite")
    assert links.count() == 2  # the Evidence node, and the row's own sentence column
    hrefs = set(links.evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    doc = long_graph().document
    start = LONG_TEXT.index(FAR_SENTENCE)
    assert hrefs == {f"/explore/documents/{doc.id}?at={start}-{start + len(FAR_SENTENCE)}#at"}
    links.last.click()
    page.wait_for_url(re.compile(r"\?at="))
    assert page.locator("mark#at").inner_text() == FAR_SENTENCE
    assert not visit.errors, visit.errors


def test_the_documents_page_opens_a_document(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(f"{base}/explore")
    page.click("nav a:has-text('Documents')")
    page.wait_for_selector("#doc-table")
    page.click("#doc-table a:has-text('扬州市科技创新报告')")
    page.wait_for_selector(".reader-text")
    assert page.locator(".reader-head h1").inner_text() == "扬州市科技创新报告"
    assert page.locator(".reader-text a.ev").first.inner_text() == FAR_SENTENCE
    assert not visit.errors, visit.errors

"""API test fixtures: a known graph written by graph.store.write_graph, and the app served over it.

The seed documents are small Chinese texts whose every evidence span is cut from the text itself, so the
tests can check that what the API shows is verbatim in the document it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver
from playwright.sync_api import Browser, sync_playwright
from pydantic import SecretStr

from app.main import create_app
from graph.config import Settings
from graph.model import Document, Entity, Evidence, Graph, Label, Relation, RelType, content_id
from graph.store import apply_schema, write_graph
from tests.app.browser import VIEWPORT, Visit, launch
from tests.conftest import Neo4jEndpoint, delete_all_data
from tests.helpers import evidence

API_KEY = "test-upload-key"

TEXT_XUZHOU = (
    "徐州市是江苏省的地级市。徐州高新区位于徐州市。华为、中兴等企业都已入驻徐州。"
    "徐州软件园牵手北京中关村。徐州市设立2000万元科技基金支持徐州产业技术研究院。"
)

TEXT_JIANGSU = "江苏省下辖徐州、扬州。中国矿业大学与徐工集团合作共建实验室。扬州支持中国矿业大学。"


def _evidence(doc: Document, sentence: str, confidence: float = 0.9) -> tuple[Evidence, ...]:
    return (evidence(doc, sentence, extractor="test-seed", confidence=confidence),)


def _document(text: str, source: str, title: str) -> Document:
    return Document(id=content_id(text.encode()), source=source, title=title, text=text)


def seed_graphs() -> list[Graph]:
    """Two documents: 徐州 (alias 徐州市) hosts parks and firms, funds an institute; 江苏省 hosts cities."""
    a = _document(TEXT_XUZHOU, "seed/xuzhou.txt", "徐州")
    s1, s2, s3, s4, s5 = (part + "。" for part in TEXT_XUZHOU.split("。")[:5])
    ents = [
        Entity.create(
            label=Label.CITY,
            name="徐州",
            aliases=("徐州市",),
            properties={"level": "prefecture"},
            evidence=_evidence(a, "徐州市是江苏省的地级市"),
        ),
        Entity.create(
            label=Label.CITY, name="江苏省", properties={"level": "province"}, evidence=_evidence(a, s1)
        ),
        Entity.create(label=Label.PARK, name="徐州高新区", evidence=_evidence(a, s2)),
        Entity.create(label=Label.ENTERPRISE, name="华为", evidence=_evidence(a, s3)),
        Entity.create(label=Label.ENTERPRISE, name="中兴", evidence=_evidence(a, s3)),
        Entity.create(label=Label.PARK, name="徐州软件园", evidence=_evidence(a, s4)),
        Entity.create(label=Label.PARK, name="中关村", aliases=("北京中关村",), evidence=_evidence(a, s4)),
        Entity.create(label=Label.INSTITUTE, name="徐州产业技术研究院", evidence=_evidence(a, s5)),
    ]
    k = {e.name: e.key for e in ents}
    rels = [
        Relation(type=RelType.HOSTS, source=k["江苏省"], target=k["徐州"], evidence=_evidence(a, s1)),
        Relation(type=RelType.HOSTS, source=k["徐州"], target=k["徐州高新区"], evidence=_evidence(a, s2)),
        Relation(type=RelType.HOSTS, source=k["徐州"], target=k["华为"], evidence=_evidence(a, s3)),
        Relation(type=RelType.HOSTS, source=k["徐州"], target=k["中兴"], evidence=_evidence(a, s3)),
        Relation(
            type=RelType.COOPERATES, source=k["徐州软件园"], target=k["中关村"], evidence=_evidence(a, s4)
        ),
        Relation(
            type=RelType.FUNDS,
            source=k["徐州"],
            target=k["徐州产业技术研究院"],
            amount_cny=20_000_000.0,
            evidence=_evidence(a, s5),
        ),
    ]
    b = _document(TEXT_JIANGSU, "seed/jiangsu.txt", "江苏")
    t1, t2, t3 = (part + "。" for part in TEXT_JIANGSU.split("。")[:3])
    ents_b = [
        Entity.create(
            label=Label.CITY, name="江苏省", properties={"level": "province"}, evidence=_evidence(b, t1)
        ),
        Entity.create(label=Label.CITY, name="徐州", evidence=_evidence(b, t1)),
        Entity.create(label=Label.CITY, name="扬州", evidence=_evidence(b, t1)),
        Entity.create(
            label=Label.INSTITUTE, name="中国矿业大学", aliases=("矿大",), evidence=_evidence(b, t2)
        ),
        Entity.create(label=Label.ENTERPRISE, name="徐工集团", aliases=("徐工",), evidence=_evidence(b, t2)),
    ]
    kb = {e.name: e.key for e in ents_b}
    rels_b = [
        Relation(type=RelType.HOSTS, source=kb["江苏省"], target=kb["徐州"], evidence=_evidence(b, t1)),
        Relation(type=RelType.HOSTS, source=kb["江苏省"], target=kb["扬州"], evidence=_evidence(b, t1)),
        Relation(
            type=RelType.COOPERATES,
            source=kb["徐工集团"],
            target=kb["中国矿业大学"],
            evidence=_evidence(b, t2),
        ),
        Relation(type=RelType.FUNDS, source=kb["扬州"], target=kb["中国矿业大学"], evidence=_evidence(b, t3)),
    ]
    return [
        Graph(document=a, entities=tuple(ents), relations=tuple(rels)),
        Graph(document=b, entities=tuple(ents_b), relations=tuple(rels_b)),
    ]


@dataclass(frozen=True)
class Seeded:
    """The seed graphs as written, and where they are."""

    graphs: list[Graph]
    database: str


def load_seed(driver: Driver, database: str) -> Seeded:
    """Empty the database, apply the schema and write the seed graphs through the store writer."""
    delete_all_data(driver, database)
    apply_schema(driver, database=database)
    graphs = seed_graphs()
    for graph in graphs:
        write_graph(driver, graph, database=database)
    return Seeded(graphs=graphs, database=database)


def api_settings(base: Settings, **changes: object) -> Settings:
    """Test settings for the app: an upload key, a short query time limit, a small row cap (the data and
    corrections folders are the test run's own: tests/conftest.py)."""
    values: dict[str, object] = {"api_key": SecretStr(API_KEY), "cypher_timeout_s": 2.0, "cypher_row_cap": 50}
    values.update(changes)
    return base.model_copy(update=values)


@pytest.fixture(scope="module")
def seeded(driver: Driver, neo4j_server: Neo4jEndpoint) -> Seeded:
    """The seed graph, written once for the module; tests that change it use ``reseed`` to restore it."""
    return load_seed(driver, neo4j_server.database)


@pytest.fixture
def reseed(driver: Driver, neo4j_server: Neo4jEndpoint) -> Iterator[None]:
    """For tests that write: the seed graph is written again after the test."""
    yield
    load_seed(driver, neo4j_server.database)


@pytest.fixture(scope="module")
def app(_session_settings: Settings) -> FastAPI:
    return create_app(api_settings(_session_settings))


@pytest.fixture(scope="module")
def client(app: FastAPI, seeded: Seeded) -> Iterator[TestClient]:
    """A client of the app over the seed graph; the lifespan (one driver) runs for the module."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def load_corpus(driver: Driver, database: str) -> int:
    """Empty the database and ingest data/corpus through the real pipeline; returns the documents stored."""
    from graph.config import ROOT
    from ingest.batch import ingest_paths

    delete_all_data(driver, database)
    apply_schema(driver, database=database)
    report = ingest_paths([ROOT / "data" / "corpus"], driver=driver, database=database, workers=1)
    assert report.failed == 0, [f.error for f in report.files if f.error]
    return report.ok


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (its own browser download is not used)."""
    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    """A fresh tab that records every request and script error."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    record = Visit(page, [], [])
    page.on("request", lambda r: record.requests.append(r.url))
    page.on("pageerror", lambda e: record.errors.append(str(e)))
    page.on("console", lambda m: record.errors.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(20_000)
    try:
        yield record
    finally:
        context.close()

"""Search by pinyin, suggestions as a name is typed (GET /entities/suggest, suggest.js in Chromium) and the
hint a search that finds nothing gives, over the seed graph (tests/app/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver

from graph import read
from graph.store import apply_schema
from tests.app.browser import Visit, serve
from tests.app.conftest import Seeded


def names(page: dict[str, object]) -> list[str]:
    items = page["items"]
    assert isinstance(items, list)
    return [item["name"] for item in items]


@pytest.fixture(scope="module")
def base(app: FastAPI, seeded: Seeded) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_pinyin_finds_the_chinese_name(client: TestClient) -> None:
    for typed in ("xuzhou", "Xu Zhou", "XUZHOU"):
        found = names(client.get("/entities", params={"q": typed}).json())
        assert found[0] == "徐州", typed
        assert set(found) >= {"徐州", "徐州高新区", "徐州软件园", "徐州产业技术研究院"}
    assert names(client.get("/entities", params={"q": "kuangye"}).json()) == ["中国矿业大学"]
    assert names(client.get("/entities", params={"q": "xuzhou", "label": "Park"}).json()) == [
        "徐州软件园",
        "徐州高新区",
    ]


def test_suggestions_for_a_character_and_for_pinyin(client: TestClient) -> None:
    by_char = client.get("/entities/suggest", params={"q": "徐"})
    assert by_char.status_code == 200
    assert names(by_char.json())[0] == "徐州" and "徐工集团" in names(by_char.json())
    by_pinyin = names(client.get("/entities/suggest", params={"q": "xuz"}).json())
    assert by_pinyin[0] == "徐州" and "徐工集团" not in by_pinyin  # xugong does not start with xuz
    assert names(client.get("/entities/suggest", params={"q": "徐", "limit": 2}).json()) == [
        "徐州",
        "徐工集团",
    ]
    cities = names(client.get("/entities/suggest", params={"q": "州", "label": "City"}).json())
    assert cities == ["徐州", "扬州"]


def test_a_name_that_sounds_right_is_suggested(client: TestClient) -> None:
    """许州 is written with the wrong character: nothing contains it, 徐州 sounds the same."""
    assert client.get("/entities", params={"q": "许州"}).json()["total"] == 0
    assert names(client.get("/entities/suggest", params={"q": "许州"}).json())[0] == "徐州"
    page = client.get("/explore", params={"q": "许州"}).text
    assert "No actor is called “许州”" in page and 'id="did-you-mean"' in page and ">徐州</a>" in page


def test_nothing_found_gives_a_human_hint(client: TestClient) -> None:
    page = client.get("/explore", params={"q": "zzzz"})
    assert page.status_code == 200
    assert "No actor is called “zzzz”. Try a shorter name" in page.text and "pinyin (xuzhou)" in page.text
    assert "GET /entities" not in page.text and 'id="did-you-mean"' not in page.text
    assert client.get("/entities/suggest", params={"q": "zzzz"}).json() == {
        "total": 0,
        "limit": 8,
        "offset": 0,
        "items": [],
    }


def test_bad_suggest_requests_say_what_to_do(client: TestClient) -> None:
    spaces = client.get("/entities/suggest", params={"q": "   "})
    assert spaces.status_code == 400
    assert spaces.json()["detail"].startswith("Type at least one character")
    empty = client.get("/entities/suggest", params={"q": ""})
    assert empty.status_code == 422 and "at least 1 character" in empty.json()["detail"][0]["msg"]
    assert client.get("/entities/suggest").status_code == 422
    too_many = client.get("/entities/suggest", params={"q": "徐", "limit": 500})
    assert too_many.status_code == 422 and "20" in too_many.json()["detail"][0]["msg"]
    assert client.get("/entities/suggest", params={"q": "徐", "label": "Town"}).status_code == 422


def test_apply_schema_gives_old_entities_their_pinyin(driver: Driver, seeded: Seeded, reseed: None) -> None:
    """A graph written before pinyin keys existed finds them after the next start-up (apply_schema)."""
    driver.execute_query("MATCH (e:Entity) REMOVE e.pinyin", database_=seeded.database)
    found = read.search_entities(driver, database=seeded.database, q="xuzhou", label=None, limit=5, offset=0)
    assert found.total == 0
    apply_schema(driver, database=seeded.database)
    found = read.search_entities(driver, database=seeded.database, q="xuzhou", label=None, limit=5, offset=0)
    assert found.items[0].name == "徐州"
    records, _, _ = driver.execute_query(
        "MATCH (e:Entity) WHERE e.pinyin IS NULL RETURN count(e) AS n", database_=seeded.database
    )
    assert records[0]["n"] == 0


@pytest.mark.parametrize(("typed", "first"), [("徐", "徐州"), ("xuz", "徐州")])
def test_chromium_suggests_as_you_type_on_the_search_field(
    base: str, visit: Visit, typed: str, first: str
) -> None:
    page = visit.page
    page.goto(base + "/explore")
    page.locator(".hero input[name=q]").press_sequentially(typed, delay=40)
    items = page.locator(".suggest-list:visible .suggest-item")
    items.first.wait_for(state="visible")
    assert items.first.locator(".suggest-name").inner_text() == first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/explore/entity/City:*")
    assert page.locator("h1").inner_text().startswith(first)
    assert not visit.errors


def test_chromium_suggestions_fill_paths_and_compare_fields(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(base + "/explore/paths")
    page.locator("input[name=source]").press_sequentially("xugong", delay=30)
    page.locator(".suggest-list:visible .suggest-item", has_text="徐工集团").click()
    assert page.locator("input[name=source]").input_value() == "徐工集团"
    page.goto(base + "/explore/compare")
    field = page.locator("#compare-form input[name=cities]")
    field.press_sequentially("徐州,yangz", delay=30)
    suggestion = page.locator(".suggest-list:visible .suggest-item").first
    suggestion.wait_for(state="visible")
    assert suggestion.locator(".badge").inner_text() == "City"
    suggestion.click()
    assert field.input_value() == "徐州,扬州,"
    field.press_sequentially("qqqq", delay=30)
    empty = page.locator(".suggest-list:visible .suggest-empty")
    empty.wait_for(state="visible")
    assert "try a shorter name or its pinyin" in empty.inner_text()
    assert not visit.errors

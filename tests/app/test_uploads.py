"""Documents in and out through the explorer, in real Chromium over a real Neo4j: a file uploaded with the
documents list's form opens in the reader, and the reader's delete button takes it out again, leaving the
graph's counts as they were. The API key is asked for once per browser session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from playwright.sync_api import Dialog

from app.main import create_app
from graph.config import ROOT, Settings
from tests.app.browser import Visit, screenshot, serve
from tests.app.conftest import API_KEY, api_settings, load_seed
from tests.conftest import Neo4jEndpoint

DOCUMENT = ROOT / "data" / "corpus" / "003_da80483b1a4d3646.txt"


@pytest.fixture(scope="module")
def settings_(
    driver: Driver, neo4j_server: Neo4jEndpoint, _session_settings: Settings, tmp_path_factory: Any
) -> Settings:
    load_seed(driver, neo4j_server.database)
    return api_settings(_session_settings, data_dir=tmp_path_factory.mktemp("upload-data"))


@pytest.fixture(scope="module")
def base(settings_: Settings) -> Iterator[str]:
    with serve(create_app(settings_)) as url:
        yield url


def _answer(dialogs: list[Dialog], key: str | None) -> Any:
    def handle(dialog: Dialog) -> None:
        dialogs.append(dialog)
        if dialog.type == "prompt" and key is None:
            dialog.dismiss()
        else:
            dialog.accept(key or "") if dialog.type == "prompt" else dialog.accept()

    return handle


def _stats(visit: Visit, base: str) -> dict[str, Any]:
    response = visit.page.request.get(f"{base}/stats")
    assert response.ok
    body: dict[str, Any] = response.json()
    return body


def test_upload_with_the_form_then_delete_from_the_reader(
    base: str, visit: Visit, settings_: Settings
) -> None:
    page = visit.page
    before = _stats(visit, base)
    dialogs: list[Dialog] = []
    page.on("dialog", _answer(dialogs, API_KEY))

    page.goto(f"{base}/explore/documents")
    page.set_input_files("#upload-file", str(DOCUMENT))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/explore/documents/[0-9a-f]{64}$"), timeout=120_000)

    document_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#reader").get_attribute("data-document") == document_id
    assert page.locator(".reader-head .mono").inner_text() == f"upload:{DOCUMENT.name}"
    uploaded = _stats(visit, base)
    assert uploaded["documents"] == before["documents"] + 1 and uploaded["entities"] > before["entities"]
    kept = Path(settings_.upload_dir) / DOCUMENT.name
    assert kept.read_bytes() == DOCUMENT.read_bytes()
    screenshot(page, "upload-reader.png")

    page.click("#delete-document")
    page.wait_for_url(re.compile(r"/explore/documents\?deleted="))

    assert "Deleted" in page.locator("#deleted-notice").inner_text()
    assert _stats(visit, base) == before
    assert not kept.exists()
    assert [d.type for d in dialogs] == ["prompt", "confirm"]  # the key was asked for once, not per action
    assert not visit.errors
    screenshot(page, "upload-deleted.png")


def test_an_upload_without_a_key_sends_nothing(base: str, visit: Visit) -> None:
    page = visit.page
    before = _stats(visit, base)
    dialogs: list[Dialog] = []
    page.on("dialog", _answer(dialogs, None))

    page.goto(f"{base}/explore/documents")
    page.set_input_files("#upload-file", str(DOCUMENT))
    page.click("#upload-form button[type=submit]")

    status = page.locator("#upload-status")
    status.filter(has_text="API key").wait_for()
    assert "the API key is needed" in status.inner_text()
    assert [d.type for d in dialogs] == ["prompt"]
    assert _stats(visit, base) == before
    assert not any("/documents" in u and "explore" not in u for u in visit.requests)


def test_a_wrong_key_is_asked_for_again_and_its_refusal_said(base: str, visit: Visit) -> None:
    page = visit.page
    dialogs: list[Dialog] = []
    page.on("dialog", _answer(dialogs, "not-the-key"))

    page.goto(f"{base}/explore/documents")
    page.set_input_files("#upload-file", str(DOCUMENT))
    page.click("#upload-form button[type=submit]")

    status = page.locator("#upload-status")
    status.filter(has_text="refused").wait_for()
    assert "INNOGRAPH_API_KEY" in status.inner_text()
    assert [d.type for d in dialogs] == ["prompt", "prompt"]
    assert page.evaluate("sessionStorage.getItem('innograph-api-key')") is None

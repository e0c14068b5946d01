"""The API docs pages: Swagger UI and ReDoc render in real Chromium with nothing fetched from outside.

The app is served by uvicorn on 127.0.0.1; every request the tab makes is recorded (tests/app/conftest.py
``visit``) and must stay on this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from app.docs import ASSETS
from app.main import create_app
from graph.config import Settings
from tests.app.browser import LOCAL_HOSTS, Visit, screenshot, serve
from tests.app.conftest import API_KEY, api_settings


@pytest.fixture(scope="module")
def base(_session_settings: Settings) -> Iterator[str]:
    with serve(create_app(api_settings(_session_settings), apply_schema=False)) as url:
        yield url


def _operations(base: str) -> set[tuple[str, str]]:
    spec = httpx.get(base + "/openapi.json").json()
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}


def _every_request_local(visit: Visit) -> None:
    assert visit.requests, "the browser recorded no request"
    away = [u for u in visit.requests if urlsplit(u).hostname not in LOCAL_HOSTS and u.startswith("http")]
    assert not away, away
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in visit.requests if u.startswith("http"))


def test_swagger_ui_renders_every_operation_offline(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(base + "/docs")
    page.wait_for_selector(".opblock")
    rows = page.locator(".opblock .opblock-summary").evaluate_all(
        """rows => rows.map(r => [r.querySelector('.opblock-summary-method').textContent.trim(),
                                  r.querySelector('.opblock-summary-path').dataset.path])"""
    )
    shown = {(method, path) for method, path in rows}
    assert shown == _operations(base)
    # the upload route declares the X-API-Key scheme, so Swagger UI offers to authorise
    assert page.locator("button.authorize").count() == 1
    upload = page.locator(".opblock-post", has=page.locator("[data-path='/documents']"))
    assert upload.locator(".authorization__btn").count() == 1
    screenshot(page, "docs.png")
    page.wait_for_timeout(300)  # anything loaded late (fonts, validator badge) is recorded too
    _every_request_local(visit)
    assert not visit.errors, visit.errors


def test_redoc_renders_the_operations_offline(base: str, visit: Visit) -> None:
    page = visit.page
    page.goto(base + "/redoc")
    page.wait_for_selector("[data-section-id^='tag/']")
    text = page.locator("body").inner_text()
    for _method, path in _operations(base):
        assert path in text, path
    page.wait_for_timeout(300)
    _every_request_local(visit)


def test_docs_assets_are_served_by_exact_name_only(base: str) -> None:
    for name in ASSETS:
        response = httpx.get(f"{base}/static/docs/{name}")
        assert response.status_code == 200 and len(response.content) > 1000, name
    assert httpx.get(f"{base}/static/docs/../docs.py").status_code == 404
    missing = httpx.get(f"{base}/static/docs/nope.js")
    assert missing.status_code == 404 and "nope.js" in missing.text


def test_the_upload_route_is_behind_the_api_key_scheme(_session_settings: Settings) -> None:
    with TestClient(create_app(api_settings(_session_settings), apply_schema=False)) as client:
        spec = client.get("/openapi.json").json()
        scheme = spec["components"]["securitySchemes"]["ApiKey"]
        assert scheme == {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": scheme["description"],
        }
        assert spec["paths"]["/documents"]["post"]["security"] == [{"ApiKey": []}]
        assert "security" not in spec["paths"]["/documents"]["get"]
        files = {"file": ("a.txt", "徐州".encode())}
        wrong = client.post("/documents", files=files, headers={"X-API-Key": API_KEY + "x"})
        assert wrong.status_code == 401
        assert (
            wrong.json()["detail"]
            == "missing or wrong X-API-Key header: send the key set in INNOGRAPH_API_KEY"
        )
    unset = api_settings(_session_settings, api_key=None)
    with TestClient(create_app(unset, apply_schema=False)) as client:
        response = client.post("/documents", files=files)
        assert response.status_code == 503
        assert response.json()["detail"] == "set INNOGRAPH_API_KEY to enable uploads, deletes and corrections"

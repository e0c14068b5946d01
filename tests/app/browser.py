"""Shared parts of the browser tests: Debian's Chromium driven by Playwright, and the app served by uvicorn.

Fixtures built on these (``browser``, ``visit``) live in tests/app/conftest.py.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, ViewportSize

from graph.config import ROOT
from graph.server import find_free_ports

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
OUTSIDE_URL = re.compile(r"""https?://(?!(?:127\.0\.0\.1|localhost)[:/"'])[^\s"'<>)]+""")


def launch(pw: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium fonts-noto-cjk)")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass
class Visit:
    """A browser tab and what it loaded: every request URL and every script error."""

    page: Page
    requests: list[str]
    errors: list[str]

    def outside_requests(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in {"http", "https"} and urlsplit(u).hostname not in LOCAL_HOSTS
        ]


def wait_drawn(page: Page, selector: str = "#graph") -> None:
    """Until the vis network has laid itself out (explorer.js marks the canvas ready)."""
    page.wait_for_selector(f"{selector}[data-ready='1']", state="attached")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """uvicorn serving ``app`` in a background thread on a free port; yields its base URL."""
    (port,) = find_free_ports(1)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on port {port}", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

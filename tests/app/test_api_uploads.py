"""POST /documents under attack: the body is read only after the key check and only up to the limit, a
.docx zip bomb and a slow or greedy extraction are refused without taking the server with them, documents
are named by their path (folders included), and no error shows where the server kept the file meanwhile."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.main import create_app
from graph import read
from graph.config import Settings
from tests.app.conftest import API_KEY, Seeded, api_settings
from tests.ingest.test_read import make_docx, zip_bomb_docx

KEY = {"X-API-Key": API_KEY}
BOUNDARY = "innograph-test-boundary"
GIB = 1024**3
CHUNK = 1024 * 1024
TEXT_A = "徐州市支持华为。徐州高新区入驻中兴。"
TEXT_B = "扬州市支持中国矿业大学。徐工集团入驻扬州。"


@pytest.fixture
def settings_(_session_settings: Settings, tmp_path: Path, seeded: Seeded) -> Settings:
    return api_settings(_session_settings, data_dir=tmp_path / "data", max_upload_bytes=1024 * 1024)


@pytest.fixture
def client(settings_: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings_, apply_schema=False), raise_server_exceptions=False) as c:
        yield c


class Body:
    """A streamed multipart body of `size` bytes that counts how much of it was pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.pulled = size, 0

    def __iter__(self) -> Iterator[bytes]:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        ).encode()
        self.pulled += len(head)
        yield head
        chunk = "徐".encode() * (CHUNK // 3)
        while self.pulled < self.size:
            self.pulled += len(chunk)
            yield chunk


def _headers(body: Body, *, key: bool, length: bool) -> dict[str, str]:
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if length:
        headers["Content-Length"] = str(body.size)
    return headers | (KEY if key else {})


def _files_and_sizes(*folders: Path) -> dict[Path, int]:
    found = {}
    for folder in folders:
        if folder.is_dir():
            for entry in os.scandir(folder):
                with_size = entry.is_file(follow_symlinks=False)
                found[Path(entry.path)] = entry.stat(follow_symlinks=False).st_size if with_size else 0
    return found


def _grew(before: dict[Path, int], after: dict[Path, int]) -> dict[Path, int]:
    return {path: size for path, size in after.items() if size > before.get(path, 0) + CHUNK}


errors_seen: list[str] = []


def _detail(response: Any) -> str:
    detail: str = response.json()["detail"]
    errors_seen.append(detail)
    return detail


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "chunked"])
def test_a_2_gib_body_without_a_key_is_refused_unread(
    client: TestClient, settings_: Settings, length: bool
) -> None:
    body = Body(2 * GIB)
    before = _files_and_sizes(Path(tempfile.gettempdir()), settings_.upload_dir)

    response = client.post("/documents", content=iter(body), headers=_headers(body, key=False, length=length))

    assert response.status_code == 401
    assert "X-API-Key" in _detail(response)
    assert body.pulled < CHUNK  # the body was never read, let alone spooled
    assert _grew(before, _files_and_sizes(Path(tempfile.gettempdir()), settings_.upload_dir)) == {}


def test_a_declared_2_gib_body_with_a_key_gets_413_before_it_is_read(client: TestClient) -> None:
    body = Body(2 * GIB)
    response = client.post("/documents", content=iter(body), headers=_headers(body, key=True, length=True))
    assert response.status_code == 413
    assert "1048576 byte limit" in _detail(response) and "INNOGRAPH_MAX_UPLOAD_BYTES" in response.text
    assert body.pulled < CHUNK


def test_a_streamed_body_over_the_limit_with_a_key_gets_413(
    client: TestClient, settings_: Settings, driver: Driver, seeded: Seeded
) -> None:
    body = Body(8 * CHUNK)  # the test client pulls the whole body at once; the server stops at the limit
    before = read.get_stats(driver, database=seeded.database)
    response = client.post("/documents", content=iter(body), headers=_headers(body, key=True, length=False))
    assert response.status_code == 413 and "1048576 byte limit" in _detail(response)
    assert read.get_stats(driver, database=seeded.database) == before
    assert not settings_.upload_dir.exists() or not any(settings_.upload_dir.iterdir())


def test_a_zip_bomb_docx_is_refused_and_other_uploads_still_ingest(
    client: TestClient, settings_: Settings, reseed: None
) -> None:
    bomb = client.post("/documents", files={"file": ("bomb.docx", zip_bomb_docx())}, headers=KEY)
    assert bomb.status_code == 400
    assert _detail(bomb).startswith("bomb.docx: DOCX unpacks to 50.") and "zip bomb" in bomb.text

    good = client.post("/documents", files={"file": ("good.docx", make_docx())}, headers=KEY)
    assert good.status_code == 201, good.text
    assert good.json()["source"] == "upload:good.docx"
    assert sorted(p.name for p in settings_.upload_dir.iterdir()) == ["good.docx"]


def test_alice_and_bob_report_are_two_documents(
    client: TestClient, settings_: Settings, driver: Driver, seeded: Seeded, reseed: None
) -> None:
    alice = client.post("/documents", files={"file": ("alice/report.txt", TEXT_A.encode())}, headers=KEY)
    bob = client.post("/documents", files={"file": ("bob/report.txt", TEXT_B.encode())}, headers=KEY)

    assert (alice.status_code, bob.status_code) == (201, 201), (alice.text, bob.text)
    a, b = alice.json(), bob.json()
    assert (a["source"], b["source"]) == ("upload:alice/report.txt", "upload:bob/report.txt")
    assert a["document_id"] != b["document_id"]
    for result in (a, b):
        assert client.get(f"/documents/{result['document_id']}").status_code == 200
    assert (settings_.upload_dir / "alice" / "report.txt").read_text() == TEXT_A
    assert (settings_.upload_dir / "bob" / "report.txt").read_text() == TEXT_B

    # Deleting Alice's takes her file (and its emptied folder), and leaves Bob's.
    deleted = client.delete(f"/documents/{a['document_id']}", headers=KEY)
    assert deleted.json()["file_removed"] == str(settings_.upload_dir / "alice" / "report.txt")
    assert not (settings_.upload_dir / "alice").exists()
    assert client.get(f"/documents/{b['document_id']}").status_code == 200


def test_a_new_version_is_explicit(
    client: TestClient, settings_: Settings, driver: Driver, seeded: Seeded, reseed: None
) -> None:
    def ids() -> list[str]:
        return read.document_ids_by_source(driver, database=seeded.database, source="upload:carol/report.txt")

    first = client.post("/documents", files={"file": ("carol/report.txt", TEXT_A.encode())}, headers=KEY)
    assert first.status_code == 201, first.text

    clash = client.post("/documents", files={"file": ("carol/report.txt", TEXT_B.encode())}, headers=KEY)
    assert clash.status_code == 409 and "replace=true" in _detail(clash)
    assert ids() == [first.json()["document_id"]]
    assert (settings_.upload_dir / "carol" / "report.txt").read_text() == TEXT_A

    again = client.post(
        "/documents",
        files={"file": ("carol/report.txt", TEXT_B.encode())},
        data={"replace": "true"},
        headers=KEY,
    )
    assert again.status_code == 201, again.text
    assert again.json()["source"] == "upload:carol/report.txt"
    assert ids() == [again.json()["document_id"]] != [first.json()["document_id"]]
    assert (settings_.upload_dir / "carol" / "report.txt").read_text() == TEXT_B

    # Naming the source explicitly is a replace too, whatever the file is called.
    named = client.post(
        "/documents",
        files={"file": ("draft.txt", "徐州市设立科技基金支持徐工集团。".encode())},
        data={"source": "carol/report.txt"},
        headers=KEY,
    )
    assert named.status_code == 201, named.text
    assert ids() == [named.json()["document_id"]]
    assert not (settings_.upload_dir / "draft.txt").exists()


@pytest.mark.parametrize(
    "name", ["../escape.txt", "alice/../../x.txt", ".hidden/a.txt", "https://example.com/a.html"]
)
def test_a_source_that_cannot_be_kept_is_refused(client: TestClient, name: str) -> None:
    response = client.post("/documents", files={"file": ("a.txt", TEXT_A.encode())}, data={"source": name})
    assert response.status_code == 401  # the key first
    response = client.post(
        "/documents", files={"file": ("a.txt", TEXT_A.encode())}, data={"source": name}, headers=KEY
    )
    assert response.status_code == 400 and _detail(response)


@pytest.mark.parametrize(
    ("changes", "repeats", "words"),
    [
        ({"upload_timeout_s": 0.01}, 2000, "longer than its limit"),
        # The forked worker may reuse heap its parent freed, which no address-space limit counts: a document
        # of almost 1 MiB needs far more new memory than a long test session leaves free.
        ({"upload_memory_bytes": 1024 * 1024}, 18000, ""),
    ],
    ids=["time", "memory"],
)
def test_an_extraction_over_its_budget_is_stopped(
    settings_: Settings, driver: Driver, seeded: Seeded, changes: dict[str, Any], repeats: int, words: str
) -> None:
    before = read.get_stats(driver, database=seeded.database)
    app = create_app(settings_.model_copy(update=changes), apply_schema=False)
    body = (TEXT_A * repeats).encode()
    assert len(body) < settings_.max_upload_bytes
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post("/documents", files={"file": ("slow.txt", body)}, headers=KEY)
    assert response.status_code == 422, response.text
    assert _detail(response).startswith("slow.txt: ") and words in response.text
    assert read.get_stats(driver, database=seeded.database) == before
    assert not any(settings_.upload_dir.iterdir())  # nor a temporary file left


def test_upload_errors_never_show_a_temp_path(client: TestClient, settings_: Settings) -> None:
    for name, data in [
        ("blank.txt", b"  \n "),
        ("nul.txt", b"\x00\x01\x02" * 100),
        ("bad.pdf", b"not a pdf"),
        ("cut.docx", make_docx()[:500]),
        ("page.html", b"<html><body><script>x</script></body></html>"),
    ]:
        response = client.post("/documents", files={"file": (name, data)}, headers=KEY)
        assert response.status_code == 400, (name, response.text)
        assert _detail(response).startswith(f"{name}: ")
    assert errors_seen
    for detail in errors_seen:
        assert ".upload-" not in detail and str(settings_.data_dir) not in detail
        assert tempfile.gettempdir() not in detail

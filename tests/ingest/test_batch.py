"""ingest.batch and `innograph ingest` against the real Neo4j: good files stored, bad ones reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.model import content_id
from graph.store import apply_schema
from ingest.batch import IngestReport, Status, ingest_paths
from tests.ingest.test_read import make_docx, make_pdf

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"

PAGE = """<html><head><title>徐州软件园牵手北京中关村</title><script>var x = "华为";</script></head>
<body><nav>首页 新闻</nav><h1>徐州软件园牵手北京中关村</h1>
<p>发布日期：2018-11-23</p><p>徐州软件园牵手北京中关村，华为、中兴等企业入驻徐州软件园。</p></body></html>"""

# name -> the words its failure reason must contain
BAD_FILES: dict[str, tuple[str, bytes]] = {
    "empty.txt": ("empty file", b""),
    "blob.txt": ("binary", bytes(range(256)) * 16),
    "cut.pdf": ("truncated", make_pdf(["Xuzhou High-tech Zone"] * 3)[:600]),
    "cut.docx": ("corrupt or truncated DOCX", make_docx()[:3000]),
    "sheet.xlsx": ("unsupported file type", b"PK\x03\x04 not really a workbook"),
}


def good_files(folder: Path) -> dict[str, bytes]:
    """Readable documents in every supported format and encoding, written into `folder`."""
    corpus = sorted(CORPUS.glob("*.txt"))
    files = {
        "a_utf8.txt": corpus[0].read_bytes(),
        "b_gbk.txt": corpus[2].read_text(encoding="utf-8").encode("gbk"),
        "c_page.html": PAGE.encode("utf-8"),
        "d_report.pdf": make_pdf(["徐州高新区简介", "华为、中兴等企业入驻徐州高新区。"]),
        "sub/e_notes.docx": make_docx(),
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return files


def bad_files(folder: Path) -> dict[str, str]:
    for name, (_, data) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    return {name: words for name, (words, _) in BAD_FILES.items()}


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Any) -> str:
    """An empty database with the schema applied; its name."""
    database: str = neo4j_server.database
    apply_schema(driver, database=database)
    return database


def scalar(driver: Driver, database: str, cypher: str, **params: Any) -> Any:
    records, _, _ = driver.execute_query(cypher, params, database_=database)
    return records[0][0]


def by_name(report: IngestReport, folder: Path) -> dict[str, Any]:
    return {Path(row.path).relative_to(folder).as_posix(): row for row in report.files}


def test_a_folder_of_good_and_bad_files(tmp_path: Path, driver: Driver, db: str) -> None:
    good = good_files(tmp_path)
    bad = bad_files(tmp_path)
    progress: list[tuple[str, int, int]] = []

    report = ingest_paths(
        [tmp_path],
        driver=driver,
        database=db,
        workers=2,
        on_progress=lambda row, done, total: progress.append((row.path, done, total)),
    )

    rows = by_name(report, tmp_path)
    assert sorted(rows) == sorted([*good, *bad])
    assert [row.path for row in report.files] == sorted(row.path for row in report.files)
    assert [(done, total) for _, done, total in progress] == [(i, len(rows)) for i in range(1, len(rows) + 1)]
    for name, words in bad.items():
        assert rows[name].status is Status.FAILED, name
        assert words in (rows[name].error or ""), (name, rows[name].error)
    for name, data in good.items():
        assert rows[name].status is Status.OK, (name, rows[name].error)
        assert rows[name].document_id == content_id(data)
    assert (report.ok, report.skipped, report.failed) == (len(good), 0, len(bad))

    # What the report says is what Neo4j holds.
    stored = scalar(driver, db, "MATCH (d:Document) RETURN collect(d.id)")
    assert sorted(stored) == sorted(content_id(data) for data in good.values())
    for name in good:
        row = rows[name]
        mentioned = scalar(
            driver,
            db,
            "MATCH (:Document {id: $id})-[:MENTIONS]->(e:Entity) RETURN count(e)",
            id=row.document_id,
        )
        stated = scalar(
            driver,
            db,
            "MATCH ()-[r:HOSTS|FUNDS|COOPERATES|SETS_TARGET]->() WHERE $id IN r.doc_ids RETURN count(r)",
            id=row.document_id,
        )
        assert (mentioned, stated) == (row.entities, row.relations), name
    # The corpus document names Xuzhou and Huawei: extraction really ran.
    assert rows["a_utf8.txt"].entities > 0
    assert report.entities == sum(row.entities for row in report.files)


def test_asecond_run_skips_unchanged_documents_and_force_rewrites_them(
    tmp_path: Path, driver: Driver, db: str
) -> None:
    good = good_files(tmp_path)
    first = ingest_paths([tmp_path], driver=driver, database=db, workers=2)
    assert first.ok == len(good)
    nodes = scalar(driver, db, "MATCH (n) RETURN count(n)")
    edges = scalar(driver, db, "MATCH ()-[r]->() RETURN count(r)")

    second = ingest_paths([tmp_path], driver=driver, database=db, workers=2)
    assert {row.status for row in second.files} == {Status.SKIPPED}
    assert (second.entities, second.relations) == (0, 0)

    forced = ingest_paths([tmp_path], driver=driver, database=db, workers=1, force=True)
    assert [(row.path, row.status, row.entities) for row in forced.files] == [
        (row.path, Status.OK, row.entities) for row in first.files
    ]
    # Writing the same documents again changes nothing.
    assert scalar(driver, db, "MATCH (n) RETURN count(n)") == nodes
    assert scalar(driver, db, "MATCH ()-[r]->() RETURN count(r)") == edges


def test_two_copies_of_one_document_are_stored_once(tmp_path: Path, driver: Driver, db: str) -> None:
    data = sorted(CORPUS.glob("*.txt"))[0].read_bytes()
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_bytes(data)

    report = ingest_paths([tmp_path], driver=driver, database=db, workers=2)

    statuses = sorted(row.status for row in report.files)
    assert statuses == [Status.OK, Status.SKIPPED]
    skipped = next(row for row in report.files if row.status is Status.SKIPPED)
    assert (skipped.error or "").startswith("same content as")
    assert scalar(driver, db, "MATCH (d:Document) RETURN count(d)") == 1


# --- the command --------------------------------------------------------------------------------------


def innograph(*args: str, server: Any, uri: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `innograph` command against the test server."""
    env = {
        **os.environ,
        "NEO4J_URI": uri or server.uri,
        "NEO4J_USER": server.user,
        "NEO4J_PASSWORD": server.password,
        "NEO4J_DATABASE": server.database,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_reports_failures_with_exit_status_1(tmp_path: Path, neo4j_server: Any, db: str) -> None:
    good = good_files(tmp_path)
    bad = bad_files(tmp_path)

    result = innograph("ingest", str(tmp_path), "--workers", "2", server=neo4j_server)

    assert result.returncode == 1, result.stderr
    assert (
        f"{len(good) + len(bad)} files: {len(good)} ok, 0 skipped (unchanged), {len(bad)} failed"
        in result.stdout
    )
    failures = result.stdout.split("file(s) failed:")[1]
    for name, words in bad.items():
        assert f"{tmp_path / name}: " in failures
        assert words in failures
    assert "Traceback" not in result.stderr


def test_cli_exits_0_when_every_file_is_stored_or_unchanged(
    tmp_path: Path, neo4j_server: Any, db: str
) -> None:
    good_files(tmp_path)
    first = innograph("ingest", str(tmp_path), server=neo4j_server)
    again = innograph("ingest", str(tmp_path / "a_utf8.txt"), str(tmp_path / "sub"), server=neo4j_server)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert "2 files: 0 ok, 2 skipped (unchanged), 0 failed" in again.stdout


@pytest.mark.parametrize(
    ("args", "uri", "message"),
    [
        (["ingest", "{tmp}/nowhere"], None, "no such file or folder"),
        (["ingest", "{tmp}"], None, "nothing to ingest"),
        (["ingest", "{tmp}/a.txt"], "bolt://127.0.0.1:9", "Neo4j"),
        (["ingest", "{tmp}", "--workers", "0"], None, "--workers"),
    ],
)
def test_cli_bad_usage_or_no_database_exits_2_with_one_line(
    tmp_path: Path, neo4j_server: Any, args: list[str], uri: str | None, message: str
) -> None:
    if uri:  # a readable file, so that the run gets as far as the database
        (tmp_path / "a.txt").write_text("徐州高新区", encoding="utf-8")
    result = innograph(*(a.format(tmp=tmp_path) for a in args), server=neo4j_server, uri=uri)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# One actor under its legal and its short name, one zone under its three forms, in separate documents
# (issue 10, failure class 7): each document uses one form only.
ONE_FORM_EACH = {
    "a.txt": "华为技术有限公司入驻西安高新技术产业开发区。",
    "b.txt": "华为与西北工业大学签署合作协议,共建联合实验室。西安国家高新区为其提供场地。",
    "c.txt": "华为落户西安高新区,西安市给予2000万元支持。",
}


def test_legal_and_short_names_meet_in_one_node_across_documents(
    tmp_path: Path, driver: Driver, db: str
) -> None:
    for name, text in ONE_FORM_EACH.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    report = ingest_paths([tmp_path], driver=driver, database=db, workers=1)

    assert all(row.status is Status.OK for row in report.files), report.files
    firms = driver.execute_query(
        "MATCH (n:Enterprise) RETURN n.name AS name, n.aliases AS aliases, size(n.doc_ids) AS docs",
        database_=db,
    ).records
    assert [(r["name"], r["docs"]) for r in firms] == [("华为", 3)]
    assert "华为技术有限公司" in firms[0]["aliases"]
    zones = driver.execute_query(
        "MATCH (n:Park) RETURN n.name AS name, n.aliases AS aliases, size(n.doc_ids) AS docs", database_=db
    ).records
    assert [(r["name"], r["docs"]) for r in zones] == [("西安高新区", 3)]
    assert {"西安高新技术产业开发区", "西安国家高新区"} <= set(zones[0]["aliases"])


# --- --sync: documents whose files are gone ------------------------------------------------------------


def graph_keys(driver: Driver, database: str) -> tuple[set[str], set[str], set[str]]:
    """Document ids, entity keys and relation keys: what two ingests must agree on."""
    docs = {
        r["id"] for r in driver.execute_query("MATCH (d:Document) RETURN d.id AS id", database_=database)[0]
    }
    ents = {r["k"] for r in driver.execute_query("MATCH (e:Entity) RETURN e.key AS k", database_=database)[0]}
    rels = {
        r["k"]
        for r in driver.execute_query("MATCH (:Entity)-[r]->(:Entity) RETURN r.key AS k", database_=database)[
            0
        ]
    }
    return docs, ents, rels


def corpus_copy(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for source in sorted(CORPUS.glob("*.txt"))[:n]:
        paths.append(folder / source.name)
        paths[-1].write_bytes(source.read_bytes())
    return paths


def test_sync_retracts_a_removed_file_and_leaves_what_a_clean_ingest_leaves(
    tmp_path: Path, driver: Driver, db: str
) -> None:
    folder = tmp_path / "docs"
    first, *rest = corpus_copy(folder)
    ingest_paths([folder], driver=driver, database=db, workers=1)
    first.unlink()

    report = ingest_paths([folder], driver=driver, database=db, workers=1, sync=True)

    assert [(row.path, row.status) for row in report.files if row.status is Status.RETRACTED] == [
        (str(first), Status.RETRACTED)
    ]
    assert report.retracted == 1 and report.as_json()["totals"]["retracted"] == 1
    synced = graph_keys(driver, db)
    assert content_id(CORPUS.joinpath(first.name).read_bytes()) not in synced[0]
    # The same as ingesting the remaining files into an empty database.
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=db)
    ingest_paths(rest, driver=driver, database=db, workers=1)
    assert graph_keys(driver, db) == synced


def test_without_sync_a_removed_file_stays_and_sync_keeps_other_folders(
    tmp_path: Path, driver: Driver, db: str
) -> None:
    a, b = corpus_copy(tmp_path / "a", 1), corpus_copy(tmp_path / "b", 2)[1:]
    ingest_paths([tmp_path / "a", tmp_path / "b"], driver=driver, database=db, workers=1)
    a[0].unlink()
    b[0].unlink()

    plain = ingest_paths([tmp_path / "a"], driver=driver, database=db, workers=1)
    assert plain.retracted == 0 and scalar(driver, db, "MATCH (d:Document) RETURN count(d)") == 2
    synced = ingest_paths([tmp_path / "a"], driver=driver, database=db, workers=1, sync=True)
    assert [row.path for row in synced.files if row.status is Status.RETRACTED] == [str(a[0])]
    assert scalar(driver, db, "MATCH (d:Document) RETURN d.source") == str(b[0])  # b was not synced


def test_sync_writes_a_moved_file_under_its_new_path_instead_of_retracting_it(
    tmp_path: Path, driver: Driver, db: str
) -> None:
    (old,) = corpus_copy(tmp_path / "docs", 1)
    ingest_paths([tmp_path / "docs"], driver=driver, database=db, workers=1)
    before = graph_keys(driver, db)
    new = old.with_name("renamed.txt")
    old.rename(new)

    report = ingest_paths([tmp_path / "docs"], driver=driver, database=db, workers=1, sync=True)

    assert [(row.path, row.status) for row in report.files] == [(str(new), Status.OK)]
    assert scalar(driver, db, "MATCH (d:Document) RETURN d.source") == str(new)
    assert graph_keys(driver, db) == before


def test_files_of_the_upload_folder_get_an_uploads_source(tmp_path: Path, driver: Driver, db: str) -> None:
    uploads = tmp_path / "data" / "uploads"
    (path,) = corpus_copy(uploads, 1)
    ingest_paths([uploads], driver=driver, database=db, workers=1, upload_dir=uploads)
    assert scalar(driver, db, "MATCH (d:Document) RETURN d.source") == f"upload:{path.name}"
    path.unlink()
    report = ingest_paths([uploads], driver=driver, database=db, workers=1, upload_dir=uploads, sync=True)
    assert [row.path for row in report.files] == [f"upload:{path.name}"]
    assert scalar(driver, db, "MATCH (d:Document) RETURN count(d)") == 0


def test_cli_sync_with_json_output(tmp_path: Path, neo4j_server: Any, db: str) -> None:
    first, second = corpus_copy(tmp_path, 2)
    assert innograph("ingest", str(tmp_path), server=neo4j_server).returncode == 0
    first.unlink()

    result = innograph("ingest", "--sync", "--json", str(tmp_path), server=neo4j_server)

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [(f["path"], f["status"]) for f in out["files"]] == [
        (str(first), "retracted"),
        (str(second), "skipped-unchanged"),
    ]
    assert out["totals"] | {"seconds": 0} == {
        "files": 2,
        "ok": 0,
        "skipped-unchanged": 1,
        "failed": 0,
        "retracted": 1,
        "entities": 0,
        "relations": 0,
        "pruned": {},
        "seconds": 0,
    }

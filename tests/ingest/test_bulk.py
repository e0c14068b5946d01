"""`innograph ingest --bulk` (ingest/bulk.py) on real Neo4j servers: the same graph as incremental ingest.

The bulk load stops, imports into and starts a server, so it gets one of its own (a second LocalNeo4j in a
temporary home, on free ports); the session's server holds the incremental ingest it is compared with.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase

from graph.config import Settings
from graph.model import Document, Entity, Graph, Label, Relation, RelType, content_id
from graph.server import LocalNeo4j, find_free_ports
from graph.store import apply_schema, write_graph
from ingest.batch import Status, ingest_paths
from ingest.bulk import Role, cell, load_local, plan
from ingest.shards import ShardFailure, peek_documents, read_failures, read_shards, write_shard
from tests.helpers import evidence

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """A LocalNeo4j of the bulk tests' own, not started: a test's load starts it, the test stops it."""
    machine = Settings(_env_file=None)  # type: ignore[call-arg]
    bolt, http = find_free_ports(2)
    server = LocalNeo4j(
        home=tmp_path_factory.mktemp("bulk-neo4j-home"),
        lib=machine.neo4j_lib,
        password=secrets.token_urlsafe(16),
        bolt_port=bolt,
        http_port=http,
        heap=machine.neo4j_heap,
        pagecache=machine.neo4j_pagecache,
        java=machine.java,
        start_timeout_s=machine.neo4j_start_timeout_s,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Any) -> str:
    database: str = neo4j_server.database
    apply_schema(driver, database=database)
    return database


def snapshot(driver: Driver, database: str) -> dict[str, Any]:
    """Every node and relationship with all its properties, by identity (ingested_at left out: a time)."""
    nodes: dict[str, Any] = {}
    for r in driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database
    )[0]:
        props = dict(r["props"])
        props.pop("ingested_at", None)
        identity = props.get("key", props.get("id"))
        assert identity is not None and identity not in nodes
        nodes[identity] = (tuple(sorted(r["labels"])), props)
    rels: dict[tuple[str, str, str, str | None], Any] = {}
    for r in driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
        "coalesce(a.key, a.id) AS a, coalesce(b.key, b.id) AS b",
        database_=database,
    )[0]:
        props = dict(r["props"])
        if "doc_ids" in props:
            # A fact's doc_ids are in write order, and the incremental ingest writes as workers finish.
            props["doc_ids"] = sorted(props["doc_ids"])
        identity = (r["type"], r["a"], r["b"], props.get("key"))
        assert identity not in rels
        rels[identity] = props
    labels = Counter(":".join(labels) for labels, _ in nodes.values())
    types = Counter(identity[0] for identity in rels)
    return {"labels": dict(labels), "types": dict(types), "nodes": nodes, "relationships": rels}


def assert_same_graph(got: dict[str, Any], want: dict[str, Any]) -> None:
    # Counts first (a readable failure), then keys, then every property.
    assert got["labels"] == want["labels"]
    assert got["types"] == want["types"]
    assert set(got["nodes"]) == set(want["nodes"])
    assert set(got["relationships"]) == set(want["relationships"])
    for identity, node in want["nodes"].items():
        assert got["nodes"][identity] == node, identity
    for identity, props in want["relationships"].items():
        assert got["relationships"][identity] == props, identity


def bulk_cli(*args: str, server: LocalNeo4j, data: Path) -> subprocess.CompletedProcess[str]:
    """The real `innograph ingest --bulk …` with the settings of ``server`` (its home, ports, password)."""
    env = {
        **os.environ,
        "NEO4J_URI": server.uri,
        "NEO4J_PASSWORD": server.password,
        "INNOGRAPH_NEO4J_HOME": str(server.home),
        "INNOGRAPH_NEO4J_HTTP_PORT": str(server.http_port),
        "INNOGRAPH_DATA_DIR": str(data),
        "INNOGRAPH_CURATION_DIR": str(data / "curation"),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--bulk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def bolt(server: LocalNeo4j) -> Driver:
    return GraphDatabase.driver(server.uri, auth=(server.user, server.password))


def test_bulk_load_of_the_corpus_is_the_incremental_graph_and_takes_a_new_version(
    tmp_path: Path, driver: Driver, db: str, bulk_server: LocalNeo4j
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    data = tmp_path / "data"
    # The product path: documents extracted on a local Dask cluster of 2 workers, CSV, neo4j-admin, start.
    done = bulk_cli(str(folder), "--workers", "2", server=bulk_server, data=data)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "5 documents" in done.stdout and "Neo4j is stopped again" in done.stdout
    report = ingest_paths([folder], driver=driver, database=db)
    assert report.ok == 5
    incremental = snapshot(driver, db)
    assert incremental["types"]["HOSTS"] > 0 and incremental["labels"]["Entity:Indicator"] > 0

    bulk_server.start()
    try:
        with bolt(bulk_server) as bulk_driver:
            bulk = snapshot(bulk_driver, bulk_server.database)
            assert_same_graph(bulk, incremental)
            # A new version of one document, written incrementally on the bulk-loaded database.
            changed = sorted(folder.glob("*.txt"))[1]
            old_id = content_id(changed.read_bytes())
            text = changed.read_text(encoding="utf-8")
            changed.write_text(text[: len(text) // 2], encoding="utf-8")
            again = ingest_paths([folder], driver=bulk_driver, database=bulk_server.database)
            assert (again.ok, again.skipped) == (1, 4)
            replaced = snapshot(bulk_driver, bulk_server.database)
    finally:
        bulk_server.stop()
    assert old_id not in replaced["nodes"]
    assert not [p for _, p in replaced["nodes"].values() if p.get("document_id") == old_id]
    assert not [p for p in replaced["relationships"].values() if old_id in p.get("doc_ids", [])]
    assert replaced["labels"]["Evidence"] < bulk["labels"]["Evidence"]
    # ... and it is what an incremental ingest of the final set of documents gives.
    with driver.session(database=db) as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    assert ingest_paths([folder], driver=driver, database=db).ok == 5
    assert_same_graph(replaced, snapshot(driver, db))


def version(text: str, source: str, *, level: str) -> Graph:
    """A document stating 徐州 HOSTS (the park it names), 徐州 with a ``level`` property and an alias."""
    doc = Document(id=content_id(text.encode()), source=source, text=text, date=dt.date(2020, 5, 1))
    sentence = text.split("。")[0] + "。"
    park = sentence.removeprefix("徐州").removeprefix("引进").removesuffix("。")
    city = Entity.create(
        label=Label.CITY,
        name="徐州",
        aliases=("徐州市",) if "市" in text else (),
        properties={"level": level},
        evidence=(evidence(doc, sentence),),
    )
    target = Entity.create(label=Label.PARK, name=park, evidence=(evidence(doc, sentence, confidence=0.7),))
    hosts = Relation(
        type=RelType.HOSTS,
        source=city.key,
        target=target.key,
        amount_cny=2e9 if "亿" in text else None,
        properties={"stated": sentence},
        evidence=(evidence(doc, sentence),),
    )
    return Graph(document=doc, entities=(city, target), relations=(hosts,))


def test_versions_and_copies_in_the_input_fold_as_the_writer_writes_them(
    tmp_path: Path, driver: Driver, db: str, bulk_server: LocalNeo4j
) -> None:
    graphs = [
        version("徐州引进甲园。徐州市另有20亿元。", "a.txt", level="prefecture"),  # replaced by the third
        version("徐州引进乙园。", "b.txt", level="city"),
        version("徐州引进丙园。", "a.txt", level="district"),
        version("徐州引进乙园。", "c.txt", level="city"),  # the same content as b.txt: skipped
        version('徐州引进"丁"园。', "d.txt", level="city"),
    ]
    for graph in graphs:
        write_graph(driver, graph, database=db)  # ingest would skip the copy; the writer stores it once
    incremental = snapshot(driver, db)
    shard = tmp_path / "in.graph.jsonl"
    write_shard(shard, graphs, [ShardFailure("bad.pdf", "failed", "cannot read: truncated")])
    report = load_local(bulk_server, [shard], overwrite=True)
    try:
        with bolt(bulk_server) as bulk_driver:
            bulk = snapshot(bulk_driver, bulk_server.database)
    finally:
        bulk_server.stop()
    assert (report.replaced, report.skipped, report.files.documents) == (1, 1, 3)
    assert [f.path for f in report.failures] == ["bad.pdf"]
    # The copy's source is the writer's last word on that id: c.txt there, b.txt (first seen) in ingest.
    assert incremental["nodes"][graphs[1].document.id][1].pop("source") == "c.txt"
    assert bulk["nodes"][graphs[1].document.id][1].pop("source") == "b.txt"
    assert_same_graph(bulk, incremental)
    assert "Park:甲园" not in bulk["nodes"]  # only the replaced version stated it
    city = bulk["nodes"]["City:徐州"][1]
    assert city["aliases"] == [] and city["level"] == "city"


def test_bulk_refuses_a_database_that_is_not_empty(tmp_path: Path, bulk_server: LocalNeo4j) -> None:
    # The earlier tests of this module left a loaded database in the bulk server's home.
    shard = tmp_path / "one.graph.jsonl"
    write_shard(shard, [version("徐州引进戊园。", "e.txt", level="city")])
    done = bulk_cli(str(shard), server=bulk_server, data=tmp_path)
    assert done.returncode == 2
    assert "--bulk loads only into an empty database" in done.stderr and "--overwrite" in done.stderr


def test_shards_round_trip_with_their_report(tmp_path: Path) -> None:
    graphs = [version("徐州引进甲园。", "a.txt", level="city"), version("徐州引进乙园。", "b.txt", level="x")]
    failure = ShardFailure("c.pdf", "failed", "cannot read: truncated")
    shard = tmp_path / "sub" / "part.graph.jsonl"
    assert write_shard(shard, graphs, [failure]) == 2
    assert list(read_shards([tmp_path])) == graphs
    assert list(peek_documents([shard])) == [(g.document.id, g.document.source) for g in graphs]
    assert list(read_failures([tmp_path])) == [failure]


def test_incremental_ingest_reads_shards_like_documents(tmp_path: Path, driver: Driver, db: str) -> None:
    graphs = [version("徐州引进甲园。", "a.txt", level="city"), version("徐州引进乙园。", "b.txt", level="x")]
    write_shard(tmp_path / "x.graph.jsonl", graphs, [ShardFailure("c.pdf", "failed", "truncated")])
    report = ingest_paths([tmp_path], driver=driver, database=db)
    assert [(row.path, row.status) for row in report.files] == [
        ("a.txt", Status.OK),
        ("b.txt", Status.OK),
        ("c.pdf", Status.FAILED),
    ]
    again = ingest_paths([tmp_path], driver=driver, database=db)
    assert (again.ok, again.skipped, again.failed) == (0, 2, 1)


def test_plan_keeps_the_last_version_of_a_source_and_the_first_copy_of_a_content() -> None:
    roles = plan(
        [("1", "a"), ("2", "b"), ("3", "a"), ("2", "c"), ("4", "a"), ("5", "d")], known=frozenset("5")
    )
    assert roles == [Role.REPLACED, Role.STORE, Role.REPLACED, Role.SKIPPED, Role.STORE, Role.SKIPPED]


def test_csv_cells_tell_empty_strings_from_missing_values() -> None:
    assert [cell(None), cell(""), cell('say "hi"'), cell(True), cell(3), cell(0.1)] == [
        "",
        '""',
        '"say ""hi"""',
        "true",
        "3",
        "0.1",
    ]
    assert cell(["a", "b"]) == '"a\x1fb"'
    assert cell(dt.date(2020, 1, 2)) == "2020-01-02"

"""Several `innograph ingest` processes started at once on a fresh database: all succeed and agree.

A fresh database has no schema, so every process races to create the same constraints and indexes, then
the same entities; schema races and deadlocks must be absorbed (retried), never shown to the user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.store import apply_schema
from tests.conftest import Neo4jEndpoint, delete_all_data

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"
PARALLEL = 4
# Words only Neo4j's own messages use: none may reach the user.
RAW_WORDS = ("Neo.", "Forseti", "equivalent", "already exists", "Traceback", "DeadlockDetected")


def _fresh(driver: Driver, database: str) -> None:
    """No data and no schema (Community has one user database: it is emptied instead of created)."""
    delete_all_data(driver, database)
    with driver.session(database=database) as session:
        for record in list(session.run("SHOW CONSTRAINTS YIELD name")):
            session.run(f"DROP CONSTRAINT `{record['name']}` IF EXISTS").consume()
        for record in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
            session.run(f"DROP INDEX `{record['name']}` IF EXISTS").consume()
        left = session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN count(*) AS n")
        assert left.single(strict=True)["n"] == 0


def _counts(driver: Driver, database: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label", database_=database
    )
    nodes = {r["label"]: r["n"] for r in records}
    records, _, _ = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n, sum(coalesce(r.evidence_count, 0)) AS ev "
        "ORDER BY type",
        database_=database,
    )
    relationships = {r["type"]: (r["n"], r["ev"]) for r in records}
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name", database_=database
    )
    return {"nodes": nodes, "relationships": relationships, "constraints": [r["name"] for r in records]}


def _start_ingest(server: Neo4jEndpoint, cwd: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "NEO4J_URI": server.uri,
        "NEO4J_USER": server.user,
        "NEO4J_PASSWORD": server.password,
        "NEO4J_DATABASE": server.database,
        "COLUMNS": "200",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", str(CORPUS), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def fresh_database(driver: Driver, neo4j_server: Neo4jEndpoint) -> Any:
    _fresh(driver, neo4j_server.database)
    yield
    # Leave what every other test expects: the schema in place, no data.
    apply_schema(driver, database=neo4j_server.database)
    delete_all_data(driver, neo4j_server.database)


def test_parallel_ingests_into_a_fresh_database_all_succeed_and_converge(
    driver: Driver, neo4j_server: Neo4jEndpoint, fresh_database: None, tmp_path: Path
) -> None:
    db = neo4j_server.database
    clean = _start_ingest(neo4j_server, tmp_path)
    out, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err
    expected = _counts(driver, db)
    assert expected["nodes"].get("Document") == len(list(CORPUS.iterdir()))
    assert expected["constraints"]

    _fresh(driver, db)
    runs = [_start_ingest(neo4j_server, tmp_path) for _ in range(PARALLEL)]
    results = [(run, *run.communicate(timeout=600)) for run in runs]

    for run, out, err in results:
        assert run.returncode == 0, f"exit {run.returncode}\n{out}\n{err}"
        for word in RAW_WORDS:
            assert word not in out + err, f"{word!r} reached the user:\n{out}\n{err}"
    assert _counts(driver, db) == expected

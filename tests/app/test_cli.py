"""The `innograph` command's script-facing parts: --version, --json of ingest, analyse and eval, and
eval --min-f1 as an exit status (ingest --sync and --json against files: tests/ingest/test_batch.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from app.cli import app
from graph.config import ROOT, get_settings
from tests.app.conftest import load_seed
from tests.conftest import Neo4jEndpoint

GOLD = ["eval", "--gold", str(ROOT / "data" / "gold"), "--docs", str(ROOT / "data" / "corpus")]


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def env_for_test_neo4j(monkeypatch: pytest.MonkeyPatch, neo4j_server: Neo4jEndpoint) -> Iterator[None]:
    """The command's settings (read from the environment) pointing at the test Neo4j."""
    for name, value in (
        ("NEO4J_URI", neo4j_server.uri),
        ("NEO4J_USER", neo4j_server.user),
        ("NEO4J_PASSWORD", neo4j_server.password),
        ("NEO4J_DATABASE", neo4j_server.database),
    ):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_version_is_the_installed_packages(cli: CliRunner) -> None:
    result = cli.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"innograph {version('innograph')}"


def test_eval_json_gives_the_figures_the_tables_show(cli: CliRunner) -> None:
    result = cli.invoke(app, [*GOLD, "--json", "--by-rule"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["documents"] == 3
    assert set(out["labels"]) == {"City", "Park", "Institute", "Enterprise", "Policy"}
    assert set(out["types"]) == {"HOSTS", "FUNDS", "COOPERATES"}
    macro = sum(v["f1"] for v in out["labels"].values()) / 5
    assert out["entity_macro_f1"] == pytest.approx(macro)
    assert out["by_rule"] and {b["kind"] for b in out["bands"]} == {"entity", "relation"}
    table = cli.invoke(app, GOLD)
    assert (
        f"{out['entity_macro_f1']:.3f}" in table.stdout and f"{out['relation_macro_f1']:.3f}" in table.stdout
    )


def test_eval_min_f1_sets_the_exit_status(cli: CliRunner) -> None:
    passed = cli.invoke(app, [*GOLD, "--min-f1", "0.5"])
    assert passed.exit_code == 0, passed.stderr
    failed = cli.invoke(app, [*GOLD, "--min-f1", "0.9", "--json"])
    assert failed.exit_code == 1
    assert "below --min-f1 0.9: relation macro-F1" in failed.stderr
    assert "entity macro-F1" not in failed.stderr  # 0.91 passes
    json.loads(failed.stdout)  # the figures are still printed
    bad = cli.invoke(app, [*GOLD, "--min-f1", "2"])
    assert bad.exit_code == 2 and "--min-f1" in bad.stderr


def test_analyse_json_lists_the_top_actors(
    cli: CliRunner, driver: Driver, neo4j_server: Neo4jEndpoint, env_for_test_neo4j: None
) -> None:
    load_seed(driver, neo4j_server.database)
    result = cli.invoke(app, ["analyse", "--json", "--top", "3", "--no-write"])
    assert result.exit_code == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert out["actors"] == 11 and out["edges"] > 0 and out["stored"] is False
    top = out["top"]["pagerank"]
    assert len(top) == 3 and top[0]["pagerank"] >= top[1]["pagerank"] >= top[2]["pagerank"]
    assert set(top[0]) == {"key", "name", "label", "degree", "pagerank", "betweenness", "community"}

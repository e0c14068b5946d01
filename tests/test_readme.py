"""The README's code that a reader copies runs: its notebook session, against the test Neo4j over the seed
graph, with the settings it reads from the environment pointing there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import Driver

from graph.config import ROOT, get_settings
from tests.app.conftest import load_seed
from tests.conftest import Neo4jEndpoint


def notebook_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the notebook section has one Python block"
    return blocks[0]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, neo4j_server: Neo4jEndpoint) -> Iterator[None]:
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


def test_the_notebook_session_runs(
    driver: Driver, neo4j_server: Neo4jEndpoint, environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    load_seed(driver, neo4j_server.database)
    names: dict[str, Any] = {}
    exec(compile(notebook_block(), "README.md", "exec"), names)
    assert names["around"].number_of_nodes() >= 5
    assert set(names["hosted"].columns) == {"actor", "label", "evidence"}
    assert set(names["hosted"]["actor"]) == {"徐州高新区", "华为", "中兴"}
    assert names["stats"].loc[0, "documents"] == 2
    assert len(names["best"]) >= 4
    assert "actors within two steps of 徐州" in capsys.readouterr().out

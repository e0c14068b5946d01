"""graph/cypher.py: query files load by name only, the schema splits into statements, and every Cypher file
the project ships plans on the real Neo4j (a typo fails here, not on a user's request)."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver

from graph.cypher import CYPHER_DIR, query, statements
from graph.errors import ConfigError
from tests.conftest import Neo4jEndpoint

NAMED = sorted(p for p in CYPHER_DIR.glob("*.cypher") if p.stem != "schema")
EXAMPLES = sorted((CYPHER_DIR / "examples").glob("*.cypher"))


@pytest.mark.parametrize("path", NAMED + EXAMPLES, ids=lambda p: str(Path(p).relative_to(CYPHER_DIR)))
def test_query_file_plans(driver: Driver, neo4j_server: Neo4jEndpoint, path: Path) -> None:
    text = query(path.stem) if path.parent == CYPHER_DIR else path.read_text(encoding="utf-8")
    # EXPLAIN plans without running and without parameter values.
    with driver.session(database=neo4j_server.database) as session:
        summary = session.run(f"EXPLAIN {text}").consume()  # type: ignore[arg-type]  # shipped query text
    assert summary.plan is not None, path.name


def test_schema_statements_are_split_from_the_file() -> None:
    ddl = statements("schema")
    lines = (CYPHER_DIR / "schema.cypher").read_text(encoding="utf-8").splitlines()
    assert len(ddl) == sum(line.startswith("CREATE") for line in lines)
    assert all(s.startswith("CREATE") and not s.endswith(";") for s in ddl)


def test_cypher_files_are_loaded_by_name_only() -> None:
    assert query("write_entities").startswith("//")
    with pytest.raises(ConfigError, match="not a Cypher file name"):
        query("../STORAGE")
    with pytest.raises(ConfigError, match="missing"):
        query("no_such_query")
    assert all(Path(CYPHER_DIR / f"{name}.cypher").exists() for name in ("gc_entities", "gc_relations"))

"""Schemathesis against the OpenAPI schema, over the corpus ingested through the real pipeline: no 5xx.

Every operation gets ``FUZZ_EXAMPLES`` valid and as many invalid generated requests, derandomised so a
failure reproduces; a minute or two on two cores. Each response must not be a server error and must
pass schemathesis' response checks (documented status code, content type and schema).
The strategies are driven by Hypothesis directly: schemathesis' own pytest plugin does not run on pytest 9.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from neo4j import Driver
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app
from graph.config import Settings
from tests.app.conftest import api_settings, load_corpus
from tests.conftest import Neo4jEndpoint

# Generated requests per operation and mode; `make fuzz` raises it (INNOGRAPH_FUZZ_EXAMPLES) for a long run.
FUZZ_EXAMPLES = int(os.environ.get("INNOGRAPH_FUZZ_EXAMPLES", "100"))
# Requests sent and server errors met over the module; printed at its end (`make fuzz` shows it).
SENT: Counter[str] = Counter()
# Operations that answer 400 to some schema-valid requests by design (a Cypher syntax error, a path from
# an entity to itself or one with every type left out, an unreadable upload, a single city to compare,
# suggestions for a query of spaces): schemathesis' "valid data accepted" check does not apply.
REJECTS_VALID_DATA = frozenset(
    {
        "POST /cypher",
        "GET /paths",
        "GET /export/paths",
        "POST /documents",
        "GET /compare",
        "GET /entities/suggest",
    }
)


def _operations() -> tuple[list[str], list[str]]:
    """All operations, and those an invalid request can be built for (a constrained parameter or a body)."""
    spec = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]  # no database needed
    every, constrained = [], []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            label = f"{method.upper()} {path}"
            every.append(label)
            schemas = [p.get("schema", {}) for p in op.get("parameters", [])]
            if "requestBody" in op or any(set(s) - {"type", "title", "description"} for s in schemas):
                constrained.append(label)
    return sorted(every), sorted(constrained)


OPERATIONS, CONSTRAINED = _operations()
CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS]
CASES += [(label, GenerationMode.NEGATIVE) for label in CONSTRAINED]


@pytest.fixture(scope="module")
def corpus(driver: Driver, neo4j_server: Neo4jEndpoint) -> int:
    return load_corpus(driver, neo4j_server.database)


@pytest.fixture(scope="module")
def fuzz_app(_session_settings: Settings, corpus: int) -> Iterator[FastAPI]:
    # A short query time limit keeps generated Cypher from holding the run up.
    yield create_app(api_settings(_session_settings, cypher_timeout_s=1.0))


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    # print, not logging: `make fuzz` runs pytest -s to show this one line of figures.
    print(f"\nfuzz: {SENT['requests']} requests, {SENT['5xx']} 5xx, {FUZZ_EXAMPLES} examples per case")


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_no_server_errors(api_schema: schemathesis.BaseSchema, label: str, mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    excluded: list[Any] = [positive_data_acceptance] if label in REJECTS_VALID_DATA else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        response = case.call()
        SENT["requests"] += 1
        SENT["5xx"] += response.status_code >= 500
        assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:500]}"
        case.validate_response(response, excluded_checks=excluded)

    check()


# Pieces of Cypher, including the lexer's edge cases (open comments and quotes, escapes, odd numbers).
CYPHER_PIECES = [
    "MATCH",
    "(n)",
    "(n:Entity)",
    "-[r]->",
    "RETURN",
    "n",
    "r",
    "WHERE",
    "n.name",
    "=",
    "CONTAINS",
    "'徐州'",
    "1",
    "0x1F",
    "1e309",
    "1.5e",
    "$p",
    "$",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ".",
    ":",
    "|",
    "*",
    "..",
    "/*",
    "*/",
    "//",
    "\n",
    "'",
    '"',
    "`",
    "\\",
    "\\u12",
    "'\\q'",
    "WITH",
    "UNWIND",
    "AS",
    "x",
    "CALL",
    "db.labels()",
    "YIELD",
    "label",
    "ORDER BY",
    "LIMIT",
    "-1",
    "COUNT",
    "{ MATCH (m) }",
    "EXISTS",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "OPTIONAL",
    "shortestPath",
    "null",
    "NaN",
    "∞",
    "\x00",
    "\u2028",
    ";",
]


def test_cypher_endpoint_answers_any_text_without_server_errors(fuzz_app: FastAPI) -> None:
    from fastapi.testclient import TestClient
    from hypothesis import strategies as st

    pieces = st.lists(st.sampled_from(CYPHER_PIECES) | st.text(max_size=3), min_size=1, max_size=12)

    @given(query=pieces.map(" ".join), joined=pieces.map("".join))
    @settings(max_examples=FUZZ_EXAMPLES * 3, deadline=None, derandomize=True, database=None)
    def check(query: str, joined: str) -> None:
        for text in (query, joined):
            if not text.strip():
                continue
            response = client.post("/cypher", json={"query": text, "params": {"p": 1}})
            assert response.status_code < 500, f"{text!r}: {response.status_code} {response.text[:500]}"
            assert response.json().get("detail") or "rows" in response.json()

    with TestClient(fuzz_app) as client:
        check()

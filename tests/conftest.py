"""Fixtures every storage and API test stands on: a real Neo4j for the session, a driver, a clean database.

The session starts its own Neo4j (graph.server.LocalNeo4j) on free ports in a temporary home, on first use,
and stops it at the end whatever happened. Set INNOGRAPH_TEST_NEO4J_URI (with _USER, _PASSWORD, _DATABASE)
to run against another Neo4j 5 instead: the tests WIPE that database. INNOGRAPH_TEST_NEO4J_SCHEME=neo4j
reaches the local server through a routing URI (neo4j://, the driver a cluster or Aura needs), as the second
pass of `make test` does. A server that cannot start is an error, never a skip. Settings here ignore
`.env` so a developer's file cannot change what the tests see.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from neo4j import Driver

from graph.config import Settings
from graph.db import open_driver, server_info
from graph.errors import ConfigError, InnographError
from graph.server import LocalNeo4j, Neo4jStartFailed, find_free_ports

EXTERNAL_URI = "INNOGRAPH_TEST_NEO4J_URI"
SCHEME = "INNOGRAPH_TEST_NEO4J_SCHEME"
_SERVER_LINE = pytest.StashKey[str]()


@dataclass(frozen=True)
class Neo4jEndpoint:
    """Where the test Neo4j is and how to log in; ``where`` says whether the tests started it."""

    uri: str
    user: str
    password: str
    database: str
    where: str


def settings_for(endpoint: Neo4jEndpoint) -> Settings:
    """Settings pointing at ``endpoint``, with everything else at its default (`.env` ignored)."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        NEO4J_URI=endpoint.uri,
        NEO4J_USER=endpoint.user,
        NEO4J_PASSWORD=endpoint.password,
        NEO4J_DATABASE=endpoint.database,
    )


def delete_all_data(driver: Driver, database: str) -> None:
    """Delete every node and relationship in ``database``; constraints and indexes stay."""
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def pytest_report_header(config: pytest.Config) -> str:
    uri = os.environ.get(EXTERNAL_URI)
    if uri:
        return f"neo4j: external server {uri} ({EXTERNAL_URI}); its database is wiped by the tests"
    scheme = os.environ.get(SCHEME) or "bolt"
    return f"neo4j: a local server is started by the tests on first use (LocalNeo4j), via {scheme}://"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    line = config.stash.get(_SERVER_LINE, None)
    if line is not None:
        terminalreporter.write_sep("-", "neo4j")
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def neo4j_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Neo4jEndpoint]:
    """The session's Neo4j: started here (stopped at the end), or the one INNOGRAPH_TEST_NEO4J_URI names."""
    uri = os.environ.get(EXTERNAL_URI)
    if uri:
        endpoint = Neo4jEndpoint(
            uri=uri,
            user=os.environ.get("INNOGRAPH_TEST_NEO4J_USER", "neo4j"),
            password=os.environ.get("INNOGRAPH_TEST_NEO4J_PASSWORD", "innograph-dev"),
            database=os.environ.get("INNOGRAPH_TEST_NEO4J_DATABASE", "neo4j"),
            where=f"external ({EXTERNAL_URI})",
        )
        _announce(request.config, endpoint)
        yield endpoint
        return
    server, seconds = _start_local_server(tmp_path_factory)
    try:
        endpoint = Neo4jEndpoint(
            uri=_with_scheme(server.uri, os.environ.get(SCHEME) or "bolt"),
            user=server.user,
            password=server.password,
            database=server.database,
            where=f"local, started by the tests in {seconds:.1f} s, home {server.home}",
        )
        _announce(request.config, endpoint)
        yield endpoint
    finally:
        server.stop()


def _with_scheme(uri: str, scheme: str) -> str:
    """``uri`` (bolt://host:port) with another Neo4j scheme: neo4j:// routes through the server's routing
    table, which a single Community server also serves (itself as reader and writer)."""
    if scheme not in ("bolt", "neo4j"):
        raise pytest.UsageError(f"{SCHEME}={scheme} is not usable: use bolt or neo4j")
    return scheme + uri[uri.index("://") :]


@pytest.fixture(scope="session")
def _session_settings(neo4j_server: Neo4jEndpoint, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # A data folder of their own, so that uploads and corrections in tests never land in the checkout's data/.
    data = tmp_path_factory.mktemp("data")
    return settings_for(neo4j_server).model_copy(update={"data_dir": data, "curation_dir": data / "curation"})


@pytest.fixture
def settings(_session_settings: Settings) -> Settings:
    """Settings pointing at the test Neo4j; a fresh copy per test, so a test may change it freely."""
    return _session_settings.model_copy(deep=True)


@pytest.fixture(scope="session")
def driver(_session_settings: Settings) -> Iterator[Driver]:
    """One driver for the whole session, opened the way the app opens it (graph.db.open_driver)."""
    drv = open_driver(_session_settings)
    try:
        yield drv
    finally:
        drv.close()


@pytest.fixture
def clean_db(driver: Driver, neo4j_server: Neo4jEndpoint) -> None:
    """An empty database (schema kept) at the start of the test."""
    delete_all_data(driver, neo4j_server.database)


def _start_local_server(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalNeo4j, float]:
    """Start a LocalNeo4j on free ports; (server, seconds to start). Failing fails the tests, never skips."""
    machine = Settings(_env_file=None)  # type: ignore[call-arg]  # jars, Java, heap: as the app would use
    home = tmp_path_factory.mktemp("neo4j-home")
    for attempt in range(3):  # a free port may be taken by someone else before Neo4j binds it
        bolt_port, http_port = find_free_ports(2)
        server = LocalNeo4j(
            home=home,
            lib=machine.neo4j_lib,
            password=secrets.token_urlsafe(16),
            bolt_port=bolt_port,
            http_port=http_port,
            heap=machine.neo4j_heap,
            pagecache=machine.neo4j_pagecache,
            java=machine.java,
            start_timeout_s=machine.neo4j_start_timeout_s,
        )
        started = time.monotonic()
        try:
            server.start()
        except ConfigError as e:
            if "is in use" in str(e) and attempt < 2:
                continue
            pytest.fail(f"cannot start Neo4j for the tests: {e}", pytrace=False)
        except Neo4jStartFailed as e:
            pytest.fail(f"cannot start Neo4j for the tests: {e}\n{e.log_tail}", pytrace=False)
        except InnographError as e:
            pytest.fail(f"cannot start Neo4j for the tests: {e}", pytrace=False)
        return server, time.monotonic() - started
    raise AssertionError("unreachable")


def _announce(config: pytest.Config, endpoint: Neo4jEndpoint) -> None:
    """Say which Neo4j the tests talk to, now and in the summary, so a CI log shows it is a real server."""
    try:
        with open_driver(settings_for(endpoint)) as drv:
            version, edition = server_info(drv)
    except InnographError as e:
        pytest.fail(f"the test Neo4j does not answer: {e}", pytrace=False)
    line = f"Neo4j {version} {edition} at {endpoint.uri}, database {endpoint.database!r} ({endpoint.where})"
    config.stash[_SERVER_LINE] = line
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # fixtures run with output captured
            reporter.ensure_newline()
            reporter.write_line(f"[neo4j] {line}")

"""graph.db: drivers to the session's real Neo4j, and a one-line error for each way a connection fails."""

from __future__ import annotations

import re

import pytest
from neo4j import Driver
from pydantic import SecretStr

from graph.config import Settings
from graph.db import open_driver, server_info
from graph.errors import ConfigError, Neo4jUnavailable
from graph.server import find_free_ports
from tests.conftest import Neo4jEndpoint, delete_all_data

ROUTING = {"bolt": "neo4j", "bolt+s": "neo4j+s", "bolt+ssc": "neo4j+ssc"}


def _one_line(message: str) -> str:
    assert "\n" not in message and message.strip() == message
    return message


def _jar_version() -> str:
    """The Neo4j version of the jars the local test server runs, read from the jar's file name."""
    lib = Settings(_env_file=None).neo4j_lib  # type: ignore[call-arg]
    names = [
        m.group(1) for p in lib.glob("neo4j-*.jar") if (m := re.fullmatch(r"neo4j-(\d[\d.]*)\.jar", p.name))
    ]
    assert len(names) == 1, names
    return names[0]


def test_open_driver_reaches_the_session_server(settings: Settings, neo4j_server: Neo4jEndpoint) -> None:
    with open_driver(settings) as driver:
        version, edition = server_info(driver)
    assert version.startswith("5.") and edition in {"community", "enterprise"}
    if neo4j_server.where.startswith("local"):
        assert (version, edition) == (_jar_version(), "community")


def test_routing_scheme_reads_and_writes(settings: Settings, clean_db: None) -> None:
    # neo4j:// asks the server for a routing table: this works only if it advertises a reachable address.
    scheme, rest = settings.neo4j_uri.split("://", 1)
    routed = settings.model_copy(update={"neo4j_uri": f"{ROUTING.get(scheme, scheme)}://{rest}"})
    with open_driver(routed) as driver:
        driver.execute_query(
            "CREATE (:Probe {via: $uri})", uri=routed.neo4j_uri, database_=routed.neo4j_database
        )
        records = driver.execute_query(
            "MATCH (p:Probe) RETURN p.via AS via", database_=routed.neo4j_database, routing_="r"
        ).records
    assert [r["via"] for r in records] == [routed.neo4j_uri]


def test_wrong_password(settings: Settings) -> None:
    # Once only: Neo4j locks a user out for a few seconds after 3 failed logins.
    bad = settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    with pytest.raises(Neo4jUnavailable) as e:
        open_driver(bad)
    msg = _one_line(str(e.value))
    assert f"Neo4j at {settings.neo4j_uri} refused user 'neo4j'" in msg and "NEO4J_PASSWORD" in msg
    assert "not-the-password" not in msg


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unreachable(settings: Settings, scheme: str) -> None:
    (port,) = find_free_ports(1)
    uri = f"{scheme}://127.0.0.1:{port}"
    with pytest.raises(Neo4jUnavailable) as e:
        open_driver(settings.model_copy(update={"neo4j_uri": uri}))
    assert _one_line(str(e.value)) == (
        f"cannot reach Neo4j at {uri}: start it with `make run` or set NEO4J_URI"
    )


def test_tls_uri_to_a_server_without_tls(settings: Settings) -> None:
    (port,) = find_free_ports(1)
    uri = f"neo4j+s://127.0.0.1:{port}"
    with pytest.raises(Neo4jUnavailable) as e:
        open_driver(settings.model_copy(update={"neo4j_uri": uri}), timeout_s=2.0)
    msg = _one_line(str(e.value))
    assert f"cannot reach Neo4j at {uri}" in msg and "needs a server with TLS" in msg


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("http://127.0.0.1:7474", "is not a Neo4j URI"),
        ("127.0.0.1:7687", "is not a Neo4j URI"),
        ("", "is not a Neo4j URI"),
        ("bolt://", "has no host"),
        ("bolt://127.0.0.1:seven", "has an invalid port"),
    ],
)
def test_bad_uri(settings: Settings, uri: str, problem: str) -> None:
    with pytest.raises(ConfigError) as e:
        open_driver(settings.model_copy(update={"neo4j_uri": uri}))
    msg = _one_line(str(e.value))
    assert msg.startswith(f"NEO4J_URI={uri} {problem}") and "bolt://127.0.0.1:7687" in msg


def test_unknown_database(settings: Settings) -> None:
    with pytest.raises(ConfigError) as e:
        open_driver(settings.model_copy(update={"neo4j_database": "nosuchdb"}))
    msg = _one_line(str(e.value))
    assert f"database 'nosuchdb' does not exist on {settings.neo4j_uri}" in msg and "NEO4J_DATABASE" in msg


def test_delete_all_data_keeps_the_schema(
    driver: Driver, neo4j_server: Neo4jEndpoint, clean_db: None
) -> None:
    db = neo4j_server.database
    driver.execute_query(
        "CREATE CONSTRAINT probe_key_test IF NOT EXISTS FOR (p:Probe) REQUIRE p.key IS UNIQUE", database_=db
    )
    try:
        driver.execute_query(
            "UNWIND range(1, 25) AS i CREATE (:Probe {key: i})-[:NEXT]->(:Other)", database_=db
        )
        delete_all_data(driver, db)
        counts = driver.execute_query(
            "RETURN COUNT { (n) } AS nodes, COUNT { ()-[]->() } AS rels", database_=db
        ).records[0]
        names = driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=db).records
        assert (counts["nodes"], counts["rels"]) == (0, 0)
        assert "probe_key_test" in {r["name"] for r in names}
    finally:
        driver.execute_query("DROP CONSTRAINT probe_key_test IF EXISTS", database_=db)


def test_a_lockout_of_our_own_user_says_what_to_do() -> None:
    from neo4j.exceptions import Neo4jError

    from graph.db import is_lockout, wrap_driver_error
    from graph.store import StoreError

    error = Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Security.AuthenticationRateLimit",
        message="The client has provided incorrect authentication details too many times in a row.",
    )
    assert is_lockout(error)
    wrapped = wrap_driver_error(error, "read the graph", StoreError)
    assert isinstance(wrapped, Neo4jUnavailable)
    assert "locked" in str(wrapped) and "retry in 5 s" in str(wrapped) and "Neo." not in str(wrapped)


def test_a_deadlock_that_outlasts_the_retries_reads_without_neo4j_words() -> None:
    from neo4j.exceptions import Neo4jError

    from graph.db import wrap_driver_error
    from graph.store import StoreError

    error = Neo4jError._hydrate_neo4j(
        code="Neo.TransientError.Transaction.DeadlockDetected",
        message="ForsetiClient[transactionId=124, clientId=1] can't acquire UpdateLock",
    )
    wrapped = wrap_driver_error(error, "write document d1", StoreError)
    assert isinstance(wrapped, StoreError)
    assert "Forseti" not in str(wrapped) and "run it again" in str(wrapped)

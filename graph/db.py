"""Connections to Neo4j: one driver per process, checked on open; library errors become one-line messages.

NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE point the project at any Neo4j 5: the local
server (`make run`), Docker (`docker compose up`) or a remote one (``neo4j+s://…``).
"""

from __future__ import annotations

import logging
from typing import LiteralString
from urllib.parse import urlsplit

from neo4j import READ_ACCESS, Driver, GraphDatabase, NotificationMinimumSeverity, RoutingControl, Session
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.config import Settings
from graph.errors import ConfigError, InnographError, Neo4jUnavailable

logger = logging.getLogger(__name__)

SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
# A system procedure every Neo4j 5 has; too small to deserve a cypher/ file of its own.
_SERVER_INFO: LiteralString = (
    "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition"
)


# Our queries name relationship types a store may not have yet (SETS_TARGET before any policy target is
# ingested, FUNDS in a fresh database): Neo4j then attaches a warning to every result, which the driver
# logs per query, costing CPU on the hot API paths and telling nobody anything to do.
QUIET = NotificationMinimumSeverity.OFF


def read_session(driver: Driver, database: str, *, fetch_size: int = 1000) -> Session:
    """A session whose transactions are routed to a reader (a follower or read replica on a cluster,
    the server itself on one machine). It shares the driver's bookmarks with write_session and
    ``execute_query``, so a read after a write of this process sees that write, whichever member serves it.
    """
    return driver.session(
        database=database,
        default_access_mode=READ_ACCESS,
        bookmark_manager=driver.execute_query_bookmark_manager,
        notifications_min_severity=QUIET,
        fetch_size=fetch_size,
    )


def write_session(driver: Driver, database: str) -> Session:
    """A session for managed write transactions (``execute_write``), routed to the database's writer; it
    shares the driver's bookmarks with read_session (causal consistency on a cluster)."""
    return driver.session(
        database=database,
        bookmark_manager=driver.execute_query_bookmark_manager,
        notifications_min_severity=QUIET,
    )


def open_driver(settings: Settings, *, timeout_s: float = 5.0) -> Driver:
    """A driver for ``settings``' Neo4j, proven by a read on its database; ConfigError/Neo4jUnavailable."""
    uri = settings.neo4j_uri
    check_uri(uri)
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    try:
        driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=timeout_s,
            user_agent="innograph",
            notifications_min_severity=QUIET,
        )
    except (ConfigurationError, ValueError) as e:
        raise ConfigError(f"NEO4J_URI={uri} is not usable: {e}") from e
    try:
        driver.verify_connectivity()
        # Connectivity alone does not prove the database exists; a trivial read on it does.
        driver.execute_query("RETURN 1", database_=settings.neo4j_database, routing_=RoutingControl.READ)
    except Exception as e:
        driver.close()
        raise _explain(e, settings) from e
    except BaseException:
        driver.close()
        raise
    logger.debug("connected to %s (database %s)", uri, settings.neo4j_database)
    return driver


def server_info(driver: Driver) -> tuple[str, str]:
    """The (version, edition) of the Neo4j behind ``driver``, e.g. ('5.26.30', 'community')."""
    records = driver.execute_query(_SERVER_INFO, routing_=RoutingControl.READ).records
    for record in records:
        return str(record["version"]), str(record["edition"])
    raise Neo4jUnavailable("Neo4j did not report its version (dbms.components() returned nothing)")


def check_uri(uri: str) -> None:
    """ConfigError unless ``uri`` is a Neo4j URI with a host (and a numeric port, if any)."""
    example = "use bolt://127.0.0.1:7687, neo4j://host:7687 or neo4j+s://host"
    parts = urlsplit(uri)
    if parts.scheme not in SCHEMES:
        raise ConfigError(f"NEO4J_URI={uri} is not a Neo4j URI: {example}")
    try:
        parts.port  # noqa: B018 (parsing the port is the check)
    except ValueError as e:
        raise ConfigError(f"NEO4J_URI={uri} has an invalid port: {example}") from e
    if not parts.hostname:
        raise ConfigError(f"NEO4J_URI={uri} has no host: {example}")


def _explain(e: Exception, settings: Settings) -> InnographError:
    """The project error, with a message a user can act on, for a library error met while connecting."""
    uri, user, db = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_database
    if isinstance(e, AuthError):
        return Neo4jUnavailable(f"Neo4j at {uri} refused user {user!r}: check NEO4J_USER and NEO4J_PASSWORD")
    if isinstance(e, ClientError) and e.code is not None and "DatabaseNotFound" in e.code:
        return ConfigError(f"database {db!r} does not exist on {uri}: set NEO4J_DATABASE")
    if isinstance(e, ClientError) and e.code is not None and "AuthenticationRateLimit" in e.code:
        return Neo4jUnavailable(
            f"Neo4j at {uri} locked user {user!r} after failed logins: wait a few seconds"
        )
    if isinstance(e, ConfigurationError):
        return ConfigError(f"NEO4J_URI={uri} is not usable: {e}")
    if isinstance(e, Neo4jError):  # the server answered, but not as a usable database
        return Neo4jUnavailable(f"Neo4j at {uri} failed the connection check ({e.code}): {e.message}")
    hint = " (a +s URI needs a server with TLS: try bolt:// or neo4j://)" if "+s" in uri else ""
    return Neo4jUnavailable(f"cannot reach Neo4j at {uri}{hint}: start it with `make run` or set NEO4J_URI")


def wrap_driver_error(
    error: Neo4jError | DriverError, doing: str, failure: type[InnographError], note: str = ""
) -> InnographError:
    """The project error for a driver error met while ``doing`` something: Neo4jUnavailable when the
    server refused us or is gone, else ``failure`` with Neo4j's message (``note`` added, e.g. what was kept).
    """
    if isinstance(error, AuthError):
        return Neo4jUnavailable(
            f"Neo4j refused the credentials to {doing}: check NEO4J_USER and NEO4J_PASSWORD"
        )
    if isinstance(error, ServiceUnavailable | SessionExpired):
        return Neo4jUnavailable(f"cannot reach Neo4j to {doing}: start it (innograph run) or set NEO4J_URI")
    message = error.message if isinstance(error, Neo4jError) else str(error)
    return failure(f"Neo4j could not {doing}{note}: {message}")

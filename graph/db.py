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
    TransientError,
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
# How long managed transactions (execute_read/execute_write) retry transient errors such as deadlocks
# between concurrent ingests; the driver's default of 30 s is short for four large documents at once.
RETRY_TIME_S = 120.0
LOCKOUT_CODE = "AuthenticationRateLimit"


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
    try:
        secret = settings.neo4j_secret()
    except ConfigError:
        # No password known here: a server that cannot be reached is still the first thing to say.
        _raise_if_unreachable(settings, timeout_s)
        raise
    auth = (settings.neo4j_user, secret.get_secret_value())
    try:
        driver = GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=timeout_s,
            user_agent="innograph",
            notifications_min_severity=QUIET,
            max_transaction_retry_time=RETRY_TIME_S,
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


def _raise_if_unreachable(settings: Settings, timeout_s: float) -> None:
    """Neo4jUnavailable if nothing answers Bolt at ``settings.neo4j_uri``; a server that answers passes."""
    try:
        with GraphDatabase.driver(settings.neo4j_uri, connection_timeout=timeout_s) as probe:
            probe.verify_connectivity()
    except (ServiceUnavailable, SessionExpired) as e:
        raise _explain(e, settings) from e
    except (Neo4jError, DriverError, ConfigurationError, ValueError):
        pass  # it answered (and refused a login without a password): the missing password is the error


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
    if is_lockout(e):
        return Neo4jUnavailable(lockout_message(user))
    if isinstance(e, ConfigurationError):
        return ConfigError(f"NEO4J_URI={uri} is not usable: {e}")
    if isinstance(e, Neo4jError):  # the server answered, but not as a usable database
        return Neo4jUnavailable(f"Neo4j at {uri} failed the connection check ({e.code}): {e.message}")
    hint = " (a +s URI needs a server with TLS: try bolt:// or neo4j://)" if "+s" in uri else ""
    return Neo4jUnavailable(f"cannot reach Neo4j at {uri}{hint}: start it with `make run` or set NEO4J_URI")


def is_lockout(error: BaseException) -> bool:
    """Whether ``error`` is Neo4j refusing logins for a while after too many wrong passwords."""
    if not isinstance(error, Neo4jError):
        return False
    return LOCKOUT_CODE in (error.code or "") or "incorrect authentication details too many times" in (
        error.message or ""
    )


def lockout_message(user: str | None) -> str:
    """What to tell the user when Neo4j has locked the project's own user out after failed logins."""
    who = "the project's Neo4j user" if user is None else f"user {user!r}"
    return (
        f"Neo4j has locked {who} for a few seconds after too many failed logins (someone tried "
        "wrong passwords): retry in 5 s; if it keeps happening, check NEO4J_PASSWORD and who else connects"
    )


def wrap_driver_error(
    error: Neo4jError | DriverError, doing: str, failure: type[InnographError], note: str = ""
) -> InnographError:
    """The project error for a driver error met while ``doing`` something: Neo4jUnavailable when the
    server refused us or is gone, else ``failure`` with a message a user can act on (``note`` added, e.g.
    what was kept). Only a client error (about the request itself) carries Neo4j's own words.
    """
    if is_lockout(error):
        return Neo4jUnavailable(lockout_message(None))
    if isinstance(error, AuthError):
        return Neo4jUnavailable(
            f"Neo4j refused the credentials to {doing}: check NEO4J_USER and NEO4J_PASSWORD"
        )
    if isinstance(error, ServiceUnavailable | SessionExpired):
        return Neo4jUnavailable(f"cannot reach Neo4j to {doing}: start it (innograph run) or set NEO4J_URI")
    if isinstance(error, TransientError):
        # Managed transactions already retried it for RETRY_TIME_S: deadlocks or lock waits that persist.
        logger.warning("Neo4j transient error while trying to %s: %s %s", doing, error.code, error.message)
        return failure(
            f"Neo4j was too busy with conflicting work to {doing}{note}, even after retrying for "
            f"{RETRY_TIME_S:.0f} s: run it again when other writes have finished"
        )
    if isinstance(error, Neo4jError) and not isinstance(error, ClientError):
        logger.warning("Neo4j error while trying to %s: %s %s", doing, error.code, error.message)
        return failure(f"Neo4j failed to {doing}{note} ({error.code}): see the Neo4j log, then run it again")
    message = error.message if isinstance(error, Neo4jError) else str(error)
    return failure(f"Neo4j could not {doing}{note}: {message}")

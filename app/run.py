"""`make run`: Neo4j up (started here when NEO4J_URI is local and nothing answers), then the API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from graph.config import Settings
from graph.db import open_driver
from graph.errors import Neo4jUnavailable
from graph.server import LocalNeo4j

logger = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def is_local(uri: str) -> bool:
    """Whether NEO4J_URI names this machine, so that we may start the server ourselves."""
    return (urlsplit(uri).hostname or "") in _LOOPBACK


def neo4j_answers(settings: Settings) -> bool:
    """Whether a Neo4j already answers at NEO4J_URI (a wrong password still raises: that needs the user)."""
    try:
        with open_driver(settings):
            return True
    except Neo4jUnavailable as e:
        logger.debug("no Neo4j at %s yet: %s", settings.neo4j_uri, e)
        return False


@contextmanager
def neo4j_running(settings: Settings) -> Iterator[LocalNeo4j | None]:
    """Yield with Neo4j reachable: reuse one that answers, else start the local one and stop it on exit."""
    if neo4j_answers(settings) or not is_local(settings.neo4j_uri):
        yield None  # an external Neo4j, or one the user started: not ours to stop
        return
    server = LocalNeo4j.from_settings(settings)
    try:
        server.start()
        logger.info("Neo4j is up at %s, Browser at %s/browser/", server.uri, server.http_url)
        yield server
    finally:
        server.stop()
        logger.info("Neo4j stopped")

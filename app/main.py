"""The FastAPI application: ``create_app()`` builds it; its lifespan owns the process's one Neo4j driver.

Errors become JSON ``{"detail": ...}`` with the status a client can act on; never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DatabaseError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from app import api, cities, compare, curation, docs, explorer, limits
from app.explorer import compare as explorer_compare
from app.explorer import documents as explorer_documents
from app.explorer.pages import invalid_request_page, is_page
from graph.config import Settings, get_settings
from graph.cypher_guard import CypherRefused, QueryTimeout, ResultTooLarge
from graph.db import QUIET, RETRY_TIME_S, check_uri, is_lockout, lockout_message, open_driver
from graph.errors import BadInput, Busy, ConfigError, InnographError, Neo4jUnavailable, NotFound

logger = logging.getLogger(__name__)

DESCRIPTION = """\
A knowledge graph of regional innovation actors in China (cities, parks, institutes, enterprises,
policies) and how they host, fund and cooperate with each other, every fact with the sentence it was
read from. Errors are JSON `{"detail": "..."}`.
"""


def _open_driver(settings: Settings) -> Driver:
    """The app's driver; when Neo4j is down it is still returned, unproven, so the app can start,
    answer 503 meanwhile and recover by itself once Neo4j is up (the pool reconnects on demand)."""
    try:
        return open_driver(settings)
    except Neo4jUnavailable as e:
        logger.warning("%s; answering 503 until it is reachable", e)
    check_uri(settings.neo4j_uri)
    auth = (settings.neo4j_user, settings.neo4j_secret().get_secret_value())
    return GraphDatabase.driver(
        settings.neo4j_uri,
        auth=auth,
        connection_timeout=5.0,
        user_agent="innograph",
        notifications_min_severity=QUIET,
        max_transaction_retry_time=RETRY_TIME_S,
    )


def create_app(settings: Settings | None = None, *, apply_schema: bool = True) -> FastAPI:
    """The API app for ``settings`` (default: from the environment).

    With ``apply_schema`` the lifespan creates missing constraints and indexes when Neo4j is up; when it is
    down the app still starts and answers 503 until Neo4j comes back.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = _open_driver(settings)
        app.state.driver = driver
        # /health's own threads: it never waits behind requests holding the shared pool's threads.
        app.state.health_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")
        if apply_schema:
            await run_in_threadpool(_try_apply_schema, driver, settings)
        try:
            yield
        finally:
            app.state.health_pool.shutdown(wait=False, cancel_futures=True)
            driver.close()

    app = FastAPI(
        title="innograph",
        version="0.1.0",
        summary="Regional innovation actors in China, from documents, with evidence",
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN: app.docs serves them from here.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.export_slots = limits.export_slots(settings.max_concurrent_exports)
    app.state.cypher_slots = limits.cypher_slots(settings.max_concurrent_cypher)
    app.include_router(api.router)
    app.include_router(curation.router)  # /curation: the curator's corrections (API key)
    app.include_router(docs.router)  # /docs, /redoc and their assets under /static/docs/
    app.include_router(cities.router)
    app.include_router(explorer.router)  # the HTML explorer: /, /explore/..., /static/explorer/...
    app.include_router(compare.router)  # GET /compare
    app.include_router(explorer_compare.router)  # /explore/compare
    app.include_router(explorer_documents.router)  # /explore/documents, the reader
    _install_error_handlers(app, settings)
    return app


def _try_apply_schema(driver: Driver, settings: Settings) -> None:
    from graph.store import apply_schema

    try:
        apply_schema(driver, database=settings.neo4j_database)
    except InnographError as e:
        logger.warning("schema not applied at start-up (searches need its full-text index): %s", e)


def _status_of(error: Exception) -> int:
    """The HTTP status for an error the project or the driver raised."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Busy):
        return 429
    if isinstance(error, CypherRefused):
        return 403
    if isinstance(error, QueryTimeout):
        return 408
    if isinstance(error, ResultTooLarge):
        return 413
    if isinstance(error, BadInput):
        return 400
    if isinstance(error, Neo4jUnavailable | ConfigError | ServiceUnavailable | SessionExpired | AuthError):
        return 503
    if is_lockout(error):  # our own user locked out by someone's wrong passwords: not the caller's fault
        return 503
    if isinstance(error, Neo4jError):
        code = error.code or ""
        if "TransactionTimedOut" in code:
            return 408
        if code.startswith("Neo.ClientError.Security") or code == "Neo.ClientError.Statement.AccessMode":
            return 403
        if code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":
            return 400
        if isinstance(error, ClientError):
            return 400
        if isinstance(error, TransientError):
            return 503
    return 500


def _message(error: Exception, settings: Settings) -> str:
    if isinstance(error, InnographError):
        return str(error)
    if is_lockout(error):
        return lockout_message(settings.neo4j_user)
    if isinstance(error, AuthError):
        return "Neo4j refused the credentials: check NEO4J_USER and NEO4J_PASSWORD"
    if isinstance(error, ServiceUnavailable | SessionExpired):
        return (
            f"Neo4j at {settings.neo4j_uri} cannot be reached: start it (innograph run) "
            "or point NEO4J_URI at a running server"
        )
    if isinstance(error, Neo4jError):
        code = error.code or ""
        if code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":
            return "the query needs more memory than Neo4j allows: narrow it or add LIMIT"
        if code == "Neo.ClientError.Statement.AccessMode":
            return "writes are not allowed here: the endpoint only reads the graph"
        if isinstance(error, TransientError):
            return "Neo4j is busy with conflicting work: try again in a few seconds"
        if isinstance(error, DatabaseError):
            return f"Neo4j failed to run the query ({code}): try again; the Neo4j log has the details"
        return error.message or code
    return "internal error: the server log has the details"


def _install_error_handlers(app: FastAPI, settings: Settings) -> None:
    async def handle(request: Request, error: Exception) -> JSONResponse:
        status = _status_of(error)
        if status >= 500:
            logger.error("%s %s failed: %r", request.method, request.url.path, error, exc_info=error)
        headers = {"Retry-After": "5"} if is_lockout(error) or isinstance(error, TransientError) else None
        if isinstance(error, Busy):
            headers = {"Retry-After": str(error.retry_after_s)}
        return JSONResponse({"detail": _message(error, settings)}, status_code=status, headers=headers)

    async def invalid(request: Request, error: Exception) -> Response:
        # A page's bad query value is answered for a person; the API keeps FastAPI's 422 detail list.
        assert isinstance(error, RequestValidationError)
        if is_page(request.url.path):
            return invalid_request_page(request, error.errors())
        # FastAPI's detail echoes the input, and JSON cannot encode a lone surrogate: say what it is instead.
        unreadable = [e for e in error.errors() if e.get("type") == "string_unicode"]
        if unreadable:
            where = ".".join(str(part) for part in unreadable[0].get("loc", ()))
            return JSONResponse(
                {
                    "detail": f"{where} holds a character that is not valid Unicode "
                    "(a lone surrogate such as \\ud800): remove it"
                },
                status_code=400,
            )
        return await request_validation_exception_handler(request, error)

    app.add_exception_handler(RequestValidationError, invalid)
    for kind in (InnographError, Neo4jError, DriverError):
        app.add_exception_handler(kind, handle)
    # Anything else is a bug: still JSON, still no stack trace to the client.
    app.add_exception_handler(Exception, handle)

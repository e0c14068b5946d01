"""FastAPI dependencies: the one driver, the settings the app was created with, the API key check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from neo4j import Driver

from graph.config import Settings


# Async although they do not await: FastAPI runs a sync dependency in the threadpool, one thread hop per
# request each, while these only read app.state.
async def get_driver(request: Request) -> Driver:
    """The process's Neo4j driver, opened by the app's lifespan."""
    driver: Driver = request.app.state.driver
    return driver


async def get_app_settings(request: Request) -> Settings:
    """The settings ``create_app`` was given (tests pass their own)."""
    settings: Settings = request.app.state.settings
    return settings


DriverDep = Annotated[Driver, Depends(get_driver)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


# auto_error off: a missing key gets our own message (and 503 when no key is configured at all), not
# FastAPI's bare 403. Declared as a security scheme, /docs shows "Authorize" for the routes that need it.
api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="the key set in INNOGRAPH_API_KEY; needed to change the graph (upload, delete, correct)",
)


async def require_api_key(
    settings: SettingsDep, given: Annotated[str | None, Security(api_key_header)]
) -> None:
    """503 when INNOGRAPH_API_KEY is unset, 401 when the X-API-Key header is missing or wrong."""
    expected = settings.api_key.get_secret_value() if settings.api_key else None
    if not expected:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "set INNOGRAPH_API_KEY to enable uploads, deletes and corrections",
        )
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong X-API-Key header: send the key set in INNOGRAPH_API_KEY",
            headers={"WWW-Authenticate": "X-API-Key"},
        )


ApiKeyDep = Depends(require_api_key)

"""FastAPI dependencies: the one driver and the settings the app was created with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
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

"""``GET /compare``: cities side by side (graph/compare.py has the rules); a thin route over one function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from app.api import Problem
from app.deps import DriverDep, SettingsDep
from graph import compare
from graph.compare import Comparison

router = APIRouter()

_PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (400, 404, 503)}


@router.get("/compare", responses=_PROBLEMS, tags=["graph"])
async def compare_cities(
    driver: DriverDep,
    settings: SettingsDep,
    cities: Annotated[
        list[str],
        Query(
            description=f"{compare.MIN_CITIES} to {compare.MAX_CITIES} cities by name, alias or key, "
            "comma-separated (cities=徐州,扬州) or repeated (cities=徐州&cities=扬州)",
            examples=["徐州,扬州"],
        ),
    ],
    top: Annotated[
        int, Query(ge=1, le=compare.MAX_TOP, description="brokers per city")
    ] = compare.DEFAULT_TOP,
    policies: Annotated[
        int, Query(ge=0, le=compare.MAX_POLICIES, description="policies per broker")
    ] = compare.DEFAULT_POLICIES,
) -> Comparison:
    """For each city: the actors it hosts per label (directly, through its districts, counties and parks),
    cooperation inside it, with outside partners and across every pair of cities, funding by recipient
    label, its top brokers by betweenness and the policies that name them.

    An unknown city is a 404 naming it; fewer than 2 or more than 8 cities, an empty name or one city named
    twice is a 400. The rules behind every figure are in graph/compare.py and the README.
    """
    refs = compare.parse_cities(cities)
    return await run_in_threadpool(
        compare.compare_cities,
        driver,
        database=settings.neo4j_database,
        cities=refs,
        top=top,
        policies=policies,
    )

"""Target routes of the JSON API: the quantified targets a city's policies set, and one indicator's targets
across cities (the extension of ONTOLOGY.md: ``(:Policy)-[:SETS_TARGET {year, value, unit, comparator,
city}]->(:Indicator)``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool

from app.api import EvidenceLimit, Problem
from app.deps import DriverDep, SettingsDep
from graph import read
from graph.views import CityTargets, IndicatorTargets

router = APIRouter(tags=["targets"])

CityRef = Annotated[
    str, Path(min_length=1, max_length=200, description="a City key (City:徐州), name or alias (徐州市)")
]


@router.get("/cities/{key:path}/targets", responses={404: {"model": Problem}, 503: {"model": Problem}})
async def city_targets(
    key: CityRef, driver: DriverDep, settings: SettingsDep, evidence_limit: EvidenceLimit = 5
) -> CityTargets:
    """The targets the city's policies set, one series per indicator and unit, each point a year with its
    value, unit, comparator, policy and evidence (sentence or table row, document, offsets).

    An unknown city is a 404 that says so; a city without targets has no series.
    """
    return await run_in_threadpool(
        read.city_targets,
        driver,
        database=settings.neo4j_database,
        ref=key,
        evidence_limit=evidence_limit,
    )


IndicatorRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="an Indicator key (Indicator:研发经费支出占GDP比重), name or alias",
    ),
]


@router.get("/indicators/{key:path}/targets", responses={404: {"model": Problem}, 503: {"model": Problem}})
async def indicator_targets(
    key: IndicatorRef, driver: DriverDep, settings: SettingsDep, evidence_limit: EvidenceLimit = 5
) -> IndicatorTargets:
    """One indicator across cities: every target set for it, one series per city and unit, each point a
    year with its value, unit, comparator, policy and evidence. An unknown indicator is a 404 that says so.
    """
    return await run_in_threadpool(
        read.indicator_targets,
        driver,
        database=settings.neo4j_database,
        ref=key,
        evidence_limit=evidence_limit,
    )

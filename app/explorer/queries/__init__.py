"""Read queries the explorer needs beyond graph.read: multi-hop neighbourhoods, degrees, edges by key.

The Cypher text is in ``cypher/explore_<name>.cypher``, loaded by name; values go in parameters.
Everything else (search, entity detail, paths, stats) comes from graph.read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from graph.cypher import query
from graph.errors import NotFound
from graph.model import CORE_LABELS, CORE_TYPES, Label, RelType
from graph.read import no_key_message, run_read
from graph.views import EvidenceView

from ..viz import EdgeView, NodeView

# Every label and type (search, the Cypher page's legend), the extension Indicator / SETS_TARGET included;
# the neighbourhood drawings and their filters show the actor network: the core labels and types.
ALL_LABELS: tuple[str, ...] = tuple(label.value for label in Label)
ALL_TYPES: tuple[str, ...] = tuple(t.value for t in RelType)
ACTOR_LABELS: tuple[str, ...] = tuple(label.value for label in CORE_LABELS)
ACTOR_TYPES: tuple[str, ...] = tuple(t.value for t in CORE_TYPES)


@dataclass(frozen=True)
class Neighbourhood:
    """Relationships around ``key`` (``total`` matched, ``edges`` the first ``limit``) and their end nodes."""

    key: str
    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    total: int
    hops: dict[str, int]


def _edge(row: dict[str, Any]) -> EdgeView:
    return EdgeView(
        key=row["key"],
        type=row["type"],
        source=row["source"],
        target=row["target"],
        amount_cny=row.get("amount_cny"),
        confidence=row.get("confidence"),
        evidence=tuple(EvidenceView.model_validate(ev) for ev in row.get("evidence") or ()),
    )


def nodes_by_key(driver: Driver, *, database: str, keys: Sequence[str]) -> tuple[NodeView, ...]:
    """The entities of ``keys`` (unknown keys skipped) with their degree, in the order given."""
    records = run_read(driver, query("explore_nodes"), database=database, keys=list(dict.fromkeys(keys)))
    found = {
        r["key"]: NodeView(
            key=r["key"], name=r["name"], label=r["label"], degree=r["degree"], aliases=tuple(r["aliases"])
        )
        for r in records
    }
    return tuple(found[k] for k in dict.fromkeys(keys) if k in found)


def neighbourhood(
    driver: Driver,
    *,
    database: str,
    key: str,
    depth: int,
    labels: Sequence[str],
    types: Sequence[str],
    limit: int,
    evidence_limit: int = 5,
    min_confidence: float | None = None,
) -> Neighbourhood:
    """Relationships within ``depth`` hops of ``key`` filtered by types, end labels and (``min_confidence``)
    the confidence of their best evidence; NotFound if absent."""
    records = run_read(
        driver,
        query("explore_neighbourhood"),
        database=database,
        key=key,
        depth=depth,
        labels=list(labels),
        types=list(types),
        limit=limit,
        evidence_limit=evidence_limit,
        min_confidence=min_confidence,
    )
    if not records:
        raise NotFound(no_key_message(key))
    record = records[0]
    edges = tuple(_edge(row) for row in record["items"])
    keys = [key, *(k for e in edges for k in (e.source, e.target))]
    nodes = nodes_by_key(driver, database=database, keys=keys)
    hops = {row["key"]: row["hop"] for row in record["items"]}
    return Neighbourhood(key=key, nodes=nodes, edges=edges, total=record["total"], hops=hops)


def shown_filters(label: str) -> tuple[list[str], list[str]]:
    """The labels and types an entity's page draws and offers as filters: an actor's page the actor network,
    an Indicator's the policies that set targets for it."""
    if label == Label.INDICATOR.value:
        return [Label.POLICY.value], [RelType.SETS_TARGET.value]
    return list(ACTOR_LABELS), list(ACTOR_TYPES)


def entity_view(
    driver: Driver,
    *,
    database: str,
    key: str,
    depth: int,
    labels: Sequence[str] | None,
    types: Sequence[str] | None,
    limit: int,
    min_confidence: float | None = None,
) -> Neighbourhood:
    """What an entity's page draws: its neighbourhood with the chosen filters (None: the page's defaults,
    shown_filters); NotFound if the entity is absent."""
    records = run_read(driver, query("read_resolve_entity"), database=database, ref=key)
    if not records or records[0]["entity"]["key"] != key:
        raise NotFound(no_key_message(key))
    shown_labels, shown_types = shown_filters(records[0]["entity"]["label"])
    return neighbourhood(
        driver,
        database=database,
        key=key,
        depth=depth,
        labels=list(labels) if labels else shown_labels,
        types=list(types) if types else shown_types,
        limit=limit,
        min_confidence=min_confidence,
    )


def relationships_by_key(
    driver: Driver, *, database: str, keys: Sequence[str], evidence_limit: int = 5
) -> tuple[EdgeView, ...]:
    """Relationships by fact key with their evidence, in the order given; unknown keys are skipped."""
    records = run_read(
        driver,
        query("explore_relationships_by_key"),
        database=database,
        keys=list(dict.fromkeys(keys)),
        evidence_limit=evidence_limit,
    )
    found = {r["key"]: _edge(dict(r)) for r in records}
    return tuple(found[k] for k in dict.fromkeys(keys) if k in found)


def top_actors(
    driver: Driver, *, database: str, limit: int, label: str | None = None
) -> tuple[NodeView, ...]:
    """The ``limit`` entities with the most relationships, optionally of one label."""
    records = run_read(driver, query("explore_top_actors"), database=database, label=label, limit=limit)
    return tuple(
        NodeView(
            key=r["key"], name=r["name"], label=r["label"], degree=r["degree"], aliases=tuple(r["aliases"])
        )
        for r in records
    )

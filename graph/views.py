"""Read models: what the graph's read queries return, and so what the API serialises.

They mirror cypher/STORAGE.md; every fact is shown with the evidence it came from.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Label, RelType

Direction = Literal["in", "out", "both"]
# The columns the document list can be ordered by (cypher/read_documents.cypher).
DocumentSort = Literal["title", "source", "date", "ingested_at", "entities", "relations", "evidence"]
SortOrder = Literal["asc", "desc"]
T = TypeVar("T")


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class EntityRef(View):
    """An entity as the other end of a relationship or a step of a path."""

    key: str
    label: str
    name: str


class EntitySummary(EntityRef):
    """An entity in a search result; ``exact`` when the query is its name or an alias."""

    aliases: list[str] = Field(default_factory=list)
    evidence_count: int = 0
    score: float | None = None
    exact: bool = False


class EvidenceView(View):
    """A span of a document that supports a fact."""

    fact: str
    kind: str | None = None
    document_id: str
    source: str | None = None
    start: int
    end: int
    sentence: str
    extractor: str | None = None
    note: str | None = None  # a curator's note, on the evidence of a fact they added
    confidence: float | None = None
    amount_cny: float | None = None


class DocumentRef(View):
    id: str
    source: str | None = None
    title: str | None = None
    date: str | None = None


class EntityDetail(View):
    """One entity with its properties, the documents that mention it and a few evidence samples."""

    key: str
    label: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)
    doc_ids: list[str] = Field(default_factory=list)
    documents: list[DocumentRef] = Field(default_factory=list)
    evidence_count: int = 0
    evidence: list[EvidenceView] = Field(default_factory=list)
    degree: dict[str, int] = Field(default_factory=dict, description="relationship count per type")


class RelationshipView(View):
    """A relationship seen from one entity: ``direction`` is out, in, or both for symmetric types.

    ``properties`` holds what else the fact states: for the extension SETS_TARGET its year, value, unit,
    comparator, stated (as written), city and tentative.
    """

    key: str
    type: RelType
    direction: Direction
    source: str
    target: str
    other: EntityRef
    amount_cny: float | None = None
    confidence: float | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    evidence_count: int = 0
    doc_ids: list[str] = Field(default_factory=list)
    evidence: list[EvidenceView] = Field(default_factory=list)


class Page(View, Generic[T]):
    """A page of results: ``total`` counts all matches, ``items`` holds ``limit`` of them from ``offset``."""

    total: int
    limit: int
    offset: int
    items: list[T]


class PathStep(View):
    """One step of a path: the relationship as stored (``source`` → ``target``) and ``direction`` along the
    walk: forward when it runs from the node before it to the node after it, backward when it points the
    other way (徐州高新区 ← HOSTS ← 徐州), both for COOPERATES, which has no direction."""

    key: str
    type: RelType
    source: str
    target: str
    direction: Literal["forward", "backward", "both"] = "forward"
    amount_cny: float | None = None


class PathView(View):
    length: int
    nodes: list[EntityRef]
    relationships: list[PathStep]


class PathsResult(View):
    """Paths between two entities, shortest first, and what they were asked to leave out."""

    source: EntityRef
    target: EntityRef
    max_hops: int
    exclude_labels: list[str] = Field(default_factory=list)
    exclude_types: list[str] = Field(default_factory=list)
    exclude_provinces: bool = False
    paths: list[PathView]


class DocumentSummary(View):
    """An ingested document with what was read from it."""

    id: str
    source: str | None = None
    title: str | None = None
    date: str | None = None
    length: int | None = None
    ingested_at: str | None = None
    entities: int = 0
    relations: int = 0
    evidence: int = 0


class DocumentDetail(DocumentSummary):
    text: str = ""
    mentions: list[EntityRef] = Field(default_factory=list)


class FactRef(View):
    """A relationship named by its type and both ends."""

    type: RelType
    source: EntityRef
    target: EntityRef


class DocumentEvidence(View):
    """A piece of evidence in its document, with the fact it supports: ``entity`` for entity evidence,
    ``relation`` for relation evidence (null when the fact is no longer stored)."""

    fact: str
    kind: str | None = None
    start: int
    end: int
    sentence: str
    extractor: str | None = None
    note: str | None = None  # a curator's note, on the evidence of a fact they added
    confidence: float | None = None
    amount_cny: float | None = None
    entity: EntityRef | None = None
    relation: FactRef | None = None


class Stats(View):
    labels: dict[str, int]
    relation_types: dict[str, int]
    entities: int
    relationships: int
    documents: int
    evidence: int


class Health(View):
    status: Literal["ok"] = "ok"
    neo4j_uri: str
    database: str
    version: str
    edition: str
    nodes: dict[str, int]


class GraphNode(View):
    """A Neo4j node as returned by an ad-hoc Cypher query."""

    id: str
    labels: list[str]
    properties: dict[str, Any]


class GraphRelationship(View):
    id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any]


class CypherResult(View):
    """Rows of a read-only query; ``truncated`` when the row cap cut it short."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    row_cap: int
    nodes: list[GraphNode] = Field(default_factory=list)
    relationships: list[GraphRelationship] = Field(default_factory=list)
    # the stored evidence of each returned relationship, by its fact key (`key` property): a few pieces each
    evidence: dict[str, list[EvidenceView]] = Field(default_factory=dict)


class TargetPoint(View):
    """One target a policy sets: ``value`` (up to ``value_max`` for a range) in ``unit`` by ``year``.

    ``comparator`` is one of =, >, >=, <, <=, ~ (about), range; ``stated`` the value as the document
    writes it (≥12, 超过 30000 件); ``tentative`` when hedged (力争). ``evidence``: the sentence or table
    row it was read from, with its document and offsets.
    """

    key: str
    year: int
    value: float
    value_max: float | None = None
    unit: str
    comparator: str
    stated: str | None = None
    tentative: bool = False
    policy: EntityRef
    evidence: list[EvidenceView] = Field(default_factory=list)


class IndicatorSeries(View):
    """The targets of one indicator in one unit, by year (then policy): one chart. ``city`` is whose
    targets they are when an indicator's series are listed across cities (None: the city asked for)."""

    indicator: EntityRef
    unit: str
    city: EntityRef | None = None
    points: list[TargetPoint]


class CityTargets(View):
    """The quantified targets a city's policies set, one series per indicator and unit."""

    city: EntityRef
    total: int = Field(description="number of targets (points) over all series")
    series: list[IndicatorSeries]


class IndicatorTargets(View):
    """The targets set for one indicator, one series per city and unit: the indicator across cities."""

    indicator: EntityRef
    total: int = Field(description="number of targets (points) over all series")
    series: list[IndicatorSeries]


class IngestResult(View):
    """What an upload stored; ``pruned`` counts extractions dropped, per reason."""

    document_id: str
    source: str
    entities: int
    relations: int
    evidence: int
    pruned: dict[str, int] = Field(default_factory=dict)


class DeleteResult(View):
    """What DELETE /documents/{id} removed; ``file_removed`` is the kept upload file it deleted, if any."""

    document_id: str
    source: str
    title: str | None = None
    nodes_deleted: int
    relationships_deleted: int
    evidence_deleted: int
    file_removed: str | None = None


__all__ = [
    "CityTargets",
    "CypherResult",
    "DeleteResult",
    "Direction",
    "DocumentDetail",
    "DocumentPage",
    "DocumentRef",
    "DocumentSummary",
    "EntityDetail",
    "EntityPage",
    "EntityRef",
    "EntitySummary",
    "EvidenceView",
    "GraphNode",
    "GraphRelationship",
    "Health",
    "IndicatorSeries",
    "IngestResult",
    "Label",
    "Page",
    "PathStep",
    "PathView",
    "PathsResult",
    "RelType",
    "RelationshipPage",
    "RelationshipView",
    "Stats",
    "TargetPoint",
]


# Each page type parametrised once, here: `Page[X]` written at a call site builds (and, once garbage
# collected, rebuilds) a pydantic class per call, which cost a quarter of a millisecond per request.
EntityPage = Page[EntitySummary]
RelationshipPage = Page[RelationshipView]
DocumentPage = Page[DocumentSummary]

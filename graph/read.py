"""Read queries over the stored graph (cypher/STORAGE.md): pure functions of a driver, returning views.

Every query is an auto-commit read in a READ-mode session: no retries, so an unreachable Neo4j fails
fast (the API turns that into a 503) instead of stalling requests for the driver's retry window.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString

import networkx as nx
from neo4j import Driver, Query, Record
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship
from pydantic import TypeAdapter

from graph.cypher import query
from graph.cypher_guard import (
    QueryTimeout,
    ResultTooLarge,
    check_plan,
    check_static,
    check_text,
    missing_parameter_text,
)
from graph.db import read_session
from graph.errors import BadInput, NotFound
from graph.model import CORE_TYPES, Label, RelType
from graph.pinyin import MIN_PINYIN_QUERY, pinyin_key, pinyin_query
from graph.views import (
    CityTargets,
    CypherResult,
    Direction,
    DocumentDetail,
    DocumentEvidence,
    DocumentPage,
    DocumentSort,
    DocumentSummary,
    EntityDetail,
    EntityPage,
    EntityRef,
    EntitySummary,
    EvidenceView,
    GraphNode,
    GraphRelationship,
    IndicatorSeries,
    IndicatorTargets,
    PathsResult,
    PathView,
    RelationshipPage,
    RelationshipView,
    SortOrder,
    Stats,
    TargetPoint,
)

logger = logging.getLogger(__name__)

# The full-text index over Entity name and aliases, created by cypher/schema.cypher.
ENTITY_SEARCH_INDEX = "entity_search"
# Exact alias matches are looked for among this many best-scored full-text hits (exact names among all).
EXACT_ALIAS_WINDOW = 100
# Lucene query syntax characters; a user's query is searched as one escaped phrase.
_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')
# Entity properties shown as such rather than in `properties`.
_ENTITY_FIELDS = frozenset({"key", "label", "name", "aliases", "doc_ids", "evidence_count", "pinyin"})
# Relationship properties shown as such rather than in `properties` (graph/store.py writes them).
_RELATION_FIELDS = frozenset({"key", "doc_ids", "evidence_count", "confidence", "amount_cny"})
MAX_HOPS = 6
# What paths walk along (cypher/read_paths.cypher); COOPERATES is stored once and has no direction.
PATH_TYPES: tuple[str, ...] = tuple(t.value for t in CORE_TYPES)
SYMMETRIC_TYPES = frozenset({RelType.COOPERATES.value})
# One validation call per page rather than one per row: the hot endpoints return 20-200 rows.
_RELATIONSHIPS = TypeAdapter(list[RelationshipView])
_ENTITY_SUMMARIES = TypeAdapter(list[EntitySummary])


def run_read(driver: Driver, cypher: LiteralString | Query, *, database: str, **params: Any) -> list[Record]:
    """Run one read query in a READ-mode auto-commit transaction and return all its records.

    A connection lost since its last use (Neo4j restarted) costs one immediate retry on a fresh one;
    a server that is down fails at once.
    """
    try:
        return _run_read_once(driver, cypher, database, params)
    except (ServiceUnavailable, SessionExpired):
        return _run_read_once(driver, cypher, database, params)


def _run_read_once(
    driver: Driver, cypher: LiteralString | Query, database: str, params: dict[str, Any]
) -> list[Record]:
    with read_session(driver, database) as session:
        return list(session.run(cypher, params))


def _single(records: list[Record]) -> Record:
    if len(records) != 1:
        raise RuntimeError(f"a read query returned {len(records)} rows where one was expected")
    return records[0]


def normalise_query(q: str) -> str:
    """A search string as names are stored: NFKC-normalised, surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", q).strip()


def lucene_phrase(q: str) -> str:
    """``q`` as one Lucene phrase query, special characters escaped, so user input is never syntax."""
    escaped = "".join(f"\\{ch}" if ch in _LUCENE_SPECIAL else ch for ch in q)
    return f'"{escaped}"'


def search_entities(
    driver: Driver, *, database: str, q: str | None, label: str | None, limit: int, offset: int
) -> EntityPage:
    """Entities whose name or an alias contains ``q`` (all entities when ``q`` is empty), exact matches first;
    a query in pinyin (``xuzhou``, ``Xu Zhou``) also finds the names it spells (徐州).

    Full-text (cjk bigrams) first; a query it cannot match (one character, part of a Latin word, pinyin)
    is a CONTAINS scan over names, aliases and pinyin keys.
    """
    needle = normalise_query(q or "")
    params: dict[str, Any] = {"label": label, "limit": limit, "offset": offset}
    if not needle:
        record = _single(run_read(driver, query("read_list_entities"), database=database, **params))
        return _entity_page(record, limit, offset)
    pinyin = pinyin_query(needle)
    if len(needle) > 1 and pinyin is None:
        record = _single(
            run_read(
                driver,
                query("read_search_fulltext"),
                database=database,
                index=ENTITY_SEARCH_INDEX,
                lucene=lucene_phrase(needle),
                q=needle,
                window=EXACT_ALIAS_WINDOW,
                **params,
            )
        )
        if record["total"]:
            return _entity_page(record, limit, offset)
    return _contains(driver, database, needle, pinyin, params)


def sounds_like(
    driver: Driver, *, database: str, q: str, label: str | None, limit: int
) -> list[EntitySummary]:
    """Entities whose name sounds like ``q`` (its pinyin, e.g. 许州 → 徐州): the "did you mean" of a
    search that found nothing. Empty for a query without Chinese characters."""
    needle = normalise_query(q)
    pinyin = pinyin_key(needle)
    if pinyin_query(needle) is not None or len(pinyin) < MIN_PINYIN_QUERY:
        return []  # a Latin query was already searched as pinyin
    params: dict[str, Any] = {"label": label, "limit": limit, "offset": 0}
    return _contains(driver, database, needle, pinyin, params).items


def _contains(
    driver: Driver, database: str, needle: str, pinyin: str | None, params: dict[str, Any]
) -> EntityPage:
    record = _single(
        run_read(
            driver,
            query("read_search_contains"),
            database=database,
            q=needle,
            needle=needle.lower(),
            pinyin=pinyin,
            **params,
        )
    )
    return _entity_page(record, params["limit"], params["offset"])


def _entity_page(record: Record, limit: int, offset: int) -> EntityPage:
    items = _ENTITY_SUMMARIES.validate_python([_entity_row(row) for row in record["items"]])
    return EntityPage(total=record["total"], limit=limit, offset=offset, items=items)


def suggest_entities(driver: Driver, *, database: str, q: str, label: str | None, limit: int) -> EntityPage:
    """Suggestions as a name is typed: the best ``limit`` matches of ``q`` (name, alias or pinyin), else
    the names that sound like it; BadInput when ``q`` is empty."""
    needle = normalise_query(q)
    if not needle:
        raise BadInput("Type at least one character of a name, an alias or its pinyin (e.g. 徐 or xuz).")
    page = search_entities(driver, database=database, q=needle, label=label, limit=limit, offset=0)
    if page.total:
        return page
    similar = sounds_like(driver, database=database, q=needle, label=label, limit=limit)
    return EntityPage(total=len(similar), limit=limit, offset=0, items=similar)


def _entity_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["aliases"] = row.get("aliases") or []
    row["evidence_count"] = row.get("evidence_count") or 0
    return row


def get_entity(driver: Driver, *, database: str, key: str, evidence_limit: int = 5) -> EntityDetail:
    """One entity with its documents, ``evidence_limit`` evidence samples and degree; NotFound if absent."""
    records = run_read(
        driver, query("read_entity"), database=database, key=key, evidence_limit=evidence_limit
    )
    if not records:
        raise NotFound(no_key_message(key))
    record = records[0]
    props = dict(record["entity"])
    return EntityDetail(
        key=props["key"],
        label=props.get("label", ""),
        name=props.get("name", ""),
        aliases=list(props.get("aliases") or []),
        doc_ids=list(props.get("doc_ids") or []),
        evidence_count=props.get("evidence_count") or 0,
        properties={k: _plain(v) for k, v in sorted(props.items()) if k not in _ENTITY_FIELDS},
        documents=record["documents"],
        evidence=record["evidence"],
        degree={t: n for t, n in record["degree"]},
    )


def no_key_message(key: str) -> str:
    """What to say when no entity has ``key``: to a person, in the API and on the pages alike."""
    return (
        f"No entity has the key {key!r} — search for its name instead (a shorter name or pinyin works too)."
    )


def list_relationships(
    driver: Driver,
    *,
    database: str,
    key: str,
    type_: str | None,
    direction: Direction,
    label: str | None,
    limit: int,
    offset: int,
    evidence_limit: int = 5,
    min_confidence: float | None = None,
) -> RelationshipPage:
    """The relationships of entity ``key`` with their other ends and evidence; NotFound if it is absent.
    With ``min_confidence``, only those with a piece of evidence at least that confident."""
    records = run_read(
        driver,
        query("read_relationships"),
        database=database,
        key=key,
        type=type_,
        direction=direction,
        label=label,
        limit=limit,
        offset=offset,
        evidence_limit=evidence_limit,
        min_confidence=min_confidence,
    )
    if not records:
        raise NotFound(no_key_message(key))
    record = records[0]
    rows = [
        {
            **row,
            "properties": {k: _plain(v) for k, v in row["properties"].items() if k not in _RELATION_FIELDS},
        }
        for row in record["items"]
    ]
    items = _RELATIONSHIPS.validate_python(rows)
    return RelationshipPage(total=record["total"], limit=limit, offset=offset, items=items)


def resolve_entity(driver: Driver, *, database: str, ref: str) -> EntityRef:
    """The entity ``ref`` names: a key, else an exact name, else an alias; NotFound if none."""
    ref = normalise_query(ref)
    records = run_read(driver, query("read_resolve_entity"), database=database, ref=ref)
    if not records:
        raise NotFound(f"No entity called {ref!r} — try a shorter name or pinyin (xuzhou for 徐州).")
    return EntityRef.model_validate(records[0]["entity"])


def city_targets(driver: Driver, *, database: str, ref: str, evidence_limit: int = 5) -> CityTargets:
    """The targets the policies of city ``ref`` (key, name or alias) set, one series per indicator and
    unit, points by year; NotFound if no City is named so."""
    record = _targets_of(driver, database, "read_city_targets", Label.CITY, ref, evidence_limit)
    series = _series(record["targets"], by="indicator")
    return CityTargets(
        city=EntityRef.model_validate(record["city"]),
        total=sum(len(s.points) for s in series),
        series=series,
    )


def indicator_targets(
    driver: Driver, *, database: str, ref: str, evidence_limit: int = 5
) -> IndicatorTargets:
    """The targets set for indicator ``ref`` (key, name or alias), one series per city and unit, points by
    year; NotFound if no Indicator is named so."""
    record = _targets_of(driver, database, "read_indicator_targets", Label.INDICATOR, ref, evidence_limit)
    indicator = EntityRef.model_validate(record["indicator"])
    series = _series(record["targets"], by="city", indicator=indicator)
    return IndicatorTargets(indicator=indicator, total=sum(len(s.points) for s in series), series=series)


def _targets_of(
    driver: Driver, database: str, name: str, label: Label, ref: str, evidence_limit: int
) -> Record:
    """The one record of a read_*_targets query for the ``label`` entity named ``ref``; NotFound if none."""
    ref = normalise_query(ref)
    records = run_read(driver, query(name), database=database, ref=ref, evidence_limit=evidence_limit)
    if not records:
        what = label.value
        raise NotFound(f"No {what} called {ref!r} — try a shorter name or pinyin (xuzhou for 徐州).")
    return records[0]


def _series(
    rows: list[dict[str, Any]], *, by: Literal["indicator", "city"], indicator: EntityRef | None = None
) -> list[IndicatorSeries]:
    """Target rows grouped into one series per ``by`` (an indicator, or a city) and unit; the longest
    series first (an indicator table's row before a single sentence), then by name."""
    groups: dict[tuple[str, str], tuple[EntityRef, list[TargetPoint]]] = {}
    for row in rows:
        if row[by] is None:  # a target whose city node is gone: nothing to group it under
            continue
        owner = EntityRef.model_validate(row[by])
        point = TargetPoint.model_validate({k: v for k, v in row.items() if k not in ("indicator", "city")})
        groups.setdefault((owner.key, point.unit), (owner, []))[1].append(point)
    ordered = sorted(groups.values(), key=lambda g: (-len({p.year for p in g[1]}), g[0].name))
    return [
        IndicatorSeries(
            indicator=indicator or owner,
            city=owner if by == "city" else None,
            unit=points[0].unit,
            points=points,
        )
        for owner, points in ordered
    ]


def shortest_paths(
    driver: Driver,
    *,
    database: str,
    source: str,
    target: str,
    max_hops: int,
    limit: int = 10,
    exclude_labels: Sequence[str] = (),
    exclude_types: Sequence[str] = (),
    exclude_provinces: bool = False,
) -> PathsResult:
    """Up to ``limit`` shortest paths (any direction, shortest first, longer ones when there are) of at most
    ``max_hops`` between two named entities, through no entity of ``exclude_labels`` (nor a province with
    ``exclude_provinces``) and over no relationship of ``exclude_types``; each step says its direction."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadInput(f"Max hops must be between 1 and {MAX_HOPS}; {max_hops} was given.")
    left = [t for t in PATH_TYPES if t not in exclude_types]
    if not left:
        raise BadInput(
            f"Every relationship type is left out ({', '.join(PATH_TYPES)}): keep at least one to walk along."
        )
    a = resolve_entity(driver, database=database, ref=source)
    b = resolve_entity(driver, database=database, ref=target)
    if a.key == b.key:
        raise BadInput(f"“{a.name}” is both ends of the path: choose two different actors.")
    records = run_read(
        driver,
        query("read_paths"),
        database=database,
        source=a.key,
        target=b.key,
        max_hops=max_hops,
        limit=limit,
        exclude_labels=list(exclude_labels),
        exclude_types=list(exclude_types),
        exclude_provinces=exclude_provinces,
    )
    paths = [_path_view(dict(r)) for r in records]
    return PathsResult(
        source=a,
        target=b,
        max_hops=max_hops,
        exclude_labels=list(exclude_labels),
        exclude_types=list(exclude_types),
        exclude_provinces=exclude_provinces,
        paths=paths,
    )


def _path_view(row: dict[str, Any]) -> PathView:
    """A path with each step's direction along the walk: forward when it runs from the node before it to
    the node after it, backward when the relationship points the other way, both for COOPERATES."""
    nodes = row["nodes"]
    steps = []
    for i, step in enumerate(row["relationships"]):
        if step["type"] in SYMMETRIC_TYPES:
            direction = "both"
        else:
            direction = "forward" if step["source"] == nodes[i]["key"] else "backward"
        steps.append({**step, "direction": direction})
    return PathView.model_validate({**row, "relationships": steps})


def list_documents(
    driver: Driver,
    *,
    database: str,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: DocumentSort = "ingested_at",
    order: SortOrder = "desc",
) -> DocumentPage:
    """Ingested documents with per-document counts, ordered by ``sort`` (newest first by default);
    ``q`` keeps those whose title or source contains it, case-insensitively."""
    needle = normalise_query(q or "").lower() or None
    record = _single(
        run_read(
            driver,
            query("read_documents"),
            database=database,
            limit=limit,
            offset=offset,
            q=needle,
            sort=sort,
            descending=order == "desc",
        )
    )
    items = [DocumentSummary.model_validate(row) for row in record["items"]]
    return DocumentPage(total=record["total"], limit=limit, offset=offset, items=items)


def get_document(driver: Driver, *, database: str, id_: str) -> DocumentDetail:
    """One document with its text, counts and mentioned entities; NotFound if absent."""
    records = run_read(driver, query("read_document"), database=database, id=id_)
    if not records:
        raise NotFound(
            f"No document has the id {id_!r}: it may have been replaced by a newer version or deleted; "
            "the list of documents has the current ones."
        )
    return DocumentDetail.model_validate(records[0]["document"])


def document_evidence(driver: Driver, *, database: str, id_: str) -> list[DocumentEvidence]:
    """Every piece of evidence in document ``id_`` with the fact it supports, by position (empty when the
    document has none or does not exist: ask get_document first)."""
    records = run_read(driver, query("read_document_evidence"), database=database, id=id_)
    return [DocumentEvidence.model_validate(r["evidence"]) for r in records]


def get_stats(driver: Driver, *, database: str) -> Stats:
    """Counts per entity label and relation type, and of documents and evidence."""
    record = _single(run_read(driver, query("read_stats"), database=database))
    labels = {label: n for label, n in record["labels"] if label is not None}
    types = {t: n for t, n in record["types"]}
    return Stats(
        labels=dict(sorted(labels.items())),
        relation_types=dict(sorted(types.items())),
        entities=sum(labels.values()),
        relationships=sum(types.values()),
        documents=record["documents"],
        evidence=record["evidence"],
    )


def health_counts(driver: Driver, *, database: str) -> dict[str, Any]:
    """Neo4j's version and edition and the node counts, from one cheap query."""
    record = _single(run_read(driver, query("read_health"), database=database))
    return {
        "version": record["version"],
        "edition": record["edition"],
        "nodes": {
            "Entity": record["entities"],
            "Document": record["documents"],
            "Evidence": record["evidence"],
        },
    }


# Rows per Neo4j read of a streamed export: each read is a short transaction of its own, so neither the API
# nor Neo4j's heap ever holds more than one batch of the graph.
EXPORT_BATCH = 1000
# One exported node: its entity key and attributes; one edge: source, target, relation key and attributes.
ExportNode = tuple[str, dict[str, Any]]
ExportEdge = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class ExportSource:
    """What one export writes, read lazily: the attribute names and value types of its nodes and edges (the
    headers a GraphML, GEXF or CSV file declares before its first row), and fresh batch iterators over its
    nodes, its edges and the evidence of a batch of edges. Attributes are named as export_graph names them."""

    node_types: dict[str, type]
    edge_types: dict[str, type]
    nodes: Callable[[], Iterator[list[ExportNode]]]
    edges: Callable[[], Iterator[list[ExportEdge]]]
    evidence: Callable[[list[str]], list[EvidenceView]]


def export_graph(
    driver: Driver, *, database: str, labels: list[str] | None, types: list[str] | None
) -> nx.MultiDiGraph:
    """The entity graph (or the subgraph of ``labels`` and ``types``) as a networkx MultiDiGraph.

    Nodes are keyed by entity key with attributes label, name, aliases ("|"-joined), evidence_count and the
    entity's other properties; edges are keyed by relation key and carry type, amount_cny, evidence_count,
    confidence, doc_ids ("|"-joined), sentence (the first evidence) and symmetric (true for COOPERATES,
    which is stored once but undirected). The whole graph in memory: exports stream export_source instead.
    """
    return _to_networkx(export_source(driver, database=database, labels=labels, types=types))


def export_source(
    driver: Driver,
    *,
    database: str,
    labels: list[str] | None,
    types: list[str] | None,
    batch_size: int = EXPORT_BATCH,
) -> ExportSource:
    """The whole graph (or the subgraph of ``labels`` and ``types``) for a streamed export: pages of
    ``batch_size`` rows in key order, each read on the key index from where the last page ended."""
    labels, types = labels or None, types or None
    node_props = run_read(driver, query("export_node_properties"), database=database, labels=labels)
    edge_props = run_read(
        driver, query("export_edge_properties"), database=database, labels=labels, types=types
    )

    def nodes() -> Iterator[list[ExportNode]]:
        after = ""
        while True:
            records = run_read(
                driver, query("export_nodes"), database=database, labels=labels, after=after, batch=batch_size
            )
            if records:
                yield [_export_node(r) for r in records]
            if len(records) < batch_size:
                return
            after = records[-1]["entity"]["key"]

    def edges() -> Iterator[list[ExportEdge]]:
        after_source = after_key = ""
        while True:
            records = run_read(
                driver,
                query("export_edges"),
                database=database,
                labels=labels,
                types=types,
                after_source=after_source,
                after_key=after_key,
                batch=batch_size,
            )
            if records:
                yield [_export_edge(r) for r in records]
            if len(records) < batch_size:
                return
            after_source, after_key = records[-1]["source"], records[-1]["props"]["key"]

    return ExportSource(
        node_types=_node_types(node_props),
        edge_types=_edge_types(edge_props),
        nodes=nodes,
        edges=edges,
        evidence=lambda facts: export_evidence(driver, database=database, facts=facts),
    )


def export_view(
    driver: Driver, *, database: str, node_keys: list[str], relation_keys: list[str]
) -> ExportSource:
    """The entities ``node_keys`` and relationships ``relation_keys`` (one view: an entity's neighbourhood,
    a set of paths, bounded by the page's limit) as export_source gives them; unknown keys are skipped."""
    node_rows = [
        _export_node(r)
        for r in run_read(
            driver, query("export_view_nodes"), database=database, keys=list(dict.fromkeys(node_keys))
        )
    ]
    edge_rows = [
        _export_edge(r)
        for r in run_read(
            driver, query("export_view_edges"), database=database, keys=list(dict.fromkeys(relation_keys))
        )
    ]
    return ExportSource(
        node_types=_types_of(attrs for _, attrs in node_rows),
        edge_types=_types_of(attrs for *_, attrs in edge_rows),
        nodes=lambda: iter([node_rows]),
        edges=lambda: iter([edge_rows]),
        evidence=lambda facts: export_evidence(driver, database=database, facts=facts),
    )


def _to_networkx(source: ExportSource) -> nx.MultiDiGraph:
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for node_batch in source.nodes():
        for key, attrs in node_batch:
            graph.add_node(key, **attrs)
    for edge_batch in source.edges():
        for source_key, target_key, key, attrs in edge_batch:
            # The relation key is the multigraph edge key: GraphML writes it as the edge id.
            graph.add_edge(source_key, target_key, key=key, **attrs)
    return graph


def _export_node(record: Record) -> ExportNode:
    props = dict(record["entity"])
    key = props.pop("key")
    props.pop("doc_ids", None)
    props.pop("pinyin", None)  # a search key, not a fact about the actor
    props["aliases"] = "|".join(props.get("aliases") or [])
    return key, {k: _plain(v) for k, v in props.items() if v is not None}


def _export_edge(record: Record) -> ExportEdge:
    props = dict(record["props"])
    key = props.pop("key")
    props["doc_ids"] = "|".join(props.get("doc_ids") or [])
    attrs = {k: _plain(v) for k, v in props.items() if v is not None}
    attrs["type"] = record["type"]
    attrs["symmetric"] = record["type"] == "COOPERATES"
    if record["sentences"]:
        attrs["sentence"] = record["sentences"][0]
    return record["source"], record["target"], key, attrs


def _value_type(neo4j_type: str) -> type:
    """The Python type _plain gives a stored value of Neo4j's ``valueType()`` (temporal values are text)."""
    for prefix, kind in (("INTEGER", int), ("FLOAT", float), ("BOOLEAN", bool), ("LIST", list)):
        if neo4j_type.startswith(prefix):
            return kind
    return str


def _merge_types(found: dict[str, set[type]]) -> dict[str, type]:
    """One type per attribute: its values' own, float where integers and floats mix, else text."""
    merged: dict[str, type] = {}
    for name, kinds in found.items():
        if len(kinds) == 1:
            merged[name] = next(iter(kinds))
        elif kinds == {int, float}:
            merged[name] = float
        else:
            merged[name] = str
    return merged


def _types_of(rows: Iterable[dict[str, Any]]) -> dict[str, type]:
    found: dict[str, set[type]] = {}
    for attrs in rows:
        for name, value in attrs.items():
            found.setdefault(name, set()).add(type(value))
    return _merge_types(found)


def _stored_types(records: list[Record]) -> dict[str, set[type]]:
    found: dict[str, set[type]] = {}
    for r in records:
        found.setdefault(r["name"], set()).add(_value_type(r["type"]))
    return found


def _node_types(records: list[Record]) -> dict[str, type]:
    found = _stored_types(records)
    for name in ("key", "doc_ids", "pinyin"):
        found.pop(name, None)
    found["aliases"] = {str}
    return _merge_types(found)


def _edge_types(records: list[Record]) -> dict[str, type]:
    found = _stored_types(records)
    found.pop("key", None)
    found["doc_ids"] = {str}
    found.update(type={str}, symmetric={bool}, sentence={str})
    return _merge_types(found)


def export_evidence(driver: Driver, *, database: str, facts: list[str]) -> list[EvidenceView]:
    """Every piece of evidence of the facts ``facts`` (relation keys), by fact, document and offset."""
    records = run_read(driver, query("export_evidence"), database=database, facts=list(dict.fromkeys(facts)))
    return [EvidenceView.model_validate(dict(r)) for r in records]


def _plain(value: Any) -> Any:
    """A stored property as a JSON/GraphML-friendly value (temporal values as ISO strings)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    iso = getattr(value, "iso_format", None)
    return iso() if callable(iso) else str(value)


def run_cypher(
    driver: Driver,
    cypher: str,
    params: dict[str, Any],
    *,
    database: str,
    timeout_s: float,
    row_cap: int,
    byte_cap: int = 8 * 1024 * 1024,
    plan_timeout_s: float = 10.0,
) -> CypherResult:
    """Run a user's read-only query: refused (CypherRefused) unless its plan only reads, stopped after
    ``plan_timeout_s`` planning or ``timeout_s`` running (QueryTimeout), cut at ``row_cap`` rows and
    refused past ``byte_cap`` bytes of rows (ResultTooLarge); graph values are listed as nodes/relationships.
    """
    check_text(cypher, params)
    check_static(cypher)
    _check_parameters(params)
    try:
        with read_session(driver, database, fetch_size=min(row_cap + 1, 1000)) as session:
            check_plan(session, cypher, params, timeout_s=plan_timeout_s)
            # An explicit transaction, not execute_read: a timed-out or failing query must not be retried.
            with session.begin_transaction(timeout=timeout_s) as tx:
                result = tx.run(cypher, params)  # user text, checked above
                columns = list(result.keys())
                rows: list[list[Any]] = []
                truncated = False
                graph = _GraphCollector()
                size = 0
                for record in result:
                    if len(rows) == row_cap:
                        truncated = True
                        break
                    row = [graph.value(v) for v in record.values()]
                    # Counted as the JSON the client gets; reading stops at the cap, so the API holds no more.
                    size += len(json.dumps(row, ensure_ascii=False, default=str))
                    if size > byte_cap:
                        raise ResultTooLarge(
                            f"the result passed the {byte_cap} byte limit after {len(rows)} rows: "
                            "return fewer or smaller values (add LIMIT, return properties, not whole lists)"
                        )
                    rows.append(row)
                # Nothing to commit: the transaction only read, and closing it discards any rows left.
                tx.rollback()
    except Neo4jError as e:
        raise _cypher_error(e, timeout_s) from e
    relationships = list(graph.relationships.values())
    return CypherResult(
        columns=columns,
        rows=rows,
        truncated=truncated,
        row_cap=row_cap,
        nodes=list(graph.nodes.values()),
        relationships=relationships,
        evidence=fact_evidence(driver, database=database, facts=_fact_keys(relationships)),
    )


def _cypher_error(error: Neo4jError, timeout_s: float) -> Exception:
    """The project's error for a failure of a user's query while it ran, else ``error`` itself."""
    if error.code == "Neo.ClientError.Statement.ParameterMissing":
        return BadInput(missing_parameter_text(error.message or ""))  # only a run finds it
    if _is_timeout(error):
        return QueryTimeout(
            f"the query ran past the {timeout_s:g} s limit and was stopped: narrow it "
            "(add LIMIT, anchor it on a key) or raise INNOGRAPH_CYPHER_TIMEOUT_S"
        )
    message = error.message or ""
    if "shortest path" in message.lower() and "same" in message.lower():
        return BadInput(f"{message}: give a shortest path two different end nodes")
    return error


CONSOLE_EVIDENCE = 5  # pieces of evidence per relationship a console query returns (its hover text)
CONSOLE_FACTS = 1000  # relationships whose evidence a console result carries, at most


def _fact_keys(relationships: Sequence[GraphRelationship]) -> list[str]:
    """The fact keys of returned relationships (a fact's evidence is stored apart, under its key)."""
    keys = [r.properties.get("key") for r in relationships]
    return list(dict.fromkeys(k for k in keys if isinstance(k, str)))[:CONSOLE_FACTS]


def fact_evidence(
    driver: Driver, *, database: str, facts: Sequence[str], limit: int = CONSOLE_EVIDENCE
) -> dict[str, list[EvidenceView]]:
    """The ``limit`` most confident pieces of evidence of each fact (relation key), by key; facts without
    evidence are left out."""
    if not facts:
        return {}
    records = run_read(driver, query("read_fact_evidence"), database=database, facts=list(facts), limit=limit)
    return {r["fact"]: [EvidenceView.model_validate(ev) for ev in r["evidence"]] for r in records}


_INT64 = range(-(2**63), 2**63)


def _check_parameters(value: Any, name: str = "params") -> None:
    """BadInput for a parameter Bolt cannot carry (integers beyond 64 bits), naming where it is."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and value not in _INT64:
        raise BadInput(f"{name} = {value} does not fit in a 64-bit integer: pass it as a float or a string")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_parameters(v, f"{name}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_parameters(v, f"{name}[{i}]")


def _is_timeout(error: Neo4jError) -> bool:
    code = error.code or ""
    if "TransactionTimedOut" in code or code.endswith(("Transaction.Terminated", "LockClientStopped")):
        return True
    # A timed-out transaction's later calls fail with "marked as failed" or "terminated" under other codes.
    message = (error.message or "").lower()
    return "has been terminated" in message or "timed out" in message


class _GraphCollector:
    """Turns query values into JSON values, remembering the nodes and relationships it meets."""

    def __init__(self) -> None:
        self.nodes: dict[str, GraphNode] = {}
        self.relationships: dict[str, GraphRelationship] = {}

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float):
            # JSON has no NaN or infinity; say what it was (as JavaScript spells it) rather than fail.
            if math.isfinite(value):
                return value
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if isinstance(value, Node):
            return self._node(value).model_dump()
        if isinstance(value, Relationship):
            return self._relationship(value).model_dump()
        if isinstance(value, Path):
            return {
                "nodes": [self._node(n).id for n in value.nodes],
                "relationships": [self._relationship(r).id for r in value.relationships],
            }
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(bytes(value)).decode("ascii")
        iso = getattr(value, "iso_format", None)
        if callable(iso):
            return iso()
        return str(value)

    def _node(self, node: Node) -> GraphNode:
        if node.element_id not in self.nodes:
            self.nodes[node.element_id] = GraphNode(
                id=node.element_id,
                labels=sorted(node.labels),
                properties={k: self.value(v) for k, v in node.items()},
            )
        return self.nodes[node.element_id]

    def _relationship(self, rel: Relationship) -> GraphRelationship:
        if rel.element_id not in self.relationships:
            start, end = rel.start_node, rel.end_node
            for n in (start, end):
                if n is not None:
                    self._node(n)
            self.relationships[rel.element_id] = GraphRelationship(
                id=rel.element_id,
                type=rel.type,
                start=start.element_id if start is not None else "",
                end=end.element_id if end is not None else "",
                properties={k: self.value(v) for k, v in rel.items()},
            )
        return self.relationships[rel.element_id]


def document_ids_by_source(driver: Driver, *, database: str, source: str) -> list[str]:
    """The ids of the stored documents whose source is `source` (one, normally; none when it is new)."""
    records = run_read(driver, query("document_ids_by_source"), database=database, source=source)
    return [record["id"] for record in records]

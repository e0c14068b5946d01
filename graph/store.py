"""Write graph.model.Graph into Neo4j: schema, an idempotent batched writer, and document retraction.

The layout is cypher/STORAGE.md. A document is written in one transaction of UNWIND batches; writing it
again changes nothing, writing a new version of its source replaces the old version's facts, and facts
that other documents state keep their other evidence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, LiteralString

from neo4j import Driver, ManagedTransaction, Record, ResultSummary, Session
from neo4j.exceptions import DriverError, Neo4jError

from graph.cypher import query, statements
from graph.db import wrap_driver_error, write_session
from graph.errors import BadInput, InnographError, NotFound
from graph.model import Evidence, Graph, Relation, Scalar, merge_repeats, relation_key
from graph.pinyin import pinyin_key

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5_000
SCHEMA_TIMEOUT_S = 300
# Properties the writer owns; a Graph may not set them through `properties`.
RESERVED_ENTITY_PROPERTIES = frozenset(
    {"key", "name", "label", "aliases", "doc_ids", "evidence_count", "pinyin"}
)
RESERVED_RELATION_PROPERTIES = frozenset({"key", "doc_ids", "evidence_count", "confidence", "amount_cny"})
_NOTHING_STORED = "; nothing was stored"  # a failed transaction is rolled back whole

Row = dict[str, Any]


class StoreError(InnographError):
    """Neo4j refused a write; the transaction was rolled back, so nothing of it was stored."""


@dataclass(frozen=True)
class PhaseStats:
    """Time spent in one phase of a write: rows sent, statements run, wall and server time."""

    rows: int = 0
    statements: int = 0
    client_s: float = 0.0
    server_ms: int = 0


@dataclass(frozen=True)
class WriteSummary:
    """What a write or delete changed, from Neo4j's result counters, and where its time went."""

    document_id: str
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    labels_added: int = 0
    evidence_created: int = 0
    evidence_deleted: int = 0
    replaced: tuple[str, ...] = ()
    phases: dict[str, PhaseStats] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether any node or relationship was created or deleted."""
        return any(
            (self.nodes_created, self.nodes_deleted, self.relationships_created, self.relationships_deleted)
        )


@dataclass
class _Tally:
    """Counters summed over the statements of one transaction attempt."""

    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, PhaseStats] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    finished: float = 0.0  # perf_counter() when the transaction function returned, to time the commit

    def add(self, phase: str, summary: ResultSummary, rows: int, seconds: float) -> None:
        c = summary.counters
        for name, value in (
            ("nodes_created", c.nodes_created),
            ("nodes_deleted", c.nodes_deleted),
            ("relationships_created", c.relationships_created),
            ("relationships_deleted", c.relationships_deleted),
            ("properties_set", c.properties_set),
            ("labels_added", c.labels_added),
        ):
            self.counts[name] = self.counts.get(name, 0) + value
        if phase == "evidence":
            self.counts["evidence_created"] = self.counts.get("evidence_created", 0) + c.nodes_created
        if phase == "sweep evidence":
            self.counts["evidence_deleted"] = self.counts.get("evidence_deleted", 0) + c.nodes_deleted
        server = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
        old = self.phases.get(phase, PhaseStats())
        self.phases[phase] = PhaseStats(
            rows=old.rows + rows,
            statements=old.statements + 1,
            client_s=old.client_s + seconds,
            server_ms=old.server_ms + server,
        )

    def time(self, phase: str, seconds: float, rows: int = 0) -> None:
        """Add client-side time spent outside any statement (building rows, committing)."""
        old = self.phases.get(phase, PhaseStats())
        self.phases[phase] = replace(old, rows=old.rows + rows, client_s=old.client_s + seconds)

    def summary(self, document_id: str, seconds: float) -> WriteSummary:
        return WriteSummary(
            document_id=document_id,
            replaced=tuple(self.replaced),
            phases=dict(self.phases),
            seconds=seconds,
            **self.counts,
        )


@dataclass
class _Retraction:
    """What retractions marked in a transaction: facts to recompute, and what the final sweep deletes."""

    entities: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    evidence_ids: list[str] = field(default_factory=list)
    relationship_ids: list[str] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)


# --- schema ---------------------------------------------------------------------------------------


def apply_schema(driver: Driver, *, database: str, timeout_s: int = SCHEMA_TIMEOUT_S) -> int:
    """Create the constraints and indexes of cypher/schema.cypher if missing, wait until they are online.

    Returns the number of DDL statements run; running it again changes nothing, and several processes
    may run it at once on a fresh database (the loser of a race finds the winner's index and goes on).
    Every statement runs in a managed write transaction, so on a cluster (``neo4j://``) it goes to the
    database's writer. Also completes what a bulk import (ingest/bulk.py) cannot write: pinyin keys, and
    the empty lists of aliases that neo4j-admin stores as no property.
    """
    ddl = statements("schema")
    try:
        # notifications off: re-applying reports "already exists" for every statement, which is the point.
        with write_session(driver, database) as session:
            for statement in ddl:
                _create_schema_rule(session, statement)
            session.execute_write(_consume, "CALL db.awaitIndexes($timeout)", timeout=timeout_s)
            filled = _fill_pinyin(session)
            for name in ("restore_empty_aliases", "restore_empty_mention_aliases"):
                # CALL { … } IN TRANSACTIONS runs only in an auto-commit transaction; the write session
                # still sends it to the database's writer
                session.run(query(name)).consume()
    except (Neo4jError, DriverError) as e:
        raise wrap_driver_error(e, "apply the schema", StoreError, _NOTHING_STORED) from e
    logger.info("schema applied: %d statements, indexes online", len(ddl))
    if filled:
        logger.info("pinyin search keys added to %d entities written before they existed", filled)
    return len(ddl)


# What Neo4j says when another process created the same rule between our IF NOT EXISTS check and our
# commit: the rule we wanted exists, which is all we asked for.
_SCHEMA_RACE_CODES = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "Neo.ClientError.Schema.IndexWithNameAlreadyExists",
        "Neo.ClientError.Schema.ConstraintWithNameAlreadyExists",
    }
)
SCHEMA_ATTEMPTS = 5


def _create_schema_rule(session: Session, statement: LiteralString) -> None:
    """Run one DDL statement in a managed transaction (deadlocks between concurrent schema changes are
    retried by the driver); a rule another process created meanwhile counts as created."""
    for attempt in range(1, SCHEMA_ATTEMPTS + 1):
        try:
            session.execute_write(_run_ddl, statement)
            return
        except Neo4jError as e:
            if e.code in _SCHEMA_RACE_CODES or "already exists" in (e.message or ""):
                logger.debug("schema rule created by another process meanwhile: %s", e.code)
                return
            # A concurrent schema change can fail ours in ways the driver does not call transient
            # (an index dropped or replaced under it); running the IF NOT EXISTS statement again settles it.
            if attempt == SCHEMA_ATTEMPTS or not _schema_conflict(e):
                raise
            logger.debug("schema statement conflicted (%s), retrying", e.code)
            time.sleep(0.2 * attempt)


def _schema_conflict(error: Neo4jError) -> bool:
    code = error.code or ""
    return code.startswith("Neo.TransientError.") or any(
        word in (error.message or "") for word in ("Forseti", "deadlock", "Deadlock", "concurrent")
    )


def _run_ddl(tx: ManagedTransaction, statement: LiteralString) -> None:
    tx.run(statement).consume()


def _consume(tx: ManagedTransaction, /, cypher: LiteralString, **params: Any) -> None:
    tx.run(cypher, params).consume()


def _records(tx: ManagedTransaction, /, cypher: LiteralString, **params: Any) -> list[Record]:
    return list(tx.run(cypher, params))


PINYIN_BATCH = 10_000


def _fill_pinyin(session: Session) -> int:
    """Store the pinyin key (graph/pinyin.py) on entities that lack it: a graph written before keys existed,
    or loaded by other means; returns how many were filled. One scan when none is missing."""
    filled = 0
    while True:
        missing = session.execute_read(_missing_pinyin)
        if not missing:
            return filled
        rows = [{"key": key, "pinyin": pinyin_key(name or "")} for key, name in missing]
        session.execute_write(_write_pinyin, rows)
        filled += len(rows)


def _missing_pinyin(tx: ManagedTransaction) -> list[tuple[str, str | None]]:
    return [(r["key"], r["name"]) for r in tx.run(query("read_missing_pinyin"), limit=PINYIN_BATCH)]


def _write_pinyin(tx: ManagedTransaction, rows: list[Row]) -> None:
    tx.run(query("write_pinyin"), rows=rows).consume()


# --- rows: what a Graph becomes as UNWIND parameters ------------------------------------------------


def document_params(graph: Graph) -> Row:
    """The Document node's properties."""
    d = graph.document
    return {
        "id": d.id,
        "source": d.source,
        "title": d.title,
        "date": d.date,
        "text": d.text,
        "length": len(d.text),
    }


def _evidence_row(ev: Evidence, fact: str, kind: str, amount_cny: float | None) -> Row:
    return {
        "key": f"{ev.key}:{fact}",
        "fact": fact,
        "kind": kind,
        "start": ev.start,
        "end": ev.end,
        "sentence": ev.sentence,
        "extractor": ev.extractor,
        "confidence": ev.confidence,
        "amount_cny": amount_cny,
        "note": ev.note,
    }


def _check_properties(owner: str, properties: dict[str, Scalar], reserved: frozenset[str]) -> None:
    clash = sorted(reserved.intersection(properties))
    if clash:
        raise BadInput(
            f"{owner} sets the stored properties {clash} through `properties`: "
            "rename them (the writer owns these names)"
        )


def entity_rows(graph: Graph, *, with_pinyin: bool = True) -> list[Row]:
    """One row per entity: key, label, name, aliases, extra properties and (``with_pinyin``) the pinyin key,
    which the bulk load computes once per entity instead of once per document."""
    rows = []
    for e in graph.entities:
        _check_properties(f"entity {e.key}", e.properties, RESERVED_ENTITY_PROPERTIES)
        rows.append(
            {
                "key": e.key,
                "label": e.label.value,
                "name": e.name,
                "aliases": list(e.aliases),
                "pinyin": pinyin_key(e.name) if with_pinyin else None,
                "properties": dict(e.properties),
            }
        )
    return rows


def merged_relations(graph: Graph) -> list[Relation]:
    """The graph's relations with one per fact key, repeats merged by `graph.model.merge_repeats` (the rule
    extraction uses too); raises BadInput when a relation uses a reserved property name."""
    for r in graph.relations:
        _check_properties(f"relation {r.key}", r.properties, RESERVED_RELATION_PROPERTIES)
    return merge_repeats(graph.relations)


def relation_rows(relations: Sequence[Relation]) -> list[Row]:
    """One row per fact: type, key, endpoints (symmetric types ordered), amount and extra properties.

    The key of a qualified type (SETS_TARGET) ends in its qualifier, so each target year is its own fact.
    """
    return [
        {
            "type": r.type.value,
            "key": relation_key(r.type, r.source, r.target, r.qualifier),
            "source": r.source,
            "target": r.target,
            "amount_cny": r.amount_cny,
            "properties": dict(r.properties),
        }
        for r in relations
    ]


def evidence_rows(graph: Graph, relations: Sequence[Relation]) -> list[Row]:
    """One row per piece of evidence (entity and relation), unique by evidence key."""
    rows: dict[str, Row] = {}
    for e in graph.entities:
        for ev in e.evidence:
            row = _evidence_row(ev, e.key, "entity", None)
            rows[row["key"]] = row
    for r in relations:
        for ev in r.evidence:
            row = _evidence_row(ev, r.key, "relation", r.amount_cny)
            rows[row["key"]] = row
    return list(rows.values())


def _chunks(rows: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield list(rows[i : i + size])


# --- transaction work -----------------------------------------------------------------------------


def _run(
    tx: ManagedTransaction, tally: _Tally, phase: str, cypher: LiteralString, **params: Any
) -> list[Any]:
    batch = params.get("rows", params.get("keys", params.get("ids")))
    rows = 1 if batch is None else len(batch)
    started = time.perf_counter()
    result = tx.run(cypher, params)
    records = list(result)
    summary = result.consume()
    tally.add(phase, summary, rows, time.perf_counter() - started)
    return records


def _retract(
    tx: ManagedTransaction,
    tally: _Tally,
    marks: _Retraction,
    document_id: str,
    *,
    keep_evidence: list[str],
    keep_relations: list[str],
    keep_entities: list[str],
) -> None:
    """Withdraw a document's support from the facts it stated, except those kept, and mark its evidence
    and mentions for the sweep; nothing is deleted yet (see retract_evidence.cypher for why)."""
    params = {"document_id": document_id}
    (record,) = _run(tx, tally, "retract", query("retract_evidence"), **params, keep=keep_evidence)
    marks.evidence_ids.extend(record["ids"])
    marks.entities.update(record["entities"])
    marks.relations.update(record["relations"])
    (record,) = _run(tx, tally, "retract", query("retract_relations"), **params, keep=keep_relations)
    marks.relations.update(record["keys"])
    (record,) = _run(tx, tally, "retract", query("retract_mentions"), **params, keep=keep_entities)
    marks.relationship_ids.extend(record["ids"])
    marks.entities.update(record["keys"])


def _retract_document(tx: ManagedTransaction, tally: _Tally, marks: _Retraction, document_id: str) -> bool:
    """Retract all of a document and mark its node for the sweep; False if there is no such document."""
    _retract(tx, tally, marks, document_id, keep_evidence=[], keep_relations=[], keep_entities=[])
    records = _run(tx, tally, "retract", query("retract_document"), document_id=document_id)
    marks.node_ids.extend(r["id"] for r in records)
    return bool(records)


def _collect_garbage(
    tx: ManagedTransaction, tally: _Tally, marks: _Retraction, batch_size: int, *, skip: set[str]
) -> None:
    """Recompute the provenance of facts retractions touched (except ``skip``, already fresh), then
    delete everything marked and every fact left unsupported: relationships first, then nodes."""
    for chunk in _chunks(sorted(marks.relations - skip), batch_size):
        (record,) = _run(tx, tally, "gc relations", query("gc_relations"), keys=chunk)
        marks.relationship_ids.extend(record["ids"])
    for chunk in _chunks(sorted(marks.entities - skip), batch_size):
        (record,) = _run(tx, tally, "gc entities", query("gc_entities"), keys=chunk)
        marks.node_ids.extend(record["ids"])
    # Deletes by element id: unlike index seeks, that look-up stays fast in a transaction full of deletes.
    for chunk in _chunks(marks.relationship_ids, batch_size):
        _run(tx, tally, "sweep", query("gc_delete_relationships"), ids=chunk)
    for chunk in _chunks(marks.evidence_ids, batch_size):
        _run(tx, tally, "sweep evidence", query("gc_delete_nodes"), ids=chunk)
    for chunk in _chunks(marks.node_ids, batch_size):
        _run(tx, tally, "sweep", query("gc_delete_nodes"), ids=chunk)


def _write_tx(tx: ManagedTransaction, graph: Graph, batch_size: int) -> _Tally:
    tally = _Tally()
    started = time.perf_counter()
    doc_id = graph.document.id
    relations = merged_relations(graph)
    entities = entity_rows(graph)
    rels = relation_rows(relations)
    evidence = evidence_rows(graph, relations)
    tally.time("rows", time.perf_counter() - started, len(entities) + len(rels) + len(evidence))

    (document,) = _run(tx, tally, "document", query("write_document"), document=document_params(graph))
    # Retract first (marks only), so that the provenance the write phases compute is final: what this
    # version no longer states (if it was written before), then every other version of the same source.
    marks = _Retraction()
    if document["existed"]:
        _retract(
            tx,
            tally,
            marks,
            doc_id,
            keep_evidence=[row["key"] for row in evidence],
            keep_relations=[row["key"] for row in rels],
            keep_entities=[row["key"] for row in entities],
        )
    source = graph.document.source
    versions = _run(tx, tally, "retract", query("retract_old_versions"), source=source, document_id=doc_id)
    for record in versions:
        _retract_document(tx, tally, marks, record["id"])
        tally.replaced.append(record["id"])

    # A new document has no evidence yet: create it without looking for it.
    write_evidence = query("write_evidence" if document["existed"] else "write_evidence_new")
    for chunk in _chunks(evidence, batch_size):
        _run(tx, tally, "evidence", write_evidence, document_id=doc_id, rows=chunk)
    for chunk in _chunks(entities, batch_size):
        _run(tx, tally, "entities", query("write_entities"), document_id=doc_id, rows=chunk)
    for chunk in _chunks(rels, batch_size):
        _run(tx, tally, "relations", query("write_relations"), document_id=doc_id, rows=chunk)
    fresh = {row["key"] for row in entities} | {row["key"] for row in rels}
    _collect_garbage(tx, tally, marks, batch_size, skip=fresh)
    tally.finished = time.perf_counter()
    return tally


def _delete_tx(tx: ManagedTransaction, document_id: str, batch_size: int) -> _Tally:
    tally = _Tally()
    marks = _Retraction()
    if not _retract_document(tx, tally, marks, document_id):
        raise NotFound(f"no document {document_id} in the graph: list the documents to find its id")
    _collect_garbage(tx, tally, marks, batch_size, skip=set())
    tally.finished = time.perf_counter()
    return tally


# --- public API -----------------------------------------------------------------------------------


def write_graph(
    driver: Driver, graph: Graph, *, database: str, batch_size: int = DEFAULT_BATCH_SIZE
) -> WriteSummary:
    """Store one document's Graph in one transaction; idempotent, and it replaces older versions.

    Older versions are documents with the same ``source`` and another id: their evidence is retracted,
    facts only they stated are deleted. Raises BadInput, Neo4jUnavailable or StoreError; on error nothing
    of this write is stored.
    """
    if batch_size < 1:
        raise BadInput(f"batch_size must be at least 1, got {batch_size}")
    # Validate rows before opening a transaction, so bad input costs no round trip.
    merged_relations(graph)
    entity_rows(graph)
    started = time.perf_counter()
    try:
        with write_session(driver, database) as session:
            tally = session.execute_write(_write_tx, graph, batch_size)
            tally.time("commit", time.perf_counter() - tally.finished)
    except (Neo4jError, DriverError) as e:
        doing = f"write document {graph.document.id} ({graph.document.source})"
        raise wrap_driver_error(e, doing, StoreError, _NOTHING_STORED) from e
    summary = tally.summary(graph.document.id, time.perf_counter() - started)
    logger.info(
        "wrote %s: %d entities, %d relations; +%d/-%d nodes, +%d/-%d relationships, replaced %s in %.2fs",
        graph.document.source,
        len(graph.entities),
        len(graph.relations),
        summary.nodes_created,
        summary.nodes_deleted,
        summary.relationships_created,
        summary.relationships_deleted,
        list(summary.replaced),
        summary.seconds,
    )
    return summary


def delete_document(
    driver: Driver, document_id: str, *, database: str, batch_size: int = DEFAULT_BATCH_SIZE
) -> WriteSummary:
    """Remove a document, its evidence, and the facts only it stated; raises NotFound if it is absent."""
    started = time.perf_counter()
    try:
        with write_session(driver, database) as session:
            tally = session.execute_write(_delete_tx, document_id, batch_size)
            tally.time("commit", time.perf_counter() - tally.finished)
    except (Neo4jError, DriverError) as e:
        raise wrap_driver_error(e, f"delete document {document_id}", StoreError, _NOTHING_STORED) from e
    summary = tally.summary(document_id, time.perf_counter() - started)
    logger.info(
        "deleted %s: -%d nodes, -%d relationships",
        document_id,
        summary.nodes_deleted,
        summary.relationships_deleted,
    )
    return summary

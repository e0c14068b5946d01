"""The curation step: a document's Graph with the curator's corrections (graph/curation.py) applied.

It runs between extraction and storage, on every write (ingest/batch.py, an upload, and the rewrite a
new or undone correction triggers), so the corrections hold however the graph is rebuilt. Corrections apply
in the order they were made, each to the Graph the earlier ones left:

- merge: the merged entities become the kept one (their names its aliases, their evidence its evidence);
  their facts follow, and a fact between two of them is dropped (it would join the actor to itself);
- rename: the same with a new key (``Label:name``), so the stored search key (pinyin) is the new name's;
- reject: the fact is dropped;
- add: in its document (or a new version of it that still has its sentence) the fact is stated with
  evidence from the curator (extractor ``curator``, confidence 1, the note on the evidence).

What is dropped is counted with its reason, as extraction counts what it prunes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from neo4j import Driver

from graph.curation import CURATOR, Add, Merge, Reject, Rename, key_parts
from graph.model import MAX_EVIDENCE, Document, Entity, Evidence, Graph, Relation, merge_repeats

logger = logging.getLogger(__name__)

CorrectionT = Merge | Rename | Reject | Add
CURATOR_CONFIDENCE = 1.0


@dataclass(frozen=True)
class Curated:
    """A Graph with the corrections applied, and what they dropped (reason -> count)."""

    graph: Graph
    dropped: dict[str, int]


@dataclass
class _Work:
    """The Graph being corrected: entities by key (in order) and relations, mutable until built."""

    document: Document
    entities: dict[str, Entity]
    relations: list[Relation]
    dropped: Counter[str] = field(default_factory=Counter)


def curate(graph: Graph, corrections: Sequence[CorrectionT]) -> Curated:
    """``graph`` with ``corrections`` applied in order; the graph itself when there are none."""
    if not corrections:
        return Curated(graph=graph, dropped={})
    work = _Work(graph.document, {e.key: e for e in graph.entities}, list(graph.relations))
    for c in corrections:
        if isinstance(c, Merge):
            _move(work, dict.fromkeys(c.merge, c.into))
        elif isinstance(c, Rename):
            _move(work, {c.key: c.new_key})
        elif isinstance(c, Reject):
            _reject(work, c.fact)
        else:
            _add(work, c)
    curated = Graph(
        document=graph.document,
        entities=tuple(work.entities.values()),
        relations=tuple(merge_repeats(work.relations)),
    )
    return Curated(graph=curated, dropped=dict(work.dropped))


def _move(work: _Work, moves: dict[str, str]) -> None:
    """Entities under the old keys of ``moves`` become the entities of the new keys, their facts follow."""
    moved = [e for key, e in work.entities.items() if key in moves]
    if not moved:
        return
    for old in moved:
        del work.entities[old.key]
        new_key = moves[old.key]
        work.entities[new_key] = _combined(work.entities.get(new_key), old, new_key)
    kept = []
    for r in work.relations:
        source, target = moves.get(r.source, r.source), moves.get(r.target, r.target)
        if (source, target) == (r.source, r.target):
            kept.append(r)
        elif source == target:
            work.dropped["fact between two entities a curator merged"] += 1
        else:
            props = dict(r.properties)
            if isinstance(props.get("city"), str) and props["city"] in moves:  # a target's city key
                props["city"] = moves[str(props["city"])]
            kept.append(r.model_copy(update={"source": source, "target": target, "properties": props}))
    work.relations = kept


def _combined(kept: Entity | None, old: Entity, key: str) -> Entity:
    """The entity ``key`` with ``old`` folded in: old's name and aliases become aliases, evidence pools."""
    label, name = key_parts(key)
    aliases = (*(kept.aliases if kept else ()), old.name, *old.aliases)
    properties = {**old.properties, **(kept.properties if kept else {})}
    evidence: dict[str, Evidence] = {}
    for ev in (*(kept.evidence if kept else ()), *old.evidence):
        evidence.setdefault(ev.key, ev)
    return Entity.create(
        label=label,
        name=name,
        aliases=aliases,
        properties=properties,
        evidence=tuple(evidence.values())[:MAX_EVIDENCE],
    )


def _reject(work: _Work, fact: str) -> None:
    before = len(work.relations)
    work.relations = [r for r in work.relations if r.key != fact]
    if len(work.relations) < before:
        work.dropped["fact a curator rejected"] += before - len(work.relations)


def _add(work: _Work, c: Add) -> None:
    """State the added fact if this is its document, or a new version that still has its sentence."""
    doc = work.document
    if doc.id == c.document_id:
        start = c.start
    elif doc.source == c.document_source:
        start = doc.text.find(c.sentence)
        if start < 0:
            work.dropped["fact a curator added, whose sentence this version no longer has"] += 1
            return
    else:
        return
    for key in (c.source, c.target):
        if key not in work.entities:  # the curator read it here although extraction did not
            label, name = key_parts(key)
            work.entities[key] = Entity.create(label=label, name=name)
    evidence = Evidence(
        document_id=doc.id,
        start=start,
        end=start + len(c.sentence),
        sentence=c.sentence,
        extractor=CURATOR,
        confidence=CURATOR_CONFIDENCE,
        note=c.note or None,
    )
    # First, so that for a span extraction also cites, the curator's evidence is the one kept.
    added = Relation(
        type=c.type, source=c.source, target=c.target, amount_cny=c.amount_cny, evidence=(evidence,)
    )
    work.relations.insert(0, added)


def rewrite_documents(
    driver: Driver, *, database: str, documents: Sequence[Document], corrections: Sequence[CorrectionT]
) -> int:
    """Extract each stored document again and write it with ``corrections`` applied; returns how many.

    Used when the corrections change: writing a document again replaces what it stated before, so the
    graph becomes what a fresh ingest with these corrections would give.
    """
    from graph.store import write_graph
    from ingest.pipeline import extract_document

    for document in documents:
        graph = curate(extract_document(document).graph, corrections).graph
        write_graph(driver, graph, database=database)
    logger.info("rewrote %d document(s) with %d correction(s)", len(documents), len(corrections))
    return len(documents)

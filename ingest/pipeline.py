"""The extraction pipeline: a Document's text → graph.model.Graph, with evidence offsets into the original.

clean → split → recognise → resolve (ingest/doc.py's ``analyse``, giving one ``Doc``) → relate → targets;
heavy resources (jieba, the gazetteer automaton) are loaded lazily once per process, so worker processes
stay cheap to start.

Targets (ingest/targets.py) become `Indicator` entities and `SETS_TARGET` facts of the document's own
policy (`own_policy`), tied to the document's own city by a ``city`` property; a document without a
policy or a city of its own keeps no targets, with a counted reason.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from graph.model import (
    CORE_LABELS,
    CORE_TYPES,
    MAX_EVIDENCE,
    Document,
    Entity,
    Evidence,
    Graph,
    Label,
    Relation,
    RelType,
    Scalar,
    content_id,
    entity_key,
    merge_repeats,
)
from ingest.clean import Cleaned
from ingest.confidence import rule_confidence
from ingest.doc import analyse
from ingest.relate import Fact, relate
from ingest.resolve import Entity as Resolved
from ingest.resolve import Resolution, canonical_name
from ingest.split import Segment
from ingest.targets import Found, Target, find_targets

logger = logging.getLogger(__name__)

# A document's own policy is named in its heading: within this many characters of the cleaned text.
OWN_POLICY_HEAD = 300
TARGET_CONFIDENCE = {"table": 0.95, "sentence": 0.85}
# Which labels each relation type may join (ONTOLOGY.md); anything else is pruned with a reason.
SIGNATURES: dict[RelType, tuple[frozenset[Label], frozenset[Label]]] = {
    RelType.HOSTS: (
        frozenset({Label.CITY, Label.PARK, Label.INSTITUTE}),
        frozenset({Label.CITY, Label.PARK, Label.INSTITUTE, Label.ENTERPRISE}),
    ),
    RelType.FUNDS: (
        frozenset({Label.CITY, Label.POLICY, Label.ENTERPRISE, Label.PARK, Label.INSTITUTE}),
        frozenset({Label.CITY, Label.PARK, Label.INSTITUTE, Label.ENTERPRISE, Label.POLICY}),
    ),
    RelType.COOPERATES: (
        frozenset({Label.CITY, Label.PARK, Label.INSTITUTE, Label.ENTERPRISE}),
        frozenset({Label.CITY, Label.PARK, Label.INSTITUTE, Label.ENTERPRISE}),
    ),
}
_VALID_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class Extraction:
    """What one document yields, and what was dropped on the way (reason -> count)."""

    graph: Graph
    pruned: dict[str, int]


def extract_text(text: str, *, source: str = "<text>") -> Extraction:
    """Extract from a bare string (tests, CLI): the Document's id is the sha256 of the UTF-8 text."""
    doc = Document(id=content_id(text.encode("utf-8")), source=source, text=text)
    return extract_document(doc)


def extract_document(document: Document) -> Extraction:
    """Entities and relations of one document, every fact with evidence that slices the original text."""
    doc = analyse(document)
    cleaned, sents, res = doc.cleaned, doc.sentences, doc.resolution
    pruned: Counter[str] = Counter(res.pruned)
    facts = relate(doc)
    entities, keys = _entities(document, cleaned, sents, res.entities, pruned)
    relations = _relations(document, cleaned, facts, keys, pruned)
    found = find_targets(cleaned, sents)
    pruned.update(found.pruned)
    policy = own_policy(res)
    indicators, targets = _targets(
        document,
        found,
        policy=keys.get(id(policy)) if policy is not None else None,
        city=entity_key(Label.CITY, res.city) if res.city else None,
        pruned=pruned,
    )
    graph = Graph(
        document=document,
        entities=(*entities, *indicators),
        relations=(*relations, *targets),
    )
    logger.debug(
        "%s: %d entities, %d relations, pruned %s",
        document.source,
        len(entities),
        len(relations),
        dict(pruned),
    )
    return Extraction(graph=graph, pruned=dict(pruned))


def _evidence(
    document: Document, cleaned: Cleaned, seg: Segment, extractor: str, confidence: float
) -> Evidence:
    return Evidence(
        document_id=document.id,
        start=seg.ostart,
        end=seg.oend,
        sentence=cleaned.original[seg.ostart : seg.oend],
        extractor=extractor,
        confidence=round(confidence, 3),
    )


def _sentence_at(sents: list[Segment], pos: int) -> Segment | None:
    lo, hi = 0, len(sents)
    while lo < hi:  # sentences are sorted and disjoint: binary search
        mid = (lo + hi) // 2
        if sents[mid].end <= pos:
            lo = mid + 1
        else:
            hi = mid
    return sents[lo] if lo < len(sents) and sents[lo].start <= pos else None


def _entities(
    document: Document, cleaned: Cleaned, sents: list[Segment], resolved: list[Resolved], pruned: Counter[str]
) -> tuple[list[Entity], dict[int, str]]:
    out: dict[str, Entity] = {}
    keys: dict[int, str] = {}
    for r in resolved:
        name = canonical_name(r.label, _canonical(r.name))
        if len(name) < 2 or not _VALID_NAME.search(name):
            pruned["name too short or without letters"] += 1
            continue
        evidence: list[Evidence] = []
        seen: set[tuple[int, int]] = set()
        for m in sorted(r.mentions, key=lambda m: m.start):
            seg = _sentence_at(sents, m.start)
            if seg is None or (seg.ostart, seg.oend) in seen:
                continue
            seen.add((seg.ostart, seg.oend))
            tag = f"recognise:{m.extractor}"
            evidence.append(_evidence(document, cleaned, seg, tag, rule_confidence(tag, m.confidence)))
            if len(evidence) >= MAX_EVIDENCE:
                break
        props: dict[str, Any] = {}
        if r.label is Label.CITY and r.level:
            props["level"] = r.level
        if r.parent:
            props["parent"] = r.parent
        key = entity_key(r.label, name)
        forms = (_canonical(r.name), *map(_canonical, r.aliases))
        aliases = tuple(dict.fromkeys(a for a in forms if a and a != name))
        if key in out:  # two resolved entities normalise to one name: merge them
            old = out[key]
            evidence = [*old.evidence, *evidence][:MAX_EVIDENCE]
            aliases = (*old.aliases, *aliases)
            props = {**old.properties, **props}
        out[key] = Entity.create(
            label=r.label, name=name, aliases=aliases, properties=props, evidence=tuple(evidence)
        )
        keys[id(r)] = key
    return list(out.values()), keys


def _canonical(name: str) -> str:
    """NFKC, trimmed, and straight quotes curled in pairs, so a name is spelled one way across documents."""
    text = unicodedata.normalize("NFKC", name).strip()
    parts = text.split('"')
    if len(parts) % 2 == 1 and len(parts) > 1:
        text = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]
    return text


def _relations(
    document: Document, cleaned: Cleaned, facts: list[Fact], keys: dict[int, str], pruned: Counter[str]
) -> list[Relation]:
    """The facts as relations between kept entities of the ontology's signatures, repeats merged."""
    relations: list[Relation] = []
    for f in facts:
        src, tgt = keys.get(id(f.source)), keys.get(id(f.target))
        if src is None or tgt is None or src == tgt:
            pruned["relation to a pruned entity"] += 1
            continue
        sources, targets = SIGNATURES[f.type]
        if f.source.label not in sources or f.target.label not in targets:
            pruned[f"{f.type.value} between {f.source.label.value} and {f.target.label.value}"] += 1
            continue
        tag = f"relate:{f.extractor}"
        ev = _evidence(document, cleaned, f.segment, tag, rule_confidence(tag, f.confidence))
        relations.append(
            Relation(type=f.type, source=src, target=tgt, amount_cny=f.amount_cny, evidence=(ev,))
        )
    return merge_repeats(relations)


def own_policy(res: Resolution) -> Resolved | None:
    """The policy a document is: one named in its heading (the first OWN_POLICY_HEAD characters), those
    with a document number (徐委发〔2018〕20号) first, then the earliest; None when the heading names none
    (a news page, a book chapter on several cities)."""
    named = [
        (any(m.extractor == "docno" for m in e.mentions), min(m.start for m in e.mentions), e)
        for e in res.entities
        if e.label is Label.POLICY and e.mentions and min(m.start for m in e.mentions) < OWN_POLICY_HEAD
    ]
    if not named:
        return None
    return min(named, key=lambda x: (not x[0], x[1]))[2]


def _targets(
    document: Document, found: Found, *, policy: str | None, city: str | None, pruned: Counter[str]
) -> tuple[list[Entity], list[Relation]]:
    """Indicator entities and SETS_TARGET facts of the document's own policy, one per (indicator, year).

    Table cells come first: a sentence stating the same (indicator, year) with the same value and unit
    adds its evidence (the table's comparator stays); one stating another value is dropped with a reason.
    """
    if not found.targets:
        return [], []
    if policy is None or city is None:
        whose = "policy" if policy is None else "city"
        pruned[f"target in a document without a {whose} of its own"] += len(found.targets)
        return [], []
    chosen: dict[tuple[str, int], tuple[Target, dict[str, Evidence]]] = {}
    names: dict[str, tuple[list[str], dict[str, Evidence]]] = {}
    for t in found.targets:  # tables first, then sentences, each in text order
        ev = Evidence(
            document_id=document.id,
            start=t.start,
            end=t.end,
            sentence=t.sentence,
            extractor=f"targets:{t.kind}",
            confidence=TARGET_CONFIDENCE[t.kind],
        )
        seen = chosen.get((t.indicator, t.year))
        if seen is None:
            chosen[(t.indicator, t.year)] = (t, {ev.key: ev})
        elif (seen[0].value, seen[0].value_max, seen[0].unit) != (t.value, t.value_max, t.unit):
            pruned["target that contradicts an earlier one of the same year"] += 1
            continue
        elif len(seen[1]) < MAX_EVIDENCE:
            seen[1].setdefault(ev.key, ev)
        aliases, evidence = names.setdefault(t.indicator, ([], {}))
        aliases.append(t.surface)
        if len(evidence) < MAX_EVIDENCE:
            evidence.setdefault(ev.key, ev)
    indicators = {
        name: Entity.create(
            label=Label.INDICATOR, name=name, aliases=tuple(aliases), evidence=tuple(evidence.values())
        )
        for name, (aliases, evidence) in names.items()
    }
    relations = []
    for (name, year), (t, evidence) in chosen.items():
        props: dict[str, Scalar] = {
            "year": year,
            "value": t.value,
            "unit": t.unit,
            "comparator": t.comparator,
            "stated": t.stated,
            "city": city,
            "tentative": t.tentative,
        }
        if t.value_max is not None:
            props["value_max"] = t.value_max
        relations.append(
            Relation(
                type=RelType.SETS_TARGET,
                source=policy,
                target=indicators[name].key,
                qualifier=str(year),
                properties=props,
                evidence=tuple(evidence.values()),
            )
        )
    return list(indicators.values()), relations


def to_gold_format(graph: Graph, *, doc: str) -> dict[str, Any]:
    """A graph in the gold JSON format of ONTOLOGY.md (relation ends by name), core labels and types only;
    the policy targets (not scored) follow in an extra ``targets`` array."""
    names = {e.key: e.name for e in graph.entities}
    return {
        "doc": doc,
        "entities": [
            {"label": e.label.value, "name": e.name, "aliases": list(e.aliases)}
            for e in graph.entities
            if e.label in CORE_LABELS
        ],
        "relations": [
            {
                "type": r.type.value,
                "source": names[r.source],
                "target": names[r.target],
                "amount_cny": r.amount_cny,
                "evidence": r.evidence[0].sentence if r.evidence else "",
            }
            for r in graph.relations
            if r.type in CORE_TYPES
        ],
        "targets": [
            {
                "policy": names[r.source],
                "indicator": names[r.target],
                **r.properties,
                "evidence": [
                    {"start": ev.start, "end": ev.end, "sentence": ev.sentence} for ev in r.evidence
                ],
            }
            for r in graph.relations
            if r.type is RelType.SETS_TARGET
        ],
    }

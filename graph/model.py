"""The graph model: the one contract between extraction and storage.

Labels and relation types of ONTOLOGY.md are spelled here and nowhere else. The five core labels and
three core types (`CORE_LABELS`, `CORE_TYPES`) are the scored ontology; the extension (`Indicator`,
`SETS_TARGET`: the quantified targets a policy sets) is stored and served like them but never scored.
Every node and relationship carries the evidence it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Scalar = str | int | float | bool
MAX_EVIDENCE = 5  # per entity or relation and document: enough to show, small enough to store
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Label(StrEnum):
    CITY = "City"
    PARK = "Park"
    INSTITUTE = "Institute"
    ENTERPRISE = "Enterprise"
    POLICY = "Policy"
    INDICATOR = "Indicator"  # extension: a measured quantity a policy sets targets for


class RelType(StrEnum):
    HOSTS = "HOSTS"
    FUNDS = "FUNDS"
    COOPERATES = "COOPERATES"
    SETS_TARGET = "SETS_TARGET"  # extension: (:Policy)-[:SETS_TARGET {year, value, ...}]->(:Indicator)


# The scored ontology (evaluation, gold format) and the actor network (neighbourhoods, paths, analytics).
CORE_LABELS: tuple[Label, ...] = (Label.CITY, Label.PARK, Label.INSTITUTE, Label.ENTERPRISE, Label.POLICY)
CORE_TYPES: tuple[RelType, ...] = (RelType.HOSTS, RelType.FUNDS, RelType.COOPERATES)
SYMMETRIC: frozenset[RelType] = frozenset({RelType.COOPERATES})
# Types with several facts between the same two entities, told apart by a qualifier in their key
# (SETS_TARGET: one fact per target year). Every other type has one fact per (type, source, target).
QUALIFIED: frozenset[RelType] = frozenset({RelType.SETS_TARGET})


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def content_id(data: bytes) -> str:
    """A document's identity: the sha256 of its content."""
    return hashlib.sha256(data).hexdigest()


def entity_key(label: Label, name: str) -> str:
    """Deterministic key of an entity: label + NFKC-normalised canonical name, e.g. ``City:徐州``."""
    return f"{label.value}:{unicodedata.normalize('NFKC', name).strip()}"


def relation_key(type_: RelType, source: str, target: str, qualifier: str | None = None) -> str:
    """Deterministic key of a fact; symmetric types order their endpoints.

    ``source|TYPE|target``, plus ``|qualifier`` for the QUALIFIED types (``…|SETS_TARGET|…|2020``).
    """
    if type_ in SYMMETRIC and target < source:
        source, target = target, source
    key = f"{source}|{type_.value}|{target}"
    return f"{key}|{qualifier}" if qualifier is not None else key


class Evidence(Frozen):
    """Where a fact was read: a span of a document's text."""

    document_id: Sha256
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    sentence: NonEmpty
    extractor: NonEmpty
    confidence: float = Field(ge=0.0, le=1.0)
    # What a curator said of a fact they added (graph/curation.py); extracted evidence has none.
    note: str | None = None

    @model_validator(mode="after")
    def _span_matches_sentence(self) -> Self:
        if self.end - self.start != len(self.sentence):
            raise ValueError(
                f"evidence span {self.start}:{self.end} has length {self.end - self.start} "
                f"but the sentence has {len(self.sentence)} characters"
            )
        return self

    @property
    def key(self) -> str:
        return f"{self.document_id}:{self.start}:{self.end}"


class Document(Frozen):
    """A source document; its id is the sha256 of its raw bytes."""

    id: Sha256
    source: NonEmpty  # path or URL it was read from; versions of one document share it
    title: str | None = None
    date: dt.date | None = None
    text: str


class Entity(Frozen):
    key: NonEmpty
    label: Label
    name: NonEmpty
    aliases: tuple[NonEmpty, ...] = ()
    properties: dict[str, Scalar] = Field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    @classmethod
    def create(
        cls,
        *,
        label: Label,
        name: str,
        aliases: tuple[str, ...] = (),
        properties: dict[str, Scalar] | None = None,
        evidence: tuple[Evidence, ...] = (),
    ) -> Entity:
        """Build an entity with its deterministic key; aliases exclude the name and repeat nothing."""
        unique = tuple(dict.fromkeys(a for a in aliases if a and a != name))
        return cls(
            key=entity_key(label, name),
            label=label,
            name=name,
            aliases=unique,
            properties=properties or {},
            evidence=evidence,
        )

    @model_validator(mode="after")
    def _key_matches(self) -> Self:
        if self.key != entity_key(self.label, self.name):
            raise ValueError(f"entity key {self.key!r} does not match {entity_key(self.label, self.name)!r}")
        return self


class Relation(Frozen):
    type: RelType
    source: NonEmpty  # entity key
    target: NonEmpty  # entity key
    # Tells apart facts of a QUALIFIED type between the same ends (SETS_TARGET: the year, "2020").
    qualifier: Annotated[str, StringConstraints(pattern=r"^[^|]+$")] | None = None
    amount_cny: float | None = Field(default=None, ge=0)
    properties: dict[str, Scalar] = Field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    @model_validator(mode="after")
    def _no_self_loop(self) -> Self:
        if self.source == self.target:
            raise ValueError(
                f"a {self.type} relation needs two different entities, got {self.source!r} twice"
            )
        if (self.qualifier is None) == (self.type in QUALIFIED):
            need = "needs a" if self.type in QUALIFIED else "takes no"
            raise ValueError(f"a {self.type} relation {need} qualifier ({self.source} -> {self.target})")
        return self

    @property
    def key(self) -> str:
        return relation_key(self.type, self.source, self.target, self.qualifier)


def _pooled(evidence: Iterable[Evidence], cap: int) -> tuple[Evidence, ...]:
    """Evidence unique by key (one span of one document; the first rule to cite it stays), at most cap."""
    unique: dict[str, Evidence] = {}
    for ev in evidence:
        unique.setdefault(ev.key, ev)
    return tuple(unique.values())[:cap]


def merge_repeats(relations: Iterable[Relation], max_evidence: int = MAX_EVIDENCE) -> list[Relation]:
    """One relation per fact key, in first-seen order: THE merge rule for a fact stated more than once.

    Symmetric types order their ends (as their key does); the amount is the largest one stated (a total
    and its part name one fact, and the total is its amount); properties pool, a later value winning;
    evidence pools unique by key (the first rule citing a span stays) in text order, at most
    ``max_evidence`` pieces. Extraction merges a document's repeats with it, and the store merges a
    graph's again with it, so both always agree.
    """
    merged: dict[str, Relation] = {}
    for r in relations:
        if r.type in SYMMETRIC and r.target < r.source:
            r = r.model_copy(update={"source": r.target, "target": r.source})
        seen = merged.get(r.key)
        if seen is None:
            merged[r.key] = r.model_copy(update={"evidence": _pooled(r.evidence, max_evidence)})
            continue
        amounts = [a for a in (seen.amount_cny, r.amount_cny) if a is not None]
        merged[r.key] = seen.model_copy(
            update={
                "amount_cny": max(amounts) if amounts else None,
                "properties": {**seen.properties, **r.properties},
                "evidence": _pooled((*seen.evidence, *r.evidence), max_evidence),
            }
        )
    return list(merged.values())


class Graph(Frozen):
    """What one document yields: its entities and relations, each with evidence."""

    document: Document
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        keys = [e.key for e in self.entities]
        if len(keys) != len(set(keys)):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            raise ValueError(f"entities repeat keys {dupes[:5]}: merge them before building the Graph")
        known = set(keys)
        for r in self.relations:
            for end in (r.source, r.target):
                if end not in known:
                    raise ValueError(f"relation {r.key} refers to {end!r}, which is not among the entities")
        for ev in (
            *(v for e in self.entities for v in e.evidence),
            *(v for r in self.relations for v in r.evidence),
        ):
            if ev.document_id != self.document.id:
                raise ValueError(f"evidence {ev.key} belongs to another document than {self.document.id}")
            if self.document.text[ev.start : ev.end] != ev.sentence:
                raise ValueError(f"evidence {ev.key} does not match the document text at its offsets")
        return self

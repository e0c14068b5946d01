"""The document reader's layout: a document's text as paragraphs of pieces, each piece knowing which evidence
spans cover it and whether it lies inside the span the reader was asked to mark (``?at=START-END``).

Pure functions over the text and the evidence offsets (``document.text[start:end] == sentence``); the page
(app/explorer/documents.py) renders what they return.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import quote

from graph.errors import BadInput
from graph.model import RelType
from graph.views import DocumentEvidence

READER_PREFIX = "/explore/documents"
_AT = re.compile(r"^\s*(\d{1,9})\s*-\s*(\d{1,9})\s*$")
_LINE = re.compile(r"[^\n]+")


def reader_url(document_id: str, start: int | None = None, end: int | None = None) -> str:
    """The reader page of a document, scrolled to and marking ``start``–``end`` when given."""
    url = f"{READER_PREFIX}/{quote(document_id, safe='')}"
    if start is None or end is None:
        return url
    return f"{url}?at={start}-{end}#at"


def parse_at(value: str | None, length: int) -> tuple[int, int] | None:
    """The span ``START-END`` names in a text of ``length`` characters; None when not given.
    BadInput, saying what to send, when it is no span of the text."""
    if value is None or not value.strip():
        return None
    match = _AT.match(value)
    if match is None:
        raise BadInput(
            f"at={value!r} is not a span: give START-END character offsets of the text, such as at=10-42"
        )
    start, end = int(match.group(1)), int(match.group(2))
    if start >= end:
        raise BadInput(f"at={value!r} is empty or backwards: START must be smaller than END, as in at=10-42")
    if end > length:
        raise BadInput(
            f"at={value!r} ends past the end of the document ({length} characters): "
            f"give an END of at most {length}"
        )
    return start, end


@dataclass(frozen=True)
class FactLink:
    """One fact a span supports, as the reader links it: its page (None when no longer stored)."""

    key: str
    text: str
    url: str | None


@dataclass(frozen=True)
class Span:
    """One evidence span of the document and every fact it supports."""

    start: int
    end: int
    sentence: str
    facts: tuple[FactLink, ...]

    @property
    def id(self) -> str:
        return f"span-{self.start}-{self.end}"


@dataclass(frozen=True)
class Piece:
    """A stretch of text with one set of covering spans; ``spans`` are indices into the span list,
    the shortest (most specific) first."""

    start: int
    end: int
    text: str
    spans: tuple[int, ...]


@dataclass(frozen=True)
class Run:
    """Consecutive pieces of a paragraph, all inside the marked span or all outside it."""

    marked: bool
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    runs: tuple[Run, ...]


def fact_link(ev: DocumentEvidence, entity_url: str) -> FactLink:
    """How the reader names and links the fact of ``ev``; ``entity_url`` is the entity pages' prefix."""
    if ev.entity is not None:
        url = entity_url + quote(ev.entity.key, safe=":")
        return FactLink(ev.fact, f"{ev.entity.name} · {ev.entity.label}", url)
    if ev.relation is not None:
        r = ev.relation
        arrow = "↔" if r.type == RelType.COOPERATES else "→"
        return FactLink(
            ev.fact,
            f"{r.source.name} {r.type.value} {arrow} {r.target.name}",
            entity_url + quote(r.source.key, safe=":"),
        )
    return FactLink(ev.fact, f"{ev.fact} (no longer stored)", None)


def spans_of(evidence: list[DocumentEvidence], entity_url: str) -> list[Span]:
    """The evidence grouped by span, by position; each span's facts in the order given, once each."""
    grouped: dict[tuple[int, int], tuple[str, dict[str, FactLink]]] = {}
    for ev in evidence:
        _, facts = grouped.setdefault((ev.start, ev.end), (ev.sentence, {}))
        facts.setdefault(ev.fact, fact_link(ev, entity_url))
    return [
        Span(start, end, sentence, tuple(facts.values()))
        for (start, end), (sentence, facts) in sorted(grouped.items())
    ]


def layout(text: str, spans: list[Span], at: tuple[int, int] | None) -> list[Paragraph]:
    """``text`` as paragraphs (its non-empty lines), each cut wherever a span or the marked span starts or
    ends, so that every piece has one set of covering spans and lies wholly inside or outside ``at``."""
    paragraphs: list[Paragraph] = []
    ordered = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    for line in _LINE.finditer(text):
        ps, pe = line.start(), line.end()
        if not line.group().strip():
            continue
        inside = [i for i in ordered if spans[i].start < pe and spans[i].end > ps]
        cuts = {ps, pe}
        for i in inside:
            cuts.update((max(ps, spans[i].start), min(pe, spans[i].end)))
        if at is not None:
            cuts.update(c for c in at if ps < c < pe)
        bounds = sorted(cuts)
        pieces = []
        for a, b in itertools.pairwise(bounds):
            covering = [i for i in inside if spans[i].start <= a and spans[i].end >= b]
            covering.sort(key=lambda i: (spans[i].end - spans[i].start, spans[i].start))
            pieces.append(Piece(a, b, text[a:b], tuple(covering)))
        paragraphs.append(Paragraph(ps, pe, _runs(pieces, at)))
    return paragraphs


def _runs(pieces: list[Piece], at: tuple[int, int] | None) -> tuple[Run, ...]:
    runs: list[Run] = []
    for piece in pieces:
        marked = at is not None and at[0] <= piece.start and piece.end <= at[1]
        if runs and runs[-1].marked == marked:
            runs[-1] = Run(marked, (*runs[-1].pieces, piece))
        else:
            runs.append(Run(marked, (piece,)))
    return tuple(runs)

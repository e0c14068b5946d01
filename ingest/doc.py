"""The document object of extraction (spaCy's ``Doc``): one place for what a document's steps have found.

document → clean → split → recognise → resolve gives a :class:`Doc`: the cleaned text with its offsets
into the original, the sentences (and, on demand, their clauses), the selected mentions, the resolved
entities and which entity each mention became. The relation rules (ingest/relate.py) read only this;
the pipeline turns it and their facts into a graph.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property

from graph.model import Document, Label
from ingest.clean import Cleaned, clean, rule_lines
from ingest.recognise import Mention, Recognised, recognise
from ingest.resolve import Entity, Resolution, resolve
from ingest.split import Segment, clauses, sentences

# The passage around a position whose city names decide which city it speaks for (characters).
_WINDOW_BEFORE = 1500
_WINDOW_AFTER = 300
# How many of its words for itself (data/rules/self_reference.tsv) make a document a division's own.
_SELF_REFERENCES = 4
_TITLE_LINE = 120  # a first line this short is the document's title


@cache
def _self_reference() -> dict[str, re.Pattern[str]]:
    by_level: dict[str, list[str]] = {}
    for line in rule_lines("self_reference.tsv"):
        level, word = (x.strip() for x in line.split("\t")[:2])
        by_level.setdefault(level, []).append(word)
    return {level: re.compile("|".join(map(re.escape, ws))) for level, ws in by_level.items()}


def analyse(document: Document) -> Doc:
    """Clean, split, recognise and resolve one document."""
    cleaned = clean(document.text)
    rec = recognise(cleaned.text)
    res = resolve(cleaned.text, rec)
    # each mention with the entity its span resolved to, in text order (spans in resolution order on ties);
    # one pass over every entity's mentions, so a name repeated n times costs n, not n²
    order = {span: i for i, span in enumerate(res.by_span)}
    mentions = sorted(
        ((m, e) for e in res.entities for m in e.mentions if res.by_span.get((m.start, m.end, m.label)) is e),
        key=lambda x: (x[0].start, order[(x[0].start, x[0].end, x[0].label)]),
    )
    return Doc(document, cleaned, sentences(cleaned), rec, res, mentions)


@dataclass
class Doc:
    """One document as extraction sees it: the cleaned text, its sentences and clauses, the selected
    mentions and the entities they resolve to. Built once by :func:`analyse`; relation rules read it."""

    document: Document
    cleaned: Cleaned
    sentences: list[Segment]
    recognised: Recognised
    resolution: Resolution
    mentions: list[tuple[Mention, Entity]]  # in text order, each with the entity it resolves to

    @property
    def text(self) -> str:
        return self.cleaned.text

    @property
    def title(self) -> str:
        """The document's first line when it is short enough to be its title, else ""."""
        end = self.text.find("\n")
        return self.text[:end] if 0 <= end <= _TITLE_LINE else ""

    @cached_property
    def first_mentions(self) -> tuple[dict[int, Segment], dict[int, int]]:
        """For every entity (by id): the sentence of its first mention, and where that mention starts."""
        first: dict[int, Segment] = {}
        where: dict[int, int] = {}
        for m, e in self.mentions:
            if id(e) not in first and (seg := self.sentence_of(m.start)) is not None:
                first[id(e)] = seg
                where[id(e)] = m.start
        return first, where

    @cached_property
    def clauses(self) -> list[Segment]:
        """Every sentence's clauses, in text order (split at the one set of clause marks)."""
        return [c for s in self.sentences for c in clauses(self.cleaned, s)]

    def __post_init__(self) -> None:
        self._starts = [m.start for m, _ in self.mentions]
        self._inside: dict[tuple[int, int], list[tuple[Mention, Entity]]] = {}
        self._sent_starts = [s.start for s in self.sentences]
        self.issuer = self._own_division()

    def _own_division(self) -> Entity | None:
        """The county or district a document speaks for as its own: the one of that level it names
        most, when its words for itself say so (全县…县财政…) or its title names it first."""
        for level, words in _self_reference().items():
            named = Counter(id(e) for _, e in self.mentions if e.label is Label.CITY and e.level == level)
            if not named:
                continue
            top_id = named.most_common(1)[0][0]
            top = next(e for _, e in self.mentions if id(e) == top_id)
            if len(words.findall(self.text)) >= _SELF_REFERENCES or self._titled(top):
                return top
        return None

    def _titled(self, e: Entity) -> bool:
        """Whether ``e`` is the first place the document's title line names (南昌县(小蓝经开区)…签约)."""
        in_title = [x for m, x in self.mentions if m.start < len(self.title) and x.label is Label.CITY]
        return bool(in_title) and in_title[0] is e

    @cached_property
    def _cities_by_form(self) -> tuple[dict[str, Entity], dict[str, Entity]]:
        """City entities by name and alias (the first entity wins), and counties and districts by
        their short form (南海 for 南海区)."""
        by_form: dict[str, Entity] = {}
        short: dict[str, Entity] = {}
        for e in self.resolution.entities:
            if e.label is not Label.CITY:
                continue
            by_form.setdefault(e.name, e)
            for a in e.aliases:
                by_form.setdefault(a, e)
            if e.level in ("county", "district"):
                short.setdefault(e.name[:-1], e)
        return by_form, short

    def city_entity(self, name: str) -> Entity | None:
        """The City entity with this name or alias."""
        return self._cities_by_form[0].get(name)

    def place_named(self, name: str) -> Entity | None:
        """The City entity ``name`` names, a county's or district's short form included (南海 for 南海区)
        when the document names that division."""
        found = self.city_entity(name)
        if found is not None or len(name) < 2:
            return found
        return self._cities_by_form[1].get(name)

    def in_segment(self, seg: Segment) -> list[tuple[Mention, Entity]]:
        """The mentions inside a segment, in text order (computed once per span; do not modify)."""
        span = (seg.start, seg.end)
        found = self._inside.get(span)
        if found is None:
            lo = bisect_left(self._starts, seg.start)
            hi = bisect_left(self._starts, seg.end, lo)
            found = self._inside[span] = [(m, e) for m, e in self.mentions[lo:hi] if m.end <= seg.end]
        return found

    def sentence_of(self, pos: int) -> Segment | None:
        i = bisect_right(self._sent_starts, pos) - 1
        if i >= 0 and self.sentences[i].start <= pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def local_city(self, pos: int) -> Entity | None:
        """The city a passage speaks for: the one named most around ``pos`` (a page may hold articles on
        several cities), else the document's own city, else the last one named before ``pos``."""
        marks = self.resolution.city_marks
        lo = bisect_left(marks, (pos - _WINDOW_BEFORE, ""))
        hi = bisect_right(marks, (pos + _WINDOW_AFTER, "\uffff"))
        counts = Counter(name for _, name in marks[lo:hi])
        if counts:
            top = max(counts.values())
            leaders = {n for n, c in counts.items() if c == top}
            if self.resolution.city in leaders:
                return self.city_entity(self.resolution.city)
            before = [n for p, n in marks[lo:hi] if p <= pos and n in leaders]
            name = before[-1] if before else next(n for _, n in marks[lo:hi] if n in leaders)
            found = self.city_entity(name)
            if found is not None:
                return found
        if self.resolution.city:
            return self.city_entity(self.resolution.city)
        before = [n for p, n in marks if p <= pos]
        return self.city_entity(before[-1]) if before else None

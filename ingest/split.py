"""Sentence and clause splitting on cleaned text; every piece knows its span in the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import Cleaned

_SENTENCE_END = re.compile(r"[。!?;\n\t]+|…{2,}")
# The one set of clause marks inside a sentence (cleaned text is NFKC: ，：→ ,:). Every rule that asks
# "where does this clause start or end" uses these, through clause_start / clause_end / IN_CLAUSE.
CLAUSE_MARKS = ",:"
_CLAUSE_END = re.compile(f"[{CLAUSE_MARKS}]+")
IN_CLAUSE = f"[^{CLAUSE_MARKS}]"  # a regex class: any character that does not end a clause
_TRIM = " \t\n\"“”'"


@dataclass(frozen=True)
class Segment:
    """A sentence or clause: ``start``/``end`` index the cleaned text, ``ostart``/``oend`` the original."""

    start: int
    end: int
    text: str
    ostart: int
    oend: int


def _segment(cleaned: Cleaned, start: int, end: int) -> Segment | None:
    text = cleaned.text
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if start >= end:
        return None
    ostart, oend = cleaned.original_span(start, end)
    return Segment(start=start, end=end, text=text[start:end], ostart=ostart, oend=oend)


def _pieces(cleaned: Cleaned, start: int, end: int, boundary: re.Pattern[str]) -> list[Segment]:
    out: list[Segment] = []
    pos = start
    for m in boundary.finditer(cleaned.text, start, end):
        # keep the closing punctuation with its sentence, as a reader quotes it
        seg = _segment(cleaned, pos, m.start() + (1 if cleaned.text[m.start()] in "。!?;" else 0))
        if seg:
            out.append(seg)
        pos = m.end()
    seg = _segment(cleaned, pos, end)
    if seg:
        out.append(seg)
    return out


def sentences(cleaned: Cleaned) -> list[Segment]:
    """Sentences, split at 。!?; line breaks and table cells."""
    return _pieces(cleaned, 0, len(cleaned.text), _SENTENCE_END)


def clauses(cleaned: Cleaned, sentence: Segment) -> list[Segment]:
    """Clauses of a sentence, split at commas and colons."""
    return _pieces(cleaned, sentence.start, sentence.end, _CLAUSE_END)


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding ``text[pos]`` starts: just after the last clause mark before ``pos``."""
    return max(text.rfind(mark, 0, pos) for mark in CLAUSE_MARKS) + 1


def clause_end(text: str, pos: int) -> int:
    """Where the clause holding ``text[pos]`` ends: the next clause mark at or after ``pos``, else the end."""
    found = [i for i in (text.find(mark, pos) for mark in CLAUSE_MARKS) if i >= 0]
    return min(found, default=len(text))


def evidence_text(cleaned: Cleaned, segment: Segment) -> str:
    """The exact original text a segment covers."""
    return cleaned.original[segment.ostart : segment.oend]

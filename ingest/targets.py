"""Policy targets: the quantified aims a document states by year, with evidence offsets into the original.

Two forms are read, both with compiled regexes over the vocabulary of data/rules/targets.tsv:

- **Indicator tables**: a header row of years (``指标名称  2017年  2018年 …``) and rows of an indicator
  name with its unit in parentheses and one value per year (``万人发明专利拥有量（件）  7  8.2  10  ≥12``),
  cells separated by tabs or runs of two or more spaces. Tables are read line by line from the
  *original* text, because cleaning folds the multi-space cell separators away; a cell's evidence is its
  whole row (name, unit and every year's value), the year comes from the header.
- **Target sentences** of the ``到2020年，…达/超过/突破 N 单位`` form, read over the *cleaned* text (OCR
  spaces gone: ``到 2020 年`` → ``到2020年``). The year applies from ``到20XX年`` to the end of the
  sentence (or the next ``到20XX年``); the scope is split into clauses at ``，、`` and each clause whose
  end is a number with a unit is one target (``…各1000家`` is one per quantity joined by 和/及/、).
  Its evidence is the sentence, mapped back to the original text like every other fact.

An indicator's name is the measured quantity normalised (`indicator_name`): scope words (全市, 全社会…)
and leading action verbs (培育, 新建…) dropped, a relative clause cut at its last 的, synonyms unified
(地区生产总值 → GDP), and a quantity counted in 家/件/个/人… named ``…数``. The unit stays separate.
Which policy and city a target belongs to is the pipeline's decision (ingest/pipeline.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ingest.clean import Cleaned, rule_lines
from ingest.recognise import pos
from ingest.split import Segment

# Comparators as stored: = (reach), >, >=, <, <=, ~ (about), range (value..value_max).
Comparator = Literal["=", ">", ">=", "<", "<=", "~", "range"]
MAX_NAME = 40  # characters: a longer "name" is a clause the grammar misread, not a quantity
_NUM = r"\d+(?:\.\d+)?"
_DASH = r"[-~～—–至]"
_QUOTES = re.compile(r"[\s\"'“”‘’「」『』《》]")
_CELL_SPLIT = re.compile(r"\t+|[ \u3000]{2,}")
_YEAR_CELL = re.compile(r"^((?:19|20)\d{2})\s*年?$")
_NAME_UNIT = re.compile(r"^(?P<name>.+?)\s*\((?P<unit>[^()]{1,16})\)$")
_TARGET_YEAR = re.compile(r"到\s?(20\d{2})\s?年(?:底|末)?")
_CLAUSE_SPLIT = re.compile(r"[,，、:：]")
_EDGE = " \t\n\"“”'"
_UNIT_COLUMNS = frozenset({"单位", "计量单位"})
_INDEX_COLUMNS = frozenset({"序号", "编号"})


@dataclass(frozen=True)
class Target:
    """One stated target: ``indicator`` reaches ``value`` (``comparator``) in ``unit`` by ``year``.

    ``start``/``end`` index the original text and ``sentence`` is exactly ``original[start:end]``: the
    table row or the sentence it was read from. ``stated`` is the value as written (``≥12``,
    ``超过 30000 件``); ``tentative`` when hedged (力争). ``surface`` is the quantity as written.
    """

    indicator: str
    surface: str
    year: int
    value: float
    unit: str
    comparator: Comparator
    stated: str
    kind: Literal["table", "sentence"]
    start: int
    end: int
    sentence: str
    value_max: float | None = None
    tentative: bool = False


@dataclass(frozen=True)
class Found:
    """The targets of one document in text order (tables first), and what was dropped (reason -> count)."""

    targets: tuple[Target, ...]
    pruned: dict[str, int]


# --- vocabulary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    units: tuple[str, ...]  # longest first
    counts: frozenset[str]
    verbs: dict[str, Comparator]
    tails: dict[str, Comparator]
    signs: dict[str, Comparator]
    leading: tuple[str, ...]  # scope, action and hedge words, longest first
    hedges: tuple[str, ...]
    actions: frozenset[str]
    subject_ends: tuple[str, ...]
    links: tuple[str, ...]
    synonyms: tuple[tuple[str, str], ...]
    suffixes: tuple[tuple[str, str], ...]
    measures: tuple[str, ...]
    splits: tuple[str, ...]


def _longest(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


def _alternation(words: Sequence[str]) -> str:
    return "|".join(map(re.escape, _longest(words)))


@cache
def vocabulary() -> Vocabulary:
    """data/rules/targets.tsv, read once per process."""
    rows: dict[str, list[list[str]]] = {}
    for line in rule_lines("targets.tsv"):
        kind, *rest = (x.strip() for x in line.split("\t"))
        rows.setdefault(kind, []).append(rest)

    def words(kind: str) -> list[str]:
        return [r[0] for r in rows.get(kind, [])]

    def pairs(kind: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in rows.get(kind, [])]

    def comparators(kind: str) -> dict[str, Comparator]:
        return {w: _comparator(c) for w, c in pairs(kind)}

    return Vocabulary(
        units=_longest(words("unit")),
        counts=frozenset(words("count")),
        verbs=comparators("verb"),
        tails=comparators("tail"),
        signs=comparators("sign"),
        leading=_longest([*words("scope"), *words("action"), *words("hedge")]),
        hedges=tuple(words("hedge")),
        actions=frozenset(words("action")),
        subject_ends=tuple(words("subject")),
        links=tuple(words("link")),
        synonyms=tuple(pairs("synonym")),
        suffixes=tuple(pairs("suffix")),
        measures=tuple(words("measure")),
        splits=tuple(words("split")),
    )


def _comparator(text: str) -> Comparator:
    allowed: tuple[Comparator, ...] = ("=", ">", ">=", "<", "<=", "~", "range")
    for c in allowed:
        if text == c:
            return c
    raise ValueError(f"data/rules/targets.tsv: {text!r} is not a comparator ({', '.join(allowed)})")


@dataclass(frozen=True)
class _Patterns:
    cell: re.Pattern[str]  # a table value cell
    trailing: re.Pattern[str]  # a clause ending in "[verb] N unit [tail]"
    leading: re.Pattern[str]  # a clause "[verbs] N unit [tail] noun"


@cache
def _patterns() -> _Patterns:
    v = vocabulary()
    units, tails = _alternation(v.units), _alternation(list(v.tails))
    counts = _alternation(sorted(v.counts))
    value = rf"(?P<num>{_NUM})(?:\s?{_DASH}\s?(?P<num2>{_NUM}))?"
    return _Patterns(
        cell=re.compile(
            rf"^(?P<sign>{_alternation(list(v.signs))})?\s*{value}\s*(?P<unit>{units})?\s*(?P<tail>{tails})?$"
        ),
        trailing=re.compile(
            rf"(?P<verb>{_alternation(list(v.verbs))})?\s?(?P<each>各)?\s?{value}\s?"
            rf"(?P<unit>{units})(?P<tail>{tails})?$"
        ),
        leading=re.compile(
            rf"^(?P<pre>\D*?){value}\s?(?P<unit>{counts})(?P<tail>{tails})?(?P<noun>\D{{2,}})$"
        ),
    )


# --- names ----------------------------------------------------------------------------------------


def _strip_leading(name: str, *, keep: int = 1) -> tuple[str, bool]:
    """Drop leading scope, action and hedge words, leaving at least ``keep`` characters; True when a hedge
    (力争) was among them."""
    v = vocabulary()
    hedged = False
    changed = True
    while changed and name:
        changed = False
        for word in v.leading:
            if name.startswith(word) and len(name) - len(word) >= keep:
                hedged = hedged or word in v.hedges
                name = name[len(word) :]
                changed = True
                break
    return name, hedged


def _drop_subject(name: str) -> str:
    """Without a leading place or zone doing the action (光明科学城集聚国家级创新平台 → 国家级创新平台). The
    action must be a verb in use (集聚, 拥有): not 和/及, nor a verb inside a noun (工业园区建设用地面积)."""
    v = vocabulary()
    offset = 0
    for word, flag in pos(name):
        rest = name[offset + len(word) :]
        if word in v.actions and flag == "v" and 2 <= offset <= 14 and len(rest) >= 2:
            return rest if name[:offset].endswith(v.subject_ends) else name
        offset += len(word)
    return name


def _trim(name: str) -> str:
    """Without surrounding punctuation, and without brackets left open by a clause split."""
    name = name.strip(_EDGE + ",.;:")
    if name.count("(") > name.count(")") and name.endswith("("):
        name = name.rstrip("(")
    return name


def indicator_name(surface: str, unit: str) -> str:
    """The measured quantity of ``surface`` in one spelling (see the module docstring); '' if none."""
    v = vocabulary()
    name = _trim(_QUOTES.sub("", unicodedata.normalize("NFKC", surface)))
    name, _ = _strip_leading(name)
    name = _drop_subject(name)
    if "的" in name:
        name = name.rsplit("的", 1)[1]
    for word in v.links:
        name = name.replace(word, "")
    for old, new in v.synonyms:
        name = name.replace(old, new)
    for old, new in v.suffixes:
        if name.endswith(old):
            name = name[: -len(old)] + new
    if name and unit in v.counts and not name.endswith(v.measures):
        name += "数"
    return name


def _valid_name(name: str, pruned: Counter[str]) -> bool:
    if len(name) < 2 or not re.search(r"[\u4e00-\u9fffA-Za-z]", name) or name == "数":
        pruned["target without a named quantity"] += 1
        return False
    if len(name) > MAX_NAME:
        pruned["target whose quantity is too long to be a name"] += 1
        return False
    return True


def _comparison(verb: str | None, sign: str | None, tail: str | None, ranged: bool) -> Comparator:
    """The comparator a target states: a range, else its sign (≥) or verb (超过), sharpened by its tail."""
    v = vocabulary()
    if ranged:
        return "range"
    stated: Comparator = "="
    if verb:
        stated = v.verbs[verb]
    if sign:
        stated = v.signs[sign]
    # 达600家以上: the tail sharpens a plain "reach"; 超过800家以上 stays ">"
    if tail and stated == "=":
        stated = v.tails[tail]
    return stated


# --- tables ---------------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line.rstrip("\r")
        pos += len(line) + 1


def _cells(line: str) -> list[str]:
    return [unicodedata.normalize("NFKC", c).strip() for c in _CELL_SPLIT.split(line.strip())]


def table_targets(original: str, pruned: Counter[str]) -> list[Target]:
    """Every (indicator, year) cell of the indicator tables of ``original`` (a header row of years)."""
    out: list[Target] = []
    header: list[str] | None = None
    years: dict[int, int] = {}
    for base, line in _lines(original):
        if not line.strip():
            continue  # blank lines inside a table (a DOCX export) do not end it
        cells = _cells(line)
        found = {i: int(m.group(1)) for i, c in enumerate(cells) if (m := _YEAR_CELL.match(c))}
        if len(found) >= 2 and len(cells) - len(found) <= 3:  # years, beside a name, unit, index column
            header, years = cells, found
            continue
        if header is None:
            continue
        if len(cells) != len(header):
            header, years = None, {}  # not a row of this table: the table has ended
            continue
        lead = len(line) - len(line.lstrip())
        start, end = base + lead, base + len(line.rstrip())
        out.extend(_row_targets(original, cells, header, years, start, end, pruned))
    return out


def _row_targets(
    original: str,
    cells: list[str],
    header: list[str],
    years: dict[int, int],
    start: int,
    end: int,
    pruned: Counter[str],
) -> Iterator[Target]:
    unit_col = next((i for i, h in enumerate(header) if h in _UNIT_COLUMNS), None)
    name_col = next(
        (i for i, h in enumerate(header) if i not in years and i != unit_col and h not in _INDEX_COLUMNS),
        None,
    )
    if name_col is None:
        return
    surface, unit = cells[name_col], cells[unit_col] if unit_col is not None else ""
    m = _NAME_UNIT.match(surface)
    if m:
        surface, unit = m.group("name"), unit or m.group("unit")
    name = indicator_name(surface, unit)
    if not _valid_name(name, pruned):
        return
    for col, year in sorted(years.items()):
        cell = re.sub(r"(?<=\d),(?=\d{3})", "", cells[col])
        v = _patterns().cell.match(cell)
        if v is None:
            pruned["table cell without a number"] += 1
            continue
        comparator = _comparison(None, v.group("sign"), v.group("tail"), v.group("num2") is not None)
        yield Target(
            indicator=name,
            surface=surface,
            year=year,
            value=float(v.group("num")),
            value_max=float(v.group("num2")) if v.group("num2") else None,
            unit=v.group("unit") or unit,
            comparator=comparator,
            stated=cells[col],
            kind="table",
            start=start,
            end=end,
            sentence=original[start:end],
        )


# --- sentences ------------------------------------------------------------------------------------


def sentence_targets(cleaned: Cleaned, sentences: Sequence[Segment], pruned: Counter[str]) -> list[Target]:
    """Targets of the 到20XX年…达 N 单位 sentences, each with its sentence as evidence."""
    out: list[Target] = []
    text = cleaned.text
    v = vocabulary()
    for seg in sentences:
        years = list(_TARGET_YEAR.finditer(text, seg.start, seg.end))
        for j, m in enumerate(years):
            scope_end = years[j + 1].start() if j + 1 < len(years) else seg.end
            before = text[max(seg.start, m.start() - 4) : m.start()]
            hedged = any(h in before for h in v.hedges)
            # 全市专利授权量到2020年超过3万件: a quantity named before the year belongs to the first clause
            lead_from = max(
                [seg.start, *(x.end() for x in _CLAUSE_SPLIT.finditer(text, seg.start, m.start()))]
            )
            lead = text[lead_from : m.start()]
            pos = m.end()
            for k, piece in enumerate(_CLAUSE_SPLIT.split(text[m.end() : scope_end])):
                out.extend(
                    _clause_targets(
                        cleaned, seg, pos, piece, int(m.group(1)), hedged, lead if k == 0 else "", pruned
                    )
                )
                pos += len(piece) + 1
    return out


def _clause_targets(
    cleaned: Cleaned,
    seg: Segment,
    pos: int,
    clause: str,
    year: int,
    hedged: bool,
    lead: str,
    pruned: Counter[str],
) -> Iterator[Target]:
    body = clause.rstrip(_EDGE + "。;!?")
    patterns = _patterns()
    m = patterns.trailing.search(body)
    if m is not None:
        surface, verb, tail = body[: m.start()], m.group("verb"), m.group("tail")
        span = (m.start(), m.end())
        if not surface.strip() and lead:
            surface = lead
        surfaces = _split_each(surface) if m.group("each") else [surface]
    else:
        m = patterns.leading.match(body)
        if m is None:
            return
        rest, _ = _strip_leading(m.group("pre"), keep=0)
        if not m.group("pre") or rest:
            return  # 5G基站1000个 is read as trailing; a bare "N个X" without a verb is no target
        surface, verb, tail = m.group("noun"), None, m.group("tail")
        span = (m.start("num"), m.end("tail") if m.group("tail") else m.end("unit"))
        surfaces = [surface]
    _, hedge = _strip_leading(_QUOTES.sub("", unicodedata.normalize("NFKC", surface)))
    unit = m.group("unit")
    comparator = _comparison(verb, None, tail, m.group("num2") is not None)
    ostart, oend = cleaned.original_span(pos + span[0], pos + span[1])
    for s in surfaces:
        name = indicator_name(s, unit)
        if not _valid_name(name, pruned):
            continue
        yield Target(
            indicator=name,
            surface=_trim(_QUOTES.sub("", unicodedata.normalize("NFKC", s))),
            year=year,
            value=float(m.group("num")),
            value_max=float(m.group("num2")) if m.group("num2") else None,
            unit=unit,
            comparator=comparator,
            stated=cleaned.original[ostart:oend],
            kind="sentence",
            start=seg.ostart,
            end=seg.oend,
            sentence=cleaned.original[seg.ostart : seg.oend],
            tentative=hedged or hedge,
        )


def _split_each(surface: str) -> list[str]:
    """国家高新技术企业和国家科技型中小企业(各1000家): the quantities one 各 number applies to."""
    parts = [surface]
    for word in vocabulary().splits:
        parts = [p for part in parts for p in part.split(word)]
    return [p for p in parts if p.strip()]


def find_targets(cleaned: Cleaned, sentences: Sequence[Segment]) -> Found:
    """All targets of a document: indicator tables, then target sentences, each group in text order."""
    pruned: Counter[str] = Counter()
    targets = [*table_targets(cleaned.original, pruned), *sentence_targets(cleaned, sentences, pruned)]
    return Found(targets=tuple(targets), pruned=dict(pruned))

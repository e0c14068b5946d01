"""Gazetteer: public reference lists (``data/reference/*.tsv``) and a fast longest-match finder.

The files (see ``data/README.md``) list administrative divisions, universities, development
zones and listed companies, one entity a line with its canonical name, aliases, level, parent and
the surface forms that are also ordinary words (``weak``). ``get_gazetteer()`` loads them once;
``Gazetteer.find(text)`` returns the longest non-overlapping matches with everything a recogniser
needs to accept or reject one (label, level, parent, ambiguity, weak form, all candidates).

    >>> gz = get_gazetteer()
    >>> [(h.surface, h.canonical, h.level, h.parent) for h in gz.find("徐州市泉山区")]
    [('徐州市', '徐州', 'prefecture', '江苏'), ('泉山区', '泉山区', 'district', '徐州')]
"""

from __future__ import annotations

import csv
import logging
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import ahocorasick

from graph.errors import ConfigError
from graph.files import data_folder
from graph.model import Label

logger = logging.getLogger(__name__)

COLUMNS = (
    "id",
    "canonical",
    "name",
    "label",
    "level",
    "kind",
    "aliases",
    "weak",
    "parent_id",
    "province",
    "source",
)
LEVELS = ("province", "municipality", "prefecture", "county", "district")
# Higher administrative levels are preferred when a surface form names several divisions.
LEVEL_RANK = {"province": 0, "municipality": 0, "prefecture": 1, "county": 2, "district": 2}
Form = Literal["full", "canonical", "alias"]
FORM_RANK: dict[str, int] = {"full": 0, "canonical": 1, "alias": 2}

# Full-width ASCII and the ideographic space map to their half-width forms, one character for
# one, so offsets in the normalised text are offsets in the original.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """Half-width form of ``text`` with the same length (offsets stay valid)."""
    return text.translate(_WIDTH)


_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")


def _symbols(text: str) -> str:
    """``text`` as UTF-16 code units, one latin-1 symbol per byte: two symbols per character.

    pyahocorasick scans a node's edges one by one, and the root of an automaton over thousands of
    Chinese names has thousands of edges; over byte symbols no node has more than 256, which makes
    matching 2-3x faster, and the codec runs in C. Characters outside the BMP (4 bytes) become
    U+FFFD first so that symbol offset // 2 is always the character offset.
    """
    out = text.encode("utf-16-be", "surrogatepass").decode("latin-1")
    if len(out) != 2 * len(text):
        out = _NON_BMP.sub("\ufffd", text).encode("utf-16-be", "surrogatepass").decode("latin-1")
    return out


class ReferenceDataError(ConfigError):
    """The reference data files are missing or malformed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entity of a reference list."""

    id: str  # e.g. div:320300, uni:4132010290, park:320371, ent:000425
    canonical: str  # the name the entity gets in the graph (徐州, 泉山区, 徐州经开区, 中国矿业大学)
    name: str  # full official name (徐州市)
    label: Label
    level: str | None  # City only: province | municipality | prefecture | county | district
    kind: str  # finer type: 地级市, 县级市, 市辖区, 高校-本科, 高新区, A股-深交所 ...
    aliases: tuple[str, ...]
    weak: frozenset[str]  # surface forms that are also common words or person names
    parent_id: str | None  # containing division (City) or host city (other labels)
    province: str | None  # canonical name of the province (None for a province itself)
    source: str

    @property
    def forms(self) -> tuple[str, ...]:
        """Every surface form: canonical, full name, aliases (no repeats)."""
        return tuple(dict.fromkeys((self.canonical, self.name, *self.aliases)))


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry a surface form can denote, and how (which form, whether weak)."""

    entry: Entry
    form: Form
    weak: bool


class GazetteerHit(NamedTuple):
    """A match of a reference name in a text; ``candidates`` lists every entry it may denote.

    A named tuple rather than a dataclass: ``find`` builds one per match and this is the cheapest.
    """

    start: int
    end: int
    surface: str
    label: Label
    canonical: str
    level: str | None
    parent: str | None  # canonical name of the parent division / host city
    province: str | None
    form: Form  # full official name, canonical short name, or another alias
    weak: bool  # a common word / person name for the preferred entry, or glued (below)
    glued: bool  # a short match whose edge character forms a word with its neighbour (创新平台 -> 新平)
    ambiguous: bool  # the surface names more than one entry (鼓楼区: four cities have one)
    entry: Entry  # preferred candidate
    candidates: tuple[Candidate, ...]  # preferred first


def _rank(c: Candidate) -> tuple[int, int, int, str]:
    level = LEVEL_RANK.get(c.entry.level or "", 3)
    return (int(c.weak), FORM_RANK[c.form], level, c.entry.id)


class Gazetteer:
    """Reference entries, a surface-form index and an Aho-Corasick automaton over it."""

    def __init__(self, entries: Iterable[Entry], *, glue_words: Collection[str] = ()) -> None:
        """Index ``entries``; ``glue_words`` (two-character words) flag short matches cut out of a word."""
        self._glue = frozenset(glue_words)
        self._by_id: dict[str, Entry] = {}
        for e in entries:
            if e.id in self._by_id:
                raise ReferenceDataError(f"reference id {e.id} appears twice: keep one line per entity")
            self._by_id[e.id] = e
        index: dict[str, list[Candidate]] = defaultdict(list)
        for e in self._by_id.values():
            for s in e.forms:
                form: Form = "full" if s == e.name else "canonical" if s == e.canonical else "alias"
                index[normalise(s)].append(Candidate(e, form, s in e.weak))
        self._surfaces: list[str] = []
        self._candidates: list[tuple[Candidate, ...]] = []
        self._slot: dict[str, int] = {}
        self._automaton: Any = ahocorasick.Automaton()
        for surface, cands in index.items():
            slot = len(self._candidates)
            self._surfaces.append(surface)
            self._candidates.append(tuple(sorted(cands, key=_rank)))
            self._slot[surface] = slot
            # the text is matched as written: full-width variants (（北京）, ＴＣＬ) are keys too
            for variant in {surface, surface.translate(_FULL)}:
                self._automaton.add_word(_symbols(variant), (slot, len(surface)))
        self._automaton.make_automaton()

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, directory: Path) -> Gazetteer:
        """Read every ``*.tsv`` of ``directory`` (lines starting with # are comments)."""
        t0 = time.perf_counter()
        files = sorted(directory.glob("*.tsv"))
        if not files:
            raise ReferenceDataError(
                f"no reference data (*.tsv) in {directory}: restore data/reference/ or rebuild it "
                "with the scripts of tools/refdata/"
            )
        entries = [e for path in files for e in _read_tsv(path)]
        gz = cls(entries, glue_words=_glue_words())
        logger.info(
            "gazetteer: %d entries, %d surface forms from %d files in %.2f s",
            len(gz._by_id),
            len(gz._surfaces),
            len(files),
            time.perf_counter() - t0,
        )
        return gz

    # ----------------------------------------------------------------- matching
    def find(
        self,
        text: str,
        *,
        labels: Collection[Label] | None = None,
        include_weak: bool = True,
    ) -> list[GazetteerHit]:
        """Longest non-overlapping matches, left to right; ``labels`` / ``include_weak`` filter first."""
        spans: list[tuple[int, int, int]] = []
        filtered = labels is not None or not include_weak
        for end, (slot, length) in self._automaton.iter(_symbols(text)):
            if not end & 1:
                continue  # ends inside a character: a key matched across a character boundary
            if filtered and not self._usable(slot, labels, include_weak):
                continue
            stop = (end + 1) // 2  # two symbols per character
            spans.append((stop - length, stop, slot))
        # leftmost-longest: sort by start, longer first; keep a span if it starts after the last kept
        spans.sort(key=lambda s: (s[0], -s[1]))
        hits: list[GazetteerHit] = []
        last_end = 0
        for start, stop, slot in spans:
            if start < last_end:
                continue
            cands = self._usable(slot, labels, include_weak)
            hit = self._hit(start, stop, text, cands)
            if include_weak or not hit.weak:
                hits.append(hit)
                last_end = stop
        return hits

    def _usable(
        self, slot: int, labels: Collection[Label] | None, include_weak: bool
    ) -> tuple[Candidate, ...]:
        cands = self._candidates[slot]
        if labels is None and include_weak:
            return cands
        return tuple(
            c for c in cands if (labels is None or c.entry.label in labels) and (include_weak or not c.weak)
        )

    def _glued(self, text: str, start: int, end: int, best: Candidate) -> bool:
        """A short match sharing its first or last character with a word of the context.

        Full official names of three characters (江苏省, 徐州市) are exempt: 江苏省内 is still 江苏省.
        """
        n = end - start
        if not self._glue or n > 3 or (n == 3 and best.form == "full" and best.entry.label == Label.CITY):
            return False
        before = text[start - 1 : start + 1] if start > 0 else ""
        after = text[end - 1 : end + 1] if end < len(text) else ""
        return normalise(before) in self._glue or normalise(after) in self._glue

    def _hit(self, start: int, end: int, text: str, cands: tuple[Candidate, ...]) -> GazetteerHit:
        best = cands[0]
        e = best.entry
        parent = self._by_id.get(e.parent_id) if e.parent_id else None
        glued = self._glued(text, start, end, best)
        return GazetteerHit(
            start=start,
            end=end,
            surface=text[start:end],
            label=e.label,
            canonical=e.canonical,
            level=e.level,
            parent=parent.canonical if parent else None,
            province=e.province,
            form=best.form,
            weak=best.weak or glued,
            glued=glued,
            ambiguous=len(cands) > 1,
            entry=e,
            candidates=cands,
        )

    # ----------------------------------------------------------------- lookups
    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id (``div:320300``), or None."""
        return self._by_id.get(entry_id)

    def entries(self, label: Label | None = None) -> Iterator[Entry]:
        """All entries, or those of one label."""
        return (e for e in self._by_id.values() if label is None or e.label == label)

    def lookup(self, surface: str) -> tuple[Candidate, ...]:
        """Every entry ``surface`` (a full name, canonical name or alias) may denote, preferred first."""
        slot = self._slot.get(normalise(surface.strip()))
        return () if slot is None else self._candidates[slot]

    def is_ambiguous(self, surface: str) -> bool:
        """True if ``surface`` names more than one entry (鼓楼区, 朝阳, 通化)."""
        return len(self.lookup(surface)) > 1

    def is_weak(self, surface: str) -> bool:
        """True if ``surface`` is a common word or person name for every entry it names (和平, 城区)."""
        cands = self.lookup(surface)
        return bool(cands) and all(c.weak for c in cands)

    def chain(self, entry: Entry) -> tuple[Entry, ...]:
        """``entry`` and its parents up to the province: (泉山区, 徐州, 江苏)."""
        out = [entry]
        seen = {entry.id}
        while out[-1].parent_id and out[-1].parent_id not in seen:
            parent = self._by_id.get(out[-1].parent_id)
            if parent is None:
                break
            seen.add(parent.id)
            out.append(parent)
        return tuple(out)

    def division(self, name: str, *, within: str | Collection[str] | None = None) -> Entry | None:
        """The division ``name`` denotes, or None if unknown or still ambiguous.

        ``within`` (a division name, or several) keeps only divisions inside it: 鼓楼区 within 徐州.
        Without it, a surface naming divisions of different levels resolves to the highest one
        (朝阳 -> 朝阳市, a prefecture, over the districts named 朝阳区).
        """
        cands = [c.entry for c in self.lookup(name) if c.entry.label == Label.CITY]
        if within is not None:
            cands = self.disambiguate(cands, [within] if isinstance(within, str) else within)
        if len(cands) == 1:
            return cands[0]
        if len(cands) > 1:
            ranks = sorted(LEVEL_RANK.get(e.level or "", 3) for e in cands)
            if ranks[0] < ranks[1]:
                return min(cands, key=lambda e: LEVEL_RANK.get(e.level or "", 3))
        return None

    def disambiguate(self, entries: Iterable[Entry], context: Iterable[str]) -> list[Entry]:
        """The entries whose parent chain contains a division named in ``context`` (all if none does)."""
        entries = list(entries)
        ctx_ids = {c.entry.id for name in context for c in self.lookup(name) if c.entry.label == Label.CITY}
        inside = [e for e in entries if any(p.id in ctx_ids for p in self.chain(e)[1:])]
        return inside or entries

    def parent_of(self, name: str, *, within: str | Collection[str] | None = None) -> Entry | None:
        """The division containing division ``name`` (徐州 for 泉山区, 江苏 for 徐州), or None."""
        d = self.division(name, within=within)
        return self._by_id.get(d.parent_id) if d is not None and d.parent_id else None

    def province_of(self, name: str, *, within: str | Collection[str] | None = None) -> Entry | None:
        """The province (or municipality) containing division ``name``, or the division itself."""
        d = self.division(name, within=within)
        return None if d is None else self.chain(d)[-1]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v)


def _read_tsv(path: Path) -> Iterator[Entry]:
    """Entries of one reference file; a bad header or label raises ReferenceDataError."""
    labels = {lab.value: lab for lab in Label}
    with path.open(encoding="utf-8", newline="") as f:
        lines = (ln for ln in f if not ln.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ReferenceDataError(
                f"{path} has columns {reader.fieldnames}, expected {list(COLUMNS)}: "
                "rebuild it with tools/refdata/"
            )
        for row in reader:
            label = labels.get(row["label"])
            if label is None or not row["id"] or not row["canonical"]:
                raise ReferenceDataError(f"{path} line {reader.line_num}: bad row {row}")
            if row["level"] and row["level"] not in LEVELS:
                raise ReferenceDataError(f"{path} line {reader.line_num}: unknown level {row['level']!r}")
            yield Entry(
                id=row["id"],
                canonical=row["canonical"],
                name=row["name"] or row["canonical"],
                label=label,
                level=row["level"] or None,
                kind=row["kind"],
                aliases=_split(row["aliases"]),
                weak=frozenset(_split(row["weak"])),
                parent_id=row["parent_id"] or None,
                province=row["province"] or None,
                source=row["source"],
            )


# Two-character words at least this frequent in jieba's dictionary count as "glue" (see _glued).
GLUE_MIN_FREQ = 20


def _glue_words() -> frozenset[str]:
    """Frequent two-character words of jieba's bundled dictionary (jieba is a project dependency)."""
    import jieba  # imported here: only loading the gazetteer needs it

    path = Path(jieba.__file__).parent / "dict.txt"
    words = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, freq, _tag = line.split(" ", 2)
            if len(word) == 2 and int(freq) >= GLUE_MIN_FREQ:
                words.add(word)
    return frozenset(words)


def reference_dir() -> Path:
    """Where the reference files live: ``<INNOGRAPH_DATA_DIR>/reference``, else the package's own."""
    return data_folder("reference")


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The gazetteer of ``reference_dir()``, loaded once per process."""
    return Gazetteer.load(reference_dir())

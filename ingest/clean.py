"""Cleaning of OCR and layout noise, keeping a map from every cleaned character to the original text.

Recognition runs on the cleaned text; spans are mapped back with :meth:`Cleaned.original_span`, so evidence
is always an exact slice of the document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graph.errors import ConfigError
from graph.files import data_folder

# Characters that end a sentence; a line ending in one of them is never joined to the next.
TERMINAL = "。!?;:…"
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．]"
    r"|第[一二三四五六七八九十\d]+[章节讲条部分]|[★●■▶◆▲])"
)
_SPACES = " \u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
# Quotes and brackets NFKC leaves alone but readers write either way.
_FOLD = {
    "\u2018": "“",
    "\u2019": "”",
    "\u300c": "“",
    "\u300d": "”",
    "\u3010": "[",
    "\u3011": "]",
    "\u2014": "—",
}


def rules_dir() -> Path:
    return data_folder("rules")


@cache
def rule_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of ``data/rules/<name>``."""
    path = rules_dir() / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"rule file {path} is missing: restore data/rules from the repository") from e
    return tuple(s for line in lines if (s := line.rstrip("\n")).strip() and not s.lstrip().startswith("#"))


@cache
def _furniture() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p.strip()) for p in rule_lines("furniture.txt"))


@cache
def _inline_noise() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.strip()})" for p in rule_lines("inline_noise.txt")))


@cache
def _cell_breaks() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.strip()})" for p in rule_lines("cell_breaks.txt")))


def _mask(raw: str) -> tuple[str, bool]:
    """Markup and noise masked in place (offsets kept): noise becomes NULs, dropped after folding; a cell
    break becomes a tab and NULs. Returns the masked line and whether anything was masked."""
    masked = _cell_breaks().sub(lambda m: "\t" + "\0" * (len(m.group()) - 1), raw)
    masked = _inline_noise().sub(lambda m: "\0" * len(m.group()), masked)
    return masked, masked != raw


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text and, for each of its characters, the index of the original character it came from."""

    original: str
    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering cleaned ``text[start:end]`` (``end`` exclusive, ``start < end``)."""
        return self.origin[start], self.origin[end - 1] + 1


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_alnum_ascii(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_furniture(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and any(p.search(stripped) for p in _furniture())


def _is_title_like(line: str) -> bool:
    """A heading or a title: enumerated, or short without any clause punctuation."""
    if _HEADING.match(line) and len(line) < 30:
        return True
    return not any(c in line for c in ",，、;；。") or len(line) < 14


def _table() -> dict[int, str]:
    """One-to-one foldings: full-width ASCII to half-width, odd spaces to a space, quote variants."""
    table = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    table.update({ord(c): " " for c in _SPACES})
    table.update({ord(k): v for k, v in _FOLD.items()})
    return table


_TABLE = _table()
_SPACE_RUN = re.compile(r" +")


def _fold(raw: str) -> tuple[str, list[int]]:
    """Width folding and NFKC with the original index of every output character."""
    folded = raw.translate(_TABLE)
    if unicodedata.is_normalized("NFKC", folded.replace("“", "").replace("”", "")):
        return folded, list(range(len(folded)))
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(folded):
        n = c if c in "“”" else unicodedata.normalize("NFKC", c)
        chars.extend(n)  # NFKC may expand one character into several: all map to the same index
        origin.extend([i] * len(n))
    return "".join(chars), origin


def _clean_line(raw: str, base: int) -> tuple[list[str], list[int]]:
    """Normalise one line; drop the spaces that OCR and line wrapping put inside words and numbers."""
    raw, noise = _mask(raw)
    table = "\t" in raw
    text, index = _fold(raw)
    chars: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        chars.extend(text[pos : m.start()])
        origin.extend(index[pos : m.start()])
        left = text[m.start() - 1] if m.start() > 0 else ""
        right = text[m.end()] if m.end() < len(text) else ""
        if left and right and _keep_space(left, text, m.end(), table):
            chars.append(" ")
            origin.append(index[m.start()])
        pos = m.end()
    chars.extend(text[pos:])
    origin.extend(index[pos:])
    if noise:
        kept = [(c, o) for c, o in zip(chars, origin, strict=True) if c != "\0"]
        chars, origin = [c for c, _ in kept], [o for _, o in kept]
    return chars, [base + o for o in origin]


_LEGAL_FORM_AHEAD = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:有限责任公司|股份有限公司|有限公司)")


def _keep_space(left: str, text: str, j: int, table: bool) -> bool:
    right = text[j]
    if table or left == "\t" or right == "\t":
        # a wrap inside a cell before a firm's legal form joins (经济贸易 有限责任公司); other spaces in a
        # cell separate its items (泉山区 铜山区 科技局)
        wrapped = is_cjk(left) and _LEGAL_FORM_AHEAD.match(text, j) is not None
        return left != "\t" and right != "\t" and not wrapped
    if left.isdigit() and right.isdigit():
        k = j
        while k < len(text) and text[k].isdigit():
            k += 1
        return k - j != 3  # "2 000" is a thousands group; "2019 2020" are two numbers
    # two Latin words keep their space, and so does a Latin word before Chinese (INNOVATION 创新园区)
    return _is_alnum_ascii(left) and (_is_alnum_ascii(right) or (left.isalpha() and is_cjk(right)))


def clean(original: str) -> Cleaned:
    """Clean a document's text: furniture lines out, widths unified, wrapped lines and split words joined."""
    lines: list[tuple[str, int]] = []
    pos = 0
    for raw in original.split("\n"):
        lines.append((raw.rstrip("\r"), pos))
        pos += len(raw) + 1
    out: list[str] = []
    origin: list[int] = []
    prev_content = ""  # cleaned text of the last content line
    pending_break: int | None = None  # original index of the first newline after the last content line
    for raw, base in lines:
        if _is_furniture(raw):
            raw = ""
        chars, orig = _clean_line(raw, base)
        while chars and chars[0] in " \t":
            chars.pop(0)
            orig.pop(0)
        while chars and chars[-1] in " \t":
            chars.pop()
            orig.pop()
        if not chars:
            if pending_break is None and out:
                pending_break = base - 1
            continue
        line = "".join(chars)
        if out:
            brk = pending_break if pending_break is not None else base - 1
            if not _joins(prev_content, line):
                out.append("\n")
                origin.append(brk)
        out.extend(chars)
        origin.extend(orig)
        prev_content = line
        pending_break = None
    return Cleaned(original=original, text="".join(out), origin=tuple(origin))


def _joins(prev: str, line: str) -> bool:
    """Whether a line continues the previous one (a hard break inside a sentence)."""
    if "\t" in prev or "\t" in line or not prev or prev[-1] in TERMINAL:
        return False
    if _is_title_like(prev) or _HEADING.match(line):
        return False
    first = line[0]
    return is_cjk(first) or first.isdigit() or first in "“、,"

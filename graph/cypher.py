"""Cypher text lives in cypher/*.cypher; this module loads it by name, typed as LiteralString."""

from __future__ import annotations

import re
from functools import cache
from typing import LiteralString

from graph.errors import ConfigError
from graph.files import shipped

CYPHER_DIR = shipped("cypher")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A statement ends with `;` at the end of a line; no schema statement has `;` inside a string.
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)


@cache
def query(name: str) -> LiteralString:
    """The text of ``cypher/<name>.cypher``; raises ConfigError when the file is missing."""
    if not _NAME.match(name):
        raise ConfigError(f"{name!r} is not a Cypher file name: use lower-case letters, digits and _")
    path = CYPHER_DIR / f"{name}.cypher"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"{path} is missing: reinstall innograph or restore the cypher/ folder") from e
    # Files in the repository are trusted query text, never built from values: values go in parameters.
    # (mypy treats LiteralString as str; the annotation documents the contract for the driver's typing.)
    literal: LiteralString = text.strip()
    return literal


def example(name: str) -> LiteralString:
    """The text of ``cypher/examples/<name>.cypher``, one of the explorer's example research queries."""
    path = CYPHER_DIR / "examples" / f"{name}.cypher"
    if not re.match(r"^[0-9a-z_]+$", name) or not path.is_file():
        names = ", ".join(sorted(p.stem for p in (CYPHER_DIR / "examples").glob("*.cypher")))
        raise ConfigError(f"no example query {name!r}: the examples are {names}")
    literal: LiteralString = path.read_text(encoding="utf-8").strip()  # trusted repository text, as query()
    return literal


def statements(name: str) -> tuple[LiteralString, ...]:
    """The statements of a multi-statement file such as ``schema``, split on ``;``, ``//`` lines dropped."""
    lines = [line for line in query(name).splitlines() if not line.lstrip().startswith("//")]
    parts = _STATEMENT_END.split("\n".join(lines))
    found: list[LiteralString] = [p.strip() for p in parts if p.strip()]
    return tuple(found)

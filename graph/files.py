"""Where the files innograph reads at run time are: its Cypher queries, language rules and reference lists.

In a checkout (and an editable install) they are read where they are edited: ``cypher/``, ``data/rules/``
and ``data/reference/``. A wheel carries copies of them inside the package, in ``graph/shipped/``
(pyproject.toml maps the folders there), so ``pip install .`` works away from the checkout too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from graph.config import ROOT, get_settings

Shipped = Literal["cypher", "rules", "reference"]

SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
_IN_CHECKOUT: dict[Shipped, Path] = {
    "cypher": ROOT / "cypher",
    "rules": ROOT / "data" / "rules",
    "reference": ROOT / "data" / "reference",
}


def shipped(name: Shipped) -> Path:
    """The folder ``name`` as the package carries it: the wheel's copy when installed, else the checkout's."""
    packaged = SHIPPED_DIR / name
    return packaged if packaged.is_dir() else _IN_CHECKOUT[name]


def data_folder(name: Literal["rules", "reference"]) -> Path:
    """``<INNOGRAPH_DATA_DIR>/<name>`` when that folder exists (your own rules or lists), else the package's
    own."""
    own = get_settings().data_dir / name
    return own if own.is_dir() else shipped(name)

"""Extraction quality on the annotated sets, as the issue states it: entity macro-F1 >= 0.80, relation
macro-F1 >= 0.50, every label and type above 0. A floor that catches regressions, not a benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.config import ROOT
from graph.model import CORE_LABELS, CORE_TYPES
from ingest.evaluate import gold_document, load_gold, parse_annotated, score_all
from ingest.pipeline import extract_document, to_gold_format
from ingest.read import read_document

SETS = {
    "development gold": (ROOT / "data" / "gold", ROOT / "data" / "corpus"),
    "probe set": (ROOT / "data" / "probe" / "gold", ROOT / "data" / "probe" / "docs"),
}


@pytest.mark.parametrize("name", list(SETS))
def test_macro_f1_floors(name: str) -> None:
    gold_dir, docs = SETS[name]
    pairs = []
    for gold in load_gold(gold_dir):
        graph = extract_document(read_document(gold_document(Path(docs), gold.doc))).graph
        pairs.append((gold, parse_annotated(to_gold_format(graph, doc=gold.doc))))
    score = score_all(pairs)
    assert score.entity_macro_f1 >= 0.80, name
    assert score.relation_macro_f1 >= 0.50, name
    for kind in [label.value for label in CORE_LABELS] + [t.value for t in CORE_TYPES]:
        assert {**score.labels, **score.types}[kind].f1 > 0, (name, kind)

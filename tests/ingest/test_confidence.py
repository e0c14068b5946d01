"""Rule confidences: the table calibrate writes, the lookup and its minimum sample, the pipeline's use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import BadInput, ConfigError
from ingest import confidence
from ingest.confidence import MIN_PREDICTIONS, RuleStat, load_table, measure, rule_confidence, write_table
from ingest.pipeline import extract_text

TEXT = "徐州市设立2000万元科技基金支持徐州产业技术研究院。徐州高新区位于徐州市。"


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """confidence.tsv in a temporary folder instead of data/rules; the cached table forgotten around it."""
    path = tmp_path / "confidence.tsv"
    monkeypatch.setattr(confidence, "table_path", lambda: path)
    load_table.cache_clear()
    yield path
    load_table.cache_clear()


def test_a_measured_rule_gets_its_precision_and_a_rare_one_its_default(table: Path) -> None:
    write_table(
        [
            RuleStat("recognise:gazetteer", tp=9, fp=1, sets=("data/gold", "../shared/gold-real")),
            RuleStat("relate:coop:joint", tp=MIN_PREDICTIONS - 2, fp=1, sets=("data/gold",)),
            RuleStat("relate:funds:subject", tp=0, fp=MIN_PREDICTIONS, sets=("data/gold",)),
        ]
    )
    assert rule_confidence("recognise:gazetteer", 0.5) == pytest.approx(0.9)
    assert rule_confidence("relate:coop:joint", 0.6) == 0.6  # fewer than MIN_PREDICTIONS predictions
    assert rule_confidence("relate:funds:subject", 0.5) == 0.0  # measured: never right
    assert rule_confidence("relate:unknown", 0.7) == 0.7
    text = table.read_text(encoding="utf-8")
    assert f"tp + fp >= {MIN_PREDICTIONS}" in text  # the header states the minimum-sample rule
    assert "extractor\tprecision\ttp\tfp\tsource sets" in text
    assert "recognise:gazetteer\t0.900\t9\t1\tdata/gold,../shared/gold-real" in text
    assert load_table()["recognise:gazetteer"].sets == ("data/gold", "../shared/gold-real")


def test_without_the_file_every_rule_keeps_its_default(table: Path) -> None:
    assert not table.exists()
    assert rule_confidence("recognise:gazetteer", 0.8) == 0.8


def test_a_broken_row_names_the_file_and_line(table: Path) -> None:
    table.write_text("# header\nextractor\tprecision\ttp\tfp\tsource sets\nrecognise:head\t0.9\tx\n")
    with pytest.raises(ConfigError, match=r"confidence\.tsv:3: expected the columns"):
        rule_confidence("recognise:head", 0.7)


def test_the_pipeline_gives_evidence_its_rule_s_measured_precision(table: Path) -> None:
    before = extract_text(TEXT).graph
    tags = {ev.extractor for item in (*before.entities, *before.relations) for ev in item.evidence}
    assert any(t.startswith("recognise:") for t in tags) and any(t.startswith("relate:") for t in tags)
    measured = {t for t in tags if not t.startswith("targets:")}
    write_table([RuleStat(t, tp=1, fp=7, sets=("test",)) for t in sorted(measured)])
    after = extract_text(TEXT).graph
    for item in (*after.entities, *after.relations):
        for ev in item.evidence:
            assert ev.extractor not in measured or ev.confidence == 0.125, ev


def test_measure_pools_rules_over_gold_sets(tmp_path: Path) -> None:
    sets = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
        gold = {
            "doc": "doc.txt",
            "entities": [
                {"label": "City", "name": "徐州", "aliases": ["徐州市"]},
                {"label": "Institute", "name": "徐州产业技术研究院", "aliases": []},
            ],
            "relations": [{"type": "FUNDS", "source": "徐州", "target": "徐州产业技术研究院"}],
        }
        (folder / "doc.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        sets.append((folder, folder))
    one = {s.extractor: s for s in measure(sets[:1])}
    both = measure(sets)
    assert both and [s.extractor for s in both] == sorted(one)
    for s in both:  # the same document twice: every count doubles, every rule seen in both sets
        assert (s.tp, s.fp) == (2 * one[s.extractor].tp, 2 * one[s.extractor].fp)
        assert s.sets == (str(sets[0][0]), str(sets[1][0]))
        assert s.extractor.startswith(("recognise:", "relate:"))
    with pytest.raises(BadInput, match="--gold DIR --docs DIR"):
        measure([])

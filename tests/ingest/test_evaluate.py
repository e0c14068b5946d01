"""The scorer: matching rules of the gold README, P/R/F1 and macro averages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import BadInput
from ingest.evaluate import (
    Annotated,
    GoldEntity,
    GoldRelation,
    gold_document,
    load_gold,
    norm,
    parse_annotated,
    score_all,
)

GOLD = Annotated(
    doc="d",
    entities=(
        GoldEntity("City", "徐州", ("徐州市",)),
        GoldEntity("Park", "徐州高新区", ("徐州国家高新区",)),
        GoldEntity("Institute", "中国科学院", ("中科院",)),
        GoldEntity("Policy", "“1247”行动计划", ()),
    ),
    relations=(
        GoldRelation("HOSTS", "徐州", "徐州高新区"),
        GoldRelation("COOPERATES", "徐州", "中国科学院"),
    ),
)


def test_normalisation_drops_quotes_spaces_and_city_suffix() -> None:
    assert norm("“1247” 行动计划") == "1247行动计划"
    assert norm("徐州市", "City") == "徐州" and norm("江苏省", "City") == "江苏"
    assert norm("徐州市", "Park") == "徐州市"


def test_perfect_prediction_scores_one_on_what_is_annotated() -> None:
    score = score_all([(GOLD, GOLD)])
    for label in ("City", "Park", "Institute", "Policy"):
        assert score.labels[label].f1 == 1.0
    assert score.types["HOSTS"].f1 == 1.0 and score.types["COOPERATES"].f1 == 1.0
    assert score.labels["Enterprise"].f1 == 0.0  # nothing annotated, nothing predicted


def test_aliases_match_and_cooperates_is_undirected() -> None:
    pred = Annotated(
        doc="d",
        entities=(
            GoldEntity("City", "徐州市"),
            GoldEntity("Institute", "中科院"),
            GoldEntity("Park", "徐州国家高新区"),
        ),
        relations=(
            GoldRelation("COOPERATES", "中科院", "徐州市"),
            GoldRelation("HOSTS", "徐州国家高新区", "徐州"),
        ),
    )
    score = score_all([(GOLD, pred)])
    assert score.labels["City"].tp == 1 and score.labels["Institute"].tp == 1
    assert score.types["COOPERATES"].tp == 1
    assert score.types["HOSTS"].tp == 0 and score.types["HOSTS"].fp == 1  # HOSTS is directed


def test_duplicates_and_misses_count() -> None:
    pred = Annotated(
        doc="d",
        entities=(GoldEntity("City", "徐州"), GoldEntity("City", "徐州市"), GoldEntity("City", "扬州")),
        relations=(),
    )
    c = score_all([(GOLD, pred)]).labels["City"]
    assert (c.tp, c.fp, c.fn) == (1, 2, 0)
    assert c.precision == pytest.approx(1 / 3) and c.recall == 1.0 and c.f1 == pytest.approx(0.5)


def test_load_gold_reads_the_format_and_rejects_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps({"doc": "a.txt", "entities": [], "relations": []}), encoding="utf-8"
    )
    assert [g.doc for g in load_gold(tmp_path)] == ["a.txt"]
    with pytest.raises(BadInput, match="gold format"):
        parse_annotated({"entities": [{"name": "x"}], "relations": []})
    with pytest.raises(BadInput, match=r"no \*\.json"):
        load_gold(tmp_path / "missing")


def test_repository_gold_files_load() -> None:
    gold = load_gold(Path(__file__).resolve().parents[2] / "data" / "gold")
    assert len(gold) >= 3 and all(g.entities for g in gold)


def test_a_gold_file_finds_its_document_by_name_or_by_stem(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("x", encoding="utf-8")
    assert gold_document(tmp_path, "a.html") == tmp_path / "a.html"
    assert gold_document(tmp_path, "a.txt") == tmp_path / "a.html"
    assert gold_document(tmp_path, "b.json") == tmp_path / "b.txt"
    with pytest.raises(BadInput, match=r"c\.txt of gold file c\.txt not found"):
        gold_document(tmp_path, "c.txt")

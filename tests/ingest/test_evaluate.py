"""The scorer: matching rules of the gold README, P/R/F1 and macro averages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import BadInput
from graph.model import Entity, Graph, Label, Relation, RelType
from ingest.evaluate import (
    BANDS,
    NO_EVIDENCE,
    Annotated,
    GoldEntity,
    GoldRelation,
    annotate_graph,
    band_of,
    by_band,
    by_rule,
    gold_document,
    load_gold,
    norm,
    parse_annotated,
    score_all,
)
from ingest.pipeline import to_gold_format
from tests.helpers import evidence, make_document

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


# --- rules and confidence bands -----------------------------------------------------------------------


def _pred(*entities: GoldEntity, relations: tuple[GoldRelation, ...] = ()) -> Annotated:
    return Annotated(doc="d", entities=entities, relations=relations)


RULED = _pred(
    GoldEntity("City", "徐州", rules=("recognise:gazetteer",), confidence=0.95),
    GoldEntity("Park", "徐州高新区", rules=("recognise:head", "recognise:gazetteer"), confidence=0.6),
    GoldEntity("Park", "生物医药产业园区", rules=("recognise:head",), confidence=0.4),  # FP
    GoldEntity("Institute", "中科院", rules=("recognise:abbreviation",), confidence=0.8),
    GoldEntity("Enterprise", "线上线下", rules=(), confidence=None),  # FP without evidence
    relations=(
        GoldRelation("HOSTS", "徐州", "徐州高新区", rules=("relate:context:prefix",), confidence=0.8),
        # the same fact by another rule: one prediction, both rules, the higher confidence
        GoldRelation("HOSTS", "徐州", "徐州国家高新区", rules=("relate:trigger:in",), confidence=0.9),
        GoldRelation("COOPERATES", "徐州高新区", "中科院", rules=("relate:coop:with",), confidence=0.6),  # FP
    ),
)


def test_by_rule_counts_each_distinct_rule_of_a_prediction_once() -> None:
    score = score_all([(GOLD, RULED)])
    rules = {rule: (c.tp, c.fp) for rule, c in by_rule(score.outcomes).items()}
    assert rules == {
        NO_EVIDENCE: (0, 1),
        "recognise:abbreviation": (1, 0),
        "recognise:gazetteer": (2, 0),
        "recognise:head": (1, 1),
        "relate:context:prefix": (1, 0),
        "relate:coop:with": (0, 1),
        "relate:trigger:in": (1, 0),
    }
    assert list(rules) == sorted(rules)
    # the totals are untouched: two predicted HOSTS resolving to one triple are one TP
    assert score.types["HOSTS"].tp == 1 and score.types["HOSTS"].fp == 0
    assert score.types["COOPERATES"].fp == 1


def test_bands_hold_each_prediction_by_its_confidence() -> None:
    bands = by_band(score_all([(GOLD, RULED)]).outcomes)
    counts = {key: (c.tp, c.fp) for key, c in bands.items()}
    assert counts[("entity", "<0.5")] == (0, 1)
    assert counts[("entity", "0.5-0.7")] == (1, 0)
    assert counts[("entity", "0.7-0.85")] == (1, 0)
    assert counts[("entity", ">=0.85")] == (1, 0)  # the entity without evidence is in no band
    assert counts[("relation", ">=0.85")] == (1, 0)  # 0.9, the higher of the fact's two
    assert counts[("relation", "0.5-0.7")] == (0, 1)
    assert counts[("relation", "<0.5")] == counts[("relation", "0.7-0.85")] == (0, 0)
    assert len(bands) == 2 * len(BANDS)
    assert band_of(0.5) == "0.5-0.7" and band_of(0.85) == ">=0.85" and band_of(1.0) == ">=0.85"
    assert band_of(0.0) == "<0.5"


def test_a_graph_becomes_a_prediction_with_its_rules_and_best_confidence() -> None:
    text = "徐州高新区位于徐州市。徐州市支持徐州高新区。"
    doc = make_document(text, "t.txt")
    first, second = "徐州高新区位于徐州市。", "徐州市支持徐州高新区。"
    city = Entity.create(
        label=Label.CITY,
        name="徐州",
        aliases=("徐州市",),
        evidence=(
            evidence(doc, first, extractor="recognise:gazetteer", confidence=0.9),
            evidence(doc, second, extractor="recognise:gazetteer", confidence=0.7),
        ),
    )
    park = Entity.create(
        label=Label.PARK, name="徐州高新区", evidence=(evidence(doc, first, extractor="recognise:head"),)
    )
    hosts = Relation(
        type=RelType.HOSTS,
        source=city.key,
        target=park.key,
        evidence=(
            evidence(doc, first, extractor="relate:trigger:in", confidence=0.6),
            evidence(doc, second, extractor="relate:context:prefix", confidence=0.8),
        ),
    )
    graph = Graph(document=doc, entities=(city, park), relations=(hosts,))
    pred = annotate_graph(graph, doc="t.txt")
    assert pred.entities[0].rules == ("recognise:gazetteer",) and pred.entities[0].confidence == 0.9
    assert pred.relations[0].rules == ("relate:trigger:in", "relate:context:prefix")
    assert pred.relations[0].confidence == 0.8
    # scored like the gold-format JSON of the same graph
    plain = parse_annotated(to_gold_format(graph, doc="t.txt"))
    assert [(e.label, e.name, e.aliases) for e in pred.entities] == [
        (e.label, e.name, e.aliases) for e in plain.entities
    ]
    assert [(r.type, r.source, r.target) for r in pred.relations] == [
        (r.type, r.source, r.target) for r in plain.relations
    ]

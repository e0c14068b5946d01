"""The whole extraction on a document about a city that is not in the corpus, and evidence offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Document, Label, RelType, content_id
from ingest.pipeline import Extraction, extract_document, extract_text

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"

HEFEI = """合肥市人民政府关于加快建设国家科技创新型城市的实施意见

合政〔2021〕15号

各县(市)区人民政府，合肥高新区管委会：
一、支持中国科学技术大学、合肥工业大学与科大讯飞、京东方等龙头企业合作共建联合实验室。
二、加快建设合肥滨湖科学城，推进合肥综合性国家科学中心能源研究院建设。
三、对新认定的国家重点实验室，给予500万元奖励。设立20亿元的合肥市天使投资基金。
四、蔚来、比亚迪等新能源汽车企业已落户合肥经济技术开发区。
五、实施“合肥英才计划”，落实《安徽省促进科技成果转化条例》。
六、支持合肥工业大学智能制造技术研究院建设，给予1 000万元资金支持。
"""


@pytest.fixture(scope="module")
def hefei() -> Extraction:
    return extract_text(HEFEI, source="hefei.txt")


def _names(x: Extraction, label: Label) -> set[str]:
    return {n for e in x.graph.entities if e.label is label for n in (e.name, *e.aliases)}


def _facts(x: Extraction) -> set[tuple[str, str, str]]:
    names = {e.key: e.name for e in x.graph.entities}
    return {(r.type.value, names[r.source], names[r.target]) for r in x.graph.relations}


def test_an_unseen_city_its_parks_institutes_firms_and_policies(hefei: Extraction) -> None:
    assert "合肥" in _names(hefei, Label.CITY)
    assert {"合肥高新区", "合肥滨湖科学城", "合肥经济技术开发区"} <= _names(hefei, Label.PARK)
    assert {"中国科学技术大学", "合肥工业大学", "合肥综合性国家科学中心能源研究院"} <= _names(
        hefei, Label.INSTITUTE
    )
    assert {"科大讯飞", "京东方", "蔚来", "比亚迪"} <= _names(hefei, Label.ENTERPRISE)
    assert {"合肥英才计划", "安徽省促进科技成果转化条例", "合政〔2021〕15号"} <= _names(hefei, Label.POLICY)
    assert "国家重点实验室" not in _names(hefei, Label.INSTITUTE)  # a category, not an actor


def test_an_unseen_city_relations(hefei: Extraction) -> None:
    facts = _facts(hefei)
    parks = {e.name for e in hefei.graph.entities if e.label is Label.PARK}
    zone = next(p for p in parks if p.startswith("合肥经"))
    assert {
        ("HOSTS", "合肥", "合肥高新区"),
        ("HOSTS", "合肥", "合肥滨湖科学城"),
        ("HOSTS", zone, "蔚来"),
    } <= facts
    assert ("FUNDS", "合肥", "合肥市天使投资基金") in facts
    assert ("COOPERATES", "合肥工业大学", "科大讯飞") in facts
    amounts = {r.amount_cny for r in hefei.graph.relations if r.type is RelType.FUNDS}
    assert {2_000_000_000, 10_000_000} <= amounts


def test_every_evidence_slices_the_original_text(hefei: Extraction) -> None:
    text = hefei.graph.document.text
    evidence = [ev for r in hefei.graph.relations for ev in r.evidence]
    evidence += [ev for e in hefei.graph.entities for ev in e.evidence]
    assert evidence
    for ev in evidence:
        assert text[ev.start : ev.end] == ev.sentence
        assert ev.extractor and 0 <= ev.confidence <= 1


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_corpus_documents_extract_with_exact_evidence(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    x = extract_document(Document(id=content_id(text.encode()), source=str(path), text=text))
    assert x.graph.entities and x.graph.relations
    for r in x.graph.relations:
        for ev in r.evidence:
            assert text[ev.start : ev.end] == ev.sentence
    assert all(n >= 0 for n in x.pruned.values())


def test_same_text_same_graph() -> None:
    a, b = extract_text(HEFEI), extract_text(HEFEI)
    assert a.graph == b.graph


def test_empty_text_gives_an_empty_graph() -> None:
    x = extract_text("")
    assert x.graph.entities == () and x.graph.relations == ()

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
    assert ("COOPERATES", "科大讯飞", "合肥工业大学") in facts  # symmetric: ends in key order
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


CHENGDU = (
    "成都高新区迎来新一批创新主体\n"
    "2026年11月20日，成都市科技局发布消息：深圳云帆智能科技有限公司正式入驻成都高新区，将在天府软件园设立"
    "西南研发中心，计划三年内投入研发资金5000万元。\n"
    "同日，电子科技大学与成都高新区管委会签署战略合作协议，双方将共建集成电路产教融合创新平台。\n"
    "成都高新区设立2亿元的科技成果转化引导基金，支持电子科技大学和四川大学的科技成果在园区落地转化。\n"
)


def test_a_news_paragraph_about_chengdu_comes_out_right() -> None:
    """Issue 10's paragraph: the document's city is 成都 (the zone's name counts, the firm's registered
    place does not); a firm from 深圳 is hosted where it settles; 同日 is no 同 (with); a regional R&D
    centre and a platform are categories."""
    g = extract_text(CHENGDU).graph
    names = {e.key: e.name for e in g.entities}
    facts = {(r.type.value, names[r.source], names[r.target]) for r in g.relations}
    firm = next(e.name for e in g.entities if e.label is Label.ENTERPRISE)
    assert ("HOSTS", "成都", "成都高新区") in facts
    assert ("HOSTS", "成都高新区", firm) in facts
    assert "深圳云帆智能科技有限公司" in (*next(e.aliases for e in g.entities if e.name == firm), firm)
    assert {
        ("COOPERATES", "电子科技大学", "成都高新区"),
        ("COOPERATES", "成都高新区", "电子科技大学"),
    } & facts
    assert not [f for f in facts if "深圳" in (f[1], f[2])], facts
    assert not {"西南研发中心", "创新平台", "集成电路产教融合创新平台"} & set(names.values())
    for r in g.relations:
        for ev in r.evidence:
            assert CHENGDU[ev.start : ev.end] == ev.sentence


def test_airport_zones_incubator_parks_and_a_copyright_line() -> None:
    g = extract_text(
        "襄阳市推进创新。襄阳临空经济区和湖北文理学院科技创新孵化园签约。"
        "Copyright©华中数控股份有限公司 版权所有"
    ).graph
    names = {(e.label, e.name) for e in g.entities}
    assert {(Label.PARK, "襄阳临空经济区"), (Label.PARK, "湖北文理学院科技创新孵化园")} <= names
    assert not any("Copyright" in name or "©" in name for _, name in names)

"""Policy targets (ingest/targets.py and their place in the pipeline), checked against the corpus text:
every cell of 001's indicator table, a sample of target sentences, the offsets of every evidence, and a
made-up document about a city outside the corpus."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from graph.model import CORE_LABELS, CORE_TYPES, Graph, Label, RelType, content_id
from ingest.clean import clean
from ingest.pipeline import Extraction, extract_document, extract_text, to_gold_format
from ingest.read import read_document
from ingest.split import sentences
from ingest.targets import Found, Target, find_targets, indicator_name, table_targets

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
XUZHOU = CORPUS / "001_71b36cf2ba53069b.txt"
YANGZHOU = CORPUS / "002_57d6f38ce19fe3de.txt"
XUZHOU_POLICY = "Policy:关于实施创新驱动发展战略深入推进区域性产业科技创新中心建设的工作意见"

# 001's indicator table as printed in the file ("（三）指标体系"): name (unit) and the 2017-2020 cells.
TABLE_001 = {
    "研发经费支出占GDP比重": ("%", ["2.1", "2.3", "2.4", "2.5"]),
    "国家高新技术企业数": ("家", ["398", "460", "520", "600"]),
    "高新技术产业产值占规模以上工业产值比重": ("%", ["36.5", "37.5", "38.5", "40"]),
    "万人发明专利拥有量": ("件", ["7", "8.2", "10", "≥12"]),
    "国家级创新创业平台": ("个", ["29", "33", "36", "39"]),
    "与高校院所共建产学研创新载体": ("家", ["70", "75", "82", "90"]),
    "科技进步贡献率": ("%", ["56", "57", "58", "60"]),
    "中心城市经济集聚度": ("万元/平方公里", ["5600", "6150", "6800", "7650"]),
}
# Names the extraction gives them: a quantity counted in 个/家 is "…数".
TABLE_NAMES = {
    "国家级创新创业平台": "国家级创新创业平台数",
    "与高校院所共建产学研创新载体": "与高校院所共建产学研创新载体数",
}


def found(path: Path) -> tuple[str, Found]:
    text = path.read_text(encoding="utf-8")
    cleaned = clean(text)
    return text, find_targets(cleaned, sentences(cleaned))


@pytest.fixture(scope="module")
def xuzhou() -> tuple[str, Found]:
    return found(XUZHOU)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, Found]]:
    return {p.name: found(p) for p in sorted(CORPUS.glob("*.txt"))}


# --- the indicator table -----------------------------------------------------------------------------


def test_the_table_as_the_test_reads_it_is_in_the_file() -> None:
    """An independent parse of 001's table (split at tabs) agrees with the expectations written above."""
    lines = XUZHOU.read_text(encoding="utf-8").splitlines()
    head = lines.index("指标名称\t2017年\t2018年\t2019年\t2020年")
    rows = {}
    for line in lines[head + 1 : head + 1 + len(TABLE_001)]:
        name, *cells = line.split("\t")
        m = re.fullmatch(r"(.+)（(.+)）", name)
        assert m is not None, line
        rows[m.group(1)] = (m.group(2), cells)
    assert rows == TABLE_001
    assert not lines[head + 1 + len(TABLE_001)].strip()  # the table ends with a blank line


def test_every_cell_of_the_indicator_table_is_extracted(xuzhou: tuple[str, Found]) -> None:
    text, result = xuzhou
    cells = {(t.indicator, t.year): t for t in result.targets if t.kind == "table"}
    assert len(cells) == len(TABLE_001) * 4 == 32
    for name, (unit, values) in TABLE_001.items():
        for year, written in zip(range(2017, 2021), values, strict=True):
            t = cells[(TABLE_NAMES.get(name, name), year)]
            assert (t.unit, t.stated, t.surface) == (unit, written, name)
            assert t.value == float(written.lstrip("≥"))
            assert t.comparator == (">=" if written.startswith("≥") else "=")
            assert text[t.start : t.end] == t.sentence
            assert t.sentence.startswith(f"{name}（{unit}）\t") and t.sentence.endswith("\t".join(values))


def test_万人发明专利拥有量_2020_is_at_least_12(xuzhou: tuple[str, Found]) -> None:
    _, result = xuzhou
    (t,) = [
        t
        for t in result.targets
        if t.kind == "table" and t.indicator == "万人发明专利拥有量" and t.year == 2020
    ]
    assert (t.value, t.unit, t.comparator, t.stated) == (12.0, "件", ">=", "≥12")


# --- target sentences --------------------------------------------------------------------------------

# (file, indicator, year, value, value_max, unit, comparator, tentative, the value as written in the text)
SENTENCE_SAMPLE = [
    (XUZHOU, "年专利授权量", 2020, 30000, None, "件", ">", False, "超过 30000 件"),
    (XUZHOU, "科技进步贡献率", 2020, 60, None, "%", "=", False, "达 60%"),
    (XUZHOU, "国家高新技术企业数", 2020, 600, None, "家", ">", False, "突破 600 家"),
    (
        XUZHOU,
        "大中型工业企业和规上高新技术企业研发机构建有率",
        2020,
        90,
        None,
        "%",
        "~",
        False,
        "达到 90% 左右",
    ),
    (XUZHOU, "人才资源总量", 2020, 160, None, "万人", "=", False, "达160万人"),
    (XUZHOU, "研发经费支出占GDP比重", 2020, 2.5, None, "%", "=", False, "达2.5%"),
    (XUZHOU, "园区产值", 2020, 100, None, "亿元", ">", False, "突破100亿元"),
    (XUZHOU, "前瞻性重大技术攻关项目数", 2020, 100, None, "个", ">=", False, "100 个以上"),
    (XUZHOU, "产学研活动数", 2020, 60, None, "场", ">=", False, "60 场以上"),
    (XUZHOU, "境外合作孵化器数", 2020, 5, 8, "家", "range", False, "5-8 家"),
    (XUZHOU, "科技副总人数", 2020, 200, None, "人", ">=", False, "不低于 200 人"),
    (XUZHOU, "校企联盟数", 2020, 2000, None, "家", ">", False, "突破 2000 家"),
    (XUZHOU, "商标注册拥有量", 2020, 45000, None, "件", ">=", False, "达45000件以上"),
    (XUZHOU, "万人发明专利拥有量", 2020, 12, None, "件", "=", False, "达到12件"),
    (XUZHOU, "创新型企业企业家数", 2020, 800, None, "人", "~", False, "800人左右"),
    (YANGZHOU, "文化产业增加值占GDP比重", 2020, 7.5, None, "%", "=", False, "达7.5%"),
    (YANGZHOU, "工业机器人及智能装备保有量", 2020, 3500, None, "台套", ">=", False, "达3500台套以上"),
    (YANGZHOU, "先进制造业创新中心数", 2020, 1, 2, "个", "range", False, "1-2个"),
    (YANGZHOU, "博士人才数", 2020, 1, None, "万人", "=", False, "1万人"),
    (YANGZHOU, "国家科技型中小企业数", 2020, 1000, None, "家", "=", False, "各1000家"),
]


@pytest.mark.parametrize(
    ("path", "name", "year", "value", "value_max", "unit", "comparator", "tentative", "stated"),
    SENTENCE_SAMPLE,
    ids=[f"{s[0].name[:3]}-{s[1]}" for s in SENTENCE_SAMPLE],
)
def test_a_sample_of_target_sentences_against_the_text(
    corpus: dict[str, tuple[str, Found]],
    path: Path,
    name: str,
    year: int,
    value: float,
    value_max: float | None,
    unit: str,
    comparator: str,
    tentative: bool,
    stated: str,
) -> None:
    text, result = corpus[path.name]
    hits = [t for t in result.targets if t.kind == "sentence" and t.indicator == name and t.stated == stated]
    assert hits, [t.indicator for t in result.targets if t.kind == "sentence"]
    t = hits[0]
    assert (t.year, t.value, t.value_max, t.unit, t.comparator, t.tentative) == (
        year,
        value,
        value_max,
        unit,
        comparator,
        tentative,
    )
    assert text[t.start : t.end] == t.sentence
    assert stated in t.sentence and re.search(rf"到\s?{year}\s?年", t.sentence)


# An independent, simpler reading of the same sentences: every "达/超过/突破/不低于 N 单位" after a
# 到20XX年 (the grep of the issue) must be a target the extraction found.
_SCOPE = re.compile(r"到 ?20\d\d ?年[^。；]*")
_STATED = re.compile(
    r"(达到|达|超过|突破|不低于)\s*\d+(?:\.\d+)?\s*(?:台套|亿元|万人|万名|家|件|个|%|人|场)(\s*以上|\s*左右)?"
)


def test_every_stated_target_of_the_corpus_is_found(corpus: dict[str, tuple[str, Found]]) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for name, (text, _) in corpus.items():
        for scope in _SCOPE.finditer(text):
            expected.update((name, m.group()) for m in _STATED.finditer(scope.group()))
    got = Counter(
        (name, t.stated) for name, (_, r) in corpus.items() for t in r.targets if t.kind == "sentence"
    )
    assert len(expected) >= 30  # distinct (document, statement) pairs
    assert not expected - got, expected - got


def test_every_evidence_span_slices_its_sentence_out_of_the_document(
    corpus: dict[str, tuple[str, Found]],
) -> None:
    for _, (text, result) in corpus.items():
        for t in result.targets:
            assert text[t.start : t.end] == t.sentence
            assert t.stated in t.sentence or t.stated.replace(" ", "") in t.sentence.replace(" ", "")


def test_the_corpus_counts(corpus: dict[str, tuple[str, Found]]) -> None:
    kinds = Counter((name[:3], t.kind) for name, (_, r) in corpus.items() for t in r.targets)
    assert kinds[("001", "table")] == 32
    assert kinds[("001", "sentence")] >= 35 and kinds[("002", "sentence")] >= 20
    assert not any(kinds[(n, k)] for n in ("000", "003", "004") for k in ("table", "sentence"))


# --- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "unit", "name"),
    [
        ("全市年专利授权量", "件", "年专利授权量"),
        ("全市国家高新技术企业数量", "家", "国家高新技术企业数"),
        ("研发经费支出占地区生产总值比重", "%", "研发经费支出占GDP比重"),
        ("全社会研发投入占GDP比重", "%", "研发投入占GDP比重"),
        ("新建和引进高水平研发机构", "家", "高水平研发机构数"),
        ("拥有10件以上发明专利的知识产权优势企业", "家", "知识产权优势企业数"),
        ("“科技副总”人数", "人", "科技副总人数"),
        ("软件和互联网产业实现业务收入", "亿元", "软件和互联网产业业务收入"),
        ("建设产业研究院（所）", "家", "产业研究院(所)数"),
        ("光明科学城集聚国家级创新平台", "个", "国家级创新平台数"),
        ("高新区拥有省级以上研发机构", "家", "省级以上研发机构数"),
        ("城市更新项目", "个", "城市更新项目数"),
        ("高新区和开发区数量", "个", "高新区和开发区数"),  # 和 joins, it does not act
        ("工业园区建设用地面积", "公顷", "工业园区建设用地面积"),  # 建设 inside a noun
    ],
)
def test_indicator_names_are_the_measured_quantity(surface: str, unit: str, name: str) -> None:
    assert indicator_name(surface, unit) == name


# --- in the pipeline ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xuzhou_graph() -> Graph:
    return extract_document(read_document(XUZHOU)).graph


def test_targets_become_facts_of_the_documents_own_policy(xuzhou_graph: Graph) -> None:
    targets = [r for r in xuzhou_graph.relations if r.type is RelType.SETS_TARGET]
    indicators = {e.key: e for e in xuzhou_graph.entities if e.label is Label.INDICATOR}
    assert {r.source for r in targets} == {XUZHOU_POLICY}
    assert {r.properties["city"] for r in targets} == {"City:徐州"}
    assert {r.target for r in targets} == set(indicators)
    assert len({r.key for r in targets}) == len(targets) >= 60  # one fact per indicator and year
    rd = {r.properties["year"]: r for r in targets if r.target == "Indicator:研发经费支出占GDP比重"}
    assert {y: r.properties["value"] for y, r in rd.items()} == {2017: 2.1, 2018: 2.3, 2019: 2.4, 2020: 2.5}
    # The table's cell and the sentence that repeats it are one fact with both pieces of evidence.
    assert [ev.extractor for ev in rd[2020].evidence] == ["targets:table", "targets:sentence"]
    assert rd[2020].key.endswith("|SETS_TARGET|Indicator:研发经费支出占GDP比重|2020")
    firms = next(
        r for r in targets if r.target == "Indicator:国家高新技术企业数" and r.properties["year"] == 2020
    )
    assert (firms.properties["comparator"], len(firms.evidence)) == ("=", 3)  # the table's, plus 2 sentences
    text = XUZHOU.read_text(encoding="utf-8")
    for r in targets:
        for ev in r.evidence:
            assert text[ev.start : ev.end] == ev.sentence


def test_the_gold_format_keeps_only_the_scored_ontology_and_lists_targets_apart(xuzhou_graph: Graph) -> None:
    out = to_gold_format(xuzhou_graph, doc=XUZHOU.name)
    assert {e["label"] for e in out["entities"]} <= {label.value for label in CORE_LABELS}
    assert {r["type"] for r in out["relations"]} <= {t.value for t in CORE_TYPES}
    assert len(out["targets"]) == sum(r.type is RelType.SETS_TARGET for r in xuzhou_graph.relations)
    cell = next(t for t in out["targets"] if t["indicator"] == "万人发明专利拥有量" and t["year"] == 2020)
    assert (cell["value"], cell["unit"], cell["comparator"], cell["city"]) == (12.0, "件", ">=", "City:徐州")


def test_a_document_without_a_policy_of_its_own_keeps_no_targets() -> None:
    x = extract_text(
        "合肥新闻：合肥市科技局表示，到2025年，合肥市高新技术企业数量突破8000家。", source="news.txt"
    )
    assert not [r for r in x.graph.relations if r.type is RelType.SETS_TARGET]
    assert not [e for e in x.graph.entities if e.label is Label.INDICATOR]
    assert x.pruned.get("target in a document without a policy of its own") == 1


# --- another city ------------------------------------------------------------------------------------

HEFEI = """合肥市人民政府关于印发合肥市“十四五”科技创新规划的通知

合政〔2022〕30号

各县（市）区人民政府，合肥高新区管委会：

现将《合肥市“十四五”科技创新规划》印发给你们，请认真贯彻执行。

主要指标

指标名称        单位    2020年    2025年
全社会研发投入占GDP比重    %    3.5    ≥4.0
高新技术企业数    家    4578    8000以上
每万人口高价值发明专利拥有量    件    12.1    约20

力争到2025年，全市技术合同成交额突破1000亿元，新型研发机构达到200家、科技企业孵化器超过100家。
全市高新技术企业数量到2025年突破 8 000 家。合肥市将支持合肥工业大学建设。
"""


@pytest.fixture(scope="module")
def hefei() -> Extraction:
    return extract_text(HEFEI, source="hefei_plan.txt")


def test_another_city_a_space_separated_table_with_a_unit_column(hefei: Extraction) -> None:
    cells = table_targets(HEFEI, Counter())
    got = {(t.indicator, t.year): (t.value, t.unit, t.comparator) for t in cells}
    assert got == {
        ("研发投入占GDP比重", 2020): (3.5, "%", "="),
        ("研发投入占GDP比重", 2025): (4.0, "%", ">="),
        ("高新技术企业数", 2020): (4578.0, "家", "="),
        ("高新技术企业数", 2025): (8000.0, "家", ">="),
        ("每万人口高价值发明专利拥有量", 2020): (12.1, "件", "="),
        ("每万人口高价值发明专利拥有量", 2025): (20.0, "件", "~"),
    }
    assert all(HEFEI[t.start : t.end] == t.sentence for t in cells)


def test_another_city_sentences_hedges_and_a_quantity_named_before_its_year(hefei: Extraction) -> None:
    graph = hefei.graph
    doc_id = content_id(HEFEI.encode("utf-8"))
    facts = {
        (r.target.removeprefix("Indicator:"), r.properties["year"]): r
        for r in graph.relations
        if r.type is RelType.SETS_TARGET
    }
    assert {r.properties["city"] for r in facts.values()} == {"City:合肥"}
    assert {r.source for r in facts.values()} == {"Policy:合肥市“十四五”科技创新规划"}
    deals = facts[("技术合同成交额", 2025)]
    assert (deals.properties["value"], deals.properties["unit"], deals.properties["comparator"]) == (
        1000.0,
        "亿元",
        ">",
    )
    assert deals.properties["tentative"] is True  # 力争
    assert facts[("科技企业孵化器数", 2025)].properties["comparator"] == ">"
    # "全市高新技术企业数量到2025年突破 8 000 家" repeats the table's 2025 cell: its evidence joins the fact.
    firms = facts[("高新技术企业数", 2025)]
    assert [ev.sentence for ev in firms.evidence][1] == "全市高新技术企业数量到2025年突破 8 000 家。"
    for r in facts.values():
        for ev in r.evidence:
            assert ev.document_id == doc_id and HEFEI[ev.start : ev.end] == ev.sentence


def test_target_records_are_plain_and_frozen() -> None:
    t = Target(
        indicator="x数",
        surface="x",
        year=2020,
        value=1.0,
        unit="家",
        comparator="=",
        stated="1家",
        kind="sentence",
        start=0,
        end=1,
        sentence="x",
    )
    with pytest.raises(AttributeError):
        t.value = 2.0  # type: ignore[misc]

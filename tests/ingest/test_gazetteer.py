"""Gazetteer: the shipped reference data and the longest-match finder, on sentences written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Label
from ingest.gazetteer import (
    COLUMNS,
    Entry,
    Gazetteer,
    GazetteerHit,
    ReferenceDataError,
    get_gazetteer,
    normalise,
)


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return get_gazetteer()


def by_surface(hits: list[GazetteerHit]) -> dict[str, GazetteerHit]:
    return {h.surface: h for h in hits}


# ----------------------------------------------------------------- the shipped data


def test_every_division_level_is_present_with_its_parents(gz: Gazetteer) -> None:
    cities = list(gz.entries(Label.CITY))
    levels = {lvl: sum(e.level == lvl for e in cities) for lvl in ("province", "municipality", "prefecture")}
    # 23 provinces + 5 autonomous regions + 2 SARs, 4 municipalities, 333 prefecture-level units
    assert levels == {"province": 30, "municipality": 4, "prefecture": 333}
    assert sum(e.level in ("county", "district") for e in cities) > 2800
    for e in gz.entries():
        if e.parent_id is not None:
            assert gz.get(e.parent_id) is not None, f"{e.id} points at a missing parent {e.parent_id}"
        if e.label == Label.CITY and e.level not in ("province", "municipality"):
            assert e.parent_id, f"{e.id} {e.name} has no parent"


def test_other_categories_are_loaded(gz: Gazetteer) -> None:
    universities = [e for e in gz.entries(Label.INSTITUTE) if e.id.startswith("uni:")]
    assert len(universities) > 2700
    assert len(list(gz.entries(Label.PARK))) > 100
    assert len(list(gz.entries(Label.ENTERPRISE))) > 5000


def test_short_and_full_names_of_divisions(gz: Gazetteer) -> None:
    xuzhou = gz.division("徐州市")
    assert xuzhou is not None and (xuzhou.canonical, xuzhou.level) == ("徐州", "prefecture")
    assert gz.division("徐州") == xuzhou
    assert gz.division("内蒙古自治区") == gz.division("内蒙古")
    pizhou = gz.division("邳州")
    assert pizhou is not None and (pizhou.name, pizhou.level, pizhou.kind) == ("邳州市", "county", "县级市")
    # 吉林 is the province; the city keeps its 市 so the two stay apart
    jilin = gz.division("吉林")
    assert jilin is not None and jilin.level == "province"
    jilin_city = gz.division("吉林市")
    assert jilin_city is not None and jilin_city.canonical == "吉林市" and jilin_city.parent_id == jilin.id


def test_parent_chain_and_province(gz: Gazetteer) -> None:
    parent = gz.parent_of("泉山区")
    assert parent is not None and parent.canonical == "徐州"
    province = gz.province_of("邳州")
    assert province is not None and province.canonical == "江苏"
    quanshan = gz.division("泉山区")
    assert quanshan is not None
    assert [e.canonical for e in gz.chain(quanshan)] == ["泉山区", "徐州", "江苏"]
    # a district of a municipality has the municipality as its top
    haidian = gz.province_of("海淀区")
    assert haidian is not None and haidian.canonical == "北京"


def test_ambiguous_district_needs_context(gz: Gazetteer) -> None:
    assert gz.is_ambiguous("鼓楼区")
    assert gz.division("鼓楼区") is None
    in_xuzhou = gz.division("鼓楼区", within="徐州")
    in_fuzhou = gz.division("鼓楼区", within=["福建", "福州市"])
    assert in_xuzhou is not None and in_fuzhou is not None and in_xuzhou != in_fuzhou
    assert gz.parent_of("鼓楼区", within="徐州") == gz.division("徐州")
    # a surface naming a prefecture and districts resolves to the prefecture without context
    chaoyang = gz.division("朝阳")
    assert chaoyang is not None and chaoyang.level == "prefecture"
    beijing = gz.division("北京")
    in_beijing = gz.division("朝阳", within="北京")
    assert in_beijing is not None and beijing is not None and in_beijing.parent_id == beijing.id


def test_former_names_lead_to_the_current_division(gz: Gazetteer) -> None:
    xiangyang = gz.division("襄樊")
    assert xiangyang is not None and xiangyang.canonical == "襄阳"


# ----------------------------------------------------------------- matching sentences


def test_sentence_about_luoyang(gz: Gazetteer) -> None:
    text = "河南省洛阳市涧西区的河南科技大学与洛阳高新区多家企业签署合作协议。"
    hits = by_surface(gz.find(text))
    assert hits["河南省"].level == "province"
    assert (hits["洛阳市"].canonical, hits["洛阳市"].parent) == ("洛阳", "河南")
    assert (hits["涧西区"].level, hits["涧西区"].parent) == ("district", "洛阳")
    uni = hits["河南科技大学"]
    assert (uni.label, uni.parent, uni.province) == (Label.INSTITUTE, "洛阳", "河南")
    park = hits["洛阳高新区"]
    assert (park.label, park.entry.name, park.parent) == (Label.PARK, "洛阳高新技术产业开发区", "洛阳")


def test_sentence_about_ningbo_prefers_the_longest_name(gz: Gazetteer) -> None:
    text = "浙江宁波鄞州区，宁波诺丁汉大学和宁波大学的学生参观了港口。"
    hits = gz.find(text)
    surfaces = [h.surface for h in hits]
    assert "宁波诺丁汉大学" in surfaces and "宁波大学" in surfaces
    # the university names are not split into the city and a remainder
    assert surfaces.count("宁波") == 1
    assert by_surface(hits)["鄞州区"].parent == "宁波"


def test_sentence_about_hefei_with_an_abbreviation(gz: Gazetteer) -> None:
    text = "合肥高新区集聚了中国科学技术大学、合肥工大等高校，蜀山区也在其中。"
    hits = by_surface(gz.find(text))
    assert hits["合肥工大"].canonical == "合肥工业大学"
    assert hits["合肥工大"].form == "alias"
    assert hits["中国科学技术大学"].parent == "合肥"
    assert hits["合肥高新区"].label == Label.PARK
    assert hits["蜀山区"].parent == "合肥"


def test_offsets_point_into_the_original_text(gz: Gazetteer) -> None:
    # full-width brackets in the text, half-width in nothing: the match still lands on the original
    text = "北京的中国矿业大学（北京）与徐州的中国矿业大学都在ＡＩ方向发力。"
    hits = gz.find(text)
    assert hits, "expected matches"
    for h in hits:
        assert text[h.start : h.end] == h.surface
    beijing_campus = [h for h in hits if h.surface == "中国矿业大学（北京）"]
    assert len(beijing_campus) == 1 and beijing_campus[0].entry.parent_id == gz.division("北京").id  # type: ignore[union-attr]


def test_full_width_and_non_bmp_text_keep_offsets(gz: Gazetteer) -> None:
    text = "😀 ＴＣＬ科技落户徐州，𠀋字不影响邳州。"
    hits = by_surface(gz.find(text))
    assert hits["ＴＣＬ科技"].canonical == "TCL科技"
    for surface in ("ＴＣＬ科技", "徐州", "邳州"):
        h = hits[surface]
        assert text[h.start : h.end] == surface


def test_common_words_are_weak_and_can_be_dropped(gz: Gazetteer) -> None:
    text = "坚持和平发展道路，推进城区更新。"
    hits = by_surface(gz.find(text))
    assert hits["和平"].weak and hits["和平"].label == Label.CITY
    assert hits["城区"].weak
    assert gz.is_weak("和平")
    assert not gz.is_weak("徐州")
    assert [h.surface for h in gz.find(text, include_weak=False)] == []


def test_a_short_name_cut_out_of_a_word_is_glued(gz: Gazetteer) -> None:
    hit = by_surface(gz.find("搭建创新平台"))["新平"]
    assert hit.glued and hit.weak
    # short names standing between neutral characters are not glued
    alone = by_surface(gz.find("邳州与新沂两地"))
    assert not alone["邳州"].glued and not alone["新沂"].glued
    assert not alone["邳州"].weak


def test_label_filter_keeps_only_those_labels(gz: Gazetteer) -> None:
    text = "江苏师范大学位于徐州市，徐工机械也在徐州经开区。"
    cities = gz.find(text, labels={Label.CITY})
    assert cities and all(h.label == Label.CITY for h in cities)
    everything = {h.label for h in gz.find(text)}
    assert {Label.CITY, Label.INSTITUTE, Label.ENTERPRISE, Label.PARK} <= everything


def test_find_is_leftmost_longest(gz: Gazetteer) -> None:
    text = "中山大学在广州，中山市在广东；江苏师大即江苏师范大学，位于徐州泉山区。"
    hits = gz.find(text)
    # reference: at each position take the longest known surface, then jump past it
    expected: list[tuple[int, int]] = []
    i = 0
    longest = max(len(s) for e in gz.entries() for s in e.forms)
    while i < len(text):
        for j in range(min(len(text), i + longest), i, -1):
            if gz.lookup(text[i:j]):
                expected.append((i, j))
                i = j
                break
        else:
            i += 1
    assert [(h.start, h.end) for h in hits] == expected


# ----------------------------------------------------------------- loading errors


def _row(**values: str) -> str:
    return "\t".join(values.get(c, "") for c in COLUMNS) + "\n"


def test_small_directory_loads(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text(
        "# a comment\n"
        + "\t".join(COLUMNS)
        + "\n"
        + _row(id="div:1", canonical="甲城", name="甲城市", label="City", level="prefecture", aliases="甲城")
        + _row(id="park:1", canonical="甲城高新区", name="甲城高新区", label="Park", parent_id="div:1"),
        encoding="utf-8",
    )
    gz = Gazetteer.load(tmp_path)
    assert len(gz) == 2
    hits = gz.find("甲城市有甲城高新区")
    assert [(h.surface, h.parent) for h in hits] == [("甲城市", None), ("甲城高新区", "甲城")]
    assert isinstance(hits[0].entry, Entry)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="tools/refdata"):
        Gazetteer.load(tmp_path / "nowhere")


def test_wrong_columns_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.tsv").write_text("name\tlabel\n徐州\tCity\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="columns"):
        Gazetteer.load(tmp_path)


def test_unknown_label_and_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    header = "\t".join(COLUMNS) + "\n"
    (tmp_path / "a.tsv").write_text(header + _row(id="x:1", canonical="甲", label="Town"), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="bad row"):
        Gazetteer.load(tmp_path)
    (tmp_path / "a.tsv").write_text(
        header + _row(id="x:1", canonical="甲", label="City") + _row(id="x:1", canonical="乙", label="City"),
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError, match="twice"):
        Gazetteer.load(tmp_path)


def test_normalise_keeps_length() -> None:
    s = "ＡＢＣ（北京）　１２３"
    assert len(normalise(s)) == len(s)
    assert normalise(s) == "ABC(北京) 123"


def test_a_four_character_brand_the_dictionary_tags_as_a_name_is_not_weak(gz: Gazetteer) -> None:
    # 双汇发展 is frequent in jieba's dictionary but tagged nz (a proper noun): the brand, not a phrase
    hits = [h for h in gz.find("双汇发展拟在本地新建工厂。") if h.label is Label.ENTERPRISE]
    assert [(h.surface, h.weak) for h in hits] == [("双汇发展", False)]

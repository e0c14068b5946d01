"""Resolution: one entity per actor, canonical names, aliases, categories pruned with a reason."""

from __future__ import annotations

from graph.model import Label
from ingest.clean import clean
from ingest.pipeline import extract_text
from ingest.recognise import recognise
from ingest.resolve import Resolution, _initialism, document_city, resolve


def _resolve(text: str) -> Resolution:
    cleaned = clean(text).text
    return resolve(cleaned, recognise(cleaned))


def _entity(res: Resolution, label: Label, name: str) -> set[str]:
    found = [e for e in res.entities if e.label is label and e.name == name]
    assert len(found) == 1, (name, [e.name for e in res.entities])
    return found[0].forms()


DOC = (
    "徐委发〔2018〕20号\n中共徐州市委关于推进区域性产业科技创新中心建设的工作意见\n"
    "徐州市推动徐州产业技术研究院建设。加快建设市产业技术研究院。支持徐工集团、中国矿业大学等龙头企业和高校建设平台。"
    "支持徐工等行业龙头企业创建实验室。依托徐州软件园等园区,推动软件园发展。推动鼓楼高新区建设。"
    "设立市科技企业贷款风险补偿资金(徐科贷)。"
)


def test_the_documents_own_city() -> None:
    res = _resolve(DOC)
    assert res.city == "徐州" and res.province == "江苏"
    assert document_city([], "") == ("", "")


def test_city_canonical_name_without_shi_and_level() -> None:
    res = _resolve(DOC)
    city = next(e for e in res.entities if e.label is Label.CITY and e.name == "徐州")
    assert city.level == "prefecture" and "徐州市" in city.aliases


def test_local_and_bare_forms_join_the_full_name() -> None:
    res = _resolve(DOC)
    institute = next(e for e in res.entities if e.name == "徐州产业技术研究院")
    assert "市产业技术研究院" in {m.surface for m in institute.mentions}  # 市 = this document's city
    assert "徐工" in _entity(res, Label.ENTERPRISE, "徐工集团")
    park = next(e for e in res.entities if e.label is Label.PARK and e.name == "徐州软件园")
    assert "软件园" in {m.surface for m in park.mentions}  # the bare head joins the park it stands for…
    assert "软件园" not in park.aliases  # …but names nothing out of context, so it is no alias


def test_aliases_name_the_actor_out_of_context() -> None:
    res = _resolve("邳州、新沂高新区加快建设。徐州市推动徐州高新区发展，高新区新增企业50家。")
    zones = [e for e in res.entities if e.label is Label.PARK]
    assert zones
    for zone in zones:
        assert not {"高新区", "邳州", "新沂"} & set(zone.aliases), (zone.name, zone.aliases)


def test_docno_and_parenthesis_aliases() -> None:
    res = _resolve(DOC)
    title = [e for e in res.entities if e.label is Label.POLICY and "徐委发〔2018〕20号" in e.forms()]
    assert title and title[0].name.startswith("关于")
    fund = [e for e in res.entities if e.label is Label.POLICY and "徐科贷" in e.aliases]
    assert fund and fund[0].name.endswith("风险补偿资金")


def test_a_weak_district_name_needs_the_documents_city() -> None:
    res = _resolve(DOC)
    assert "鼓楼" in _entity(res, Label.CITY, "鼓楼区")
    alone = _resolve("鼓楼的钟声。")
    assert not [e for e in alone.entities if e.label is Label.CITY]
    assert alone.pruned["place name without context"] >= 1


def test_categories_are_pruned_with_a_reason() -> None:
    res = _resolve("新增省级以上众创空间85家、科技企业孵化器10家。")
    assert not [e for e in res.entities if e.label is Label.PARK]
    assert res.pruned["generic category"] >= 2


def test_a_firms_defined_and_usual_short_forms_name_it() -> None:
    res = _resolve(
        "南宁市推进发展。广西柳工机械股份有限公司(以下简称柳工)与南宁高新区签约,柳工将建设研发中心。"
        "深圳市星火智联科技有限公司在南宁设立基地,星火智联还将投资建设工厂。"
    )
    assert "柳工" in _entity(res, Label.ENTERPRISE, "广西柳工机械股份有限公司")
    assert "星火智联" in _entity(res, Label.ENTERPRISE, "深圳市星火智联科技有限公司")
    firms = [e for e in res.entities if e.label is Label.ENTERPRISE]
    assert len(firms) == 2, [e.name for e in firms]
    liugong = next(e for e in firms if e.name.startswith("广西柳工"))
    assert len(liugong.mentions) == 3  # the full name, the defined 柳工 and the later one
    assert "以下简称柳工" not in liugong.aliases


def test_a_high_tech_zones_official_and_short_names_are_one_park() -> None:
    res = _resolve("厦门市推进发展。厦门火炬高技术产业开发区管委会推动厦门火炬高新区建设。")
    parks = [e for e in res.entities if e.label is Label.PARK]
    assert len(parks) == 1 and {"厦门火炬高技术产业开发区", "厦门火炬高新区"} <= parks[0].forms()


def test_a_state_level_new_area_is_a_park_under_its_official_and_short_names() -> None:
    res = _resolve("江西省推进发展。江西赣江新区集聚了一批企业。赣江新区将建设中试平台。")
    assert "赣江新区" in _entity(res, Label.PARK, "江西赣江新区")


def test_a_county_level_city_written_out_is_a_city_even_where_its_stem_is_a_name_word() -> None:
    from ingest.pipeline import extract_text

    names = {e.name for e in extract_text("麻城市推进发展。合作市场繁荣。").graph.entities}
    assert "麻城" in names and "合作" not in names


def test_a_county_written_out_with_its_ending_is_a_place_even_when_its_stem_is_a_word() -> None:
    g = extract_text("2021年和平县人民政府工作报告。全县上下团结奋斗。")
    assert "City:和平县" in {e.key for e in g.graph.entities}
    assert "City:和县" not in {e.key for e in extract_text("各市和县要加强创新。").graph.entities}


def test_a_short_county_name_listed_with_cities_of_its_province_is_a_place() -> None:
    graph = extract_text("黑龙江省的哈尔滨、大庆、绥芬河和佳木斯都在发展医药产业。").graph
    keys = {e.key for e in graph.entities}
    assert "City:绥芬河" in keys


def test_an_initialism_of_a_firms_words_is_its_short_form() -> None:
    # the two characters of the brand, then the heads of the later words (重工 → 重, 科技 → 科)
    assert _initialism("华远重科", "华远重工科技发展股份有限公司")
    # not a short form: a word the full name does not have (信), or the brand alone
    assert not _initialism("华远电信", "华远电子科技集团有限公司")
    assert not _initialism("华远", "华远重工科技发展股份有限公司")
    assert not _initialism("华远重工", "华远重工科技发展股份有限公司")  # a prefix: cut, not an initialism


def test_a_county_its_title_names_is_the_documents_own_place() -> None:
    text = (
        "2021年长汀县人民政府工作报告\n过去一年，长汀县完成腾飞工业园首期基础设施建设。"
        "长汀县引进落户项目20个。"
    )
    res = _resolve(text)
    assert (res.city, res.province) == ("长汀县", "福建")
    hosts = {(r.source, r.target) for r in extract_text(text).graph.relations if r.type.value == "HOSTS"}
    assert hosts == {("City:长汀县", "Park:腾飞工业园")}


def test_the_place_opening_a_category_is_still_a_place_named() -> None:
    res = _resolve("该局为园区申报安徽省科技企业孵化器。")
    assert [e.name for e in res.entities if e.label is Label.CITY] == ["安徽"]
    assert not [e for e in res.entities if e.label is Label.PARK]  # the category itself is no park


def test_a_firm_named_with_and_without_its_place_is_one_firm() -> None:
    res = _resolve("青禾电子有限公司参加展会。其中安徽青禾电子有限公司获得支持。")
    firms = [e for e in res.entities if e.label is Label.ENTERPRISE]
    assert [(e.name, e.aliases) for e in firms] == [("安徽青禾电子有限公司", ["青禾电子有限公司"])]

"""Recognition by name formation, gazetteers, quotes and list contexts; categories are not names."""

from __future__ import annotations

import pytest

from graph.model import Label
from ingest.clean import clean
from ingest.recognise import Mention, is_generic, name_start, recognise


def _named(text: str) -> dict[str, Label]:
    rec = recognise(clean(text).text)
    return {m.name: m.label for m in rec.mentions if not m.bare}


def test_park_and_institute_names_start_after_the_verb() -> None:
    found = _named("推动江苏淮海科技城资源整合,重点推进绿色化工与生态环境技术研究院建设。")
    assert found["江苏淮海科技城"] is Label.PARK
    assert found["绿色化工与生态环境技术研究院"] is Label.INSTITUTE


def test_name_start_uses_the_dictionary_on_the_left_window() -> None:
    text = "依托矿大科技园等科技园区"
    head = text.index("科技园")
    assert text[name_start(text, head, Label.PARK) : head] == "矿大"


def test_generic_categories_are_bare() -> None:
    rec = recognise(clean("新增省级众创空间35家、科技企业孵化器10家和一批国家重点实验室。").text)
    parks = [m for m in rec.mentions if m.label in (Label.PARK, Label.INSTITUTE)]
    assert parks and all(m.bare for m in parks)
    assert is_generic("省级以上") and is_generic("各类") and not is_generic("潘安湖")


def test_shared_endings_give_one_name_per_item() -> None:
    found = _named("推动邳州、新沂、鼓楼三家省级高新区争创国家级高新区。")
    assert {"邳州高新区", "新沂高新区", "鼓楼高新区"} <= set(found)
    found = _named("加快筹建国家工程机械和省特种机器人质检中心。")
    assert {"国家工程机械质检中心", "省特种机器人质检中心"} <= set(found)
    # a counted ending whose qualifier is no generic word is shared whole (食品 + 园区)
    found = _named("支持嘉兴、湖州和丽水3个食品园区建设冷链中心。")
    assert {"嘉兴食品园区", "湖州食品园区", "丽水食品园区"} <= set(found)


def test_policies_titles_numbers_and_quoted_programmes() -> None:
    found = _named(
        "徐委发〔2018〕20号。落实《江苏省促进科技成果转化条例》,实施“1247”行动计划、"
        "省科技创新“40条”和“苏科贷”,实施顶尖人才引进计划。"
    )
    for name in (
        "徐委发〔2018〕20号",
        "江苏省促进科技成果转化条例",
        "“1247”行动计划",
        "省科技创新“40条”",
        "苏科贷",
        "顶尖人才引进计划",
    ):
        assert found.get(name) is Label.POLICY, name


def test_firms_from_list_contexts_and_project_lists() -> None:
    found = _named(
        "华为、中兴、软通动力等国内龙头企业都已入驻。重点推进淮海控股新能源汽车、茂迪太阳能电池等重大产业化项目。"
    )
    assert {"华为", "中兴", "软通动力", "淮海控股", "茂迪"} <= {
        n for n, lab in found.items() if lab is Label.ENTERPRISE
    }


def test_gazetteer_places_and_universities() -> None:
    rec = recognise(clean("支持中国矿业大学与扬州大学在徐州市泉山区合作。").text)
    by_name = {m.name: m for m in rec.mentions}
    assert by_name["中国矿业大学"].label is Label.INSTITUTE
    assert by_name["徐州"].level == "prefecture" and by_name["泉山区"].level == "district"


def test_places_that_open_a_name_are_reported() -> None:
    rec = recognise(clean("推动徐州高新区提质扩量。").text)
    assert [p.name for p in rec.places] == ["徐州"]
    assert any(isinstance(m, Mention) and m.name == "徐州高新区" for m in rec.mentions)


# Names in texts from cities outside the corpus, each a rule of name formation (not a list of answers).
NAMED = [
    # a firm's registered name keeps its seat, its group note or the country in brackets
    ("引进本源量子计算科技（合肥）股份有限公司。", "本源量子计算科技(合肥)股份有限公司", Label.ENTERPRISE),
    ("蔚来汽车科技(安徽)有限公司落户合肥。", "蔚来汽车科技(安徽)有限公司", Label.ENTERPRISE),
    ("阿里巴巴（中国）有限公司已入驻杭州。", "阿里巴巴(中国)有限公司", Label.ENTERPRISE),
    ("吸引舜宇光学科技（集团）有限公司设立研发中心。", "舜宇光学科技(集团)有限公司", Label.ENTERPRISE),
    # trade words chained before the legal form; a firm named after the zone it develops
    ("由河口投资管理有限责任公司运营。", "河口投资管理有限责任公司", Label.ENTERPRISE),
    ("由江苏宿迁埃及经贸合作区投资有限公司开发。", "江苏宿迁埃及经贸合作区投资有限公司", Label.ENTERPRISE),
    # firm short names ending with an industry word; brands the dictionary splits into characters (中|天)
    ("西安高新区内已聚集了三星半导体、美光科技等龙头企业。", "三星半导体", Label.ENTERPRISE),
    ("西安高新区内已聚集了三星半导体、美光科技等龙头企业。", "美光科技", Label.ENTERPRISE),
    ("推进南通大学与中天科技集团签订合作协议。", "中天科技集团", Label.ENTERPRISE),
    ("支持成都先导药物开发股份有限公司共建新药研发平台。", "成都先导药物开发股份有限公司", Label.ENTERPRISE),
    ("推动吉林大学与中国第一汽车集团有限公司合作。", "中国第一汽车集团有限公司", Label.ENTERPRISE),
    ("管委会与中国电信股份有限公司无锡分公司签约。", "中国电信股份有限公司无锡分公司", Label.ENTERPRISE),
    # zone heads: 合作区, 科创区, 科创中心, 创新示范区, 生物城; a name may open with 未来
    ("河套深港科技创新合作区引进研究院。", "河套深港科技创新合作区", Label.PARK),
    ("甬江科创区吸引企业设立研发中心。", "甬江科创区", Label.PARK),
    ("浙江大学杭州国际科创中心同步建设。", "浙江大学杭州国际科创中心", Label.PARK),
    ("园区建有国家传感网创新示范区。", "国家传感网创新示范区", Label.PARK),
    ("对在天府国际生物城新设立的企业给予补助。", "天府国际生物城", Label.PARK),
    ("企业已入驻杭州未来科技城。", "杭州未来科技城", Label.PARK),
    # parks named by 物流园, 工业区, 园区 after a proper word, and incubators named 创业服务中心
    ("推进喀什商贸物流园建设。", "喀什商贸物流园", Label.PARK),
    ("项目落户滨江工业区。", "滨江工业区", Label.PARK),
    ("对南浔园区新引进企业给予奖励。", "南浔园区", Label.PARK),
    ("入驻宁海县科技创业服务中心的企业有30家。", "宁海县科技创业服务中心", Label.PARK),
    ("经认定，宁波市科技信息服务中心开展评估。", "宁波市科技信息服务中心", Label.INSTITUTE),
    ("浙江省农业研究院植保研究所发布报告。", "浙江省农业研究院植保研究所", Label.INSTITUTE),
    ("市政府就华夏光伏集团投资事宜召开会议。", "华夏光伏集团", Label.ENTERPRISE),
    # quoted programme names sharing one head, side by side or with 、
    ("开展“双招双引”“千企升级”行动。", "“双招双引”行动", Label.POLICY),
    ("开展“双招双引”“千企升级”行动。", "“千企升级”行动", Label.POLICY),
    ("实施“强链”工程、“补链”、“延链”工程。", "“补链”工程", Label.POLICY),
    # a technology innovation centre is an institute (a bare 创新中心 after a brand may be a campus)
    ("长三角国家技术创新中心在上海揭牌。", "长三角国家技术创新中心", Label.INSTITUTE),
    ("埃塞俄比亚中国工业合作区吸引企业入驻。", "埃塞俄比亚中国工业合作区", Label.PARK),
    # institutes: a branch named by place after its parent, joint labs, numbered institutes
    ("支持江苏省产业技术研究院南通研究所建设。", "江苏省产业技术研究院南通研究所", Label.INSTITUTE),
    ("宜兴市环保科技工业园引进清华大学无锡应用技术研究院。", "清华大学无锡应用技术研究院", Label.INSTITUTE),
    ("深圳市引进香港科技大学深港协同创新研究院。", "香港科技大学深港协同创新研究院", Label.INSTITUTE),
    ("共建汽车电子联合实验室。", "汽车电子联合实验室", Label.INSTITUTE),
    ("青岛西海岸新区引进中船重工第七二五研究所。", "中船重工第七二五研究所", Label.INSTITUTE),
    ("联合自然资源部第一海洋研究所开展攻关。", "自然资源部第一海洋研究所", Label.INSTITUTE),
    # policy packages: 若干政策 titles
    ("成都市关于支持天府国际生物城建设的若干政策", "关于支持天府国际生物城建设的若干政策", Label.POLICY),
]
# ... and what names nothing: a seat inside a firm's name, a seat alone, an unnamed fund.
UNNAMED = [
    ("蔚来汽车科技(安徽)有限公司落户合肥。", "安徽"),
    ("支持(江苏)有限公司发展。", "(江苏)有限公司"),
    ("科伦药业获得市级财政专项资金支持。", "市级财政专项资金"),
    # a newspaper, an article's headline and fund types are not policies; a verb ending in 出 opens no name
    ("《科技日报》报道了此事。", "科技日报"),
    ("详见《无锡:三张清单促产业升级》一文。", "无锡:三张清单促产业升级"),
    ("设立天使基金和母基金。", "天使基金"),
    ("园区培育出华曦达科技等企业。", "培育出华曦达科技"),
    # a name does not open with a number's classifier, 计划 before 总投资 is a verb, 工程院 is one word
    ("印发《关于建设人才高地的40条意见》。", "条意见"),
    ("公司计划总投资2亿元建设新厂。", "公司计划"),
    ("现有中国工程院院士3人。", "中国工程"),
    ("规定所有技术发展计划都须与企业合作。", "所有技术发展计划"),
    # a 服务中心 that serves no technology is a government office
    ("由黄冈市招商服务中心负责接待。", "黄冈市招商服务中心"),
    # an alliance of parks is no park
    ("长江经济带高新园区联盟在武汉成立。", "长江经济带高新园区"),
    # a page's breadcrumb is no part of a name; generic words before a weak head name nothing
    ("首页>园区概况", "首页>园区"),
    ("建设战略性新兴产业示范区。", "战略性新兴产业示范区"),
]


@pytest.mark.parametrize(("text", "name", "label"), NAMED, ids=[n for _, n, _ in NAMED])
def test_names_in_texts_from_other_cities(text: str, name: str, label: Label) -> None:
    assert _named(text)[name] is label


@pytest.mark.parametrize(("text", "name"), UNNAMED, ids=[n for _, n in UNNAMED])
def test_what_names_nothing(text: str, name: str) -> None:
    assert name not in _named(text)


def test_a_notice_that_issues_a_policy_names_the_policy() -> None:
    rec = recognise(clean("南通市人民政府关于印发南通市科技创新三年行动计划的通知").text)
    (policy,) = [m for m in rec.mentions if m.label is Label.POLICY]
    assert policy.name == "南通市科技创新三年行动计划"
    assert policy.aliases == ("关于印发南通市科技创新三年行动计划的通知",)


def test_a_verb_or_a_person_before_a_name_is_not_part_of_it() -> None:
    # jieba tags 充分利用 as a noun: 中国 still opens the national organisation's name
    assert [m.surface for m in recognise("项目充分利用中国科学院的科研资源。").mentions] == ["中国科学院"]
    # 率 (to lead) is a one-character verb: the person and title before it stay outside the park's name
    surfaces = [m.surface for m in recognise("考察团由市长王强率东湖高新区企业代表赴深圳考察。").mentions]
    assert "东湖高新区" in surfaces and not any("王强" in s for s in surfaces)


def test_a_government_office_in_a_list_is_no_stem_of_the_next_name() -> None:
    names = [m.name for m in recognise("活动由宜昌市驻京办、宜昌高新区协办。").mentions]
    assert "宜昌高新区" in names and not any(n.startswith("宜昌市驻京办") for n in names)


def test_a_policy_named_by_its_topic_is_a_kind_and_a_national_or_quoted_one_an_instrument() -> None:
    named = _named("落实人才集聚政策和国家研发费用加计扣除政策,推广“科创券”政策。")
    assert "人才集聚政策" not in named
    assert named.get("国家研发费用加计扣除政策") is Label.POLICY


def test_public_works_are_not_programmes() -> None:
    named = _named("推进城际铁路工程和水库连通工程,实施知识产权护航工程。")
    assert "城际铁路工程" not in named and "水库连通工程" not in named
    assert named.get("知识产权护航工程") is Label.POLICY


def test_an_academy_in_a_members_title_is_no_mention() -> None:
    named = _named("学校拥有中国工程院院士3人,与中国科学院签署协议。")
    assert "中国工程" not in named and "中国工程院" not in named
    assert named.get("中国科学院") is Label.INSTITUTE


def test_a_verbal_noun_followed_by_a_noun_opens_a_fund_name() -> None:
    named = _named("设立总规模不低于1000万元的旅游产业发展引导资金,列入县财政预算。")
    assert named.get("旅游产业发展引导资金") is Label.POLICY


def test_a_direction_after_a_place_stays_in_the_name_and_has_opens_none() -> None:
    named = _named("推动中国南方生物医药城建设。目前已有广西华南新药创新中心等机构。")
    assert "中国南方生物医药城" in named
    assert "广西华南新药创新中心" in named and "有广西华南新药创新中心" not in named


def test_firms_listed_after_the_category_that_introduces_them() -> None:
    named = _named("该领域重点专利权人包括辉瑞、默沙东和赛诺菲，龙头企业有美敦力等。")
    for firm in ("辉瑞", "默沙东", "赛诺菲", "美敦力"):
        assert named.get(firm) is Label.ENTERPRISE, firm


def test_every_recogniser_gives_only_its_own_tags() -> None:
    from ingest.recognise import RECOGNISERS

    text = clean(
        "徐州市人民政府关于印发《徐州市科技创新行动计划》的通知(徐政发〔2021〕15号)。"
        "徐州高新区集聚了中国矿业大学、徐工集团等龙头企业,实施“333”工程。"
    ).text
    fired = 0
    for rule in RECOGNISERS:
        for m in rule.find(text):
            assert m.extractor in rule.tags, (rule.find.__name__, m.extractor)
            fired += 1
    assert fired >= 5


def test_opinions_asked_for_are_no_policy_but_an_implementation_opinion_is() -> None:
    named = _named("草案向社会公开征求意见。印发《关于加快发展的实施意见》,落实促进科技成果转化意见。")
    assert not any(n.endswith("征求意见") for n in named)
    assert named.get("促进科技成果转化意见") is Label.POLICY


def test_a_footnote_number_far_before_does_not_split_an_academy_branch() -> None:
    named = _named("2中国科学院广州生物医药与健康研究院,广州,510530")
    assert named.get("中国科学院广州生物医药与健康研究院") is Label.INSTITUTE


def test_a_plan_made_adverbially_or_opinions_raised_are_no_policy() -> None:
    named = _named("要高起点地规划园区建设。委员提出意见十条。")
    assert not any(n.endswith(("地规划", "提出意见")) for n in named)


def test_a_subsidiary_named_by_its_parent_is_the_parent_and_a_share_is_no_firm() -> None:
    named = _named("宏齐科技股份有限公司全资子公司与对方组建合资公司,其中青岛海信以51%控股。据锦辉控股介绍。")
    assert "宏齐科技股份有限公司" in named or "宏齐科技" in named
    assert not any(n.endswith(("全资子公司", "合资公司")) or n.startswith(("51%", "据")) for n in named)


def test_books_plans_to_and_counted_pipes_are_no_policy() -> None:
    named = _named(
        "出版《南京经济社会发展蓝皮书》和《金陵智库丛书》。宝钢计划投资418亿元。"
        "山西省做出一系列规划,建成煤层气输送管道4条,落实人才新政30条。"
    )
    assert not any(n.endswith(("蓝皮书", "丛书")) or "计划" in n or "管道" in n or "规划" in n for n in named)
    assert named.get("人才新政30条") is Label.POLICY


def test_a_firm_name_opens_after_as_and_to_and_holds_no_and() -> None:
    named = _named("如中电投集团等企业;副总裁到江口醇集团考察;古交矿区与晋煤集团合作;%>中铝公司发布。")
    firms = [n for n in named if n.endswith(("集团", "公司"))]
    assert firms and not any(n.startswith(("如", "到", "%", ">")) or "与" in n for n in firms)


def test_a_national_brand_with_its_seat_opens_an_institutes_name_and_社科院_is_a_head() -> None:
    named = _named("成立中国（南京）城市发展战略研究院,南京市社科院牵头。")
    assert any(n.startswith("中国") and n.endswith("城市发展战略研究院") for n in named)
    assert named.get("南京市社科院") is Label.INSTITUTE


def test_a_direction_word_opens_a_firms_brand_and_我_opens_no_firm() -> None:
    named = _named("与南方报业传媒集团签约。我公司将参加。")
    assert named.get("南方报业传媒集团") is Label.ENTERPRISE
    assert "我公司" not in named


def test_entrepreneurs_listed_are_people_not_firms() -> None:
    named = _named("施正荣、瞿晓铧、赵建华等一批科技型企业家脱颖而出,尚德、林洋等企业快速成长。")
    assert "施正荣" not in named and "瞿晓铧" not in named
    assert named.get("尚德") is Label.ENTERPRISE


def test_a_firms_trade_before_its_legal_form_stays_in_its_name() -> None:
    names = _named("该项目由浙江天成投资有限公司出资建设。")
    assert names.get("浙江天成投资有限公司") is Label.ENTERPRISE


def test_word_like_listed_firms_count_in_a_list_with_a_listed_firm() -> None:
    names = _named("与同仁堂、比亚迪等企业合作。")
    assert names.get("同仁堂") is Label.ENTERPRISE
    assert "同仁堂" not in _named("同仁堂是一种老字号的名字。")


def test_a_titled_form_is_no_policy_but_a_titled_agreement_is() -> None:
    names = _named("申请人填写《昆明市科技项目申请表》(表一)，签订《滇中城市群科技合作协议》。")
    assert "昆明市科技项目申请表" not in names
    assert names.get("滇中城市群科技合作协议") is Label.POLICY


def test_the_last_two_places_of_a_shared_ending_list_joined_by_he_are_two_names() -> None:
    names = _named("湖州市推进德清、长兴和安吉3个产业园区加快发展。")
    assert {"德清产业园区", "长兴产业园区", "安吉产业园区"} <= set(names)


def test_a_place_name_inside_a_phrase_is_no_place() -> None:
    # 大庆之年: "a year of grand celebration", not the city 大庆
    text = "今年是新中国成立的大庆之年，大庆市的企业也来参展。"
    places = [m.surface for m in recognise(text).mentions if m.label is Label.CITY]
    assert places == ["大庆市"]


def test_a_verb_of_relation_opens_no_policy_name() -> None:
    # 提出/着眼于/符合 relate a subject to a plan or policy; they are never part of its name
    texts = (
        "学会为两地合作提出具体行动。",
        "新型机构着眼于长期规划。",
        "活动符合研发费用加计扣除政策的予以支持。",
    )
    for text in texts:
        names = [m.surface for m in recognise(text).mentions if m.label is Label.POLICY]
        assert not any(n.startswith(("两地合作", "新型机构", "活动")) for n in names), names


def test_an_unknown_brand_cut_into_single_characters_keeps_its_stop_like_characters() -> None:
    # jieba cuts an unknown brand into single characters (都 tagged as an adverb): the name runs on
    text = "其中安徽恒都夏南牛开发有限公司申报了项目。"
    firms = [m.surface for m in recognise(text).mentions if m.label is Label.ENTERPRISE]
    assert firms == ["安徽恒都夏南牛开发有限公司"]

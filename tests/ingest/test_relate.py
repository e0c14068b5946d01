"""Relations by triggers, argument types and the document's context."""

from __future__ import annotations

from graph.model import RelType
from ingest.pipeline import extract_text


def _facts(text: str) -> set[tuple[str, str, str]]:
    """(type, source, target) by name; COOPERATES is symmetric, so its two names come sorted."""
    g = extract_text(text).graph
    names = {e.key: e.name for e in g.entities}
    out = set()
    for r in g.relations:
        ends = (names[r.source], names[r.target])
        out.add((r.type.value, *(sorted(ends) if r.type is RelType.COOPERATES else ends)))
    return out


def test_hosts_by_trigger_word() -> None:
    facts = _facts("扬州市推进科技创新。华为、中兴、软通动力等国内龙头企业都已入驻扬州。")
    assert {("HOSTS", "扬州", "华为"), ("HOSTS", "扬州", "中兴"), ("HOSTS", "扬州", "软通动力")} <= facts


def test_hosts_by_context_province_city_district_and_own_parks() -> None:
    facts = _facts(
        "江苏省扬州市印发意见。扬州市支持江都区发展,持续提升扬州国家高新区和高邮、杭集省级高新区发展水平。"
        "扬州市加快推进扬州软件园建设。"
    )
    assert ("HOSTS", "江苏", "扬州") in facts
    assert ("HOSTS", "扬州", "江都区") in facts
    assert ("HOSTS", "扬州", "扬州软件园") in facts
    assert ("HOSTS", "高邮", "高邮高新区") in facts


def test_a_park_opening_a_sentence_hosts_what_it_builds() -> None:
    facts = _facts("徐州市推进建设。江苏淮海科技城加快创智科技园等项目建设。")
    assert ("HOSTS", "江苏淮海科技城", "创智科技园") in facts


def test_funds_set_up_by_the_city_with_amount() -> None:
    g = extract_text("扬州市加快发展。扬州市建立2亿元的市级创业投资引导基金。").graph
    names = {e.key: e.name for e in g.entities}
    funds = [r for r in g.relations if r.type is RelType.FUNDS]
    assert [(names[r.source], names[r.target], r.amount_cny) for r in funds] == [
        ("扬州", "市级创业投资引导基金", 200_000_000)
    ]


def test_funds_to_a_named_recipient() -> None:
    facts = _facts("徐州市发展。支持中国矿业大学建设一流大学,在科技创新等方面给予资金支持。")
    assert ("FUNDS", "徐州", "中国矿业大学") in facts


def test_funds_from_a_money_clause_before_support() -> None:
    g = extract_text("武汉市加快发展。市财政安排专项资金5000万元,支持华中科技大学建设光电研究院。").graph
    names = {e.key: e.name for e in g.entities}
    funds = [(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS]
    assert ("武汉", "华中科技大学", 50_000_000) in funds
    assert not [e for e in g.entities if e.name.endswith("专项资金")]  # 安排 opens no fund's name


def test_money_given_without_a_recipient_goes_to_the_subject() -> None:
    g = extract_text(
        "成都市推进产业发展。长虹电子科技(四川)有限公司落户成都高新区,市政府给予3亿元股权投资支持。"
    ).graph
    names = {e.key: e.name for e in g.entities}
    funds = [(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS]
    assert funds == [("成都", "长虹电子", 300_000_000)]


def test_rewards_to_a_category_are_not_funds() -> None:
    facts = _facts("徐州市发展。对首次新认定的国家高新技术企业,由同级财政给予30万元奖励。")
    assert not [f for f in facts if f[0] == "FUNDS"]


def test_cooperates_with_partners_and_by_link_words() -> None:
    facts = _facts(
        "徐州市发展。推进各地与清华大学、复旦大学等大院大所的合作对接。主动对接东南大学等高校院所。"
    )
    assert {
        ("COOPERATES", "徐州", "清华大学"),
        ("COOPERATES", "复旦大学", "徐州"),
        ("COOPERATES", "东南大学", "徐州"),
    } <= facts


def test_cooperation_of_the_sentence_subject_and_not_through_a_name() -> None:
    # 与 inside 纳米技术与纳米仿生 links nothing; 与B开展合作 with no subject in its clause: the opening actor
    facts = _facts(
        "苏州市推进创新。中国科学院苏州纳米技术与纳米仿生研究所入驻苏州纳米城,与恒瑞医药开展合作。"
    )
    coop = {f for f in facts if f[0] == "COOPERATES"}
    assert coop == {("COOPERATES", "中国科学院苏州纳米技术与纳米仿生研究所", "恒瑞医药")}


def test_a_park_opening_the_sentence_funds_what_it_sets_up() -> None:
    g = extract_text("西安市推进创新。西咸新区沣东新城设立10亿元科技成果转化引导基金。").graph
    names = {e.key: e.name for e in g.entities}
    funds = [(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS]
    assert funds == [("西咸新区沣东新城", "科技成果转化引导基金", 1_000_000_000)]


def test_an_item_marker_does_not_hide_the_sentence_subject() -> None:
    facts = _facts(
        "常州市推进建设。(四)溧阳市支持宁德时代新能源科技股份有限公司建设生产基地,给予土地和资金支持。"
    )
    assert ("FUNDS", "溧阳", "宁德时代新能源") in facts


def test_a_government_and_an_academy_cooperate_and_do_not_merge() -> None:
    facts = _facts(
        "常州市推进建设。常州市人民政府与中国科学院签署全面科技合作协议。中科院常州先进制造技术研究所落户常州科教城。"
    )
    assert ("COOPERATES", "中国科学院", "常州") in facts
    assert ("HOSTS", "常州科教城", "中科院常州先进制造技术研究所") in facts


def test_a_link_verb_reaches_every_listed_partner_and_ordinals_stay_in_names() -> None:
    facts = _facts(
        "青岛市推进创新。青岛海洋科学与技术试点国家实验室联合中国海洋大学、自然资源部第一海洋研究所,"
        "共同发起成立海洋科技创新联盟。"
    )
    lab = "青岛海洋科学与技术试点国家实验室"
    assert {f for f in facts if f[0] == "COOPERATES"} == {
        ("COOPERATES", "中国海洋大学", lab),
        ("COOPERATES", "自然资源部第一海洋研究所", lab),
    }


def test_funds_given_to_a_named_recipient() -> None:
    g = extract_text("宁波市推进创新。宁波市政府给予甬江实验室首期5亿元建设经费。").graph
    names = {e.key: e.name for e in g.entities}
    funds = [(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS]
    assert funds == [("宁波", "甬江实验室", 500_000_000)]


def _funds(text: str) -> set[tuple[str, str, float | None]]:
    g = extract_text(text).graph
    names = {e.key: e.name for e in g.entities}
    return {(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS}


def test_funds_to_each_firm_a_list_names_with_its_own_amount() -> None:
    funds = _funds(
        "福州市鼓楼区加快创新。区财政对福州瑞芯微电子股份有限公司、福建星网锐捷通讯股份有限公司"
        "分别给予200万元、80万元研发补助。"
    )
    assert funds == {
        ("鼓楼区", "福州瑞芯微电子", 2_000_000),
        ("鼓楼区", "福建星网锐捷通讯", 800_000),
    }


def test_funds_to_whom_the_city_gives_money_and_not_policy_support() -> None:
    funds = _funds("南昌市推进发展。南昌市对江西晶能光电有限公司给予500万元奖励,对南昌大学给予政策支持。")
    assert funds == {("南昌", "江西晶能光电", 5_000_000)}


def test_a_fund_pays_what_it_supports_and_invests_in() -> None:
    funds = _funds(
        "昆明市加快发展。昆明市出资5亿元设立昆明市科技创新引导基金,优先支持昆明高新区建设中试平台。"
        "从投资看,昆明市生物医药产业投资基金已向昆药集团股份有限公司投资3000万元。"
    )
    assert ("昆明", "昆明市科技创新引导基金", 500_000_000) in funds
    assert ("昆明市科技创新引导基金", "昆明高新区", None) in funds
    assert ("昆明市生物医药产业投资基金", "昆药集团", 30_000_000) in funds
    assert ("昆明", "昆明高新区", 500_000_000) not in funds  # the fund pays, not its founder


def test_hosts_where_an_actor_moves_to_not_where_it_comes_from() -> None:
    facts = _facts("西安市推进发展。陕西斯瑞新材料股份有限公司今年由西安经开区整体迁入西安高新区。")
    assert ("HOSTS", "西安高新区", "陕西斯瑞新材料") in facts
    assert ("HOSTS", "西安经开区", "陕西斯瑞新材料") not in facts


def test_hosts_located_in_before_the_actor_and_within_a_zones_jurisdiction() -> None:
    facts = _facts(
        "兰州市推进发展。位于兰州的兰州大学是主要研发力量。"
        "支持甘肃兰州新区统筹辖区内兰州新区科技园、兰州新区化工园区的资源。"
    )
    assert ("HOSTS", "兰州", "兰州大学") in facts
    assert ("HOSTS", "甘肃兰州新区", "兰州新区科技园") in facts


def test_a_clause_about_this_centre_does_not_host_the_partners_before_it() -> None:
    facts = _facts(
        "福州市推进发展。福州大学与福耀玻璃工业集团股份有限公司共建联合研究中心,该中心将落户福州高新区。"
    )
    assert ("COOPERATES", "福州大学", "福耀玻璃工业集团") in facts
    assert not {f for f in facts if f[0] == "HOSTS" and f[1] == "福州高新区"}


def test_the_platform_a_cooperation_relies_on_is_not_a_partner() -> None:
    facts = _facts("贵阳市推进发展。贵州大学与中国科学院软件研究所依托公共大数据国家重点实验室开展联合攻关。")
    coop = {f for f in facts if f[0] == "COOPERATES"}
    assert coop == {("COOPERATES", "中国科学院软件研究所", "贵州大学")}


def test_the_park_acting_under_a_policy_pays_not_the_city() -> None:
    funds = _funds(
        "合肥市推进发展。根据《合肥高新区关于支持集成电路产业发展的若干措施》,"
        "合肥高新区将给予合肥晶合集成电路股份有限公司最高2000万元研发补助。"
    )
    assert funds == {("合肥高新区", "合肥晶合集成电路", 20_000_000)}


def test_the_investor_funds_what_it_sets_up_and_the_place_of_investment_hosts_it() -> None:
    text = (
        "无锡市推进发展。无锡华光新材料有限公司是由远东控股集团有限公司在无锡高新区投资设立的企业。"
        "远景能源有限公司投资5亿元设立了无锡远景智能科技有限公司。"
    )
    funds, facts = _funds(text), _facts(text)
    assert ("远东控股集团", "无锡华光新材料", None) in funds
    assert ("HOSTS", "无锡高新区", "无锡华光新材料") in facts
    assert ("远景能源", "无锡远景智能", 500_000_000) in funds


def test_a_countys_own_document_has_the_county_pay() -> None:
    funds = _funds(
        "通化市柳河县加快发展。全县上下统一思想。县委、县政府决定:"
        "设立总规模1000万元的旅游产业发展引导资金,列入县财政预算。"
    )
    assert ("柳河县", "旅游产业发展引导资金", 10_000_000) in funds


def test_a_zone_hosts_what_its_name_is_followed_by_as_included() -> None:
    facts = _facts("南宁市推进发展。南宁高新技术产业开发区（包括南宁软件园、广西大学科技园等）加快建设。")
    assert ("HOSTS", "南宁高新区", "南宁软件园") in facts
    assert ("HOSTS", "南宁高新区", "广西大学科技园") in facts


def test_a_place_that_has_gathered_universities_hosts_them() -> None:
    facts = _facts("昆明市推进发展。呈贡区汇集了云南大学、云南师范大学等高校。")
    assert ("HOSTS", "呈贡区", "云南大学") in facts
    assert ("HOSTS", "呈贡区", "云南师范大学") in facts


def test_an_unnamed_party_before_with_cooperates_not_the_city() -> None:
    facts = _facts("大连市推进发展。在国内高校中，与吉林大学合作较多。加强与东北大学合作。")
    assert ("COOPERATES", "吉林大学", "大连") not in facts
    assert ("COOPERATES", "东北大学", "大连") in facts
    # a party the recogniser does not name (市社科联, a trade delegation) is still not the city
    facts = _facts("南京市推进发展。市社科联先后与河海大学合作。韩国商务代表团与南京大学签订协议。")
    assert ("COOPERATES", "南京", "河海大学") not in facts
    assert ("COOPERATES", "南京", "南京大学") not in facts


def test_every_rule_tags_its_facts_with_its_own_family() -> None:
    from pathlib import Path

    from ingest.doc import analyse
    from ingest.read import read_document
    from ingest.relate import RELATION_RULES

    seen: set[str] = set()
    for path in sorted(Path("data/corpus").glob("00[0-2]_*")):
        doc = analyse(read_document(path))
        for rule in RELATION_RULES:
            for fact in rule.find(doc):
                assert fact.extractor.startswith(rule.tag + ":"), (rule.find.__name__, fact.extractor)
                seen.add(rule.find.__name__)
    main = {"hosts_by_home", "hosts_by_prefix", "hosts_own", "funds", "cooperates"}
    assert main <= seen  # the corpus exercises the main rules


def test_parties_listed_before_a_shared_verb_each_cooperate() -> None:
    facts = _facts("昆山市推进发展。上海嘉定、江苏苏州昆山、太仓相邻的3个行政区，共同推进创新区建设。")
    assert ("COOPERATES", "嘉定区", "昆山") in facts
    assert ("COOPERATES", "太仓", "昆山") in facts
    assert not any(f[0] == "COOPERATES" and "江苏" in f for f in facts)  # an address is no party


def test_a_universitys_campus_note_and_its_own_place_host_nothing_but_a_branch_city_does() -> None:
    facts = _facts(
        "苏州市推进发展。中国地质大学（北京）在苏州设立研究生院。浙江大学苏州工业技术研究院加快建设。"
    )
    assert ("HOSTS", "北京", "中国地质大学(北京)") not in facts
    assert ("HOSTS", "苏州", "浙江大学苏州工业技术研究院") in facts
    assert ("HOSTS", "浙江", "浙江大学苏州工业技术研究院") not in facts


def test_a_funding_notice_pays_the_firms_and_institutes_its_cells_name() -> None:
    funds = _funds(
        "绍兴市科学技术局关于2023年度科技项目补助经费的公示\n"
        "根据有关规定,现将补助经费予以公示。\n"
        "浙江工业大学\n"
        "120\n"
        "绍兴文理学院、浙江越秀外国语学院\n"
    )
    assert ("绍兴", "浙江工业大学", None) in funds
    assert ("绍兴", "绍兴文理学院", None) in funds and ("绍兴", "浙江越秀外国语学院", None) in funds


def test_a_county_its_title_names_first_hosts_the_parks_of_its_own_news() -> None:
    facts = _facts(
        "南昌县(小蓝经开区)招商推介项目签约额达635亿元\n"
        "南昌县举行项目签约仪式。项目落户南昌钱学森硬科技产业园。"
    )
    assert ("HOSTS", "南昌县", "南昌钱学森硬科技产业园") in facts


def test_a_firms_bracketed_seat_hosts_it_and_a_firm_builds_in_its_host() -> None:
    facts = _facts(
        "无锡市推进发展。远景智能科技(无锡)有限公司投产。远景能源有限公司拟在无锡高新区建立研发中心。"
    )
    assert ("HOSTS", "无锡", "远景智能") in facts  # the firm's short name is its canonical one
    assert ("HOSTS", "无锡高新区", "远景能源") in facts


def test_places_that_sign_to_co_build_each_cooperate() -> None:
    facts = _facts("兴安盟推进发展。鄂尔多斯市、锡林郭勒盟、兴安盟合作共建工业园区签约仪式举行。")
    assert ("COOPERATES", "兴安盟", "鄂尔多斯") in facts
    assert ("COOPERATES", "兴安盟", "锡林郭勒") in facts  # 盟 drops from the canonical name like 市


def test_a_zone_hosts_its_sub_park_and_a_projects_investors_are_hosted_where_it_is_built() -> None:
    facts = _facts(
        "兰州市推进发展。由甘肃诚信电力机具制造有限责任公司和甘肃诚信电线电缆有限责任公司投资建设的"
        "电缆生产基地项目在兰州高新区七里河园区开工建设。"
    )
    assert ("HOSTS", "兰州高新区", "七里河园区") in facts
    assert ("HOSTS", "七里河园区", "甘肃诚信电线电缆") in facts
    assert ("HOSTS", "兰州高新区", "甘肃诚信电力机具制造") in facts


def test_money_received_with_the_money_word_first_and_to_whom_after_a_qualifier() -> None:
    funds = _funds(
        "西安市推进发展。西安奕斯伟材料科技有限公司获批国家重点研发计划项目，获得中央财政资金支持1200万元。"
        "西安高新区对入驻的西安交通大学苏州研究院给予500万元补贴。"
    )
    assert ("西安", "西安奕斯伟材料", 12_000_000) in funds
    assert ("西安高新区", "西安交通大学苏州研究院", 5_000_000) in funds


def test_a_province_prefixed_registered_firm_is_hosted_by_its_province_a_city_prefixed_one_not() -> None:
    facts = _facts(
        "成都市推进发展。广西推进稀土开发，广西有色金属集团有限公司与中铝公司签约。"
        "深圳云帆智能科技有限公司正式入驻成都高新区。"
    )
    assert ("HOSTS", "广西", "广西有色金属集团") in facts
    assert not any(f[0] == "HOSTS" and f[1] == "深圳" for f in facts)


def test_a_province_and_its_city_opening_a_name_host_in_a_chain() -> None:
    facts = _facts("据报道，新材料产业基地在安徽宿州经济开发区开工。宿州市推进项目建设。")
    assert ("HOSTS", "安徽", "宿州") in facts
    assert ("HOSTS", "宿州", "安徽宿州经济开发区") in facts
    assert ("HOSTS", "安徽", "安徽宿州经济开发区") not in facts


def test_a_bracketed_seat_in_a_parks_name_hosts_it() -> None:
    facts = _facts("中国家电（顺德区）产业基地位于佛山市顺德区。")
    assert ("HOSTS", "顺德区", "中国家电(顺德区)产业基地") in facts


def test_a_stated_investment_into_a_place_or_firm_funds_it() -> None:
    funds = _funds("鞍钢集团将在营口投资80亿元。万华化学计划向烟台万华聚氨酯股份有限公司投资12亿元。")
    assert ("鞍钢集团", "营口", 8_000_000_000) in funds
    assert ("万华化学", "烟台万华聚氨酯", 1_200_000_000) in funds


def test_an_injection_by_an_investor_funds_the_firm_and_co_investors_fund_together() -> None:
    funds = _funds(
        "衢州市推进发展。衢州巨化新材料有限公司由杭州高能投资有限公司注资3亿元。"
        "华能集团与大唐集团投资组建了内蒙古风电开发有限公司。"
    )
    assert ("杭州高能投资", "衢州巨化新材料", 300_000_000) in funds
    assert {("华能集团", "内蒙古风电开发", None), ("大唐集团", "内蒙古风电开发", None)} <= funds


def test_an_actor_that_gets_money_with_other_verbs_is_funded_by_the_speaker() -> None:
    funds = _funds("泰州市科技局发布通知。泰州华信药业有限公司拿到了60多万元奖补资金。")
    assert ("泰州", "泰州华信药业", None) in funds  # 60多万元 ("over 600,000") states no exact amount


def test_money_provided_for_a_named_actor_is_paid_by_the_speaker() -> None:
    funds = _funds("贵阳市印发通知。贵阳市将为部署在贵阳的贵州实验室提供配套经费支持。")
    assert ("贵阳", "贵州实验室", None) in funds


def test_two_parties_joined_by_he_that_sign_cooperate() -> None:
    facts = _facts("日前，鞍钢集团有限公司和本钢集团有限公司在沈阳正式签署战略合作协议。")
    assert ("COOPERATES", "本钢集团", "鞍钢集团") in facts
    assert not any(f[0] == "COOPERATES" and "沈阳" in f for f in facts)  # where they sign is no party


def test_the_zone_acts_not_the_city_inside_its_name_nor_a_place_someone_goes_to() -> None:
    facts = _facts("湘潭高新区与中南大学、湖南华菱钢铁有限公司合作共建实验室。")
    assert ("COOPERATES", "中南大学", "湘潭高新区") in facts
    assert not any(f[0] == "COOPERATES" and "湘潭" in f for f in facts)
    facts = _facts("腾讯进驻武汉。湖北省领导还将前往北京与腾讯董事长会谈。")
    assert not any(f[0] == "COOPERATES" for f in facts)


def test_a_firm_marked_by_its_context_once_is_found_again_in_the_document() -> None:
    facts = _facts("腾讯与海尔结盟。武汉市政府、海尔先后与腾讯签署战略合作协议。")
    assert ("COOPERATES", "武汉", "腾讯") in facts


def test_a_province_hosts_its_cities_named_with_it_but_not_counties_of_named_prefectures() -> None:
    facts = _facts("会议指出，湖北省将支持宜昌和十堰建设创新型城市。")
    assert {("HOSTS", "湖北", "宜昌"), ("HOSTS", "湖北", "十堰")} <= facts
    facts = _facts("会议指出，江苏省将支持苏州和昆山市建设创新型城市。")
    assert ("HOSTS", "江苏", "昆山") not in facts


def test_a_city_and_its_district_opening_a_firms_name_host_in_a_chain() -> None:
    facts = _facts("杭州市萧山区推进制造业发展。杭州市萧山华源机械科技有限公司扩大生产。")
    assert ("HOSTS", "萧山区", "杭州市萧山华源机械") in facts
    assert ("HOSTS", "杭州", "杭州市萧山华源机械") not in facts


def test_a_fund_right_before_its_verb_pays_the_actor_and_a_zones_projects_keep_the_zone() -> None:
    funds = _funds("合肥市印发意见。积极争取国家集成电路产业投资基金支持合肥高新区项目建设。")
    assert ("国家集成电路产业投资基金", "合肥高新区", None) in funds


def test_a_funding_notices_table_rows_are_recipients_with_the_amount_in_the_headers_unit() -> None:
    text = (
        "铜陵市科技局关于下达2023年度研发费用补助资金的通知\n"
        "各县区科技局：现将补助资金下达如下。\n"
        "序号\t单位名称\t补助金额（万元）\n"
        "1\t铜陵青禾电子科技有限公司\t50\n"
        "2\t铜陵远山新材料研究院\t12.5\n"
    )
    g = extract_text(text).graph
    names = {e.key: e.name for e in g.entities}
    funds = {(names[r.source], names[r.target], r.amount_cny) for r in g.relations if r.type is RelType.FUNDS}
    assert funds == {("铜陵", "铜陵青禾电子", 500_000.0), ("铜陵", "铜陵远山新材料研究院", 125_000.0)}
    row = next(r for r in g.relations if r.type is RelType.FUNDS and r.amount_cny == 500_000.0)
    assert row.evidence[0].sentence == "1\t铜陵青禾电子科技有限公司\t50"  # the row states the fact


def test_money_won_from_the_provinces_purse_is_the_provinces() -> None:
    facts = _facts(
        "市科技局组织企业申报安徽省科技企业孵化器。安徽青禾电子有限公司申报的项目争取省科技经费600万元。"
    )
    assert ("FUNDS", "安徽", "安徽青禾电子") in facts


def test_a_sum_invested_before_the_place_funds_the_place_that_hosts_the_investor() -> None:
    g = extract_text(
        "青禾电子有限公司是一家材料企业。此次签约,该公司将投资1.1亿元在铜陵市顺安镇建设生产基地。"
    ).graph
    names = {e.key: e.name for e in g.entities}
    facts = {(r.type.value, names[r.source], names[r.target], r.amount_cny) for r in g.relations}
    assert ("FUNDS", "青禾电子", "铜陵", 110_000_000) in facts
    assert ("HOSTS", "铜陵", "青禾电子", None) in facts


def test_a_sum_invested_with_no_place_built_in_funds_no_place() -> None:
    # 在…之前 is a time, not the place of a build
    facts = _facts("青禾电子有限公司将投资5亿元在铜陵市召开会议之前完成。")
    assert not any(f[0] == "FUNDS" for f in facts), facts


def test_a_park_named_after_a_foreign_state_is_a_partner_not_hosted_by_the_documents_city() -> None:
    facts = _facts("青岛市推进发展。青岛软件园与马来西亚国家科技园、泰国曼谷科技园签署合作协议。")
    assert ("HOSTS", "青岛", "青岛软件园") in facts
    assert ("HOSTS", "青岛", "马来西亚国家科技园") not in facts
    assert ("HOSTS", "青岛", "泰国曼谷科技园") not in facts
    assert ("COOPERATES", "青岛软件园", "马来西亚国家科技园") in facts


def test_money_a_fund_gives_the_first_of_a_list_goes_to_every_item_without_the_total() -> None:
    funds = _funds(
        "浙江省推进发展。省经信厅从化工产业发展专项资金中列支300万元，支持嘉兴、湖州和丽水3个食品园区建设冷链中心。"
    )
    paid = {(s, t) for s, t, _ in funds}
    assert {
        ("化工产业发展专项资金", "嘉兴食品园区"),
        ("化工产业发展专项资金", "湖州食品园区"),
        ("化工产业发展专项资金", "丽水食品园区"),
    } <= paid
    assert ("化工产业发展专项资金", "湖州食品园区", None) in funds  # the 300万元 is said of all three


def test_a_universitys_institute_is_not_hosted_by_the_place_its_universitys_name_opens_with() -> None:
    facts = _facts(
        "鄂州市推进发展。位于长沙市的长沙理工大学在鄂州市设立了长沙理工大学梁子湖产业技术研究院。"
        "苏州市的浙江大学苏州工业技术研究院已投入运行。"
    )
    assert ("HOSTS", "长沙", "长沙理工大学梁子湖产业技术研究院") not in facts
    assert ("HOSTS", "苏州", "浙江大学苏州工业技术研究院") in facts

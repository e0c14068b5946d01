"""graph.compare: request rules (pure), and each figure's rule on a small graph written to the real Neo4j."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph import compare
from graph.compare import Actor, CityRef, Fact
from graph.errors import BadInput, NotFound
from graph.model import Document, Entity, Evidence, Graph, Label, Relation, RelType, content_id
from graph.store import apply_schema, write_graph
from tests.conftest import Neo4jEndpoint
from tests.helpers import evidence

# --- requests (pure) ---------------------------------------------------------------------------------


def test_city_lists_split_on_commas_and_are_normalised() -> None:
    assert compare.parse_cities(["徐州,扬州"]) == ["徐州", "扬州"]
    assert compare.parse_cities(["徐州", " 扬州 "]) == ["徐州", "扬州"]
    assert compare.parse_cities(["徐州，扬州、常州"]) == ["徐州", "扬州", "常州"]
    assert compare.parse_cities(["Ｃｉｔｙ:徐州,扬州"]) == ["City:徐州", "扬州"]  # full-width letters: NFKC


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["徐州"], "got 1"),
        ([""], "empty city name"),
        (["徐州,,扬州"], "empty city name"),
        (["徐州,扬州,"], "empty city name"),
        ([",".join(f"城{i}" for i in range(9))], "got 9"),
        (["徐州,扬州,徐州"], "徐州 is named more than once"),
        (["徐州," + "长" * 101], "longer than"),
    ],
)
def test_bad_city_lists_say_why(values: list[str], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        compare.parse_cities(values)


# --- the figures from parts and relationships (pure) ----------------------------------------------------


def _actor(key: str) -> Actor:
    label, name = key.split(":", 1)
    return Actor(key=key, label=label, name=name)


def _fact(type_: RelType, source: str, target: str, amount: float | None = None) -> Fact:
    return Fact(
        key=f"{source}|{type_}|{target}",
        type=type_.value,
        source=_actor(source),
        target=_actor(target),
        amount_cny=amount,
        evidence_count=1,
    )


def test_summarise_counts_inside_outside_across_funding_and_leaves_cities_out_of_brokers() -> None:
    a = CityRef(key="City:甲", name="甲", requested="甲")
    b = CityRef(key="City:乙", name="乙", requested="乙")
    parts = {
        "City:甲": [_actor("Park:甲园"), _actor("Enterprise:甲企"), _actor("Institute:甲所")],
        "City:乙": [_actor("Enterprise:乙企")],
    }
    facts = [
        _fact(RelType.HOSTS, "City:甲", "Park:甲园"),
        _fact(RelType.HOSTS, "Park:甲园", "Enterprise:甲企"),
        _fact(RelType.HOSTS, "City:甲", "Institute:甲所"),
        _fact(RelType.HOSTS, "City:乙", "Enterprise:乙企"),
        _fact(RelType.COOPERATES, "Enterprise:甲企", "Institute:甲所"),  # inside 甲
        _fact(RelType.COOPERATES, "Enterprise:甲企", "Enterprise:乙企"),  # across, outside for both
        _fact(RelType.COOPERATES, "City:乙", "Institute:外所"),  # outside 乙
        _fact(RelType.FUNDS, "City:甲", "Enterprise:甲企", 2e7),
        _fact(RelType.FUNDS, "City:甲", "Enterprise:外企"),  # given by 甲: counted, no amount
        _fact(RelType.FUNDS, "Policy:外政策", "Enterprise:乙企", 5e6),
    ]
    result = compare.summarise([a, b], parts, facts, top=5)
    first, second = result.cities
    assert first.actors == {"City": 0, "Park": 1, "Institute": 1, "Enterprise": 1, "Policy": 0}
    assert (first.actors_total, second.actors_total) == (3, 1)
    assert (first.cooperation_inside, first.cooperation_outside) == (1, 1)
    assert (second.cooperation_inside, second.cooperation_outside) == (0, 2)
    assert {p.partner.key for p in second.partners} == {"Institute:外所", "Enterprise:甲企"}
    assert [(p.cities, p.count) for p in result.pairs] == [(("City:甲", "City:乙"), 1)]
    assert [(r.label, r.relationships, r.with_amount, r.amount_cny) for r in first.funding] == [
        ("Enterprise", 2, 1, 2e7)
    ]
    assert (second.funding_relationships, second.funding_amount_cny) == (1, 5e6)
    # 甲企 bridges 甲园, 甲所 and 乙企; the cities, on more paths still, are not listed as brokers
    assert first.brokers[0].key == "Enterprise:甲企"
    assert all(b.key not in {"City:甲", "City:乙"} for p in result.cities for b in p.brokers)
    assert all(b.betweenness > 0 for p in result.cities for b in p.brokers)
    assert result.broker_graph.exact


# --- the rules on a graph in Neo4j ----------------------------------------------------------------------

# One sentence per fact; the province 江苏 hosts two cities; 苏州 has a district, a county and a chain of
# five parks (the fifth's tenant is one park too deep) and funds a fund programme that funds another (its
# policies, though hosted by no one); each sentence names what it relates.
SENTENCES = {
    "s1": "江苏省下辖苏州市、无锡市，拥有江苏产研院。",
    "s2": "苏州市吴中区有吴中开发区。",
    "s3": "吴中开发区内有园区甲，园区甲内有园区乙，园区乙内有园区丙，园区丙内有园区丁，园区丁引进深处企业。",
    "s4": "苏州工业园区位于苏州，园区企业入驻苏州工业园区，双方合作，《苏州人才政策》支持苏州工业园区。",
    "s5": "昆山是苏州下辖县级市，昆山企业落户昆山。",
    "s6": "无锡企业落户无锡，与园区企业合作，江苏给予无锡企业500万元支持。",
    "s7": "苏州与上海合作，苏州给予园区企业2000万元支持。",
    "s8": "苏州出资设立苏州产业基金，苏州产业基金出资设立苏州子基金。",
}
TEXT = "".join(SENTENCES.values())


def _graph() -> Graph:
    doc = Document(id=content_id(TEXT.encode()), source="test/compare.txt", text=TEXT)

    def ev(name: str) -> tuple[Evidence, ...]:
        return (evidence(doc, SENTENCES[name]),)

    entities: dict[str, Entity] = {}

    def ent(label: Label, name: str, s: str, level: str | None = None, aliases: tuple[str, ...] = ()) -> str:
        props: dict[str, str | int | float | bool] = {"level": level} if level else {}
        e = Entity.create(label=label, name=name, aliases=aliases, properties=props, evidence=ev(s))
        entities[e.key] = e
        return e.key

    js = ent(Label.CITY, "江苏", "s1", "province", ("江苏省",))
    sz = ent(Label.CITY, "苏州", "s2", "prefecture", ("苏州市",))
    wx = ent(Label.CITY, "无锡", "s1", "prefecture", ("无锡市",))
    lab = ent(Label.INSTITUTE, "江苏产研院", "s1")
    wz = ent(Label.CITY, "吴中区", "s2", "district")
    chain = [ent(Label.PARK, n, "s3") for n in ("吴中开发区", "园区甲", "园区乙", "园区丙", "园区丁")]
    deep = ent(Label.ENTERPRISE, "深处企业", "s3")
    sip = ent(Label.PARK, "苏州工业园区", "s4")
    firm = ent(Label.ENTERPRISE, "园区企业", "s4")
    policy = ent(Label.POLICY, "苏州人才政策", "s4")
    ks = ent(Label.CITY, "昆山", "s5", "county")
    ks_firm = ent(Label.ENTERPRISE, "昆山企业", "s5")
    wx_firm = ent(Label.ENTERPRISE, "无锡企业", "s6")
    sh = ent(Label.CITY, "上海", "s7", "municipality")
    fund = ent(Label.POLICY, "苏州产业基金", "s8")
    sub_fund = ent(Label.POLICY, "苏州子基金", "s8")

    def rel(type_: RelType, s: str, t: str, sentence: str, amount: float | None = None) -> Relation:
        return Relation(type=type_, source=s, target=t, amount_cny=amount, evidence=ev(sentence))

    hosts = [(js, sz, "s1"), (js, wx, "s1"), (js, lab, "s1"), (sz, wz, "s2"), (wz, chain[0], "s2")]
    hosts += [(a, b, "s3") for a, b in zip(chain, [*chain[1:], deep], strict=True)]
    hosts += [(sz, sip, "s4"), (sip, firm, "s4"), (sz, ks, "s5"), (ks, ks_firm, "s5"), (wx, wx_firm, "s6")]
    relations = [rel(RelType.HOSTS, s, t, sentence) for s, t, sentence in hosts]
    relations += [
        rel(RelType.COOPERATES, firm, sip, "s4"),
        rel(RelType.FUNDS, policy, sip, "s4"),
        rel(RelType.COOPERATES, wx_firm, firm, "s6"),
        rel(RelType.FUNDS, js, wx_firm, "s6", 5e6),
        rel(RelType.COOPERATES, sz, sh, "s7"),
        rel(RelType.FUNDS, sz, firm, "s7", 2e7),
        rel(RelType.FUNDS, sz, fund, "s8"),
        rel(RelType.FUNDS, fund, sub_fund, "s8"),
    ]
    return Graph(document=doc, entities=tuple(entities.values()), relations=tuple(relations))


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Neo4jEndpoint) -> str:
    """The small graph above, written by graph.store into an empty database; the database's name."""
    database = neo4j_server.database
    apply_schema(driver, database=database)
    write_graph(driver, _graph(), database=database)
    return database


def test_parts_descend_into_districts_counties_four_parks_and_funded_policies_not_a_provinces_cities(
    driver: Driver, db: str
) -> None:
    parts = compare.read_parts(driver, database=db, cities=["City:江苏", "City:苏州", "City:无锡"])
    names = {city: {m.name for m in members} for city, members in parts.items()}
    # its cities, not what they host; the policies they fund, as their funding counts in the province's
    assert names["City:江苏"] == {"苏州", "无锡", "江苏产研院", "苏州产业基金", "苏州子基金"}
    # not: 深处企业 (five parks deep), 苏州 itself, 上海 (a partner), 苏州人才政策 (it funds 苏州's park)
    assert names["City:苏州"] == {
        *("吴中区", "吴中开发区", "园区甲", "园区乙", "园区丙", "园区丁"),
        *("苏州工业园区", "园区企业", "昆山", "昆山企业"),
        *("苏州产业基金", "苏州子基金"),  # funded by 苏州, the second through the first
    }
    assert names["City:无锡"] == {"无锡企业"}


def test_comparison_on_the_small_graph(driver: Driver, db: str) -> None:
    result = compare.compare_cities(driver, database=db, cities=["苏州市", "City:无锡", "江苏"], top=10)
    sz, wx, js = result.cities
    assert [c.city.requested for c in result.cities] == ["苏州市", "City:无锡", "江苏"]
    assert sz.actors == {"City": 2, "Park": 6, "Institute": 0, "Enterprise": 2, "Policy": 2}
    assert js.actors == {"City": 2, "Park": 0, "Institute": 1, "Enterprise": 0, "Policy": 2}
    assert (sz.cooperation_inside, sz.cooperation_outside) == (1, 2)
    assert {p.partner.name for p in sz.partners} == {"上海", "无锡企业"}
    pairs = {p.cities: p.count for p in result.pairs}
    assert pairs == {
        ("City:苏州", "City:无锡"): 1,
        ("City:苏州", "City:江苏"): 0,
        ("City:无锡", "City:江苏"): 0,
    }
    # 苏州 gives 2000万 to 园区企业; the policy funds 苏州工业园区 (no amount); 苏州 funds its fund, which
    # funds another: both policies are among its Policy actors
    assert [(r.label, r.relationships, r.amount_cny) for r in sz.funding] == [
        ("Enterprise", 1, 2e7),
        ("Park", 1, 0.0),
        ("Policy", 2, 0.0),
    ]
    # 江苏 gives 500万 itself, and its member 苏州 gives 2000万: both start in its part
    assert (wx.funding_amount_cny, js.funding_amount_cny) == (5e6, 2.5e7)
    brokers = {b.name: b for b in sz.brokers}
    assert "吴中开发区" in brokers and "苏州" not in brokers and "江苏" not in brokers
    # the policy that funds 苏州工业园区 is linked to it, so it comes first
    first = brokers["苏州工业园区"].policies[0]
    assert (first.name, first.relations) == ("苏州人才政策", ["FUNDS"])


def test_unknown_and_repeated_cities(driver: Driver, db: str) -> None:
    with pytest.raises(NotFound, match=r"'火星', '不存在'"):
        compare.compare_cities(driver, database=db, cities=["苏州", "火星", "不存在"])
    with pytest.raises(BadInput, match="same city"):
        compare.compare_cities(driver, database=db, cities=["苏州", "苏州市"])
    with pytest.raises(NotFound):  # a park is not a city
        compare.compare_cities(driver, database=db, cities=["苏州", "苏州工业园区"])


def test_city_levels_list_each_levels_cities(driver: Driver, db: str) -> None:
    levels = compare.city_levels(driver, database=db, limit=5)
    assert {level: {c.name for c in cities} for level, cities in levels.items()} == {
        "county": {"昆山"},
        "district": {"吴中区"},
        "municipality": {"上海"},
        "prefecture": {"苏州", "无锡"},
        "province": {"江苏"},
    }
    assert all(c.level == level for level, cities in levels.items() for c in cities)
    assert [len(cities) for cities in compare.city_levels(driver, database=db, limit=1).values()] == [1] * 5
    result = compare.compare_cities(driver, database=db, cities=["苏州", "上海", "无锡"], top=1, policies=0)
    assert compare.compared_levels(result) == ["prefecture", "municipality"]

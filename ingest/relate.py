"""Relations within a sentence or clause, by trigger words and argument types, plus the HOSTS facts the
context states without a trigger (a province hosts its cities, a city its districts and its own parks,
a place-prefixed park is hosted by its place).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, cached_property
from itertools import pairwise

from graph.model import Label, RelType
from ingest.amounts import parse_amounts
from ingest.clean import rule_lines
from ingest.doc import Doc
from ingest.recognise import Mention, sub_park_name, words
from ingest.resolve import Entity, registered
from ingest.split import CLAUSE_MARKS, IN_CLAUSE, Segment, clause_end, clause_start

logger = logging.getLogger(__name__)

_UNIVERSITY_HEADS = ("大学", "学院", "专科学校", "科学院", "职业大学")
_FUND_HEADS = ("基金", "专项资金", "资金池", "补偿资金", "资金", "专项")
_ACTORS = (Label.PARK, Label.INSTITUTE, Label.ENTERPRISE)
# Subjects other than the speaker: a fund that 各地 or firms set up is not the city's
_OTHERS = r"各地|各县|各区|企业|银行|鼓励|引导"


@dataclass(frozen=True)
class Fact:
    """A relation found in a sentence or clause, before it becomes a graph.model.Relation."""

    type: RelType
    source: Entity
    target: Entity
    segment: Segment
    extractor: str
    confidence: float
    amount_cny: float | None = None


@cache
def triggers(type_: str, role: str) -> tuple[str, ...]:
    """Trigger words of data/rules/triggers.tsv for one relation type and role, longest first."""
    out = []
    for line in rule_lines("triggers.tsv"):
        t, r, w = (x.strip() for x in line.split("\t")[:3])
        if t == type_ and r == role:
            out.append(w)
    return tuple(sorted(out, key=len, reverse=True))


@cache
def _trigger_re(type_: str, role: str) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, triggers(type_, role))))


def place_of(doc: Doc, e: Entity) -> Entity | None:
    """The document's City entity that ``e``'s name starts with (洛阳 for 洛阳高新区), if any."""
    if e.place:
        found = doc.city_entity(e.place)
        if found:
            return found
    return _opening_place(doc, e.name, e)


def _opening_place(doc: Doc, name: str, e: Entity) -> Entity | None:
    """The longest City entity of the document that ``name`` opens with, other than ``e``."""
    for n in range(min(6, len(name) - 2), 1, -1):
        found = doc.place_named(name[:n])
        if found and found is not e:
            return found
    return None


# ---------------------------------------------------------------- HOSTS


def _first_sentences(doc: Doc) -> tuple[dict[int, Segment], dict[int, int]]:
    """For every entity (by id): the sentence of its first mention, and where that mention starts."""
    return doc.first_mentions


def _cities(doc: Doc) -> list[Entity]:
    return [e for e in doc.resolution.entities if e.label is Label.CITY]


def hosts_by_home(doc: Doc) -> Iterator[Fact]:
    """The cities the document speaks for: their province hosts them, they host their districts."""
    first, where = _first_sentences(doc)
    cities = _cities(doc)
    ents = doc.resolution.entities
    homes = {id(c): c for c in (doc.local_city(where[id(e)]) for e in ents if id(e) in where) if c}
    for home in homes.values():
        for other in cities:
            if other is home or id(other) not in first:
                continue
            if other.level == "province" and home.parent == other.name:
                yield Fact(RelType.HOSTS, other, home, first[id(other)], "context:province", 0.7)
            elif other.parent == home.name and other.level in ("county", "district"):
                yield Fact(RelType.HOSTS, home, other, first[id(other)], "context:division", 0.7)


def hosts_by_province(doc: Doc) -> Iterator[Fact]:
    """湖北…宜昌、襄阳…: a province hosts the cities of its own that a sentence names with it (a county or
    district only where the document does not name its prefecture)."""
    from ingest.gazetteer import get_gazetteer

    gz = get_gazetteer()
    for seg in doc.sentences:
        places = [e for _, e in doc.in_segment(seg) if e.label is Label.CITY]
        provinces = {id(p): p for p in places if p.level == "province"}
        if not provinces:
            continue
        named = {c.name for c in _cities(doc)}
        for c in {id(c): c for c in places if c.level != "province"}.values():
            if c.level in ("county", "district") and c.parent in named:
                continue  # 江苏…江阴: a county is its prefecture's, which the document names
            top = gz.province_of(c.name, within=[p.name for p in provinces.values()])
            host = next((p for p in provinces.values() if top is not None and top.canonical == p.name), None)
            if host is not None and host is not c:
                yield Fact(RelType.HOSTS, host, c, seg, "context:province", 0.7)


def _local_places(doc: Doc, city: Entity | None) -> set[str]:
    """The city a passage speaks for, its province and its divisions named in the document."""
    if city is None:
        return set()
    return {c.name for c in _cities(doc) if c is city or c.parent == city.name} | {city.parent, city.name}


def _prefix_place(doc: Doc, e: Entity) -> Entity | None:
    """The place a name opens with; for an institute that opens with its owner (浙江大学|苏州|工业技术
    研究院), the place after the owner."""
    if e.label is not Label.INSTITUTE:
        return place_of(doc, e)
    if _university(e):
        return None  # 中国地质大学(北京): a university's campus note is not where the document puts it
    return _infix_place(doc, e) or place_of(doc, e)


def _inner_division(doc: Doc, e: Entity, outer: Entity) -> Entity | None:
    """湖北|麻城|经济开发区, 佛山市|顺德|宝铜金属科技有限公司: the document's division of ``outer`` written
    right after it in the name."""
    from ingest.gazetteer import get_gazetteer

    forms = sorted((outer.name, *outer.aliases), key=len, reverse=True)
    form = next((f for f in forms if e.name.startswith(f)), None)
    if form is None or outer.level in ("county", "district"):
        return None
    rest = e.name[len(form) :]
    for n in range(min(5, len(rest) - 2), 1, -1):
        inner = doc.place_named(rest[:n])
        if inner is None or inner is e or inner is outer or inner.level == "province":
            continue
        if outer.level != "province":
            if inner.parent == outer.name:
                return inner
            continue
        top = get_gazetteer().province_of(inner.name, within=outer.name)
        if top is not None and top.canonical == outer.name:
            return inner
    return None


def hosts_by_prefix(doc: Doc) -> Iterator[Fact]:
    """A place-prefixed park or institute (洛阳高新区) is hosted by its place; a firm only where the
    place is local or the name is not a registered one (a place written before a short name). Where a
    division opens the name and one of its parts follows (湖北麻城经济开发区, 佛山市顺德…有限公司), the part
    hosts the actor and the division the part."""
    first, where = _first_sentences(doc)
    for e in doc.resolution.entities:
        if e.label not in _ACTORS or id(e) not in first:
            continue
        place = _prefix_place(doc, e)
        if place is None:
            continue
        if (inner := _inner_division(doc, e, place)) is not None:
            yield Fact(RelType.HOSTS, place, inner, first[id(e)], "context:prefix", 0.8)
            place = inner
        local = _local_places(doc, doc.local_city(where[id(e)]))
        # a firm's registered name opens with where it was registered: in another city's document that
        # city does not host it (深圳X科技有限公司入驻成都高新区)
        if (
            e.label is Label.PARK
            or (e.label is Label.INSTITUTE and not _university(e) and not _of_university(e, place))
            or (e.label is Label.ENTERPRISE and (place.name in local or not registered(e.name)))
            or (e.label is Label.ENTERPRISE and place.level == "province")  # 广西有色金属集团有限公司
        ):
            yield Fact(RelType.HOSTS, place, e, first[id(e)], "context:prefix", 0.8)


_FIRM_SEAT = re.compile(r"[(（]([\u4e00-\u9fff]{2,6})[)）]")


def hosts_by_firm_seat(doc: Doc) -> Iterator[Fact]:
    """腾讯科技(深圳)有限公司, 启迪之星(青岛), 中国医疗器械(三水)产业基地: the place an actor's name gives
    in brackets as its seat hosts it, when the document names that place."""
    first, _ = _first_sentences(doc)
    for e in doc.resolution.entities:
        if e.label not in _ACTORS or id(e) not in first or _university(e):
            continue  # 中国地质大学(北京): a campus, not a seat
        seat = _FIRM_SEAT.search(e.name)
        place = doc.place_named(seat.group(1)) if seat else None
        if place is not None and place is not e:
            yield Fact(RelType.HOSTS, place, e, first[id(e)], "context:seat", 0.7)


def hosts_own(doc: Doc) -> Iterator[Fact]:
    """The city a passage speaks for hosts the parks it names (unless a reference list or a foreign
    prefix says otherwise) and the institutes it builds; never what it only cooperates with."""
    first, where = _first_sentences(doc)
    coop_only = _cooperation_objects(doc)
    for e in doc.resolution.entities:
        if e.label not in (Label.PARK, Label.INSTITUTE) or id(e) not in first or id(e) in coop_only:
            continue
        city = doc.issuer or doc.local_city(where[id(e)])
        if city is None:
            continue
        local = _local_places(doc, city)
        place = _prefix_place(doc, e)
        if (place is not None and place.name not in local) or (place is None and _external_prefix(e, local)):
            continue
        if _foreign(e):  # 马来西亚国家科技园 in a 青岛 text: a partner abroad
            continue
        if e.label is Label.PARK:
            host = _listed_host(e)
            if host and host != city.name and host not in local - {city.parent}:
                continue  # 贵州贵安新区 in a 贵阳 text: the reference list puts it under 贵州, not 贵阳
            yield Fact(RelType.HOSTS, city, e, first[id(e)], "context:own-park", 0.6)
        elif not e.name.endswith(_UNIVERSITY_HEADS):
            seg = first[id(e)] if place is city else _built_in(doc, e)
            if seg is not None:
                yield Fact(RelType.HOSTS, city, e, seg, "context:own-institute", 0.5)


# An organisation that opens the name of its branch in a place (中国科学院|西安|光学精密机械研究所,
# 清华大学|深圳|研究院, 国家超级计算|济南|中心).
_BRANCH_OWNER = re.compile(r"^(?:中国科学院|中科院|国家[\u4e00-\u9fff]{0,6}?|[\u4e00-\u9fff]{2,8}?大学)")


def _infix_place(doc: Doc, e: Entity) -> Entity | None:
    """The document's City named right after the organisation that opens ``e``'s name, if any."""
    owner = _BRANCH_OWNER.match(e.name)
    if owner is None:
        return None
    for i in range(owner.end(), min(owner.end() + 8, len(e.name) - 2)):
        for n in (3, 2):
            found = doc.place_named(e.name[i : i + n])
            if found is not None:
                return found
    return None


def _top_mentions(doc: Doc) -> list[tuple[Mention, Entity]]:
    """The mentions not inside a longer one (a park's name holds the place it opens with)."""
    out: list[tuple[Mention, Entity]] = []
    for m, e in doc.mentions:
        if out and m.start < out[-1][0].end:
            if m.end - m.start > out[-1][0].end - out[-1][0].start and m.start == out[-1][0].start:
                out[-1] = (m, e)
            continue
        out.append((m, e))
    return out


_LIST_GLUE = ("、", "和", "及", "以及", "与")


def _divides(host: Entity, e: Entity, doc: Doc) -> bool:
    """Whether ``host`` is ``e``'s parent division (or the parent of the place its name opens with), or
    ``e`` is a park or institute with no place of its own."""
    if e.label is Label.CITY:
        return bool(e.parent) and e.parent == host.name
    place = place_of(doc, e)
    if place is None:
        return e.label in (Label.PARK, Label.INSTITUTE) and not _university(e)
    return place is host or place.parent == host.name


def hosts_by_juxtaposition(doc: Doc) -> Iterator[Fact]:
    """江苏省无锡市、张家港, 湖北武汉、鄂州, 重庆两江新区, 中部中心(武汉): a division written right
    before its part, or a list of parts that follows such a pair, hosts them; so does a seat in brackets."""
    top = _top_mentions(doc)
    k = 0
    while k < len(top) - 1:
        chain = [top[k]]
        while k + 1 < len(top) and _adjacent_part(chain[-1], top[k + 1]):
            chain.append(top[k + 1])
            k += 1
        k += 1
        seg = doc.sentence_of(chain[0][0].start)
        if len(chain) < 2 or seg is None:
            yield from _seat_in_brackets(doc, top, k - 1)
            continue
        hosts: list[Entity] = []
        for (_, a), (_, b) in pairwise(chain):
            if a.label is Label.CITY and _divides(a, b, doc):
                yield Fact(RelType.HOSTS, a, b, seg, "juxtaposed:part", 0.8)
                hosts.append(a)
        if b.label is Label.CITY:
            hosts.append(b)
        end = chain[-1][0].end
        while k < len(top) and hosts:  # the list that follows: 湖北武汉、鄂州; 福建福州、厦门和漳州
            m, e = top[k]
            if seg.text[end - seg.start : m.start - seg.start] not in _LIST_GLUE or m.end > seg.end:
                break
            host = next((h for h in reversed(hosts) if _divides(h, e, doc) and e.label is Label.CITY), None)
            if host is None:
                place = place_of(doc, e)
                host = next(
                    (h for h in reversed(hosts) if place is not None and place.parent == h.name), None
                )
                if host is not None and place is not None:
                    e = place
            if host is None:
                break
            yield Fact(RelType.HOSTS, host, e, seg, "juxtaposed:list", 0.7)
            end = m.end
            k += 1


def _adjacent_part(a: tuple[Mention, Entity], b: tuple[Mention, Entity]) -> bool:
    """Whether ``b`` is written right after the division ``a`` (湖北|鄂州)."""
    return b[0].start == a[0].end and a[1].label is Label.CITY


def _seat_in_brackets(doc: Doc, top: list[tuple[Mention, Entity]], k: int) -> Iterator[Fact]:
    """国家技术转移中部中心（武汉）: a city in brackets right after a park or institute is its seat."""
    if k + 1 >= len(top):
        return
    (m, e), (n, c) = top[k], top[k + 1]
    seg = doc.sentence_of(m.start)
    if seg is None or c.label is not Label.CITY or e.label not in (Label.PARK, Label.INSTITUTE):
        return
    if (
        seg.text[m.end - seg.start : n.start - seg.start] == "("
        and seg.text[n.end - seg.start : n.end - seg.start + 1] == ")"
    ):
        yield Fact(RelType.HOSTS, c, e, seg, "juxtaposed:seat", 0.8)


def _listed_host(e: Entity) -> str:
    """The host division the reference data gives a park (its gazetteer entry's parent), or ''."""
    return next((m.parent for m in e.mentions if m.extractor == "gazetteer" and m.parent), "")


def _foreign(e: Entity) -> bool:
    """A name that opens with a foreign state's name (泰国启迪伟华中心, 韩国Innopolis)."""
    return e.name.startswith(tuple(words("foreign_countries.txt")))


def _external_prefix(e: Entity, local: set[str]) -> bool:
    """A name opening with a division that is not the document's own (深圳湾科技园 in a 洛阳 document)."""
    from ingest.gazetteer import get_gazetteer
    from ingest.recognise import place_prefix

    prefix = place_prefix(e.name)
    if not prefix:
        return False
    gz = get_gazetteer()
    for c in gz.lookup(prefix):
        parent = gz.get(c.entry.parent_id) if c.entry.parent_id else None
        if c.entry.canonical in local or (parent is not None and parent.canonical in local):
            return False
    return True


def _built_in(doc: Doc, e: Entity) -> Segment | None:
    """The first sentence where the document builds ``e``: a build verb in its clause (推进X建设, 组建X)."""
    build = _trigger_re("HOSTS", "build")
    for m, owner in doc.mentions:
        if owner is not e:
            continue
        seg = doc.sentence_of(m.start)
        if seg is None:
            continue
        rel = m.start - seg.start
        clause = seg.text[clause_start(seg.text, rel) : clause_end(seg.text, rel)]
        if build.search(clause):
            return seg
    return None


def _cooperation_objects(doc: Doc) -> set[int]:
    """Entities named only as partners (与…合作, 对接…): the document does not host them."""
    partner: dict[int, bool] = {}
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        if not inside:
            continue
        coop = _coop_objects(doc, seg, inside)
        for _, e in inside:
            partner[id(e)] = partner.get(id(e), True) and id(e) in coop
    return {k for k, v in partner.items() if v}


# An item marker that may stand before a sentence's subject: (四), 四、, 1., ①.
_ITEM_MARKER = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）、.]|[①-⑳])\s*")


def _opens(seg: Segment, m: Mention, *, slack: int = 0) -> bool:
    """Whether ``m`` opens the sentence: at most ``slack`` characters (市, 由…) or an item marker before."""
    before = seg.text[: m.start - seg.start]
    return len(before) <= slack or _ITEM_MARKER.fullmatch(before) is not None


# A clause whose subject is a pronoun (该中心, 其, 这些企业): it does not speak of the actors named before.
_PRONOUN = re.compile(r"\s*(?:该|其|此|这|双方|上述)")
# 由合肥高新区迁入…: where an actor comes from does not host it
_ORIGIN = ("由", "从", "自")


_NOT_COME = frozenset("看以起原本未后近从将年")


def _university(e: Entity) -> bool:
    """A university or college, whatever campus note follows its name (中国地质大学(北京))."""
    return re.sub(r"[(（][^()（）]*[)）]$", "", e.name).endswith(_UNIVERSITY_HEADS)


_OF_UNIVERSITY = re.compile(r"^[\u4e00-\u9fff]{2,10}?(?<!科)(?:大学|学院)(?=[\u4e00-\u9fff]{2})")


def _of_university(e: Entity, place: Entity) -> bool:
    """武汉工程大学|青天湖产业技术研究院: the place opens the university's name, and the university's
    institute may stand anywhere (here in 鄂城区); a place after the university (浙江大学|苏州|工业技术研究院)
    is where its branch is."""
    opens = any(e.name.startswith(f) for f in (place.name, *place.aliases))
    return opens and _OF_UNIVERSITY.match(e.name) is not None


def hosts_by_trigger(doc: Doc) -> Iterator[Fact]:
    """X…落户/入驻 Y (Y hosts X); Y 集聚了/引进 X…."""
    into = _trigger_re("HOSTS", "in")
    gather = _trigger_re("HOSTS", "gather")
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        if len(inside) < 2:
            continue
        for t in into.finditer(seg.text):
            if t.group() == "来" and seg.text[t.start() - 1 : t.start()] in _NOT_COME:
                continue  # 看来, 以来, 未来: 来 is not "came to"
            pos = seg.start + t.start()
            after = [(m, e) for m, e in inside if 0 <= m.start - (seg.start + t.end()) <= 2]
            hosts = [(m, e) for m, e in after if e.label in (Label.CITY, Label.PARK)]
            if not hosts:
                continue
            host_m, host = hosts[0]
            # …，该中心将落户高新区: the clause's own subject is a pronoun, the actors before are others
            opens = seg.start + clause_start(seg.text, t.start())
            pronoun = _PRONOUN.match(seg.text, opens - seg.start) is not None
            for m, e in inside:
                if (
                    m.end <= pos
                    and e.label in _ACTORS
                    and e is not host
                    and not (pronoun and m.start < opens)
                    and seg.text[m.start - seg.start - 1 : m.start - seg.start] not in _ORIGIN
                ):
                    yield Fact(RelType.HOSTS, host, e, seg, "trigger:in", 0.8)
            # 位于贵阳的贵州大学: the actor named right after 的
            for m, e in inside:
                if (
                    m.start - host_m.end == 1
                    and seg.text[host_m.end - seg.start] == "的"
                    and e.label in _ACTORS
                ):
                    yield Fact(RelType.HOSTS, host, e, seg, "trigger:in", 0.8)
        for t in gather.finditer(seg.text):
            pos = seg.start + t.start()
            before = [e for m, e in inside if m.end <= pos and e.label in (Label.CITY, Label.PARK)]
            if not before:
                continue
            for m, e in inside:
                if m.start >= seg.start + t.end() and e.label in _ACTORS and e is not before[-1]:
                    yield Fact(RelType.HOSTS, before[-1], e, seg, "trigger:gather", 0.6)


def hosts_sub_parks(doc: Doc) -> Iterator[Fact]:
    """兰州高新区七里河园区: a zone hosts the sub-park named right after it."""
    for (m, e), (n, y) in pairwise(_top_mentions(doc)):
        sub = n.extractor == "sub-park" or (y.label is Label.PARK and sub_park_name(n.name))
        if sub and n.start == m.end and e.label is Label.PARK and y is not e:
            seg = doc.sentence_of(m.start)
            if seg is not None:
                yield Fact(RelType.HOSTS, e, y, seg, "juxtaposed:sub-park", 0.8)


# 由A和B投资建设的…项目在Y开工建设: the investors named after 由 are hosted where their project is built.
_INVESTED_BY = re.compile(rf"由({IN_CLAUSE}{{2,80}}?)(?:共同)?投资(?:建设|兴建)?的")


# 中联重科拟在江阴临港新城建立华东基地: an actor that builds or invests in a place is hosted there.
_BUILDS_IN = re.compile(r"(?:拟|将|计划|正式|已|还|先后|率先|再次|也)?(?:在|于)$")
_BUILD_VERBS = re.compile(
    r"(?:投资)?(?:建立|设立|建设|新建|扩建|布局|打造|成立|组建|兴建|投资|开工|落成|投产)"
)


def hosts_by_building(doc: Doc) -> Iterator[Fact]:
    """X(拟)在Y建立/设立/投资…: the park or place Y hosts the actor X that opens the clause."""
    for seg in doc.sentences:
        inside = _outermost(doc.in_segment(seg))
        for (m, e), (n, y) in pairwise(inside):
            if e.label not in _ACTORS or y.label not in (Label.CITY, Label.PARK):
                continue
            between = seg.text[m.end - seg.start : n.start - seg.start]
            if not _BUILDS_IN.fullmatch(between) and not _BUILDS_IN.fullmatch(between.lstrip("也还")):
                continue
            if not _BUILD_VERBS.match(seg.text, n.end - seg.start):
                continue
            opens = clause_start(seg.text, m.start - seg.start) + seg.start
            if m.start - opens <= 2:  # the actor is the clause's subject
                yield Fact(RelType.HOSTS, y, e, seg, "trigger:builds-in", 0.7)
        yield from _investors_hosted(seg, inside)


def _investors_hosted(seg: Segment, inside: list[tuple[Mention, Entity]]) -> Iterator[Fact]:
    """由A和B投资建设的…项目在Y开工建设: Y hosts A and B."""
    by = _INVESTED_BY.search(seg.text)
    if by is None:
        return
    lo, hi = seg.start + by.start(1), seg.start + by.end(1)
    investors = [e for m, e in inside if lo <= m.start and m.end <= hi and e.label in _ACTORS]
    top = _outermost(inside)
    for k, (n, y) in enumerate(top):
        before = seg.text[: n.start - seg.start]
        if (
            n.start <= hi
            or y.label not in (Label.CITY, Label.PARK)
            or not before.endswith(("在", "落户", "落地"))
        ):
            continue
        chain = [(n, y)]  # 在高新区七里河园区开工: the places written one after the other
        for n2, y2 in top[k + 1 :]:
            if n2.start != chain[-1][0].end or y2.label not in (Label.CITY, Label.PARK):
                break
            chain.append((n2, y2))
        end = chain[-1][0].end - seg.start
        if before.endswith("在") and _BUILD_VERBS.match(seg.text, end) is None:
            continue
        for _, host in chain:
            for e in investors:
                yield Fact(RelType.HOSTS, host, e, seg, "trigger:builds-in", 0.6)
        return


# X开发区（包括A、B等）: a zone or place followed by what it includes.
_INCLUDES = re.compile(r"[(（]?(?:包括|包含|涵盖|下辖)")


def hosts_by_inclusion(doc: Doc) -> Iterator[Fact]:
    """A park or place whose name is followed by 包括/下辖 A、B… hosts each actor the list names."""
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        for k, (m, e) in enumerate(inside):
            if e.label not in (Label.CITY, Label.PARK) or e.level == "province":
                continue
            opened = _INCLUDES.match(seg.text, m.end - seg.start)
            if opened is None:
                continue
            rel = opened.end()
            stop = clause_end(seg.text, rel)
            close = seg.text.find("）" if opened.group().startswith("（") else ")", rel)
            if opened.group()[0] in "（(" and 0 <= close < stop:
                stop = close
            for m2, e2 in inside[k + 1 :]:
                if m2.start - seg.start >= stop:
                    break
                if e2.label in _ACTORS and e2 is not e:
                    yield Fact(RelType.HOSTS, e, e2, seg, "juxtaposed:includes", 0.7)


def hosts_by_subject(doc: Doc) -> Iterator[Fact]:
    """A park opening a sentence that builds things hosts the parks and institutes it names after."""
    build = _trigger_re("HOSTS", "build")
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        if len(inside) < 2:
            continue
        m0, subject = inside[0]
        if subject.label is not Label.PARK or not _opens(seg, m0) or not build.search(seg.text):
            continue
        for m, e in inside[1:]:
            if (
                e is not subject
                and e.label in (Label.PARK, Label.INSTITUTE)
                and not m.bare
                and not e.name.endswith("大学")
                and not _coop_before(seg, m)
            ):
                yield Fact(RelType.HOSTS, subject, e, seg, "subject:park", 0.6)


def _coop_before(seg: Segment, m: Mention) -> bool:
    head = seg.text[: m.start - seg.start]
    return bool(re.search(f"(?:与|同){IN_CLAUSE}*$", head))


# ---------------------------------------------------------------- FUNDS


@dataclass(frozen=True)
class _Payee:
    """One mention a money sentence may fund, with what the funding rules look at around it."""

    seg: Segment
    inside: list[tuple[Mention, Entity]]
    mention: Mention
    entity: Entity
    funder: Entity

    @cached_property
    def before(self) -> str:  # the sentence up to the mention
        return self.seg.text[: self.mention.start - self.seg.start]

    @cached_property
    def after(self) -> str:  # the sentence from the mention's end
        return self.seg.text[self.mention.end - self.seg.start :]

    @cached_property
    def actor(self) -> bool:  # a park, institute or firm, not a firm's project
        return self.entity.label in _ACTORS and self.mention.extractor != "project"

    @cached_property
    def listed(self) -> bool:  # X、Y等…: an example of a category
        return re.match(f"{IN_CLAUSE}{{0,30}}等", self.after) is not None

    def fact(self, extractor: str, confidence: float, amount: float | None = None) -> Fact:
        return Fact(RelType.FUNDS, self.funder, self.entity, self.seg, extractor, confidence, amount)


def _fund_set_up(p: _Payee) -> Fact | None:
    """设立(N亿元的)X基金, 出资20亿元设立X基金: the payer sets up the fund."""
    if not _is_fund(p.entity) or p.entity is p.funder:
        return None
    clause = p.before[clause_start(p.before, len(p.before)) :]
    verbs = list(_trigger_re("FUNDS", "setup").finditer(clause))
    t = verbs[-1] if verbs else None
    if t is None or len(clause) - t.end() > 16 or re.search(_OTHERS, clause[: t.start()]):
        return None
    amounts = parse_amounts(clause[t.end() :])
    if not amounts and _PUTS_UP.search(clause[: t.start()]):
        amounts = parse_amounts(clause[: t.start()])
    return p.fact("funds:setup", 0.7, amounts[-1].cny if amounts else None)


def _listed_receive(p: _Payee) -> Fact | None:
    """X、Y等1180家企业拟获资助: every listed firm receives."""
    ok = p.actor and p.listed and _LISTED_RECEIVE.match(p.after)
    return p.fact("funds:listed-receive", 0.6) if ok else None


_SUM = r"(\d[\d.]*多?\s?[万亿]元)"


@cache
def _receive_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """X获得500万元资助, X拿到了90多万元奖补资金; X获奖励100万元, X…，获得中央财政资金支持1200万元 (the
    money word before the amount, the receiving clause up to two clauses after the actor). The receiving
    verbs are FUNDS/receive of triggers.tsv."""
    got = "(?:" + "|".join(map(re.escape, triggers("FUNDS", "receive"))) + ")了?"
    sum_first = re.compile(
        rf"{IN_CLAUSE}{{0,30}}?{got}{IN_CLAUSE}{{0,12}}?{_SUM}{IN_CLAUSE}{{0,4}}"
        r"(?:支持|资助|奖励|补助|奖补|补贴)"
    )
    word_first = re.compile(
        rf"[^。;]{{0,40}}?{got}(?:[^。;,]{{0,10}}?)(?:资金|经费|奖励|奖补|补助|补贴|资助|支持)"
        rf"[^。;,]{{0,10}}?{_SUM}"
    )
    return sum_first, word_first


def _receives(p: _Payee) -> Fact | None:
    """X获得500万元资助."""
    sum_first, word_first = _receive_patterns()
    got = (sum_first.match(p.after) or word_first.match(p.after)) if p.actor else None
    if got is None or p.after[:1] == "、":
        return None
    amounts = parse_amounts(got.group(1))
    return p.fact("funds:receive", 0.7, amounts[0].cny if amounts else None)


def _supported(p: _Payee) -> Fact | None:
    """(重点)支持/资助/给予 X …资金/奖励: money given straight to the actor."""
    if not p.actor or p.listed or p.after[:1] == "、":
        return None
    if not re.search(r"(?:重点)?(?:支持|资助|扶持|给予)$", p.before):
        return None
    if not (_trigger_re("FUNDS", "money").search(p.after) or p.before.endswith("重点支持")):
        return None
    amounts = parse_amounts(p.after)
    return p.fact("funds:support", 0.6, amounts[0].cny if len(amounts) == 1 else None)


def _fund_supports(p: _Payee) -> Fact | None:
    """设立X基金，优先支持Y: the fund, not its founder, pays Y."""
    if not p.actor or p.listed:
        return None
    fund = _fund_before(p.seg, p.inside, p.before)
    if fund is None:
        return None
    return Fact(RelType.FUNDS, fund, p.entity, p.seg, "funds:fund-supports", 0.6)


def _allocated(p: _Payee) -> Fact | None:
    """安排专项资金5000万元，支持X: the money of the clause before a bare 支持."""
    if not p.actor or p.listed:
        return None
    paid = _money_clause_before(p.before, _trigger_re("FUNDS", "money"))
    return p.fact("funds:allocate", 0.6, paid) if paid is not None else None


_FOR = re.compile(rf"为(?:{IN_CLAUSE}{{0,12}}的)?$")
_PROVIDES_MONEY = re.compile(rf"^提供{IN_CLAUSE}{{0,8}}?(?:资金|经费|资助|补贴|奖励|奖补|补助)")


def _provided_for(p: _Payee) -> Fact | None:
    """为(部署在昆明的)X提供配套经费支持: the speaker pays X."""
    if not p.actor or not _FOR.search(p.before) or not _PROVIDES_MONEY.match(p.after):
        return None
    amounts = parse_amounts(p.after[: clause_end(p.after, 0)])
    return p.fact("funds:provide", 0.6, amounts[0].cny if len(amounts) == 1 else None)


_FUND_VERB = re.compile(r"^(?:将|可|重点|优先|主要|专门|用于)*(?:支持|资助|扶持|投资|投向)(?:了)?$")


def _fund_pays(p: _Payee) -> Fact | None:
    """X基金(重点)支持Y: the fund right before the verb pays Y."""
    if not p.actor:
        return None
    before = [(m, e) for m, e in p.inside if m.end <= p.mention.start]
    if not before or not _is_fund(before[-1][1]):
        return None
    fund_mention, fund = before[-1]
    gap = p.seg.text[fund_mention.end - p.seg.start : p.mention.start - p.seg.start]
    if not _FUND_VERB.match(gap):
        return None
    return Fact(RelType.FUNDS, fund, p.entity, p.seg, "funds:fund-pays", 0.7)


# The funding rules for one mention, in order: the first that finds a fact wins.
PAYEE_RULES: tuple[Callable[[_Payee], Fact | None], ...] = (
    _fund_set_up,
    _fund_pays,
    _listed_receive,
    _receives,
    _supported,
    _fund_supports,
    _allocated,
    _provided_for,
)


def funds(doc: Doc) -> Iterator[Fact]:
    """Who pays whom in each sentence: a 对/向 list given money, then each other mention by the first of
    PAYEE_RULES that fires, then an opening actor given money a later clause names no receiver for."""
    money = _trigger_re("FUNDS", "money")
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        if not inside:
            continue
        funder = _funder(doc, seg, inside)
        if funder is None:
            continue
        given = _given_to(seg, inside, money)
        for e, amount, pos in given:
            payer = _fund_opening_clause(seg, inside, pos) or funder
            yield Fact(RelType.FUNDS, payer, e, seg, "funds:given-to", 0.7, amount)
        for m, e in inside:
            if any(e is g for g, _, _ in given):
                continue
            payee = _Payee(seg, inside, m, e, funder)
            fact = next((f for rule in PAYEE_RULES if (f := rule(payee)) is not None), None)
            if fact is not None:
                yield fact
                yield from _to_list_mates(seg, inside, m, fact)
        yield from _subject_funded(seg, inside, funder)


_PAID_LIST_GLUE = ("、", "和", "及", "以及")  # not 与: 支持A与B合作 pays A for working with B


def _to_list_mates(
    seg: Segment, inside: list[tuple[Mention, Entity]], m: Mention, fact: Fact
) -> Iterator[Fact]:
    """支持长春、通化和白山3个医药园区…: money the first of a list is given goes to each item listed with
    it (same label, joined by 、/和/及); the amount, said of them all, stays with none of the others."""
    if fact.extractor.endswith("listed-receive"):
        return  # already one fact per item
    end = m.end
    for n, y in inside:
        if n.start < end or y.label is not fact.target.label:
            continue  # 长春 the city and 长春(医药园区) the park share a span
        if seg.text[end - seg.start : n.start - seg.start] not in _PAID_LIST_GLUE:
            break
        if y is not fact.source:
            yield replace(fact, target=y, amount_cny=None, extractor=fact.extractor + "-list")
        end = n.end


# X、Y等1180家企业拟获资助: every firm the list names receives the money (a funding list's news).
_LISTED_RECEIVE = re.compile(
    rf"(?:、{IN_CLAUSE}{{1,40}}?)*等{IN_CLAUSE}{{0,12}}?(?:拟|将|已)?(?:获得?|获批|入选){IN_CLAUSE}{{0,8}}?"
    r"(?:资助|补助|支持|奖励|补贴)"
)
# 安排专项资金5000万元，支持X: the clause before a bare 支持 states the money (and its amount).
_SUPPORT_CLAUSE = re.compile(
    f"[{CLAUSE_MARKS}]" r"(?:重点|优先|稳定|持续|专项|主要)?(?:支持|资助|扶持|用于)$"
)
# …，市政府给予3亿元股权投资支持: money a clause gives without naming whom to goes to the sentence's subject.
_GIVEN_TO_SUBJECT = re.compile(
    rf"[{CLAUSE_MARKS}]{IN_CLAUSE}{{0,8}}?(?:给予|奖励){IN_CLAUSE}{{0,6}}?(\d[\d.]*\s?[万亿]?元){IN_CLAUSE}{{0,10}}?"
    r"(?:支持|奖励|补助|资助|补贴)"
)


# A clause that puts up money without a money word: 安排1000万元, 出资20亿元设立….
_PUTS_UP = re.compile(r"安排|拨付|出资|投入|筹集")


def _clause_before_support(rel: str) -> tuple[int, int] | None:
    """The span of the clause right before a clause that opens with 支持/用于 X (``rel`` ends there)."""
    if not _SUPPORT_CLAUSE.search(rel):
        return None
    end = max(clause_start(rel, len(rel) - 2) - 1, 0)
    return clause_start(rel, end), end


def _money_clause_before(rel: str, money: re.Pattern[str]) -> float | None:
    """The amount of the money clause right before a clause that opens with 支持/用于 X, if it has one."""
    span = _clause_before_support(rel)
    if span is None:
        return None
    prior = rel[span[0] : span[1]]
    amounts = parse_amounts(prior)
    return amounts[-1].cny if amounts and (money.search(prior) or _PUTS_UP.search(prior)) else None


def _fund_before(seg: Segment, inside: list[tuple[Mention, Entity]], rel: str) -> Entity | None:
    """A fund the clause before 支持 X names (设立X基金，优先支持Y): the fund, not its founder, pays Y."""
    span = _clause_before_support(rel)
    if span is None:
        return None
    lo, hi = seg.start + span[0], seg.start + span[1]
    funds = [e for m, e in inside if lo <= m.start < hi and _is_fund(e)]
    return funds[-1] if funds else None


def _is_fund(e: Entity) -> bool:
    return e.label is Label.POLICY and e.name.endswith(_FUND_HEADS)


def _subject_funded(seg: Segment, inside: list[tuple[Mention, Entity]], funder: Entity) -> Iterator[Fact]:
    """X落户…，市政府给予3亿元支持: an actor opening the sentence receives money a later clause gives
    without naming whom to."""
    m0, e0 = inside[0]
    if e0.label not in _ACTORS or not _opens(seg, m0, slack=2):
        return
    for given in _GIVEN_TO_SUBJECT.finditer(seg.text):
        named = any(seg.start + given.start() <= m.start < seg.start + given.end() for m, _ in inside)
        if not named:
            amounts = parse_amounts(given.group(1))
            amount = amounts[0].cny if amounts else None
            yield Fact(RelType.FUNDS, funder, e0, seg, "funds:subject", 0.5, amount)
            return


# 对A、B分别给予300万元、150万元补助; 向X投资2000万元: the verb (and money) right after the listed actors.
_GIVE_AFTER = re.compile(
    r"(?:分别|各|一次性|累计)?(?:给予|奖励|补助|补贴|资助|投资|注资|拨付|安排|提供)(?:了)?"
)


# 对X, 向X, 对入驻的X, 对新认定的X: whom the following verb gives money to.
_TO_WHOM = re.compile(rf"(?:对|向)(?:{IN_CLAUSE}{{1,8}}的)?$")


def _given_to(
    seg: Segment, inside: list[tuple[Mention, Entity]], money: re.Pattern[str]
) -> list[tuple[Entity, float | None, int]]:
    """The actors a 对/向 list names as the receivers of money the following verb gives, with their
    amounts (one each when 分别 pairs them in order, else the single amount of a single receiver) and
    where the list starts."""
    text = seg.text
    out: list[tuple[Entity, float | None, int]] = []
    i = 0
    while i < len(inside):
        m, e = inside[i]
        i += 1
        if e.label not in _ACTORS or not _TO_WHOM.search(text[: m.start - seg.start]):
            continue
        group, end = [e], m.end - seg.start
        while i < len(inside) and inside[i][1].label in _ACTORS:
            glue = text[end : inside[i][0].start - seg.start]
            if glue not in ("、", "和", "及", "以及"):
                break
            group.append(inside[i][1])
            end = inside[i][0].end - seg.start
            i += 1
        give = _GIVE_AFTER.match(text, end)
        if give is None:
            continue  # 对X等企业… names examples of a category; 对X开展… gives nothing
        clause = text[give.end() : clause_end(text, give.end())]
        amounts = parse_amounts(clause)
        if not amounts and not money.search((give.group(0) + clause).replace("给予", "")):
            continue  # 对X给予政策支持: no money
        paired = len(amounts) == len(group) and (len(group) == 1 or give.group(0).startswith("分别"))
        out += [(g, amounts[k].cny if paired else None, m.start) for k, g in enumerate(group)]
    return out


def _fund_opening_clause(seg: Segment, inside: list[tuple[Mention, Entity]], pos: int) -> Entity | None:
    """A fund that opens the clause in which ``pos`` lies (…，X引导基金已向Y投资): it pays, not the city."""
    rel = pos - seg.start
    start = clause_start(seg.text, rel)
    for m, e in inside:
        if seg.start + start <= m.start < pos:
            return e if _is_fund(e) and m.start - seg.start - start <= 2 else None
    return None


# A sentence that opens with the policy it acts under: 根据《…》, 按照…, 依据….
_GROUNDS = re.compile(r"\s*(?:根据|按照|依据|依照)")
# 区财政…, 县政府…: a district's or county's own purse pays, not the city's.
# The province's purse: 省财政, 省级财政, 省科技经费, 省级专项资金.
_PROVINCE_PURSE = re.compile(r"(?:^|[,;:]|争取|获得?|得到|拿到)省级?(?:财政|科技经费|专项资金|资金)")
_LOCAL_PURSE = re.compile(r"(?:^|[,;:])\s*(?:区|县)(?:财政|政府|级财政|本级)")


def _funder(doc: Doc, seg: Segment, inside: list[tuple[Mention, Entity]]) -> Entity | None:
    """Who pays: a city below the province or a park (its administration) opening the sentence, a
    district or county whose purse opens it (区财政…), else the county or district whose own document it
    is, else the document's own (or nearest named) city."""
    m0, e0 = inside[0]
    if e0.label is Label.POLICY and _GROUNDS.match(seg.text) and len(inside) > 1:
        # 根据《…若干措施》，高新区将给予…: the payer opens the clause after the policy it acts under
        m1, e1 = inside[1]
        after = seg.text[m0.end - seg.start : m1.start - seg.start]
        if re.fullmatch(r"[》”\"]?(?:的规定|规定|要求)?[,，]", after):
            m0, e0 = m1, e1
    if e0.label in (Label.CITY, Label.PARK) and _opens(seg, m0, slack=2) and e0.level != "province":
        return e0  # 溧阳市支持… (a county-level city pays too); a province opening a sentence is a scope
    if e0.label in (Label.CITY, Label.PARK) and e0.level != "province" and m0 is not inside[0][0]:
        return e0
    if _is_fund(e0) and _opens(seg, m0, slack=2):
        return e0  # X引导基金已向Y投资2000万元
    if _LOCAL_PURSE.search(seg.text):
        district = _last_division(doc, seg.start, ("district", "county"))
        if district is not None:
            return district
    if _PROVINCE_PURSE.search(seg.text):
        province = _last_division(doc, seg.end, ("province",))
        if province is not None:
            return province  # 争取省科技经费600万元: the province's purse pays
    return doc.issuer or doc.local_city(seg.start)


def _last_division(doc: Doc, pos: int, levels: tuple[str, ...]) -> Entity | None:
    """The last division of one of ``levels`` the document names before ``pos``."""
    for m, e in reversed(doc.mentions):
        if m.start < pos and e.label is Label.CITY and e.level in levels:
            return e
    return None


# A funding notice's title: 关于下达…补助奖励经费的公示, …拟资助名单, …立项项目汇总表.
_FUNDING_NOTICE = re.compile(
    r"(?:资助|补助|奖励|扶持|补贴|经费)[^\n]{0,24}?(?:名单|公示|通知|汇总表|清单)|拟(?:资助|立项|补助|奖励)"
)
_CELL_GLUE = re.compile(r"[、,和及\s]*")


def funds_by_notice(doc: Doc) -> Iterator[Fact]:
    """In a funding notice (its title says so), a table cell or line that holds only the names of
    firms or institutes names recipients: the issuing county or district, else the city, else the
    policy the notice cites, pays them; a table row's number cell is the amount, in the header's unit."""
    if not _FUNDING_NOTICE.search(doc.title):
        return
    unit: float | None = None
    rows_done: set[int] = set()
    for seg in doc.sentences:
        if seg.start < len(doc.title):
            continue
        inside = _outermost(doc.in_segment(seg))
        line_start = doc.text.rfind("\n", 0, seg.start) + 1
        line_end = _line_end(doc.text, seg.start)
        line = doc.text[line_start:line_end]
        if not inside:
            unit = _header_unit(line) or unit
            continue
        payer = doc.issuer or doc.local_city(seg.start) or _cited_policy(doc, seg.start)
        if payer is None:
            continue
        if "\t" in line:
            if line_start not in rows_done:
                rows_done.add(line_start)
                row = _row_segment(doc, line_start, line_end)
                recipients, amount = _table_row(doc, row)
                for e in recipients:
                    yield Fact(RelType.FUNDS, payer, e, row, "funds:notice-row", 0.6, _scaled(amount, unit))
            continue
        if any(e.label not in (Label.INSTITUTE, Label.ENTERPRISE) for _, e in inside):
            continue
        rest = seg.text
        for m, _ in reversed(inside):
            rest = rest[: m.start - seg.start] + rest[m.end - seg.start :]
        if not _CELL_GLUE.fullmatch(rest):
            continue  # a sentence, not a cell of names
        for _, e in inside:
            yield Fact(RelType.FUNDS, payer, e, seg, "funds:notice-cell", 0.6)


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


# A header cell that gives the unit of a table's amounts: 补助金额（万元）, 资助经费(元).
_HEADER_UNIT = re.compile(r"[(（](万元|元)[)）]|单位[:：]\s*(万元|元)")
_NUMBER_CELL = re.compile(r"\d+(?:\.\d+)?")


def _header_unit(line: str) -> float | None:
    """The amount unit a table's header row (or the line above it) states, in yuan, or None."""
    m = _HEADER_UNIT.search(line)
    if m is None:
        return None
    return 10_000.0 if "万元" in m.group() else 1.0


def _scaled(amount: float | None, unit: float | None) -> float | None:
    return amount * unit if amount is not None and unit is not None else None


def _row_segment(doc: Doc, start: int, end: int) -> Segment:
    """A table row (one line of tab-separated cells) as one segment, from its first sentence to its last."""
    parts = [s for s in doc.sentences if start <= s.start < end]
    first, last = parts[0], parts[-1]
    return Segment(first.start, last.end, doc.text[first.start : last.end], first.ostart, last.oend)


def _table_row(doc: Doc, row: Segment) -> tuple[list[Entity], float | None]:
    """A tab-separated row's recipients, the firms and institutes whose whole name fills a cell, and the
    row's one number cell after the first of them (the serial number before it is not money)."""
    inside = _outermost(doc.in_segment(row))
    recipients: list[Entity] = []
    numbers: list[float] = []
    lo = row.start
    named = False
    for cell in row.text.split("\t"):
        hi = lo + len(cell)
        core = cell.strip()
        whole = [
            e
            for m, e in inside
            if e.label in (Label.INSTITUTE, Label.ENTERPRISE)
            and lo <= m.start
            and m.end <= hi
            and m.end - m.start == len(core)
        ]
        recipients += [e for e in whole if e not in recipients]
        named = named or bool(whole)
        if named and not whole and _NUMBER_CELL.fullmatch(core):
            numbers.append(float(core))
        lo = hi + 1
    return recipients, numbers[0] if len(numbers) == 1 else None


def _cited_policy(doc: Doc, pos: int) -> Entity | None:
    """The last policy a notice names before ``pos`` (根据《…资助办法》): it pays when no place does."""
    for m, e in reversed(doc.mentions):
        if m.start < pos and e.label is Label.POLICY and m.start >= len(doc.title):
            return e
    return None


def _nested(m: Mention, inside: list[tuple[Mention, Entity]]) -> bool:
    """Whether a longer mention of the segment contains ``m``."""
    return any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o, _ in inside)


def _outermost(inside: list[tuple[Mention, Entity]]) -> list[tuple[Mention, Entity]]:
    """The mentions not inside a longer one (上海 in 上海大学)."""
    return [(m, e) for m, e in inside if not _nested(m, inside)]


# X由Y(在Z)投资(N亿元)设立, X由Y注资N亿元; Y投资成立了X: the investor funds the firm, institute or park
# it sets up.
_BY_INVESTOR = re.compile(rf"由{IN_CLAUSE}{{0,2}}$")
_INVESTS = re.compile(
    rf"^(?:在{IN_CLAUSE}{{1,12}}?)?(?:控股|全资|独资|共同|出资)?(?:投资|注资|出资)(?:{IN_CLAUSE}{{0,12}}?元)?"
    r"(?:设立|成立|组建|兴建|建设|创办)?(?:了)?"
)
_FUNDED_BY_INVESTOR = (Label.ENTERPRISE, Label.INSTITUTE, Label.PARK)
_INVESTORS = (Label.ENTERPRISE, Label.INSTITUTE, Label.CITY, Label.PARK)


def _invested_in(
    seg: Segment, inside: list[tuple[Mention, Entity]], end: int, start: int, funded: Entity
) -> Iterator[Fact]:
    """由Y在Z投资设立: the place or park Z where the investment is made hosts what it sets up."""
    if seg.text[start - seg.start : start - seg.start + 1] != "在":
        return
    for m, e in inside:
        if start < m.start < end and e.label in (Label.CITY, Label.PARK):
            yield Fact(RelType.HOSTS, e, funded, seg, "investment:place", 0.7)
            return


def funds_by_investment(doc: Doc) -> Iterator[Fact]:
    """X由Y投资设立 (the investor after 由 funds the actor opening the clause); Y投资成立了X (the
    actor right after the verb)."""
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        for k, (m, e) in enumerate(inside):
            if e.label not in _INVESTORS:
                continue
            after = seg.text[m.end - seg.start : clause_end(seg.text, m.end - seg.start)]
            invest = _INVESTS.match(after)
            if invest is None or not re.search("投资|注资|出资", invest.group()):
                continue
            amounts = parse_amounts(invest.group())
            amount = amounts[-1].cny if amounts else None
            if _BY_INVESTOR.search(seg.text[: m.start - seg.start]):
                opens = clause_start(seg.text, m.start - seg.start) + seg.start
                funded = [x for x in inside[:k] if x[0].start >= opens and x[1].label in _FUNDED_BY_INVESTOR]
                if funded:
                    yield Fact(RelType.FUNDS, e, funded[0][1], seg, "investment:investor", 0.7, amount)
                    yield from _invested_in(seg, inside, m.end + invest.end(), m.end, funded[0][1])
                continue
            verb_end = m.end + invest.end()
            if not invest.group().endswith(("设立", "成立", "组建", "创办", "了")):
                continue
            for m2, e2 in inside[k + 1 :]:
                if m2.start - verb_end <= 1 and e2.label in _FUNDED_BY_INVESTOR:
                    for investor in (e, *_co_parties(seg, inside, k)):
                        yield Fact(RelType.FUNDS, investor, e2, seg, "investment:investor", 0.7, amount)
                break


def _co_parties(seg: Segment, inside: list[tuple[Mention, Entity]], k: int) -> Iterator[Entity]:
    """晋煤集团与阳煤集团投资组建了X: the actors joined to mention ``k`` by 与/和/及/、 before it."""
    while k > 0:
        (prev, e), (m, _) = inside[k - 1], inside[k]
        if seg.text[prev.end - seg.start : m.start - seg.start] not in ("与", "和", "及", "、", "同"):
            return
        if e.label in _INVESTORS:
            yield e
        k -= 1


# X将在Y投资50亿元, X计划向Y投资418亿元, X在该区计划投资22亿元: an investor puts a stated sum into a place,
# park or firm (a plan counts: the text states who pays whom and how much).
_INTO = re.compile(r"^(?:将|已|拟|计划|准备|预计)?(?:在|向|于|对)$")
_INVESTS_SUM = re.compile(
    rf"^(?:{IN_CLAUSE}{{0,4}}?)(?:将|已|拟|计划|准备|预计|总|累计|共)*(?:投资|注资|投入)(?:总额|总计|约|超过?|近)?"
    rf"[\d.,，零〇一二三四五六七八九十百千万亿]+(?:多)?(?:万|亿)?(?:元|美元|人民币)"
)
_PLACES_INVESTED = (Label.CITY, Label.PARK, Label.ENTERPRISE, Label.INSTITUTE)


def funds_by_stated_investment(doc: Doc) -> Iterator[Fact]:
    """X(将)在/向Y(计划)投资N元: the investor opening the clause funds Y with N."""
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        for k, (m, e) in enumerate(inside[:-1]):
            if e.label not in (Label.ENTERPRISE, Label.INSTITUTE, Label.CITY):
                continue
            m2, e2 = inside[k + 1]
            if e2 is e or e2.label not in _PLACES_INVESTED:
                continue
            if not _INTO.match(seg.text[m.end - seg.start : m2.start - seg.start]):
                continue
            after = seg.text[m2.end - seg.start : clause_end(seg.text, m2.end - seg.start)]
            invest = _INVESTS_SUM.match(after)
            if invest is None or any(x.start < m2.end + invest.end() for x, _ in inside[k + 2 :]):
                continue  # another actor before the sum is the one that receives it
            amounts = parse_amounts(invest.group())
            if amounts:
                yield Fact(RelType.FUNDS, e, e2, seg, "investment:stated", 0.7, amounts[-1].cny)


# X将投资1.1亿元在Y(泽林镇)建设…, 该公司计划投入5亿元在Y设立…: the sum comes before the place.
_SUM_THEN_IN = re.compile(
    r"^(?:将|已|拟|计划|准备|预计|总|累计|共)*(?:投资|投入)(?:总额|总计|约|超过?|近)?"
    r"[\d.,，零〇一二三四五六七八九十百千万亿]+(?:多)?(?:万|亿)?(?:元|美元|人民币)(?:在|于)$"
)
# A town or street of the place, written between it and the verb (鄂州市泽林镇建设).
_TOWN = re.compile(r"(?:[\u4e00-\u9fff]{1,4}?(?:镇|乡|街道|村|片区))?")
# 该公司, 该企业, 该集团: a clause's subject that points back to the firm named just before.
_FIRM_PRONOUN = re.compile(r"(?:该|这家)(?:公司|企业|集团)")


def _antecedent_firm(doc: Doc, seg: Segment) -> Entity | None:
    """The firm a 该公司 at the start of ``seg``'s clause points back to: the last one named in the
    sentence before (or earlier in this one)."""
    k = doc.sentences.index(seg)
    for prev in (seg, *reversed(doc.sentences[max(0, k - 1) : k])):
        firms = [e for _, e in doc.in_segment(prev) if e.label is Label.ENTERPRISE]
        if firms:
            return firms[-1]
    return None


def invests_sum_in_place(doc: Doc) -> Iterator[Fact]:
    """X(将)投资N元在Y建设…: the investor opening the clause (a firm or institute, or 该公司 for the firm
    named before) funds the place or park Y with N, and Y hosts it."""
    for seg in doc.sentences:
        inside = _outermost(doc.in_segment(seg))
        subjects: list[tuple[int, Entity]] = [
            (m.end - seg.start, e) for m, e in inside if e.label in (Label.ENTERPRISE, Label.INSTITUTE)
        ]
        for pronoun in _FIRM_PRONOUN.finditer(seg.text):
            firm = _antecedent_firm(doc, seg)
            if firm is not None:
                subjects.append((pronoun.end(), firm))
        for end, investor in subjects:
            rest = seg.text[end:]
            for n, y in inside:
                rel = n.start - seg.start
                if rel <= end or y.label not in (Label.CITY, Label.PARK) or y.level == "province":
                    continue
                sum_in = _SUM_THEN_IN.match(seg.text[end:rel])
                town = _TOWN.match(seg.text, n.end - seg.start)
                if sum_in is None or not _BUILD_VERBS.match(
                    seg.text, town.end() if town else n.end - seg.start
                ):
                    continue
                amounts = parse_amounts(rest[: sum_in.end()])
                yield Fact(
                    RelType.FUNDS,
                    investor,
                    y,
                    seg,
                    "investment:sum-in",
                    0.7,
                    amounts[-1].cny if amounts else None,
                )
                yield Fact(RelType.HOSTS, y, investor, seg, "trigger:builds-in", 0.7)
                break


# ---------------------------------------------------------------- COOPERATES


_MEANS = re.compile(r"依托|依靠|借助|利用")
# 与/同 introducing a partner; 同 opens other words too (同日, 同时, 同比, 同类).
_WITH = re.compile(r"与|同(?![日时比样期类等步一行年月])")


def _prefixes(doc: Doc, inside: list[tuple[Mention, Entity]]) -> set[int]:
    """Starts of the divisions written right before a part of theirs (重庆|渝北, 湖北|鄂州): the part, not
    the division, is the actor the clause speaks of."""
    out: set[int] = set()
    for a, b in pairwise(inside):
        if _adjacent_part(a, b) and _divides(a[1], b[1], doc):
            out.add(a[0].start)
    return out


@cache
def _unnamed_party() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, rule_lines("unnamed_parties.txt"))))


def _speaker_acts(before: str) -> bool:
    """加强与B合作: the speaker (the document's city) cooperates unless the sentence before 与 names an
    unnamed party that does (本土企业…与B合作, 在国外高校中，与B合作较多)."""
    return _unnamed_party().search(before) is None


def _coop_objects(doc: Doc, seg: Segment, inside: list[tuple[Mention, Entity]]) -> set[int]:
    verb = _trigger_re("COOPERATES", "verb")
    objs: set[int] = set()
    inside = [(m, e) for m, e in inside if m.start not in _prefixes(doc, inside)]
    for w in _WITH.finditer(seg.text):
        if _inside_a_name(inside, seg.start + w.start()):
            continue  # 纳米技术与纳米仿生研究所
        v = verb.search(seg.text, w.end())
        if not v or v.start() - w.end() > 60:
            continue
        # 与B依托C实验室开展联合攻关: what follows 依托 is the platform, not a partner
        means = _MEANS.search(seg.text, w.end(), v.start())
        stop = means.start() if means else v.start()
        for m, e in inside:
            where = seg.text[max(0, m.start - seg.start - 1) : m.start - seg.start] in ("在", "于")
            if w.end() <= m.start - seg.start < stop and not (where and e.label is Label.CITY):
                objs.add(id(e))  # 与B在成都签署: 成都 is where they sign, not a partner
    for w in re.finditer(r"对接", seg.text):
        stop = clause_end(seg.text, w.end())
        for m, e in inside:
            if w.end() <= m.start - seg.start < stop:
                objs.add(id(e))
    return objs


def cooperates(doc: Doc) -> Iterator[Fact]:
    """与A、B…合作/共建/签约; 对接A、B; A牵手B."""
    link = _trigger_re("COOPERATES", "link")
    for seg in doc.sentences:
        inside = doc.in_segment(seg)
        if not inside:
            continue
        objs = _coop_objects(doc, seg, inside)
        inside = [(m, e) for m, e in inside if m.start not in _prefixes(doc, inside)]
        if objs:
            first_obj = min(m.start for m, e in inside if id(e) in objs)
            rel = first_obj - seg.start
            opens = seg.start + clause_start(seg.text, rel)
            named = [
                (m, e)
                for m, e in inside
                if opens <= m.start
                and m.end <= first_obj
                and id(e) not in objs
                and e.label is not Label.POLICY
                and not _nested(m, inside)  # 株洲|高新区与B: the zone acts, not the city inside its name
            ]
            subjects = [e for m, e in named if not _not_acting(seg, m)]
            if not named:  # 与B合作 with no subject in its clause: the opening actor, else the city
                m0, e0 = inside[0]
                opening = e0.label in _ACTORS and _opens(seg, m0, slack=2) and id(e0) not in objs
                local = doc.local_city(seg.start) if _speaker_acts(seg.text[:rel]) else None
                subjects = [e0] if opening else [local] if local else []
            for subject in subjects:
                for _, e in inside:
                    if id(e) in objs and e is not subject and e.label is not Label.POLICY:
                        yield Fact(RelType.COOPERATES, subject, e, seg, "coop:with", 0.6)
            yield from _joint_partners(seg, inside, objs)
        for t in link.finditer(seg.text):
            pos = seg.start + t.start()
            if _inside_a_name(inside, pos):
                continue  # 汽车电子联合实验室
            left = [e for m, e in inside if m.end <= pos and pos - m.end <= 2]
            right = _listed_after(seg, inside, seg.start + t.end())
            for partner in right if left else []:
                if partner is not left[-1]:
                    yield Fact(RelType.COOPERATES, left[-1], partner, seg, "coop:link", 0.7)


_DESTINATION = re.compile(r"(?:前往|赴|到|在|于|来自)$")
_PEOPLE = re.compile(r"^[省市区县]?(?:领导|官员|代表团|党委书记|书记|市长|省长|县长|区长)")


def _not_acting(seg: Segment, m: Mention) -> bool:
    """四川省领导…前往台湾与C会谈: a place that is where someone goes, or whose officials act, is no party."""
    before = seg.text[: m.start - seg.start]
    after = seg.text[m.end - seg.start :]
    return _DESTINATION.search(before) is not None or _PEOPLE.match(after) is not None


# 共同签署, 共同推进, 共建: every party named with 与 acts together, so each pair cooperates.
_JOINT = re.compile(r"共同(?:签署|签订|推进|建设|打造|发起|出资|设立|组建|申报)")


def _joint_partners(seg: Segment, inside: list[tuple[Mention, Entity]], objs: set[int]) -> Iterator[Fact]:
    """A与B、C共同签署…: B and C cooperate with each other as well as with A."""
    joint = _JOINT.search(seg.text)
    if joint is None or not any(id(e) in objs and m.end <= seg.start + joint.start() for m, e in inside):
        return
    partners = list({id(e): e for _, e in inside if id(e) in objs and e.label is not Label.POLICY}.values())
    for i, a in enumerate(partners):
        for b in partners[i + 1 :]:
            yield Fact(RelType.COOPERATES, a, b, seg, "coop:joint", 0.6)


# A、B、C合作共建…: the verbs a list of parties shares.
_JOINT_LIST = re.compile(r"(?:共同|合作|联合|携手)(?:签署|签订|推进|建设|打造|发起|出资|设立|组建|申报|共建)")
_JOINT_GAP = 20  # characters between a list of parties and the 共同 verb they share (…相邻的3个行政区，)


def _joint_list(seg: Segment, inside: list[tuple[Mention, Entity]]) -> list[Entity]:
    """The parties listed right before 共同推进/签署 (上海嘉定、江苏苏州昆山、太仓…共同推进): the last
    name of each item, as places written before a place are only its address."""
    joint = _JOINT_LIST.search(seg.text)
    if joint is None or "与" in seg.text[: joint.start()]:
        return []  # A与B共同…: the 与 rule pairs them
    pos = seg.start + joint.start()
    before = [(m, e) for m, e in inside if m.end <= pos and e.label is not Label.POLICY]
    if not before or pos - before[-1][0].end > _JOINT_GAP:
        return []
    items = [before[-1][1]]
    for k in range(len(before) - 1, 0, -1):
        glue = seg.text[before[k - 1][0].end - seg.start : before[k][0].start - seg.start]
        if glue in _LIST_GLUE:
            items.append(before[k - 1][1])
        elif glue:
            break  # adjacent names are one item (江苏苏州昆山); anything else ends the list
    return list({id(e): e for e in reversed(items)}.values())


def joint_parties(doc: Doc) -> Iterator[Fact]:
    """A、B、C共同推进/签署…: every pair of the listed parties cooperates."""
    for seg in doc.sentences:
        parties = _joint_list(seg, doc.in_segment(seg))
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                yield Fact(RelType.COOPERATES, a, b, seg, "coop:joint-list", 0.6)


# A和B签署合作框架协议: two parties joined by 和/及 that sign together (与 is the with-rule's).
_SIGN = re.compile(r"^(?:今天|今日|日前|近日|正式|共同|昨日|在[^,。;]{2,12}?)*(?:签署|签订|签约|达成)")


def signing_pair(doc: Doc) -> Iterator[Fact]:
    """A和B(正式)签署…: the two parties opening the clause cooperate."""
    for seg in doc.sentences:
        inside = _outermost(doc.in_segment(seg))
        for (m1, e1), (m2, e2) in pairwise(inside):
            if seg.text[m1.end - seg.start : m2.start - seg.start] not in ("和", "及"):
                continue
            rel = m1.start - seg.start
            if e1.label is Label.POLICY or e2.label is Label.POLICY or rel - clause_start(seg.text, rel) > 2:
                continue
            if _SIGN.match(seg.text[m2.end - seg.start :]):
                yield Fact(RelType.COOPERATES, e1, e2, seg, "coop:signing-pair", 0.6)


def _inside_a_name(inside: list[tuple[Mention, Entity]], pos: int) -> bool:
    """Whether the character at ``pos`` belongs to a mention's name (a trigger word there links nothing)."""
    return any(m.start <= pos < m.end for m, _ in inside)


def _listed_after(seg: Segment, inside: list[tuple[Mention, Entity]], pos: int) -> list[Entity]:
    """The actor starting within 4 characters of ``pos`` and those listed right after it (A、B和C)."""
    found: list[Entity] = []
    for m, e in inside:
        gap = seg.text[pos - seg.start : m.start - seg.start]
        if m.start >= pos and (len(gap) <= 4 if not found else gap in ("、", "和", "及", "以及")):
            found.append(e)
            pos = m.end
        elif found and m.start >= pos:
            break
    return found


@dataclass(frozen=True)
class RelationRule:
    """One relation rule: the family of extractor tags its facts carry (``<tag>:<variant>``), and the
    function that finds them in a document."""

    tag: str
    find: Callable[[Doc], Iterable[Fact]]


# The relation rules, in order; the pipeline merges the facts they repeat (graph.model.merge_repeats).
RELATION_RULES: tuple[RelationRule, ...] = (
    RelationRule("context", hosts_by_home),
    RelationRule("context", hosts_by_province),
    RelationRule("context", hosts_by_prefix),
    RelationRule("context", hosts_own),
    RelationRule("context", hosts_by_firm_seat),
    RelationRule("juxtaposed", hosts_by_juxtaposition),
    RelationRule("trigger", hosts_by_trigger),
    RelationRule("trigger", hosts_by_building),
    RelationRule("juxtaposed", hosts_by_inclusion),
    RelationRule("juxtaposed", hosts_sub_parks),
    RelationRule("subject", hosts_by_subject),
    RelationRule("funds", funds),
    RelationRule("funds", funds_by_notice),
    RelationRule("investment", funds_by_investment),
    RelationRule("investment", funds_by_stated_investment),
    RelationRule("investment", invests_sum_in_place),
    RelationRule("coop", cooperates),
    RelationRule("coop", joint_parties),
    RelationRule("coop", signing_pair),
)


def relate(doc: Doc) -> list[Fact]:
    """Every fact the rules of RELATION_RULES find; duplicates are merged by the pipeline."""
    facts = [f for rule in RELATION_RULES for f in rule.find(doc)]
    return [f for f in facts if f.source is not f.target]

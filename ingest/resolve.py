"""Resolution: one entity per actor of a document, with a canonical name and its other forms as aliases.

Rules: gazetteer canonical names for divisions (徐州, not 徐州市; 鼓楼区 inside the document's city);
level words dropped between a place and a zone head (洛阳国家高新区 → 洛阳高新区); a bare head or a
local 市…/省… form joins the one entity it can stand for; a name that ends another name of its label
is its short form (江淮学院 → 安徽大学江淮学院); a brand joins its firm (徐工 → 徐工集团); a
parenthesis gives an alias (…补偿资金(徐科贷)); a document number joins the title next to it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.model import Label

if TYPE_CHECKING:
    from ingest.gazetteer import Entry as GazEntry
    from ingest.gazetteer import Gazetteer
from ingest.recognise import (
    Mention,
    Recognised,
    all_heads,
    in_dictionary,
    is_generic,
    place_prefix,
    pos,
    words,
)

logger = logging.getLogger(__name__)

_TOP_LEVELS = ("province", "municipality", "prefecture")
_LEVEL_INFIX = re.compile(
    r"(国家级|国家|省级)(?=(?:高新技术产业开发区|高新区|经济技术开发区|经开区|开发区|农业科技园区))"
)
_ABBREV = (
    ("高新技术产业开发区", "高新区"),
    ("高技术产业开发区", "高新区"),  # 厦门火炬高技术产业开发区, the official name of 厦门火炬高新区
    ("高新技术开发区", "高新区"),
)


@dataclass
class Entity:
    """A resolved actor of one document, with every mention that names it."""

    label: Label
    name: str
    aliases: list[str] = field(default_factory=list)
    level: str = ""
    parent: str = ""  # City: parent division's canonical name
    place: str = ""  # the City its name starts with (洛阳 for 洛阳高新区), for HOSTS
    mentions: list[Mention] = field(default_factory=list)

    def add(self, m: Mention, surface: str | None = None) -> None:
        self.mentions.append(m)
        for form in (surface or m.surface, m.name, *m.aliases):
            if form and form != self.name and form not in self.aliases:
                self.aliases.append(form)

    def forms(self) -> set[str]:
        return {self.name, *self.aliases}


@dataclass
class Resolution:
    """The entities of a document, the document's own city, and what was pruned and why."""

    entities: list[Entity]
    city: str  # canonical name of the document's own city ('' when none dominates)
    province: str
    pruned: Counter[str]
    by_span: dict[tuple[int, int, Label], Entity]
    city_marks: list[tuple[int, str]]  # (position, canonical) of every prefecture-level city named


def _gaz() -> Gazetteer:
    from ingest.gazetteer import get_gazetteer

    return get_gazetteer()


def document_city(mentions: Iterable[Mention], text: str) -> tuple[str, str]:
    """The document's own city (the prefecture or municipality it speaks of most) and its province."""
    counts: Counter[str] = Counter()
    province_of: dict[str, str] = {}
    mentions = list(mentions)
    # a firm's name opens with where it is registered, not where the document is (深圳X公司入驻成都高新区)
    firm_starts = {m.start for m in mentions if m.label is Label.ENTERPRISE}
    for m in mentions:
        if m.label is Label.CITY and not m.weak and m.level in ("prefecture", "municipality"):
            if m.start in firm_starts:
                continue
            counts[m.name] += 1 + (m.start < _title_end(text))
            province_of[m.name] = m.parent
        elif _own_county(m, text) and m.start not in firm_starts:
            counts[m.name] += 1 + (m.start < _title_end(text))
            province_of[m.name] = _province_of(m.name)
        elif m.label in (Label.PARK, Label.INSTITUTE) and m.extractor == "gazetteer":
            # a known zone swallows the place it opens with (成都高新区): the place still speaks
            place = _prefecture_prefix(m.name)
            if place is not None:
                counts[place[0]] += 1 + (m.start < _title_end(text))
                province_of[place[0]] = place[1]
    # the issuing authority's abbreviation in a document number (合政〔2021〕15号) is a strong vote
    for dn in re.finditer(r"([\u4e00-\u9fff])[\u4e00-\u9fff]{0,3}发[〔\[]", text[:3000]):
        for name in counts:
            if name.startswith(dn.group(1)):
                counts[name] += 5
    if not counts:
        return "", ""
    (top, n), *rest = [*counts.most_common(2), ("", 0)]
    # a document about several cities (a book chapter on 济南, 郑州, 常州…) has no one city of its own
    if n < 2 or rest[0][1] * 2 > n or n < 0.5 * sum(counts.values()):
        return "", ""
    return top, province_of.get(top, "")


def _own_county(m: Mention, text: str) -> bool:
    """A county the title names (紫金县人民政府工作报告): the document speaks for it as a city's does."""
    if m.label is not Label.CITY or m.weak or m.level != "county" or not m.surface.endswith(("县", "市")):
        return False
    return bool(re.search(re.escape(m.surface), text[: _title_end(text)]))


def _province_of(name: str) -> str:
    """The province a division lies in ("" if none is found)."""
    for c in _gaz().lookup(name):
        if c.entry.label is Label.CITY:
            top = _gaz().chain(c.entry)[-1]
            return top.canonical if top.level == "province" else ""
    return ""


def _title_end(text: str) -> int:
    """The end of the document's first line, its title: a place named there counts twice."""
    end = text.find("\n")
    return end if 0 <= end <= 120 else 0


def _prefecture_prefix(name: str) -> tuple[str, str] | None:
    """(canonical, province) of the prefecture or municipality a name opens with, if any."""
    from ingest.recognise import place_prefix

    prefix = place_prefix(name)
    for c in _gaz().lookup(prefix) if prefix else ():
        if c.entry.label is Label.CITY and c.entry.level in ("prefecture", "municipality") and not c.weak:
            parent = _gaz().get(c.entry.parent_id) if c.entry.parent_id else None
            return c.entry.canonical, parent.canonical if parent else ""
    return None


_RANKS = ("国家级", "省级", "市级", "区级", "县级", "省部级")


def _localised(name: str, city: str, province: str) -> str:
    """市X → 徐州市X, 省X → 江苏省X: a local prefix names the document's own city or province."""
    if len(name) < 4 or name.startswith(_RANKS) or name[0] not in "市省":
        return name
    owner = city if name[0] == "市" else province
    return owner + name if owner else name


def _city_choice(
    m: Mention, cities: set[str], after: str = "", *, listed: bool = False
) -> tuple[str, str, str] | None:
    """(canonical, level, parent) of a division mention, or None when the context cannot vouch for it.
    A place listed with others (长春、通化、敦化和白山) is vouched for by its province among them."""
    cands = [c for c in _gaz().lookup(m.surface) if c.entry.label is Label.CITY]
    if not cands:
        return None
    gz = _gaz()

    def parent_of(e: GazEntry) -> str:
        p = gz.get(e.parent_id) if e.parent_id else None
        return p.canonical if p else ""

    def vouched(e: GazEntry) -> bool:
        if parent_of(e) in cities or e.canonical in cities:
            return True
        return listed and not m.weak and any(p.canonical in cities for p in gz.chain(e)[1:])

    local = [c for c in cands if vouched(c.entry)]
    if local:
        c = local[0]
        return c.entry.canonical, c.entry.level or "", parent_of(c.entry)
    best = cands[0]
    if best.weak or m.weak:
        return None
    # a county or district far from the document's places is more likely a word: 新建, 合作(市)
    if best.entry.level in ("county", "district"):
        if best.form != "full":
            return None
        stem = best.entry.name[:-1]
        # 麻城市 written out is the county-level city even where 麻城 is also a word; not 合作|市场
        written_out = (
            best.entry.kind == "县级市" and after[:1] not in ("场", "民", "长") and _proper_word(stem)
        ) or (best.entry.kind == "县" and m.surface.endswith("县") and len(stem) >= 2)  # 紫金县, not 市和县
        if _common_word(stem) and not written_out:
            return None
    return best.entry.canonical, best.entry.level or "", parent_of(best.entry)


def _city_level(m: Mention) -> bool:
    """A county-level city (晋江市): it speaks for itself like a prefecture does."""
    return m.level == "county" and any(c.entry.kind == "县级市" for c in _gaz().lookup(m.name))


def _proper_word(word: str) -> bool:
    """A word the dictionary tags as a name (麻城 nr), not as an ordinary word (合作 vn)."""
    from ingest.recognise import _tags

    return (_tags().get(word) or "").startswith(("nr", "nz", "ns"))


def _common_word(word: str) -> bool:
    """A dictionary word that is not a place name (合作, 新建)."""
    from ingest.recognise import _tags

    tag = _tags().get(word)
    return tag is not None and not tag.startswith("ns")


def _norm_key(label: Label, name: str) -> str:
    key = name.replace("“", "").replace("”", "").replace('"', "").replace("·", "").replace(" ", "")
    if label is not Label.CITY:
        m = re.match(r"([\u4e00-\u9fff]{2,4}?)[市省](?!级)", key)
        if m and any(c.entry.label is Label.CITY for c in _gaz().lookup(m.group(1))):
            key = m.group(1) + key[m.end() :]  # 合肥市智能制造研究院 = 合肥智能制造研究院
    if label is Label.PARK:
        key = _LEVEL_INFIX.sub("", key)
        for long, short in _ABBREV:
            key = key.replace(long, short)
        if key.endswith("园区"):  # 滨湖科教园 = 滨湖科教园区
            key = key[:-1]
    return key


def resolve(text: str, rec: Recognised) -> Resolution:
    """Group mentions into entities; drop categories and context-less short forms with a counted reason."""
    pruned: Counter[str] = Counter()
    city, province = document_city((*rec.mentions, *rec.places), text)
    cities = {c for c in (city, province) if c}
    # places named outright in the document widen the context for their counties and districts
    cities |= {
        m.name for m in rec.mentions if m.label is Label.CITY and not m.weak and m.level in _TOP_LEVELS
    }
    entities: dict[tuple[Label, str], Entity] = {}

    def get(label: Label, name: str) -> Entity:
        key = (label, _norm_key(label, name))
        if key not in entities:
            entities[key] = Entity(label=label, name=name)
        return entities[key]

    deferred: list[Mention] = []
    for m in rec.mentions:
        if m.label is Label.CITY:
            listed = text[m.start - 1 : m.start] in ("、", "和", "及") or text[m.end : m.end + 1] == "、"
            choice = _city_choice(m, cities, text[m.end : m.end + 1], listed=listed)
            if choice is None:
                pruned["place name without context"] += 1
                continue
            e = get(Label.CITY, choice[0])
            e.level, e.parent = choice[1], choice[2]
            e.add(m)
        elif m.bare or m.extractor == "docno":
            deferred.append(m)
        else:
            name = _localised(m.name.strip(), city, province)
            e = get(m.label, name)
            e.add(m)
    zones = tuple(words("zone_heads.txt"))
    # which names start where: a place opening a name (洛阳|高新区) belongs to the entities named there
    starting: dict[int, list[Entity]] = {}
    for e in entities.values():
        if e.label is not Label.CITY:
            for start in dict.fromkeys(m.start for m in e.mentions):
                starting.setdefault(start, []).append(e)
    for p in rec.places:
        choice = _city_choice(p, cities)
        if choice is None:
            continue
        owners = starting.get(p.start, [])
        for e in owners:
            e.place = e.place or choice[0]
        # a zone or a firm named after its place (涧西高新区 → 涧西区) makes the place an actor too
        named = (Label.CITY, _norm_key(Label.CITY, choice[0])) in entities
        if not named and any(_norm_key(e.label, e.name).endswith(zones) for e in owners):
            city_entity = get(Label.CITY, choice[0])
            city_entity.level, city_entity.parent = choice[1], choice[2]
            city_entity.add(p)
    _split_place_brands(entities, get)
    _merge_variants(entities)
    for m in deferred:
        target = _bare_target(m, entities, city, province)
        if target is None:
            if m.extractor == "docno":
                get(Label.POLICY, m.name).add(m)
            elif _localised(m.surface, city, province) != m.surface:
                get(m.label, _localised(m.surface, city, province)).add(m)
            elif m.definite and city and m.label is Label.PARK and not m.surface.startswith(_RANKS):
                get(m.label, city + m.surface).add(m)  # 经开区 in 洛阳's address list: 洛阳经开区
            else:
                pruned["generic category"] += 1
                _category_place(m, rec.places, cities, get)
            continue
        target.add(m)
    _attach_docnos(entities, text)
    _short_form_mentions(entities, text)
    _parenthesis_aliases(entities, text)
    out = [e for e in entities.values() if e.mentions]
    for e in out:
        e.aliases = [a for a in e.aliases if _names_it_alone(e.label, a)]
    by_span = {(m.start, m.end, m.label): e for e in out for m in e.mentions}
    marks = sorted(
        (m.start, m.name)
        for m in (*rec.mentions, *rec.places)
        if m.label is Label.CITY
        and not m.weak
        and (m.level in ("prefecture", "municipality") or _city_level(m) or m.name == city)
    )
    return Resolution(
        entities=out, city=city, province=province, pruned=pruned, by_span=by_span, city_marks=marks
    )


Entities = dict[tuple[Label, str], "Entity"]


def _category_place(
    m: Mention, places: Iterable[Mention], cities: set[str], get: Callable[[Label, str], Entity]
) -> None:
    """申报河南省科技企业孵化器: the category (place + generic words) names no actor, but the place that
    opens it is still named in the text."""
    for p in places:
        if p.start == m.start and not p.weak:
            choice = _city_choice(p, cities)
            if choice is not None and choice[1] in ("province", "municipality", "prefecture"):
                e = get(Label.CITY, choice[0])
                e.level, e.parent = choice[1], choice[2]
                e.add(p)
            return


def _names_it_alone(label: Label, alias: str) -> bool:
    """Whether an alias names its actor out of the document's context: a bare head (高新区, 研究院) or a
    head after generic words resolved within one document but names nothing in a corpus-wide search, and a
    place name is the City's, not a zone's (洛阳 of 洛阳高新区)."""
    for head in all_heads():
        if alias.endswith(head) and is_generic(alias[: -len(head)]):
            return False
    return label is Label.CITY or not any(c.entry.label is Label.CITY for c in _gaz().lookup(alias))


def _split_place_brands(entities: Entities, get: Callable[[Label, str], Entity]) -> None:
    """台湾正崴 → 正崴 hosted by 台湾: a firm's place prefix is not part of its name."""
    for key, e in list(entities.items()):
        if e.label is not Label.ENTERPRISE or e.name.endswith(tuple(words("firm_suffixes.txt"))):
            continue
        place = place_prefix(e.name)
        rest = e.name[len(place) :]
        if place and len(rest) >= 2 and not rest.endswith(("公司", "集团")) and not in_dictionary(rest):
            del entities[key]
            target = get(Label.ENTERPRISE, rest)
            target.place = place
            for m in e.mentions:
                target.add(m)
            target.aliases = [a for a in target.aliases if a != rest]


def _merge_variants(entities: Entities) -> None:
    """Merge short forms into the entity they shorten: suffixes (科文学院), brands (徐工 → 徐工集团)."""
    suffixes = tuple(words("firm_suffixes.txt"))
    items = sorted(entities.items(), key=lambda kv: len(kv[1].name))
    for key, e in items:
        if e.label is Label.CITY or key not in entities:
            continue
        same = [o for k, o in entities.items() if k != key and o.label is e.label]
        target = None
        if e.label is Label.ENTERPRISE:
            longer = [o for o in same if o.name.startswith(e.name) and o.name[len(e.name) :] in suffixes]
            longer += [o for o in same if e.name.startswith(o.name) and e.name[len(o.name) :] in suffixes]
            if not longer and len(e.name) >= 3:
                longer = [o for o in same if len(o.name) > len(e.name) and e.name in firm_short_forms(o.name)]
            if not longer and len(e.name) >= 3:
                longer = [o for o in same if len(o.name) > len(e.name) and _initialism(e.name, o.name)]
            target = longer[0] if len(longer) == 1 else None
        elif len(e.name) >= 4:
            ends = [o for o in same if o.name.endswith(e.name) and len(o.name) > len(e.name)]
            target = ends[0] if len(ends) == 1 else None
        if target is None:
            continue
        if e.label is Label.ENTERPRISE and len(e.name) > len(target.name):
            target, e = e, target  # the firm's full form (徐工集团) is the canonical name
            key = next(k for k, v in entities.items() if v is e)
        del entities[key]
        for m in e.mentions:
            target.add(m)
        for a in (e.name, *e.aliases):
            if a != target.name and a not in target.aliases:
                target.aliases.append(a)
        target.place = target.place or e.place


# A firm's legal form and the trade words before it, dropped from the end to give its short forms.
_LEGAL_FORMS = (
    *("股份有限公司", "有限责任公司", "有限公司", "集团", "股份", "控股"),
    *("科技", "技术", "信息技术", "实业"),
)
_SEAT = re.compile(r"[(（][^()（）]{2,8}[)）]$")


# The legal form of a registered firm and the trade words right before it (华为|技术|有限公司).
_REGISTERED_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
_TRADE_WORDS = ("信息技术", "科技", "技术")


def registered(name: str) -> bool:
    """A firm named by its registered legal name (…科技有限公司)."""
    return name.endswith(_REGISTERED_FORMS)


def canonical_name(label: Label, name: str) -> str:
    """The name an actor goes by in every document, so that its forms meet in one node across documents:
    a zone's short official form (徐州高新技术产业开发区, 徐州国家高新区 → 徐州高新区), a registered firm's
    name without its legal form and trade word (华为技术有限公司 → 华为). Other names are unchanged; the
    forms a document uses stay its aliases."""
    if label is Label.PARK:
        short = _LEVEL_INFIX.sub("", name)
        for long, abbrev in _ABBREV:
            short = short.replace(long, abbrev)
        m = re.match(r"([\u4e00-\u9fff]{2,4}?)市(?=[\u4e00-\u9fff]{0,4}(?:高新区|经开区|开发区))", short)
        if m and any(c.entry.label is Label.CITY for c in _gaz().lookup(m.group(1))):
            short = m.group(1) + short[m.end() :]  # 无锡市高新区 = 无锡高新区
        return short
    if label is Label.ENTERPRISE and registered(name):
        core = next(name[: -len(f)] for f in _REGISTERED_FORMS if name.endswith(f))
        core = re.sub(
            r"[(（][^()（）]{2,8}[)）]$", "", core
        )  # 蔚来汽车(安徽)有限公司: the seat note goes too
        trade = next((w for w in _TRADE_WORDS if core.endswith(w) and len(core) - len(w) >= 2), "")
        core = core[: len(core) - len(trade)] if trade else core
        return core if len(core) >= 2 else name
    return name


def firm_short_forms(name: str) -> set[str]:
    """The short names a firm goes by: its full name without its legal form, trade words and place
    (厦门海辰储能科技股份有限公司 → 厦门海辰储能科技, 海辰储能…; 中国电信集团有限公司 → 中国电信)."""
    forms: set[str] = set()
    todo = [name]
    while todo:
        core = todo.pop()
        cuts = [core[: -len(w)] for w in _LEGAL_FORMS if core.endswith(w)]
        if seat := _SEAT.search(core):
            cuts.append(core[: seat.start()])
        for cut in cuts:
            if len(cut) >= 2 and cut not in forms:
                forms.add(cut)
                todo.append(cut)
    for form in [name, *forms]:
        place = place_prefix(form)
        if place and len(form) - len(place) >= 2:
            forms.add(form[len(place) :])
    return forms


def _initialism(short: str, name: str) -> bool:
    """中联重科 of 中联重工科技发展: a short form made of the name's first two characters and then the
    opening characters of its later words in order, at least two of those words cut to their heads."""
    core = min(firm_short_forms(name) or {name}, key=len)
    tokens = [w for w, _ in pos(core)]
    if len(tokens) < 3 or len(tokens[0]) != 2 or not short.startswith(tokens[0]) or short == core:
        return False

    def fits(i: int, rest: str, cut: int) -> bool:
        if not rest:
            return cut >= 2
        if i == len(tokens):
            return False
        w = tokens[i]
        heads = (k for k in range(min(len(w), len(rest)), 0, -1) if rest[:k] == w[:k])
        return any(fits(i + 1, rest[k:], cut + (k < len(w))) for k in heads) or fits(i + 1, rest, cut)

    return fits(1, short[2:], 0)


def _bare_target(
    m: Mention, entities: dict[tuple[Label, str], Entity], city: str, province: str
) -> Entity | None:
    """The one entity a bare or local form stands for (软件园 → 合肥软件园; 市X → 合肥X)."""
    same = [e for e in entities.values() if e.label is m.label and e.mentions]
    surface = m.surface
    if surface[:1] in ("市", "省") and len(surface) > 2:
        owner = city if surface[0] == "市" else province
        rest = surface[1:]
        if owner:
            for e in same:
                if e.name in (owner + rest, owner + surface) or (owner + rest) in e.aliases:
                    return e
        return None
    if len(surface) < 3 or surface.startswith(("国家", "省", "市", "区", "县", *_RANKS)):
        return None  # 国家重点实验室: a rank names a category, not one of the document's actors
    ends = [e for e in same if e.name.endswith(surface) and e.name != surface]
    if len(ends) == 1:
        return ends[0]
    if city:
        own = [e for e in ends if e.name.startswith(city)]
        if len(own) == 1:
            return own[0]
    return None


def _attach_docnos(entities: dict[tuple[Label, str], Entity], text: str) -> None:
    """A document number (合政〔2021〕15号) is an alias of the title printed next to it."""
    docnos = [
        e
        for e in entities.values()
        if e.label is Label.POLICY and any(m.extractor == "docno" for m in e.mentions)
    ]
    titles = [
        e
        for e in entities.values()
        if e.label is Label.POLICY and any(m.extractor == "title" for m in e.mentions) and e not in docnos
    ]
    for d in docnos:
        pos = d.mentions[0].start
        near = [(min(abs(m.start - pos) for m in t.mentions if m.extractor == "title"), t) for t in titles]
        near = [x for x in near if x[0] < 400]
        if not near:
            continue
        _, title = min(near, key=lambda x: x[0])
        for a in (d.name, *d.aliases):
            if a not in title.aliases:
                title.aliases.append(a)
        title.mentions += d.mentions
        d.mentions = []


# NAME（以下简称“X”）: the document defines its own short form.
_DEFINED_AS = re.compile(
    r"\s?[(（](?:以下简称|以下称|下称|简称)[:：]?[“\"‘']?([^()（）“”\"‘’',，]{2,12}?)[”\"’']?[)）]"
)


def _short_form_mentions(entities: Entities, text: str) -> None:
    """Later mentions of a short form the document defines (…（以下简称维晟新材）) or a firm goes by
    (海辰储能 after 厦门海辰储能科技股份有限公司): they name the same entity. An entity recognised under the
    defined short form joins it."""
    taken = [(m.start, m.end) for e in entities.values() for m in e.mentions]
    for e in list(entities.values()):
        if e.label is Label.CITY or not e.mentions:
            continue
        first = min(m.start for m in e.mentions)
        defined = {d.group(1) for m in e.mentions if (d := _DEFINED_AS.match(text, m.end))}
        forms = set(defined)
        if e.label is Label.ENTERPRISE:
            forms |= {f for f in firm_short_forms(e.name) if len(f) >= 4 and not in_dictionary(f)}
        for form in sorted(forms - {e.name}, key=len, reverse=True):
            _join_defined(entities, e, form)
            for hit in re.finditer(re.escape(form), text):
                span = (hit.start(), hit.end())
                if hit.start() < first or any(a < span[1] and span[0] < b for a, b in taken):
                    continue
                e.add(Mention(e.label, span[0], span[1], form, e.name, "short-form", 0.7))
                taken.append(span)
            if form in defined and form not in e.aliases:
                e.aliases.append(form)  # defined even if never used again


def _join_defined(entities: Entities, e: Entity, form: str) -> None:
    """An entity of ``e``'s label recognised under ``e``'s short form is ``e``."""
    key = (e.label, _norm_key(e.label, form))
    other = entities.get(key)
    if other is None or other is e:
        return
    del entities[key]
    for m in other.mentions:
        e.add(m)


def _parenthesis_aliases(entities: dict[tuple[Label, str], Entity], text: str) -> None:
    """NAME(ABBR): a short parenthesis right after a name is its alias (…补偿资金(徐科贷))."""
    for e in entities.values():
        for m in e.mentions:
            follow = re.match(r"\(([\u4e00-\u9fffA-Za-z]{2,6})\)", text[m.end : m.end + 9])
            bad = ("试行", "草案", "暂行", "修订", "征求意见稿")
            if follow and _DEFINED_AS.match(text, m.end):
                continue  # (以下简称X): X is the alias, taken by _short_form_mentions
            if (
                follow
                and follow.group(1) not in e.aliases
                and e.label is not Label.CITY
                and follow.group(1) not in bad
            ):
                e.aliases.append(follow.group(1))

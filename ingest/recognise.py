"""Recognition of the five labels in cleaned text: gazetteers, name formation, quotes and list contexts.

Signals, cheapest first: Aho-Corasick over the public gazetteers and compiled regexes over heads
(…高新区, …研究院, …集团, …行动计划); jieba only on the few characters left of a head, to find where
a name starts. Candidates overlap; the longest wins. Generic categories (高新技术企业, 众创空间 without
a name) are marked ``bare`` and dropped or resolved later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from graph.model import Label
from ingest.clean import is_cjk, rule_lines
from ingest.split import clause_end

logger = logging.getLogger(__name__)

# Longest name part (left of its head) per label, in characters.
_MAX_NAME = {Label.PARK: 14, Label.INSTITUTE: 20, Label.ENTERPRISE: 16, Label.POLICY: 26, Label.CITY: 6}
# jieba POS flags of multi-character words that never belong inside a name: prepositions, conjunctions,
# particles, adverbs, pronouns, classifiers, interjections, time words, idioms, punctuation.
_STOP_FLAGS = ("p", "c", "u", "d", "r", "q", "y", "e", "o", "w", "x", "z", "i", "f", "m")
_PROPER_FLAGS = ("nr", "nz", "nt", "ns", "j", "eng")
_BOUNDARY = frozenset(",.。;:!?、()《》“”\"'\n\t[]{}—-|/…+ >＞")
_LEVEL_WORDS = ("国家级", "省级", "市级", "国家", "省", "市")
_QUOTES = '“”"'
_LOCAL = ("市", "省")
# Landform and settlement characters that make a word a place name (凤凰湾, 潘安湖, 新城区)
_TOPONYM = frozenset(
    "湾湖山河江岛港桥街路村屯城门塘洲坝"
)  # 市智能制造研究院: "the city's own", resolved against the document's city


@dataclass(frozen=True)
class Mention:
    """A recognised span of the cleaned text, with the name it proposes before resolution."""

    label: Label
    start: int
    end: int
    surface: str
    name: str
    extractor: str
    confidence: float
    level: str = ""  # City: province | municipality | prefecture | county | district
    parent: str = ""  # City: canonical name of the parent division; others: host city if known
    weak: bool = False  # an ambiguous or word-like short form (鼓楼): needs the document's context
    ambiguous: bool = False
    head: str = ""  # the head a pattern name ends with (高新区)
    bare: bool = False  # a head with only generic or local words before it (软件园, 市智能制造研究院)
    definite: bool = False  # a bare zone type used as a name of the speaker's own zone
    aliases: tuple[str, ...] = ()

    @property
    def length(self) -> int:
        return self.end - self.start


# ---------------------------------------------------------------- rules as data


@cache
def words(name: str) -> frozenset[str]:
    """A rule file read as a set of words."""
    return frozenset(s.strip() for s in rule_lines(name))


@cache
def _heads() -> dict[Label, tuple[str, ...]]:
    out: dict[Label, list[str]] = {}
    for line in rule_lines("heads.tsv"):
        label, head = line.split("\t")[:2]
        out.setdefault(Label(label.strip()), []).append(head.strip())
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@cache
def all_heads() -> tuple[str, ...]:
    return tuple(sorted({h for hs in _heads().values() for h in hs}, key=len, reverse=True))


@cache
def _head_regex() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, all_heads())))


@cache
def head_label(head: str) -> Label:
    return next(label for label, hs in _heads().items() if head in hs)


@cache
def _categories() -> dict[str, Label]:
    out = {}
    for line in rule_lines("actor_categories.txt"):
        label, word = line.split("\t")[:2]
        out[word.strip()] = Label(label.strip())
    return out


@cache
def _strong_endings() -> tuple[str, ...]:
    return tuple(w for w in words("strong_stops.txt") if len(w) >= 2)


@cache
def _jieba() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@cache
def _tags() -> dict[str, str]:
    tags: dict[str, str] = _jieba().posseg.dt.word_tag_tab
    return tags


@lru_cache(maxsize=65536)
def pos(text: str) -> tuple[tuple[str, str], ...]:
    """Dictionary segmentation of a short span with each word's dictionary tag ('un' when unknown)."""
    tags = _tags()
    return tuple((w, tags.get(w, "un")) for w in _jieba().lcut(text, HMM=False))


@lru_cache(maxsize=16384)
def pos_hmm(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's POS tagger with HMM (finds unknown names like 茂迪); slow, so only on list items."""
    return tuple((w.word, w.flag) for w in _jieba().posseg.cut(text, HMM=True))


def in_dictionary(word: str) -> bool:
    return bool(_jieba().dt.FREQ.get(word))


@lru_cache(maxsize=65536)
def is_generic(name_part: str) -> bool:
    """True when a name part is only generic words (国家级, 各类, 企业…), i.e. names nothing."""
    part = re.sub(
        r"^(?:\d+[大个家项所类批支]?|[一二三四五六七八九十两]+[大个家项所类批支])",
        "",
        name_part.strip(' “”"'),
    )
    if not part:
        return True
    generic = words("generic.txt")
    if part in generic:
        return True
    if _split_brand(part):
        return False
    for w, flag in pos(part):
        if (
            w in generic
            or w in _LEVEL_WORDS
            or w in _QUOTES
            or (len(w) > 1 and flag.startswith(("m", "q", "f")))
        ):
            continue
        if w.isdigit() or (len(w) == 1 and flag in ("m", "q", "f", "u", "c", "p")):
            continue
        if w in words("strong_stops.txt") or w in (
            "推进",
            "推动",
        ):  # 具体推进(方案): a procedure names nothing
            continue
        return False
    return True


_NUMERAL = re.compile(r"[〇零一二三四五六七八九十百千万两\d]+")


def _split_brand(part: str) -> bool:
    """Whether the dictionary splits an unknown word into single characters (中天 → 中|天): a brand, not
    generic words."""
    run = ""
    for w, _ in (*pos(part), ("", "")):
        if len(w) == 1 and not _NUMERAL.fullmatch(w) and w not in _QUOTES:
            run += w
            continue
        if len(run) >= 2:
            return True
        run = ""
    return False


# ---------------------------------------------------------------- gazetteer


@cache
def _abbreviations() -> tuple[re.Pattern[str], dict[str, tuple[Label, str]]]:
    table = {}
    for line in rule_lines("abbreviations.tsv"):
        label, full, short = (x.strip() for x in line.split("\t")[:3])
        table[short] = (Label(label), full)
    return re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))), table


# An academy's institute named by its short form: 中国科学院工程热物理所, 中科院泉州装备所
# (the part between holds no particle or preposition: 以中科院为代表的研究所 names no institute)
_ACADEMY_INSTITUTE = re.compile(
    r"(?:中国科学院|中科院)(?:(?![的为等和与及])[\u4e00-\u9fff]){2,8}?所(?![\u4e00-\u9fff])"
)


def abbreviation_candidates(text: str) -> Iterator[Mention]:
    """Official short names of national bodies (中科院 → 中国科学院) and their institutes (…所)."""
    pattern, table = _abbreviations()
    for m in pattern.finditer(text):
        label, full = table[m.group()]
        yield Mention(label, m.start(), m.end(), m.group(), full, "abbreviation", 0.8)
    for m in _ACADEMY_INSTITUTE.finditer(text):
        yield Mention(Label.INSTITUTE, m.start(), m.end(), m.group(), m.group(), "head", 0.7, head="所")


def gazetteer_candidates(text: str) -> Iterator[Mention]:
    """Known names (divisions, parks, universities, listed firms) from the public gazetteers."""
    from ingest.gazetteer import get_gazetteer

    for h in get_gazetteer().find(text):
        surface = text[h.start : h.end]
        yield Mention(
            h.label,
            h.start,
            h.end,
            surface,
            h.canonical,
            "gazetteer",
            0.6 if h.weak else 0.9,
            level=h.level or "",
            parent=h.parent or "",
            weak=h.weak,
            ambiguous=h.ambiguous,
        )


# ---------------------------------------------------------------- name boundaries


def _hard_left(text: str, pos_: int, limit: int) -> int:
    """Leftmost index reachable from ``pos_`` without crossing punctuation, within ``limit`` chars."""
    i = pos_
    while i > 0 and pos_ - i < limit and text[i - 1] not in _BOUNDARY:
        i -= 1
    return i


def _ordinal(tokens: Sequence[tuple[str, str]], k: int) -> bool:
    """Whether token ``k`` is (part of) an ordinal in a name: 第一海洋研究所, 第七|二五研究所, 第一汽车."""
    w = tokens[k][0]
    if w.startswith("第") and _NUMERAL.fullmatch(w[1:]):
        return True
    return bool(_NUMERAL.fullmatch(w)) and k > 0 and tokens[k - 1][0].startswith("第")


_DIRECTIONS = ("东部", "西部", "南部", "北部", "中部", "南方", "北方", "东方")


def _direction_in_name(w: str, flag: str, before: str) -> bool:
    """中国南方|生物医药城, 成渝西部|科学城: a direction word right after a place is part of the name."""
    return flag == "f" and w in _DIRECTIONS and before.startswith("ns")


def _is_stop(w: str, flag: str, label: Label, context: str = "") -> bool:
    """Whether word ``w`` (tag ``flag``) ends a name on the left; ``context`` is the tag of the word
    before it."""
    if len(w) == 1:
        return w in words("single_stops.txt")
    if w.isascii():
        return w.isdigit() and label is not Label.POLICY and len(w) >= 5  # 510641|华南理工大学: a postcode
    if w in words("left_stops.txt") or w.endswith(_strong_endings()):
        return True
    if flag.startswith(_STOP_FLAGS):
        brand = label is Label.ENTERPRISE and w in _DIRECTIONS  # 南方|报业传媒集团, 东方|电气集团
        return not (brand or _direction_in_name(w, flag, context))
    # a common verb ends a park's or institute's name on the left (推动, 赋予), a policy may hold one
    return label is not Label.POLICY and flag == "v" and w not in words("name_verbs.txt")


# Function words that stay stops even inside a run of single characters (X与Y, X的Y).
_RUN_BREAKS = frozenset("与和及的、在对为把将由从向是了")


def _unknown_word_run(tokens: Sequence[tuple[str, str]]) -> set[int]:
    """Indices of the tokens in runs of single Han characters at least four long that hold a name-tagged
    character: the segmenter's pieces of a word it does not know (恒|都|夏|南|牛 of 恒都夏南牛), not
    words of the sentence."""
    out: set[int] = set()
    run: list[int] = []
    for k, (w, _) in enumerate((*tokens, ("", ""))):
        if len(w) == 1 and is_cjk(w) and w not in _RUN_BREAKS:
            run.append(k)
            continue
        if len(run) >= 4 and any(tokens[i][1].startswith(("nr", "ns", "nz")) for i in run):
            out.update(run)
        run = []
    return out


def name_start(text: str, head_start: int, label: Label, *, quotes: bool = False) -> int:
    """Where the name ending just before ``head_start`` begins (dictionary segmentation decides)."""
    lo = _hard_left(text, head_start, _MAX_NAME[label])
    if quotes:  # policies may hold a quoted part: 人才引育“3030”行动计划
        while lo > 1 and text[lo - 1] in '”"' and lo == head_start:
            q = max(text.rfind("“", 0, lo - 1), text.rfind('"', 0, lo - 1))
            if q < 0 or lo - q > 16:
                break
            lo = _hard_left(text, q, _MAX_NAME[label])
    if lo >= head_start:
        return head_start
    window = text[lo:head_start]
    tokens = _quote_tokens(window) if quotes else pos(window)
    if lo > 0 and text[lo - 1] not in _BOUNDARY and len(tokens) > 1:
        tokens = tokens[1:]  # the window was cut by the length limit: its first word may be cut too
    start = head_start
    seen = False
    crossed = 0
    strong = words("strong_stops.txt")
    unknown = _unknown_word_run(tokens) if label is Label.ENTERPRISE else set()
    trades_only = True  # nothing but trade words read yet, right-to-left from the legal form
    for k in range(len(tokens) - 1, -1, -1):
        w, flag = tokens[k]
        if k in unknown:  # 恒|都|夏|南|牛: an unknown brand cut into single characters holds no stop
            start -= len(w)
            seen = True
            continue
        inner_and = label in (Label.PARK, Label.INSTITUTE) and k > 0 and seen  # not in a firm's name
        if w == "与" and inner_and and _noun_like(tokens[k - 1]) and not _organisation(tokens[k - 1][0]):
            start -= 1  # 安徽生物技术与医药产业园: 与 inside a name
            continue
        policy_verb = (  # 制定|促进产学研合作意见, 市|支持数字经济发展意见: the name opens with a verb
            label is Label.POLICY
            and w in words("policy_openers.txt")
            and k > 0
            and (tokens[k - 1][0] in _LOCAL or tokens[k - 1][0] in strong)
        )
        if label in (Label.INSTITUTE, Label.ENTERPRISE) and _ordinal(tokens, k):
            start -= len(w)
            continue
        if label is Label.ENTERPRISE and trades_only and w in words("firm_trades.txt"):
            start -= len(w)  # 高能|投资|管理|有限公司: the trades before the legal form belong to the name
            seen = True
            continue
        trades_only = False
        after_time = w == "来" and k > 0 and tokens[k - 1][1] == "t"  # 近三年|来|火炬高新区
        before = tokens[k - 1][1] if k > 0 else ""
        if (_is_stop(w, flag, label, before) or after_time) and not (policy_verb and seen):
            # a policy's own verb (人才引进计划): crossed once while nothing names the head yet
            if (
                label is Label.POLICY
                and not seen
                and not crossed
                and len(w) >= 2
                and w not in strong
                and not w.endswith(_strong_endings())
            ):
                start -= len(w)
                crossed = len(w)
                continue
            break
        start -= len(w)
        seen = True
    if crossed and not seen:  # only the verb: 组建方案 names nothing
        start += crossed
    if label in (Label.PARK, Label.INSTITUTE) and not text.startswith(("分中心", "分院", "分所"), head_start):
        inner_ends = [x.end() for x in _inner_regex().finditer(text, start, head_start)]
        # another complete name ends inside: …交易中心|市知识产权服务中心; but a place after it opens the name
        # of its branch (江苏省产业技术研究院南通研究所, 清华大学无锡应用技术研究院)
        if inner_ends and not place_prefix(text[inner_ends[-1] : head_start]):
            start = inner_ends[-1]
    while start < head_start and text[start] in "与和及、的等":
        start += 1
    if label in (Label.PARK, Label.INSTITUTE):
        start = _after_person_names(text, start, head_start)
    if label is not Label.POLICY:  # 2中国科学院…研究院: a footnote or affiliation number opens no name
        digits = _LEADING_MARK.match(text, start, head_start)
        if digits and digits.end() < head_start and is_cjk(text[digits.end()]):
            start = digits.end()
        start = _national_opening(text, start, head_start)
    return start


def _national_opening(text: str, start: int, head_start: int) -> int:
    """中国 opens a national organisation's name (中国科学院, 中国矿业大学): words before it that are not a
    place (充分利用|中国科学院, 西起|中国科学院) belong to the sentence, not to the name."""
    k = text.find("中国", start + 1, head_start)
    before = text[start:k]
    if k < 0 or place_prefix(before) == before or before in words("foreign_countries.txt"):
        return start  # 赞比亚中国经济贸易合作区: a foreign state before 中国 opens the name too
    return k


def _after_person_names(text: str, start: int, head_start: int) -> int:
    """An author line run together (王芳刘强西安光学精密机械研究所): person names before a place do not
    belong to the name of the institute the place opens."""
    tokens = pos_hmm(text[start:head_start])
    offset = 0
    for k, (w, _) in enumerate(tokens):
        # the split follows a person's name or a footnote number right before it, not one further back
        names = k > 0 and (tokens[k - 1][1].startswith("nr") or tokens[k - 1][0].isdigit())
        if names and (place_prefix(text[start + offset : head_start]) or w.startswith("中国")):
            return start + offset  # …刘强1|中国科学院…: a footnote number after the names too
        offset += len(w)
    return start


_LEADING_MARK = re.compile(r"[\d*#$^\\%<>=]+")


# Tags of words an unquoted policy name does not open with: verbs, idioms, adjectives, adverbs,
# determiners, pronouns, locatives (积极争取|国家专项产业基金, 划定|若干规划, 用于|产业引导基金).
# Adjectives (重大, 新兴) may open a name; after a dropped word they go too (划定|不同|规划).
_POLICY_OPENING_STOPS = ("v", "l", "ad", "d", "r", "f", "p", "c", "u")
_POLICY_OPENING_AFTER = ("a", "b")


def _policy_opening(text: str, start: int, head_start: int) -> int:
    """The start of an unquoted policy name after the words it may not open with are dropped; a name
    holding a determiner (现有各类扶持资金) names a category and keeps nothing (``head_start``)."""
    tokens = pos(text[start:head_start])
    k = 0
    while k < len(tokens):
        w, flag = tokens[k]
        opener = w in words("policy_openers.txt")
        after = k > 0 and flag.startswith(_POLICY_OPENING_AFTER)
        # 旅游|产业发展引导资金: a verbal noun followed by a noun may open a name (not 融资|方案)
        verbal_noun = flag == "vn" and k + 1 < len(tokens) and tokens[k + 1][1].startswith("n")
        stop = (flag.startswith(_POLICY_OPENING_STOPS) and not verbal_noun) or after
        stop = stop or w in words("policy_left_trims.txt")
        if opener or not stop:
            break
        start += len(w)
        k += 1
    if any(flag.startswith("r") for _, flag in tokens[k:]):
        return head_start
    return start


def _quote_tokens(window: str) -> tuple[tuple[str, str], ...]:
    """Segment, keeping a quoted part as one token (“3030” is name material)."""
    out: list[tuple[str, str]] = []
    for part in re.split(r"([“\"][^“”\"]{0,14}[”\"])", window):
        if not part:
            continue
        if part[0] in '“"' and len(part) >= 2 and part[-1] in '”"':
            out.append((part, "nz"))
        else:
            out.extend(pos(part))
    return tuple(out)


@cache
def _inner_stops() -> tuple[str, ...]:
    """Heads that close a name inside a window (a park's or an institute's), except a university's own
    (安徽大学|江淮学院 is one name)."""
    keep = ("大学", "学院", "科学院", "研究院")
    return tuple(h for h in all_heads() if head_label(h) in (Label.PARK, Label.INSTITUTE) and h not in keep)


@cache
def _inner_regex() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _inner_stops())))


def _organisation(word: str) -> bool:
    """A word that ends a complete organisation's name (人民政府, 管委会): 与 after it joins two actors."""
    return word.endswith(("政府", "管委会", "委员会", "集团", "公司", "大学", "学院", "医院"))


def _noun_like(tok: tuple[str, str]) -> bool:
    w, flag = tok
    if w.endswith(all_heads()):
        return False
    return flag.startswith(("n", "vn", "l")) and w not in words("left_stops.txt")


def _head_ok(text: str, end: int, label: Label | None = None) -> bool:
    if end >= len(text):
        return True
    if text[end - 1] == "城" and text[end] == "市":  # 科技创新城|市群: the word is 城市
        return False
    if text.startswith(("联盟", "联合会"), end):
        return False  # RCEP国家科技园区|联盟: an alliance of parks, not a park
    if label is Label.PARK and text.startswith("项目", end):
        return True  # 无锡高新区|项目建设: a zone's projects (工程|项目 is one word, a zone is no project)
    return text[end] not in words("head_nofollow.txt")


def _verb_use(text: str, head: str, end: int) -> bool:
    """规划/计划 used as a verb: followed by a number or another verb (规划1平方公里, 规划建设)."""
    if head not in ("规划", "计划"):
        return False
    if text[end - len(head) - 1 : end - len(head)] == "地":
        return True  # 高起点地规划: an adverb before it
    after = pos(text[end : end + 4])
    if head == "计划" and after and after[0][1].startswith(("v", "p", "d")):
        return True  # 宝钢计划投资…, 公司计划于年内…: 计划 is "plans to"
    nxt = text[end : end + 2]
    return bool(nxt) and (nxt[0].isdigit() or nxt in ("建设", "布局", "用地", "到", "在", "总投"))


def _counted_list(text: str, end: int) -> bool:
    """A name in a list that is counted as a category (…、农业科技园、安全产业园等园区5家)."""
    return bool(re.match(r"(?:、[^,。;、]{1,12})*等[^,。;]{0,4}?\d+[家个所]", text[end : end + 60]))


def _definite(text: str, start: int, end: int) -> bool:
    """A bare zone type standing alone at a list or sentence start, not in a counted or 等 list: it refers
    to the speaker's own zone (经开区、化工园区 in a city's address list)."""
    if text[start:end].endswith(tuple(words("zone_heads.txt"))) is False and not text.endswith(
        ("新城", "新区"), 0, end
    ):
        return False
    i = start
    while i > 0 and text[i - 1] == "、":  # walk back to the list's first item
        i = _hard_left(text, i - 1, 10)
    first = text[i : text.find("、", i) if i < start else end]
    if first.removeprefix("国家") not in words("zone_heads.txt"):
        return False  # 省级以上高新区、开发区: the list is of ranks or kinds, not of the speaker's zones
    before = text[i - 1] if i > 0 else "\n"
    if before not in ",;。:\n\t":
        return False
    stop = re.search(r"[,。;]", text[end:])
    tail = text[end : end + (stop.start() if stop else 40)]
    return "等" not in tail


# ---------------------------------------------------------------- candidate generators


def place_prefix(part: str) -> str:
    """The longest known place (a non-weak gazetteer division) that ``part`` starts with, or ''."""
    from ingest.gazetteer import get_gazetteer

    gz = get_gazetteer()
    for n in range(min(len(part), 9), 1, -1):
        cands = gz.lookup(part[:n])
        if any(c.entry.label is Label.CITY and not c.weak for c in cands):
            # 西安交大产业园, 南大环境研究院: the place opens a university's short name, not a location
            if part[n:].startswith(("大", "交大", "工大", "师大", "理工", "科大", "医大")):
                return ""
            return part[:n]
    return ""


def _bare(part: str, head: str, label: Label) -> bool:
    """A name part that names nothing: generic words or a local 市/省 + generic words; for parks also a
    rank (省级…示范基地) or a place + generic words on a non-zone head (江苏省特色小镇 is a category,
    洛阳国家高新区 a name)."""
    if is_generic(part):
        return True
    if part[:1] in _LOCAL and len(part) > 1 and is_generic(part[1:]):
        return True
    if label is Label.PARK:
        if part.startswith(("省级", "国家级", "市级", "世界级", "区级")):
            return True
        if head not in words("zone_heads.txt"):
            place = place_prefix(part)
            rest = part[len(place) :]
            if place and rest and is_generic(rest) and not rest.startswith(("国家", "省级")):
                return True
            toponym = any(
                w[-1] in _TOPONYM and (len(w) == 1 or not in_dictionary(w) or f.startswith("ns"))
                for w, f in pos(part)
            )
            if head in words("weak_heads.txt") and not place and not toponym:
                return all(in_dictionary(w) and not f.startswith(_PROPER_FLAGS) for w, f in pos(part))
    return False


# A firm's registered name may hold its seat in brackets before its legal form: 蔚来汽车科技(安徽)有限公司.
_SEAT_NOTE = re.compile(r"\(([\u4e00-\u9fff]{2,8})\)$")


def _before_seat_note(text: str, head_start: int, label: Label) -> int:
    """Where the name before a firm's, park's or institute's head ends, skipping a bracketed seat note
    that stands just before the head (the name then runs on to the left of it: 中国医疗器械(三水)产业基地);
    ``head_start`` otherwise."""
    if label not in (Label.ENTERPRISE, Label.PARK, Label.INSTITUTE):
        return head_start
    note = _SEAT_NOTE.search(text, max(0, head_start - 10), head_start)
    if note is None or not _seat_note(note.group(1)):
        return head_start
    return note.start()


def _seat_note(name: str) -> bool:
    """What a firm's name may hold in brackets before its legal form: a division with or without its
    省/市/区/县 ending, the country (阿里巴巴(中国)有限公司) or 集团 (舜宇光学科技(集团)有限公司)."""
    if name in ("中国", "集团"):
        return True
    place = place_prefix(name)
    return bool(place) and name[len(place) :] in ("", "省", "市", "区", "县")


_FIRM_INSIDE = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|集团)(.*)$")


def _inner_firm(part: str) -> bool:
    """A complete firm's name inside the part before a firm head, followed by generic words only
    (…科技股份有限公司|全资子|公司): the firm is the inner one."""
    inner = _FIRM_INSIDE.search(part)
    return inner is not None and bool(inner.group(1)) and is_generic(inner.group(1))


def _topic_policy(text: str, start: int, head_start: int, head: str) -> bool:
    """人才集聚政策, 住房优惠政策: an unquoted 政策 named by its topic is a kind of policy; a national
    one (国家X政策) or a quoted one (“X”政策) is an instrument."""
    if head != "政策":
        return False
    part = text[start:head_start]
    return not part.startswith("国家") and not any(q in text[max(start - 1, 0) : head_start] for q in _QUOTES)


def _public_works(part: str, head: str) -> bool:
    """城际铁路工程, 改扩建工程: 工程 after a word of public works is a construction, not a programme."""
    return head == "工程" and any(w in part for w in words("works_words.txt"))


_NATIONAL_SEAT = re.compile(r"中国[(（][\u4e00-\u9fff]{2,6}[)）]$")


def _zone_firm_start(text: str, start: int, head_start: int) -> int:
    """江苏太湖柬埔寨国际经济合作区|投资有限公司: a firm named after the zone it develops opens with the
    zone's whole name, where the left scan stopped inside the zone's head."""
    for m in _head_regex().finditer(text, max(0, start - 8), head_start):
        if m.start() < start < m.end() and head_label(m.group()) is Label.PARK:
            return name_start(text, m.start(), Label.PARK)
    return start


def _after_a_count(text: str, start: int) -> bool:
    """40|条意见, 前9|月全国…工程: the name would open with the classifier of a number, cut out of it."""
    return 0 < start < len(text) and text[start - 1].isdigit() and text[start] in "条月日号项个"


def head_candidates(text: str) -> Iterator[Mention]:
    """Names ending with a head of heads.tsv; the name's start found by :func:`name_start`."""
    for m in _head_regex().finditer(text):
        head, head_start, end = m.group(), m.start(), m.end()
        for p in range(head_start + 1, end):  # 补偿资金|池 → 资金池: a longer head overlapping this one
            over = _head_regex().match(text, p)
            if over and over.end() > end:
                head, end = text[head_start : over.end()], over.end()
                break
        label = head_label(m.group())
        if not _head_ok(text, end, label) or _verb_use(text, m.group(), end):
            continue
        quotes = m.group() in _QUOTED_HEADS
        note = _before_seat_note(text, head_start, label)
        start = name_start(text, note, label, quotes=quotes)
        if start >= note:  # nothing names the firm before its bracketed seat: (江苏)有限公司 is no name
            start = name_start(text, head_start, label, quotes=quotes)
        if label is Label.POLICY and not any(q in text[start:head_start] for q in _QUOTES):
            start = _policy_opening(text, start, head_start)
        if label is Label.ENTERPRISE:
            start = _zone_firm_start(text, start, head_start)
        if (national := _NATIONAL_SEAT.search(text, max(0, start - 12), start)) is not None:
            start = national.start()  # 中国(南京)|城市发展战略研究院: the national brand and its seat open it
        part = text[start:head_start]
        if "+" in part or _after_a_count(text, start):
            continue
        if m.group() in ("政策", "规划") and len(part) < 4:
            continue  # 统筹政策, 明确规划: a short part before these heads is a verb phrase, not a name
        if _topic_policy(text, start, head_start, m.group()) or _public_works(part, m.group()):
            continue
        if label is Label.ENTERPRISE and (_inner_firm(part) or not any(is_cjk(c) for c in part)):
            continue  # X有限公司全资子公司, 51%控股: the firm is the one named inside, or none
        if label is Label.POLICY and re.search(r"一系列|一批|若干|多项|各项|有所", part):
            continue  # 做出一系列规划, 有所行动: a quantity or a verb phrase, no named policy
        if m.group() == "意见" and part.endswith(tuple(words("opinion_words.txt"))):
            continue
        if head == "服务中心" and not any(w in part for w in words("service_topics.txt")):
            continue  # 招商服务中心, 人才服务中心: a government office, not a knowledge organisation
        surface = text[start:end]
        counted = _counted_list(text, end) and not any(f.startswith(_PROPER_FLAGS) for _, f in pos(part))
        bare = _bare(part, head, label) or counted
        yield Mention(
            label,
            start,
            end,
            surface,
            surface,
            "head",
            0.7,
            head=head,
            bare=bare,
            definite=_definite(text, start, end),
        )


_TITLE = re.compile(r"《([^《》\n;。]{2,80})》")
_DOCNO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[][12]\d{3}[〕\]]\s?\d{1,4}\s?号")
_GUANYU = re.compile(
    r"关于[^。;,!?:《》\n\t“”\"]{4,60}?(?:工作意见|实施意见|若干意见|意见|通知|办法|方案|规定|决定|措施|若干政策|实施细则)"
)
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{1,24})[”\"]")
_TIAO = re.compile(r"[\d一二三四五六七八九十百]+条$")
_QUOTED_HEADS = (
    *("行动计划", "计划", "建设工程", "工程", "培养项目", "行动"),
    *("资助资金", "专项资金", "基金", "专项", "政策"),
)
_INSTRUMENT_TAILS = ("贷", "卡", "券", "通", "规划")


_QUOTED_RUN = re.compile(r"(?:[“\"][^“”\"\n]{1,24}[”\"]、?)+")


def _quoted_mates(text: str, pos: int, head: str) -> Iterator[Mention]:
    """The quoted names right before ``pos`` that share its head, joined by 、 or nothing:
    “一村一品”、“一镇一业”工程, “三请三回”“三企入赣”行动."""
    while pos > 2:
        glue = 1 if text[pos - 1] == "、" else 0
        q = _QUOTED.search(text, max(0, pos - glue - 26), pos - glue)
        while q and q.end() != pos - glue:
            q = _QUOTED.search(text, q.end(), pos - glue)
        if q is None:
            return
        name = q.group() + head
        yield Mention(Label.POLICY, q.start(), q.end(), q.group(), name, "shared", 0.7, head=head)
        pos = q.start()


def policy_candidates(text: str) -> Iterator[Mention]:
    """Titles in 《》, document numbers, 关于…意见 titles, quoted programme names and N条 packages."""
    for m in _TITLE.finditer(text):
        inner = m.group(1).strip()
        if ":" in inner or "：" in inner or inner.endswith(tuple(words("publication_tails.txt"))):
            continue  # 《常州:四大清单促…》 is an article, 《科技日报》 a newspaper, 《…蓝皮书》 a book
        if re.sub(r"[(（][^()（）]*[)）]$", "", inner).endswith(tuple(words("form_tails.txt"))):
            continue  # 《…申请表(表一)》, 《…委托书》: a form
        yield Mention(Label.POLICY, m.start(1), m.end(1), inner, inner, "title", 0.9)
    for m in _DOCNO.finditer(text):
        yield Mention(Label.POLICY, m.start(), m.end(), m.group(), m.group(), "docno", 0.9)
    for m in _GUANYU.finditer(text):
        if m.group().startswith("关于印发") and len(m.group()) >= 10:
            # 关于印发X的通知 issues the policy X: X is the name, the notice an alias (as with 《X》)
            end = m.end() - 3 if m.group().endswith("的通知") else m.end()
            inner = text[m.start() + 4 : end]
            yield Mention(Label.POLICY, m.start() + 4, end, inner, inner, "title", 0.8, aliases=(m.group(),))
        else:
            yield Mention(Label.POLICY, m.start(), m.end(), m.group(), m.group(), "title", 0.8)
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if "+" in inner or (inner.isdigit() and len(inner) < 3):
            continue
        after = text[m.end() : m.end() + 4]
        head = next((h for h in _QUOTED_HEADS if after.startswith(h)), "")
        if head and re.fullmatch(r"[一二三四五六七八九十两]+[大个项]?", inner):
            continue  # “五大”行动: a count, not a name
        if head:
            start = name_start(text, m.start(), Label.POLICY, quotes=True)
            if _QUOTED_RUN.fullmatch(text, start, m.start()):
                start = m.start()  # “三请三回”“三企入赣”行动: the quotes before are names of their own
            end = m.end() + len(head)
            yield Mention(
                Label.POLICY, start, end, text[start:end], text[start:end], "quoted", 0.8, head=head
            )
            yield from _quoted_mates(text, m.start(), head)
        elif re.fullmatch(r"[\d一二三四五六七八九十百]+条", inner):  # 科创“30条”: named by what precedes
            start = name_start(text, m.start(), Label.POLICY, quotes=True)
            if start < m.start():
                s = text[start : m.end()]
                yield Mention(Label.POLICY, start, m.end(), s, s, "quoted", 0.8)
        elif (
            _TIAO.search(inner) or inner.endswith(_QUOTED_HEADS) or inner.endswith(_INSTRUMENT_TAILS)
        ) and len(inner) >= 3:
            yield Mention(Label.POLICY, m.start(1), m.end(1), inner, inner, "quoted", 0.8)
    for m in re.finditer(r"(?<![“\"\d])[\d一二三四五六七八九十]{1,3}条(?![\u4e00-\u9fff”\"])", text):
        start = name_start(text, m.start(), Label.POLICY)
        part = text[start : m.start()]
        packaged = part.endswith(tuple(words("package_words.txt")))
        if start < m.start() - 1 and not is_generic(part) and packaged:
            s = text[start : m.end()]
            yield Mention(Label.POLICY, start, m.end(), s, s, "tiao", 0.6)


def _list_items(text: str, end: int, label: Label, max_items: int = 12) -> list[tuple[int, int]]:
    """Items of a 、-separated list that ends at ``end`` (A、B、C等 → spans of A, B, C)."""
    items: list[tuple[int, int]] = []
    pos_ = end
    for _ in range(max_items):
        start = _hard_left(text, pos_, 12)
        if start >= pos_:
            break
        items.append((start, pos_))
        if start > 0 and text[start - 1] == "、":
            pos_ = start - 1
            continue
        break
    items.reverse()
    if items:  # the first item may carry the words that introduce the list (都已入驻…和华为)
        s, e = items[0]
        items[0] = (name_start(text, e, label, quotes=False) if e - s > 1 else s, e)
    return [(s, e) for s, e in items if e > s]


_LIST_MODIFIERS = (
    r"(?:一批|\d+多?家|国内外|国内|国际|世界级|世界|行业|知名|龙头|领军|骨干|明星|重点|优秀|著名|大型|领先|本土|"
    r"创新型|高新技术|科技型|头部|互联网|软件|合成生物|生物医药)*"
)


@cache
def _list_regex() -> re.Pattern[str]:
    cats = "|".join(sorted(map(re.escape, _categories()), key=len, reverse=True))
    # after the modifiers, a short free description is allowed before 企业 only (等新能源汽车企业)
    free = r"(?:(?<=[等的])[\u4e00-\u9fff]{0,6}?(?=企业|巨头|公司|厂商|药企))?"
    # …等一批科技型企业家: entrepreneurs are people, not firms (企业 followed by 家)
    return re.compile(rf"(?:等|为代表的){_LIST_MODIFIERS}{free}({cats})(?!家)")


def list_candidates(text: str) -> Iterator[Mention]:
    """Items of "A、B、C等国内龙头企业" lists: the category noun after 等 gives their label."""
    for m in _list_regex().finditer(text):
        label = _categories()[m.group(1)]
        items = _list_items(text, m.start(), label)
        if len(items) < 2 and label is not Label.ENTERPRISE:
            continue
        for s, e in items:
            surface = text[s:e].strip()
            if (
                2 <= len(surface) <= 8
                and not is_generic(surface)
                and not surface.endswith(all_heads())
                and not (label is Label.ENTERPRISE and _common_phrase(surface))
            ):
                yield Mention(label, s, e, surface, surface, "list", 0.6)


# 重点专利权人包括辉瑞、默沙东、赛诺菲: firms listed after the category noun that introduces them.
_FIRMS_INTRODUCED = re.compile(
    r"(?:企业|公司|药企|厂商|巨头|专利权人|跨国公司)(?:主要)?(?:包括|有|如|例如|涵盖)[:：]?"
)
_ITEM_GLUE = re.compile(r"、|和|及|以及")


def introduced_firm_candidates(text: str) -> Iterator[Mention]:
    """Items of "重点企业包括A、B和C" lists: the category noun before 包括 makes them firms."""
    for m in _FIRMS_INTRODUCED.finditer(text):
        stop = min(clause_end(text, m.end()), m.end() + 120)
        pos_ = m.end()
        while pos_ < stop:
            glue = _ITEM_GLUE.search(text, pos_, stop)
            end = glue.start() if glue else stop
            surface = text[pos_:end]
            listed = surface.split("等")[0] if "等" in surface else surface
            if (
                2 <= len(listed) <= 8
                and all(is_cjk(c) or c.isalnum() for c in listed)
                and not is_generic(listed)
                and not listed.endswith(all_heads())
                and not _common_phrase(listed)
            ):
                yield Mention(Label.ENTERPRISE, pos_, pos_ + len(listed), listed, listed, "list", 0.6)
            if glue is None or "等" in surface:
                break
            pos_ = glue.end()


_SUB_PARK_HEADS = ("园区", "分园", "园")


@cache
def _sub_park_regex() -> re.Pattern[str]:
    zones = "|".join(sorted(map(re.escape, words("zone_heads.txt")), key=len, reverse=True))
    return re.compile(rf"(?:{zones})([\u4e00-\u9fff]{{2,4}}?(?:{'|'.join(_SUB_PARK_HEADS)}))")


def sub_park_name(name: str) -> bool:
    """七里河园区, 江宁分园: a place's name and 园区/分园/园, the shape of a zone's sub-park."""
    stem = name.removesuffix("园区").removesuffix("分园").removesuffix("园")
    return bool(stem) and stem != name and place_prefix(stem) == stem


def sub_park_candidates(text: str) -> Iterator[Mention]:
    """兰州高新区|七里河园区, X高新区|Y园: a place's name and 园区/分园/园 right after a zone
    name a sub-park of that zone."""
    for m in _sub_park_regex().finditer(text):
        name = m.group(1)
        if sub_park_name(name):
            yield Mention(Label.PARK, m.start(1), m.end(1), name, name, "sub-park", 0.7)


_PROJECT_LIST = re.compile(r"(?:推进|支持|实施)([^。;:,]{4,120}?)等[^。;,]{0,16}?项目")
_SUPPORT_FIRM = re.compile(r"支持([\u4e00-\u9fff]{2,6}?)(?=实施|开展|“)")


def brand(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The brand that opens a product phrase (晶科太阳能电池 → 晶科, 江淮控股新能源汽车 → 江淮控股)."""
    suffixes = words("firm_suffixes.txt")
    for cut in range(
        start + 2, min(start + 5, end)
    ):  # brand|product word: the dictionary may not know the brand
        word = next((w for w in (*suffixes, *words("product_words.txt")) if text.startswith(w, cut)), None)
        if word and not in_dictionary(text[start:cut]):
            return start, cut + (len(word) if word in suffixes else 0)
    tokens = pos_hmm(text[start:end])
    name_end = start
    k = 0
    while k < len(tokens) and name_end - start < 4:
        w, flag = tokens[k]
        if w in suffixes and name_end > start:
            break
        proper = flag.startswith(_PROPER_FLAGS) or not in_dictionary(w) or len(w) == 1
        if not proper or flag in ("x", "m", "w") or not is_cjk(w[0]):
            break
        name_end += len(w)
        k += 1
    if name_end - start < 2:
        return None
    if k < len(tokens) and tokens[k][0] in suffixes:
        name_end += len(tokens[k][0])
    return start, name_end


def firm_candidates(text: str) -> Iterator[Mention]:
    """Firms named by what they make: project lists (晶科太阳能电池、…等项目) and 支持X实施."""
    for m in _PROJECT_LIST.finditer(text):
        pos_ = m.start(1)
        for i in range(m.start(1), m.end(1) + 1):
            if i == m.end(1) or text[i] == "、":
                if i - pos_ >= 3:
                    b = brand(text, pos_, i)
                    if b:
                        s = text[b[0] : b[1]]
                        yield Mention(Label.ENTERPRISE, b[0], b[1], s, s, "project", 0.5)
                pos_ = i + 1
    for m in _SUPPORT_FIRM.finditer(text):
        b = brand(text, m.start(1), m.end(1))
        if b and text[b[0] : b[1]].endswith(tuple(words("firm_suffixes.txt"))):
            s = text[b[0] : b[1]]
            yield Mention(Label.ENTERPRISE, b[0], b[1], s, s, "support", 0.5)


# A short name standing where only an organisation can (the subject of 落户/入驻, a party to 与…签署):
# a firm that no list holds and no head marks (华为落户…, 腾讯与…签署).
_SETTLES = r"(?:正式|已|将|先后|宣布|成功|率先)?(?:落户|入驻|进驻|签约落户|落地)"
_PARTY = r"(?:与|和)[^,。;]{2,30}?(?:签署|签订|签约|达成|共建|战略合作|结盟|合资)"
_CONTEXT_FIRM = re.compile(
    rf"(?:^|(?<=[,。;:、\n\t“]))([\u4e00-\u9fff]{{2,5}}|[A-Za-z][A-Za-z0-9]{{1,15}})(?={_SETTLES}|{_PARTY})"
)


def context_firm_candidates(text: str) -> Iterator[Mention]:
    """Firms named only by the role a clause gives them: a proper word (a name-tagged dictionary word,
    or a Latin name) opening a clause whose verb is settling or signing."""
    for m in _CONTEXT_FIRM.finditer(text):
        word = m.group(1)
        if word.endswith(all_heads()) or is_generic(word) or _placeish(word):
            continue
        tokens = pos(word)
        proper = word.isascii() or (len(tokens) == 1 and tokens[0][1].startswith(_PROPER_FLAGS))
        if proper and word not in words("left_stops.txt"):
            yield Mention(Label.ENTERPRISE, m.start(1), m.end(1), word, word, "context-firm", 0.5)


# ---------------------------------------------------------------- shared endings


def _shared_ending(m: Mention) -> str:
    """The ending several names share: the head plus the generic words just before it (产业实施方案)."""
    ending = m.head
    part = m.surface[: len(m.surface) - len(m.head)]
    for w, _ in reversed(pos(part) if part else ()):
        if w in words("generic.txt") and w not in _LEVEL_WORDS:
            ending = w + ending
            continue
        break
    return ending


def _bare_ending(surface: str) -> str:
    """A bare mention's surface without the rank before it: 省级高新区 → 高新区, 医药园区 stays."""
    for level in _LEVEL_WORDS:
        if surface.startswith(level) and len(surface) > len(level) + 1:
            return surface[len(level) :]
    return surface


_COUNTED = re.compile(r"(?:[一二三四五六七八九十两\d]+[家个所])?(?:国家级|省级|市级)?$")


def _parallel(a: str, b: str) -> bool:
    """Two coordinated items that start alike (国家…和省…, 国家…和国家…)."""
    return bool(a) and bool(b) and (a[:1] in "国省市" and b[:1] in "国省市")


def expand_shared(text: str, mentions: list[Mention]) -> list[Mention]:
    """Shared endings: "巩义、偃师、新安三家省级高新区" → 巩义高新区, 偃师高新区, 新安高新区."""
    out: list[Mention] = []
    for m in mentions:
        if m.label not in (Label.PARK, Label.INSTITUTE, Label.POLICY) or not m.head or m.extractor != "head":
            out.append(m)
            continue
        # a bare counted mention is the ending whole: 长春、通化和白山3个|医药园区 (医药 is no generic word)
        ending = _bare_ending(m.surface) if m.bare else _shared_ending(m)
        if not m.bare:
            split = _split_coordinated(text, m, ending)
            if len(split) > 1:
                out.extend(split)
                continue
        items = _shared_items(text, m, ending)
        if not m.bare or not items:
            out.append(m)
        for s, e in items:
            item = text[s:e]
            out.append(
                replace(
                    m,
                    start=s,
                    end=e,
                    surface=item,
                    name=item + ending,
                    extractor="shared",
                    bare=False,
                    aliases=(item,),
                )
            )
    return out


def _shared_items(text: str, m: Mention, ending: str) -> list[tuple[int, int]]:
    """The items before ``m`` that share its ending, as spans; [] when there is no such list."""
    core = m.surface[: len(m.surface) - len(ending)]
    if m.bare:  # 鼓楼三家省级高新区: the name was cut at the classifier; the last item precedes it
        counted = re.search(
            r"(?:[一二三四五六七八九十两\d]+[家个所])?(?:国家级|省级|市级)?$",
            text[max(0, m.start - 8) : m.start],
        )
        if not counted or not counted.group():
            return []
        end = m.start - len(counted.group())
        items = [(_hard_left(text, end, 6), end)]
    elif (
        len(core) > 6
        or core.endswith(("区", "县", "市", "省"))
        or (m.label is Label.POLICY and ending == m.head)
    ):
        return []
    else:
        items = [(m.start, m.start + len(core))]
    while items[-1][0] > 1 and text[items[-1][0] - 1] == "、":
        left = items[-1][0] - 1
        s = _hard_left(text, left, 8)
        seg = text[s:left]
        if seg.endswith(all_heads()):
            return []  # 扬子津科教园、智谷、七里河公园、广陵新城: a list of whole names shares no ending
        if not seg or seg.endswith(tuple(words("stem_stops.txt"))) or len(seg) > 8:
            break
        items.append((s, left))
    if len(items) < 2:
        return []
    first_e = items[-1][1]
    items[-1] = (name_start(text, first_e, Label.PARK), first_e)
    items = [part for s, e in items for part in _split_and(text, s, e)]
    kept = [(s, e) for s, e in items if e - s >= 2 and not is_generic(text[s:e])]
    others = kept if m.bare else kept[1:]
    if (
        m.label is not Label.POLICY
        and not (m.bare and any(_placeish(text[s:e]) for s, e in others))
        and not all(_placeish(text[s:e]) for s, e in others)
    ):
        return []  # 华为、腾讯产业园: a list of names, not stems sharing 产业园
    return others


def _split_and(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """新沂和睢宁 → 新沂, 睢宁: the last two items of a list joined by 和/及, when both are places."""
    for k in range(start + 2, end - 1):
        if text[k] in "和及" and _placeish(text[start:k]) and _placeish(text[k + 1 : end]):
            return [(k + 1, end), (start, k)]
    return [(start, end)]


def _placeish(item: str) -> bool:
    from ingest.gazetteer import get_gazetteer

    gz = get_gazetteer()
    return any(
        c.entry.label is Label.CITY for n in range(2, min(len(item), 5) + 1) for c in gz.lookup(item[:n])
    )


def _split_coordinated(text: str, m: Mention, ending: str) -> list[Mention]:
    """国家新能源汽车和省智能装备质检中心 → 国家新能源汽车质检中心 + 省智能装备质检中心."""
    core = m.surface[: len(m.surface) - len(ending)]
    for sep in "和及":
        if sep in core:
            a, b = core.split(sep, 1)
            if _parallel(a, b) and len(a) >= 3:
                bs = m.start + len(a) + 1
                first = replace(
                    m, end=m.start + len(a), surface=a, name=a + ending, extractor="shared", aliases=(a,)
                )
                second = replace(m, start=bs, surface=text[bs : m.end], name=text[bs : m.end])
                return [first, second]
    # the mention may have started after 和: look at what precedes it
    if m.start > 4 and text[m.start - 1] in "和及":
        s = name_start(text, m.start - 1, m.label)
        a = text[s : m.start - 1]
        if _parallel(a, core) and len(a) >= 3:
            return [
                m,
                replace(
                    m, start=s, end=m.start - 1, surface=a, name=a + ending, extractor="shared", aliases=(a,)
                ),
            ]
    return [m]


# ---------------------------------------------------------------- selection


def _priority(m: Mention) -> tuple[int, int, float]:
    rank = {"title": 5, "docno": 5, "quoted": 4, "shared": 4, "gazetteer": 3, "head": 2, "tiao": 2}
    return (m.length, rank.get(m.extractor, 1), m.confidence)


def select(mentions: Iterable[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest (then most trusted) first."""
    chosen: list[Mention] = []
    taken = bytearray()
    for m in sorted(mentions, key=_priority, reverse=True):
        if len(taken) < m.end:
            taken.extend(b"\0" * (m.end - len(taken)))
        if any(taken[m.start : m.end]):
            continue
        chosen.append(m)
        taken[m.start : m.end] = b"\1" * (m.end - m.start)
    return sorted(chosen, key=lambda m: m.start)


@dataclass(frozen=True)
class Recognised:
    """Selected mentions, plus the gazetteer places that open a selected name (洛阳 in 洛阳高新区)."""

    mentions: tuple[Mention, ...]
    places: tuple[Mention, ...]


def _common_phrase(text: str) -> bool:
    """Ordinary words only, none of them a name (线上线下); brands are unknown or tagged as names."""
    suffixes = words("firm_suffixes.txt")
    rest = [(w, f) for w, f in pos(text) if w not in suffixes]
    size = sum(len(w) for w, _ in rest)
    common = sum(
        len(w) for w, f in rest if len(w) > 1 and in_dictionary(w) and not f.startswith(_PROPER_FLAGS)
    )
    return size == 0 or common * 2 >= size


def _wordlike(m: Mention) -> bool:
    """A short listed firm name that is also ordinary language (新产业, 新城市)."""
    if m.label is not Label.ENTERPRISE or len(m.surface) > 3:
        return False
    return all(in_dictionary(w) and not f.startswith(("nr", "nz", "nt", "j")) for w, f in pos(m.surface))


def _honorific(text: str, m: Mention) -> bool:
    """中国科学院院士, 中国工程院院士: an academy named in a member's title is not a mention."""
    return m.label is not Label.CITY and text[m.end : m.end + 3].startswith(("院士", "院院士"))


_LIST_GAP = re.compile(r"[、和及与]|[\u4e00-\u9fffA-Za-z]{1,8}[、和及与]")


def _listed_with_firm(text: str, g: Mention, firms: Sequence[Mention]) -> bool:
    """五粮液、泸州老窖、水井坊: a word-like listed firm name in one enumeration with a listed firm."""
    for f in firms:
        if f is g:
            continue
        lo, hi = (f.end, g.start) if f.end <= g.start else (g.end, f.start)
        gap = text[lo:hi]
        items = gap.split("、")[1:-1]
        marks = ("、", "和", "及")
        listed = all(_LIST_GAP.fullmatch(p + "、") for p in items)
        if 0 < len(gap) <= 30 and gap.startswith(marks) and gap.endswith(marks) and listed:
            return True
    return False


def _in_phrase(text: str, g: Mention) -> bool:
    """大庆之年: a place name followed by a word of data/rules/phrase_tails.txt is part of a phrase."""
    return g.label is Label.CITY and text.startswith(tuple(words("phrase_tails.txt")), g.end)


def usable_gazetteer_candidates(text: str) -> Iterator[Mention]:
    """Reference-list names, less the weak and word-like ones that are not places (新产业, 新城市),
    unless they stand in a list with a firm that is no word (五粮液、泸州老窖)."""
    found = [g for g in gazetteer_candidates(text) if not _in_phrase(text, g)]
    firms = [g for g in found if g.label is Label.ENTERPRISE and not (g.weak or _wordlike(g))]
    for g in found:
        if g.label is Label.CITY or not (g.weak or _wordlike(g)) or _listed_with_firm(text, g, firms):
            yield g


@dataclass(frozen=True)
class Recogniser:
    """One mention rule: the extractor tags its mentions may carry, and the function that finds them."""

    tags: tuple[str, ...]
    find: Callable[[str], Iterable[Mention]]


# The mention rules, in order. Their candidates compete in :func:`select` (longest, then most trusted).
RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser(("gazetteer",), usable_gazetteer_candidates),
    Recogniser(("head",), head_candidates),
    Recogniser(("title", "docno", "quoted", "tiao"), policy_candidates),
    Recogniser(("abbreviation",), abbreviation_candidates),
    Recogniser(("list",), list_candidates),
    Recogniser(("list",), introduced_firm_candidates),
    Recogniser(("project", "support"), firm_candidates),
    Recogniser(("context-firm",), context_firm_candidates),
    Recogniser(("sub-park",), sub_park_candidates),
)


# Names that only their context marks as names (a firm opening a clause of settling or signing, a brand in
# a project list): once marked, the same name elsewhere in the document is a mention too.
_CONTEXT_TAGS = frozenset({"context-firm", "project", "support"})


def _repeats(text: str, chosen: list[Mention]) -> list[Mention]:
    """``chosen`` with every other occurrence of a context-marked name that no chosen mention covers."""
    marked = {m.surface: m for m in chosen if m.extractor in _CONTEXT_TAGS and len(m.surface) >= 2}
    if not marked:
        return chosen
    covered = bytearray(len(text))
    for m in chosen:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    out = list(chosen)
    for surface, m in marked.items():
        for hit in re.finditer(re.escape(surface), text):
            lo, hi = hit.start(), hit.end()
            if not any(covered[lo:hi]):
                out.append(replace(m, start=lo, end=hi))
    return sorted(out, key=lambda x: (x.start, -x.end))


def recognise(text: str) -> Recognised:
    """Mentions of the five labels in cleaned ``text``: every rule of RECOGNISERS, then selection and
    the split of names that share an ending (shared)."""
    cands: list[Mention] = [m for rule in RECOGNISERS for m in rule.find(text)]
    cands = [c for c in cands if c.end > c.start and c.surface.strip() and not _honorific(text, c)]
    gaz = [c for c in cands if c.extractor == "gazetteer"]
    # a known name ends where a pattern name ends: the gazetteer knows its start (做强|合肥经济技术开发区)
    known_ends = {(g.end, g.label) for g in gaz if g.label is not Label.CITY}
    cands = [c for c in cands if c.extractor == "gazetteer" or (c.end, c.label) not in known_ends]
    chosen = _repeats(text, expand_shared(text, select(cands)))
    name_ends: dict[int, int] = {}
    for c in chosen:
        if c.label is not Label.CITY:
            name_ends[c.start] = max(name_ends.get(c.start, 0), c.end)
    places = tuple(g for g in gaz if g.label is Label.CITY and g.end < name_ends.get(g.start, 0))
    return Recognised(mentions=tuple(chosen), places=places)

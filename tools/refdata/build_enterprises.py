"""Build data/reference/enterprises.tsv: short names of companies listed in mainland China.

Source: PyPI package adata==2.9.5 (Apache-2.0), file adata/stock/cache/code.csv (stock_code,
short_name, list_date2; snapshot of 2023-10-18): A shares of Shanghai, Shenzhen and Beijing.

Cleaning: NFKC and no inner spaces (万  科Ａ -> 万科A); risk-warning prefixes (ST, *ST, PT, S) and
the class suffix A are dropped from the canonical name but kept as aliases; B shares (200xxx,
900xxx) and delisted names (…退) are skipped. No full legal names are in the source.
A short name that is also a word of jieba's dictionary (other than an organisation name, tag nt),
a place name, or a two-character remainder of an ST name is marked weak.

Run: .venv/bin/python -m tools.refdata.build_enterprises
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata

from tools.refdata.common import OUT_DIR, jieba_words, join, wheel, write_tsv

logger = logging.getLogger(__name__)

PACKAGE = ("adata", "2.9.5")
SOURCE = "adata-2.9.5"
PREFIX = re.compile(r"^(S\*ST|\*ST|SST|ST|PT|S(?=[\u4e00-\u9fff]))")
EXCHANGE = {"0": "深交所", "3": "深交所", "6": "上交所", "4": "北交所", "8": "北交所"}


def place_forms() -> set[str]:
    """Every surface form of divisions.tsv (a stock name equal to a place is weak)."""
    path = OUT_DIR / "divisions.tsv"
    if not path.exists():
        raise SystemExit("build divisions.tsv first: python -m tools.refdata.build_divisions")
    forms: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t"):
            forms.update({r["canonical"], r["name"], *filter(None, r["aliases"].split("|"))})
    return forms


def clean(short: str) -> tuple[str, list[str], bool]:
    """(canonical, aliases, prefix_stripped) of a listed short name."""
    raw = re.sub(r"\s+", "", unicodedata.normalize("NFKC", short))
    name = PREFIX.sub("", raw)
    stripped = name != raw
    if re.search(r"[\u4e00-\u9fff]A$", name):
        name = name[:-1]
    aliases = [raw, name + "A"] if raw.endswith("A") else [raw]
    return name, [a for a in dict.fromkeys(aliases) if a != name], stripped


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    z = wheel(*PACKAGE)
    text = z.read("adata/stock/cache/code.csv").decode("utf-8")
    words = jieba_words()
    places = place_forms()
    rows = []
    seen: set[str] = set()
    skipped = 0
    for r in csv.DictReader(io.StringIO(text)):
        code, short = r["stock_code"].strip(), r["short_name"].strip()
        if code.startswith(("200", "201", "900")) or short.endswith("退") or not short:
            skipped += 1
            continue
        name, aliases, stripped = clean(short)
        if len(name) < 2 or name in seen:
            skipped += 1
            continue
        seen.add(name)
        freq, tag = words.get(name, (0, ""))
        # ST-stripped two-character remainders (全新, 中天) are too generic to trust alone
        # a four-character brand the dictionary tags as a proper noun or abbreviation (中联重科 j) is a name
        brand = len(name) >= 4 and tag in ("nz", "j")
        weak = name in places or (freq >= 20 and tag != "nt" and not brand) or (stripped and len(name) <= 2)
        rows.append(
            {
                "id": f"ent:{code}",
                "canonical": name,
                "name": name,
                "label": "Enterprise",
                "level": "",
                "kind": f"A股-{EXCHANGE.get(code[0], '')}" + ("" if r["list_date2"] else "-未上市或已退市"),
                "aliases": join(aliases),
                "weak": name if weak else "",
                "parent_id": "",
                "province": "",
                "source": SOURCE,
            }
        )
    n = write_tsv(
        "enterprises.tsv",
        rows,
        [
            "Short names of companies listed on the Shanghai, Shenzhen and Beijing exchanges (A shares).",
            "Source: PyPI adata==2.9.5 adata/stock/cache/code.csv (snapshot 2023-10-18).",
            "Built by tools/refdata/build_enterprises.py; see data/README.md.",
        ],
    )
    logger.info("enterprises: %s rows, %s skipped (B shares, delisted, duplicates)", n, skipped)


if __name__ == "__main__":
    main()

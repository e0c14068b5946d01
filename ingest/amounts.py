"""Money amounts in Chinese text: 2000万元, 2 000万元 (after cleaning), 3.5亿元, 一千万元, 5-10万元."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"元": 1, "千元": 1_000, "万元": 10_000, "万": 10_000, "亿元": 100_000_000, "亿": 100_000_000}
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
AMOUNT = re.compile(
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN_DIGITS}]+)\s?(?:(?:-|~|—|至)\s?(?P<hi>\d+(?:\.\d+)?))?"
    r"\s?(?P<unit>亿元|万元|千元|元|亿(?=[^\u4e00-\u9fff]|美元|人民币|$)|万(?=元))"
)


@dataclass(frozen=True)
class Amount:
    """An amount of money found at ``start:end`` of a text, in yuan."""

    start: int
    end: int
    cny: float


def _number(text: str) -> float | None:
    if text[0].isdigit():
        return float(text.replace(",", ""))
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def parse_amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text``; a range (5-10万元) counts at its upper bound."""
    out = []
    for m in AMOUNT.finditer(text):
        num = _number(m.group("hi") or m.group("num"))
        if num is None:
            continue
        # rounded to the fen: 1.1亿 is 110000000, not the float product 110000000.00000001
        out.append(Amount(m.start(), m.end(), round(num * _UNITS[m.group("unit")], 2)))
    return out


def parse_amount(text: str) -> float | None:
    """The first amount of money in ``text`` in yuan, or None."""
    found = parse_amounts(text)
    return found[0].cny if found else None

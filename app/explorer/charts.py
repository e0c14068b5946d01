"""Server-side SVG charts of policy targets: one small chart per indicator series, values by year.

No script and no chart library: the geometry is computed here and ``_macros.html:target_chart`` writes
it as inline SVG, each point with a hover title that quotes its evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from graph.views import IndicatorSeries, TargetPoint

WIDTH, HEIGHT = 300, 176
LEFT, RIGHT, TOP, BOTTOM = 46, 16, 26, 28
INSET = 18  # between the y axis (and the right edge) and the first (last) year, so labels do not collide
# How a comparator is written before a value on a chart (a range is written lo–hi).
GLYPHS = {"=": "", ">": ">", ">=": "≥", "<": "<", "<=": "≤", "~": "≈", "range": ""}
COMPARATOR_WORDS = {
    "=": "达到",
    ">": "超过",
    ">=": "不低于",
    "<": "低于",
    "<=": "不高于",
    "~": "约",
    "range": "介于",
}


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    y_top: float | None  # the upper end of a range
    label: str  # the value as the chart writes it: ≥12, 5–8
    title: str  # hover text: year, value, policy, evidence
    hollow: bool  # a hedged (力争) target
    year: int
    value: float


@dataclass(frozen=True)
class Chart:
    """One indicator's chart: the plot box, axes ticks, a polyline per policy and the points."""

    key: str  # the entity the chart is titled by: the indicator (a city's page) or the city (an indicator's)
    title: str
    unit: str
    width: int
    height: int
    left: int
    right: int  # x of the right edge of the plot
    top: int
    bottom: int  # y of the x axis
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    lines: tuple[str, ...]  # SVG polyline points
    points: tuple[ChartPoint, ...]


def number(value: float) -> str:
    """A value as people write it: 2.5, 600, 30000 (no trailing .0, at most 4 significant decimals)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def value_label(point: TargetPoint) -> str:
    """≥12, >600, ≈90, 5–8: the comparator glyph and the value."""
    if point.value_max is not None:
        return f"{number(point.value)}–{number(point.value_max)}"
    return GLYPHS.get(point.comparator, "") + number(point.value)


def point_title(point: TargetPoint, indicator: str, city: str | None = None) -> str:
    """Plain-text hover title: what the target is, which policy sets it, and the evidence it was read from."""
    word = COMPARATOR_WORDS.get(point.comparator, "")
    what = f"{city} · {indicator}" if city else indicator
    lines = [
        f"{what}：{point.year}年{word}{value_label(point).lstrip('≥>≈<≤')}{point.unit}"
        + ("（力争）" if point.tentative else ""),
        f"原文：{point.stated}" if point.stated else "",
        f"政策：{point.policy.name}",
    ]
    for ev in point.evidence[:2]:
        lines.append(f"“{ev.sentence}”")
        lines.append(f"  — {ev.source or ev.document_id[:12]} · 字符 {ev.start}–{ev.end}")
    return "\n".join(line for line in lines if line)


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and its tick step (1, 2, 2.5 or 5 × 10^n), for about 4 ticks."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))
    return step * math.ceil(value / step - 1e-9), step


def target_chart(series: IndicatorSeries) -> Chart:
    """The chart of one series: x = year (evenly by year), y from 0 to a round number above the largest."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    years = sorted({p.year for p in series.points})
    lo, hi = years[0], years[-1]

    def x_of(year: int) -> float:
        if hi == lo:
            return (LEFT + right) / 2
        return LEFT + INSET + (year - lo) / (hi - lo) * (right - LEFT - 2 * INSET)

    top_value, step = nice_ceiling(max(p.value_max or p.value for p in series.points))

    def y_of(value: float) -> float:
        return bottom - value / top_value * (bottom - TOP)

    points = tuple(
        ChartPoint(
            x=round(x_of(p.year), 1),
            y=round(y_of(p.value), 1),
            y_top=round(y_of(p.value_max), 1) if p.value_max is not None else None,
            label=value_label(p),
            title=point_title(p, series.indicator.name, series.city.name if series.city else None),
            hollow=p.tentative,
            year=p.year,
            value=p.value,
        )
        for p in series.points
    )
    by_policy: dict[str, list[ChartPoint]] = {}
    for p, cp in zip(series.points, points, strict=True):
        by_policy.setdefault(p.policy.key, []).append(cp)
    lines = tuple(
        " ".join(f"{cp.x},{cp.y}" for cp in sorted(cps, key=lambda c: c.year))
        for cps in by_policy.values()
        if len({cp.year for cp in cps}) > 1
    )
    n_ticks = round(top_value / step)
    subject = series.city or series.indicator  # an indicator's page charts one series per city
    return Chart(
        key=subject.key,
        title=subject.name,
        unit=series.unit,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        x_ticks=tuple((round(x_of(y), 1), str(y)) for y in years),
        y_ticks=tuple((round(y_of(i * step), 1), number(i * step)) for i in range(n_ticks + 1)),
        lines=lines,
        points=points,
    )

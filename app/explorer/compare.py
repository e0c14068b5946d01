"""The explorer's comparison page, ``/explore/compare?cities=徐州,扬州``: a form, a side-by-side table and two
grouped-bar charts drawn on the server as inline SVG (no script, nothing fetched: it renders offline).

The figures come from graph.compare.compare_cities, the same function ``GET /compare`` serves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from neo4j.exceptions import DriverError, Neo4jError

from app.deps import DriverDep, SettingsDep
from graph import compare
from graph.compare import Comparison
from graph.errors import BadInput, InnographError, NotFound

from . import pages, viz

PATH = "/explore/compare"
# One colour per compared city, in request order (MAX_CITIES of them), distinct from each other.
CITY_COLORS = ("#2357c6", "#e07b24", "#2e9d6a", "#c8405a", "#8250df", "#1f9bb4", "#b08900", "#6b7684")
SUGGESTED_CITIES = 12
# How the page names each City level (City ``level``); a level not listed is shown as stored.
LEVEL_CAPTIONS = {
    "province": "Provinces 省",
    "municipality": "Municipalities 直辖市",
    "prefecture": "Prefecture-level cities 地级市",
    "county": "Counties and county-level cities 县、县级市",
    "district": "Districts 市辖区",
}

router = APIRouter(include_in_schema=False)


@router.get(PATH, response_class=HTMLResponse, name="explorer_compare")
def compare_page(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    cities: Annotated[
        str | None, Query(max_length=1000, description="names, aliases or keys, comma-separated")
    ] = None,
    top: Annotated[int, Query(ge=1, le=compare.MAX_TOP)] = compare.DEFAULT_TOP,
    level: Annotated[
        str | None, Query(max_length=40, description="the level whose cities the quick picks offer")
    ] = None,
) -> HTMLResponse:
    """Cities side by side: the form alone without ``cities``; 404/400 with the reason beside the form.

    The quick picks are the cities of ``level``, else of the compared cities' level, else prefectures.
    """
    db = settings.neo4j_database
    context: dict[str, object] = {"nav": "compare", "form": {"cities": cities or "", "top": top}}
    try:
        by_level = compare.city_levels(driver, database=db, limit=SUGGESTED_CITIES)
        context.update(quick_picks(by_level, [level or compare.DEFAULT_LEVEL], cities=cities, top=top))
        if not (cities and cities.strip()):
            return _render(request, context)
        refs = compare.parse_cities([cities])
        result = compare.compare_cities(driver, database=db, cities=refs, top=top)
    except (NotFound, BadInput) as e:
        context["error"] = str(e)
        return _render(request, context, status_code=404 if isinstance(e, NotFound) else 400)
    except (InnographError, Neo4jError, DriverError) as e:
        return pages._error(request, e, nav="compare")
    if not level:
        levels = compare.compared_levels(result) or [compare.DEFAULT_LEVEL]
        context.update(quick_picks(by_level, levels, cities=cities, top=top))
    colors = {p.city.key: CITY_COLORS[i % len(CITY_COLORS)] for i, p in enumerate(result.cities)}
    context.update(
        result=result,
        colors=colors,
        names={p.city.key: p.city.name for p in result.cities},
        actors_chart=actors_chart(result, colors),
        funding_chart=funding_chart(result, colors),
        api_url="/compare?" + urlencode({"cities": ",".join(p.city.name for p in result.cities), "top": top}),
        funding_labels=funding_labels(result),
        max_listed=compare.LISTED,
    )
    return _render(request, context)


@dataclass(frozen=True)
class LevelPicks:
    """The quick-pick cities of one level, or a link to that level's when it is not the one offered."""

    level: str
    caption: str
    cities: Sequence[compare.CityOption]
    url: str


def quick_picks(
    by_level: dict[str, list[compare.CityOption]], levels: Sequence[str], *, cities: str | None, top: int
) -> dict[str, object]:
    """The page's chips: the cities of ``levels`` (the compared level), and links to offer another level."""
    groups = [
        LevelPicks(
            level=lvl,
            caption=LEVEL_CAPTIONS.get(lvl, lvl),
            cities=by_level.get(lvl, []),
            url=PATH + "?" + urlencode({**({"cities": cities} if cities else {}), "top": top, "level": lvl}),
        )
        for lvl in [*levels, *(other for other in _level_order(by_level) if other not in levels)]
    ]
    return {"suggestions": groups[: len(levels)], "other_levels": groups[len(levels) :]}


def _level_order(by_level: dict[str, list[compare.CityOption]]) -> list[str]:
    known = [lvl for lvl in LEVEL_CAPTIONS if lvl in by_level]
    return known + sorted(set(by_level) - set(known))


def _render(request: Request, context: dict[str, object], status_code: int = 200) -> HTMLResponse:
    return pages.TEMPLATES.TemplateResponse(request, "compare.html", context, status_code=status_code)


# --- charts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One bar per group: a city's values, drawn in its colour."""

    name: str
    color: str
    values: Sequence[float]


def actors_chart(result: Comparison, colors: dict[str, str]) -> Markup:
    """Actors per label, one bar per city in each label's group."""
    groups = [f"{label} {viz.label_style(label).caption}" for label in result.labels]
    series = [
        Series(p.city.name, colors[p.city.key], [p.actors.get(label, 0) for label in result.labels])
        for p in result.cities
    ]
    return grouped_bars(
        groups,
        series,
        title="Actors per label · 各类主体数量",
        fmt=lambda v: f"{v:g}",
        chart_id="chart-actors",
    )


def funding_labels(result: Comparison) -> list[str]:
    """The recipient labels any compared city's funding has, in the comparison's label order."""
    funded = {r.label for p in result.cities for r in p.funding}
    return [label for label in result.labels if label in funded] + sorted(funded - set(result.labels))


def funding_chart(result: Comparison, colors: dict[str, str]) -> Markup:
    """Stated funding amounts by recipient label, one bar per city; labels no city funds are left out."""
    labels = funding_labels(result)
    groups = [f"{label} {viz.label_style(label).caption}" for label in labels]
    series = []
    for p in result.cities:
        amounts = {r.label: r.amount_cny for r in p.funding}
        series.append(Series(p.city.name, colors[p.city.key], [amounts.get(label, 0.0) for label in labels]))
    return grouped_bars(
        groups,
        series,
        title="Funding by recipient label · 资助金额（按受资助方类别）",
        fmt=_amount,
        chart_id="chart-funding",
        empty="No FUNDS relationship of these cities states an amount.",
    )


def _amount(value: float) -> str:
    return viz.format_amount(value) if value else "0"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round axis ticks from 0 that reach at least ``top`` (1, 2, 2.5 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1 and float(top).is_integer():
        step = 1.0  # counts: no fractional ticks
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Callable[[float], str],
    chart_id: str,
    empty: str = "Nothing to draw.",
    width: int = 600,
    height: int = 300,
) -> Markup:
    """An SVG grouped-bar chart: one group per entry of ``groups``, one bar per series in each, value labels
    above the bars, a y axis with round ticks and a legend. Text is escaped; the font is the page's CJK stack.
    Inline in HTML, so without an xmlns (the HTML parser puts it in the SVG namespace).
    """
    left, right, top_pad, bottom = 64, 12, 58, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    font = escape(viz.FONT_STACK)
    out = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="{font}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="20" font-size="14" font-weight="600" fill="#1f2328">{escape(title)}</text>',
    ]
    # legend: one swatch per series, in a row under the title
    x = left
    for s in series:
        out.append(f'<rect x="{x}" y="31" width="11" height="11" rx="2" fill="{escape(s.color)}"/>')
        out.append(f'<text x="{x + 15}" y="41" font-size="12" fill="#1f2328">{escape(s.name)}</text>')
        x += 15 + 13 * len(s.name) + 18
    peak = max((v for s in series for v in s.values), default=0)
    if not groups or peak <= 0:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top_pad + plot_h / 2}" text-anchor="middle" '
            f'font-size="13" fill="#626c78" class="chart-empty">{escape(empty)}</text>'
        )
        out.append("</svg>")
        return Markup("".join(out))
    ticks = nice_ticks(peak)
    scale = plot_h / ticks[-1]
    base = top_pad + plot_h
    for tick in ticks:
        y = base - tick * scale
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#8c96a3" if tick == 0 else "#e3e7ec"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#626c78">'
            f"{escape(fmt(tick))}</text>"
        )
    group_w = plot_w / len(groups)
    bar_w = min(34.0, group_w * 0.8 / max(len(series), 1))
    for g, group in enumerate(groups):
        start = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for i, s in enumerate(series):
            value = s.values[g]
            h = value * scale
            bx = start + i * bar_w
            out.append(
                f'<rect class="chart-bar" x="{bx + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{escape(s.color)}" data-series="{escape(s.name)}" '
                f'data-group="{escape(group)}" data-value="{value:g}"><title>{escape(s.name)} · '
                f"{escape(group)}: {escape(fmt(value))}</title></rect>"
            )
            if value or len(series) <= 3:  # with many cities a row of zeros would crowd the baseline
                out.append(
                    f'<text x="{bx + bar_w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
                    f'font-size="{11 if bar_w >= 24 else 9.5}" fill="#1f2328">{escape(fmt(value))}</text>'
                )
        # the group's name under its bars: first word, then the rest (a Chinese caption) on a second line
        cx = left + (g + 0.5) * group_w
        first, _, rest = group.partition(" ")
        out.append(
            f'<text x="{cx:.1f}" y="{base + 17}" text-anchor="middle" font-size="12" fill="#1f2328">'
            f'{escape(first)}<tspan x="{cx:.1f}" dy="15" font-size="11" fill="#626c78">{escape(rest)}</tspan>'
            "</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))

"""Server-rendered explorer pages: search, entity neighbourhood, paths, Cypher; plus their static files.

Routes are thin: validate, call graph.read or app.explorer.queries, render a template. Every script and
style a page uses is served from /static/explorer/ so the explorer works offline.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from neo4j.exceptions import DriverError, Neo4jError

from app.curation import redirect_if_moved
from app.deps import DriverDep, SettingsDep
from graph import curation, read
from graph.config import Settings
from graph.cypher import CYPHER_DIR
from graph.errors import BadInput, InnographError, Neo4jUnavailable, NotFound
from graph.model import CORE_TYPES, Label, RelType
from graph.views import CityTargets, EntitySummary, IndicatorTargets

from . import charts as target_charts
from . import queries, viz
from .reader import READER_PREFIX, reader_url

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
EXAMPLES_DIR = CYPHER_DIR / "examples"
STATIC_PREFIX = "/static/explorer/"
ENTITY_PREFIX = "/explore/entity/"
PAGES = {
    "explorer_home": "/explore",
    "explorer_paths": "/explore/paths",
    "explorer_cypher": "/explore/cypher",
    "explorer_documents": READER_PREFIX,
}
DEFAULT_LIMIT = 120
MAX_LIMIT = 1000
API_PAGE_CAP = 200  # the API's largest page of relationships (app/api.py Limit)

router = APIRouter(include_in_schema=False)  # HTML pages; the JSON API documents itself


@cache
def static_files() -> dict[str, tuple[Path, str]]:
    """Every file under static/ by its relative path, with a content hash for cache-busting URLs."""
    files = {}
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            files[path.relative_to(STATIC_DIR).as_posix()] = (path, digest)
    return files


def static_url(name: str) -> str:
    """URL of a static file, versioned by its content so browsers never run a stale script."""
    _path, digest = static_files()[name]
    return f"{STATIC_PREFIX}{name}?v={digest}"


def entity_url(key: str, **params: Any) -> str:
    """The explorer page of an entity (``params`` become the query string, empty ones dropped)."""
    url = ENTITY_PREFIX + quote(key, safe=":")
    query = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list | tuple) else [vs]) if v]
    return f"{url}?{urlencode(query)}" if query else url


def api_entity_url(key: str) -> str:
    return "/entities/" + quote(key, safe=":")


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        static=static_url,
        url=PAGES.__getitem__,
        entity_url=entity_url,
        api_entity_url=api_entity_url,
        reader_url=reader_url,
        format_amount=viz.format_amount,
        styles=viz.styles_payload(),
    )
    return templates


TEMPLATES = _templates()


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _error(request: Request, error: Exception, **context: Any) -> HTMLResponse:
    """The error page for a failed read: 404 unknown key, 400 bad input, 503 Neo4j down."""
    if isinstance(error, NotFound):
        status, title = 404, "Not found"
    elif isinstance(error, BadInput):
        status, title = 400, "Bad request"
    elif isinstance(error, Neo4jUnavailable | DriverError):
        status, title = 503, "Neo4j is not reachable"
    elif isinstance(error, Neo4jError):
        status, title = 503, "Neo4j refused the query"
    else:
        status, title = 500, "Error"
    if status >= 500:
        logger.warning("explorer page %s failed: %s", request.url.path, error)
    message = str(error) if isinstance(error, InnographError) else f"{type(error).__name__}: {error}"
    if isinstance(error, DriverError | Neo4jError):
        message += " — check that Neo4j is running (innograph run starts it) and NEO4J_URI points at it."
    return _page(request, "error.html", status_code=status, title=title, message=message, **context)


def is_page(path: str) -> bool:
    """Whether ``path`` is an explorer page (HTML for people) rather than the JSON API."""
    return path == "/" or path == "/explore" or path.startswith("/explore/")


def invalid_request_page(request: Request, errors: Sequence[Any]) -> HTMLResponse:
    """The 400 page for a page address whose query values cannot be used (a hand-edited link), each
    problem said in a sentence, instead of the API's validation JSON."""
    lines = []
    for error in errors:
        names = [part for part in error.get("loc", ()) if isinstance(part, str) and part != "query"]
        field = names[-1] if names else "value"  # a list's item is located by its index: name the list
        given = error.get("input")
        said = f" (it was {given!r})" if given is not None and not isinstance(given, dict | list) else ""
        lines.append(f"“{field}” {_lower_first(str(error.get('msg', 'is not valid')))}{said}.")
    message = " ".join(lines) + " Change it in the form and try again."
    return _page(
        request, "error.html", status_code=400, title="This page cannot use that address", message=message
    )


def _lower_first(text: str) -> str:
    """A validation message ("Input should be …", "Field required") continued after a field name."""
    text = text.removeprefix("Input ")
    return {"Field required": "is needed"}.get(text, text[:1].lower() + text[1:])


# --- static files ------------------------------------------------------------------------------------


@router.get(STATIC_PREFIX + "{name:path}", name="explorer_static")
def static(name: str) -> Response:
    """A file of app/explorer/static (only those: the lookup is by exact relative path)."""
    entry = static_files().get(name)
    if entry is None:
        return Response(status_code=404, content=f"no static file {name!r}", media_type="text/plain")
    return FileResponse(entry[0], headers={"Cache-Control": "public, max-age=86400"})


# --- home and search ---------------------------------------------------------------------------------


def _label_or_none(label: str | None) -> str | None:
    """The search form's label choice: empty means all labels; anything else must be a known label."""
    if not label:
        return None
    if label not in queries.ALL_LABELS:  # search knows every label, the extension Indicator included
        raise BadInput(f"unknown label {label!r}: choose one of {', '.join(queries.ALL_LABELS)}")
    return label


@router.get("/", response_class=HTMLResponse, name="explorer_root")
@router.get("/explore", response_class=HTMLResponse, name="explorer_home")
def home(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    label: Annotated[str | None, Query(max_length=40, description="a label, or empty for all")] = None,
) -> HTMLResponse:
    """Search box, counts per label, the best-connected actors; search results when ``q`` is given."""
    db = settings.neo4j_database
    try:
        label = _label_or_none(label)
        stats = read.get_stats(driver, database=db)
        top = queries.top_actors(driver, database=db, limit=16)
        results = None
        similar: list[EntitySummary] = []
        if (q and q.strip()) or label:
            # a label alone lists that label's entities, best-evidenced first
            results = read.search_entities(driver, database=db, q=q, label=label, limit=50, offset=0)
            if results.total == 0 and q:
                similar = read.sounds_like(driver, database=db, q=q, label=label, limit=5)
    except (InnographError, Neo4jError, DriverError) as e:
        return _error(request, e, nav="home", q=q)
    return _page(
        request,
        "home.html",
        nav="home",
        q=q or "",
        label=label or "",
        stats=stats,
        top=top,
        top_max=max((n.degree for n in top), default=1),
        results=results,
        similar=similar,
        legend=viz.legend_items(Label),
        labels=[lab.value for lab in Label],
    )


# --- entity neighbourhood --------------------------------------------------------------------------


@router.get(ENTITY_PREFIX + "{key:path}", response_class=HTMLResponse, name="explorer_entity")
def entity_page(
    request: Request,
    key: str,
    driver: DriverDep,
    settings: SettingsDep,
    depth: Annotated[int, Query(ge=1, le=2)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    labels: Annotated[list[Label] | None, Query()] = None,
    types: Annotated[list[RelType] | None, Query()] = None,
    min_confidence: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """An entity and its neighbourhood (depth 1–2) drawn, with filters (labels, types, the least confidence
    of an edge's best evidence) and the evidence of every edge;
    a City's page also charts the targets its policies set, one SVG chart per indicator, and an Indicator's
    page the targets set for it, one chart per city."""
    db = settings.neo4j_database
    targets: CityTargets | IndicatorTargets | None = None
    least: float | None = None
    try:
        least = _confidence_or_none(min_confidence)
        entity = read.get_entity(driver, database=db, key=key)
        # An actor's page draws the actor network; an Indicator's, the policies that set targets for it.
        shown_labels, shown_types = queries.shown_filters(entity.label)
        chosen_labels = [lab.value for lab in labels] if labels else shown_labels
        chosen_types = [t.value for t in types] if types else shown_types
        hood = queries.neighbourhood(
            driver,
            database=db,
            key=key,
            depth=depth,
            labels=chosen_labels,
            types=chosen_types,
            limit=limit,
            min_confidence=least,
        )
        if entity.label == Label.CITY.value:
            targets = read.city_targets(driver, database=db, ref=key)
        elif entity.label == Label.INDICATOR.value:
            targets = read.indicator_targets(driver, database=db, ref=key)
    except (InnographError, Neo4jError, DriverError) as e:
        moved = redirect_if_moved(settings, key, entity_url) if isinstance(e, NotFound) else None
        return moved or _error(request, e, nav="entity")
    view = viz.GraphView(nodes=hood.nodes, edges=hood.edges, total_edges=hood.total, focus=key, radial=True)
    names = {n.key: n.name for n in hood.nodes}
    other_labels = Counter(n.label for n in hood.nodes if n.key != key)
    edge_types = Counter(e.type for e in hood.edges)
    server_filtered = bool(labels or types) or least is not None
    return _page(
        request,
        "entity.html",
        nav="entity",
        entity=entity,
        graph_html=viz.render_graph(view, node_url=ENTITY_PREFIX, expand=True),
        edges=hood.edges,
        names=names,
        total=hood.total,
        shown=len(hood.edges),
        node_count=len(hood.nodes),
        depth=depth,
        limit=limit,
        label_items=viz.legend_items(shown_labels),
        type_items=viz.type_items(shown_types),
        selected_labels=chosen_labels if labels else None,
        selected_types=chosen_types if types else None,
        server_filtered=server_filtered,
        counts={"labels": other_labels, "types": edge_types},
        min_confidence=least,
        api_links=_entity_api_links(
            key, chosen_labels if labels else None, chosen_types if types else None, limit, least
        ),
        export_links=export_links(
            "/export/entity/" + quote(key, safe=":"),
            {
                "depth": depth,
                "limit": limit,
                "labels": chosen_labels if labels else None,
                "types": chosen_types if types else None,
                "min_confidence": f"{least:g}" if least is not None else None,
            },
        ),
        degree_total=sum(entity.degree.values()),
        targets=targets,
        charts=[target_charts.target_chart(s) for s in targets.series] if targets else [],
        targets_api=f"/{'indicators' if entity.label == Label.INDICATOR.value else 'cities'}/"
        f"{quote(key, safe=':')}/targets",
        curated=_curated(settings, key),
        curate_labels=[lab.value for lab in Label],
        curate_types=[t.value for t in CORE_TYPES],
    )


def _curated(settings: Settings, key: str) -> list[dict[str, str]]:
    """The merges and renames that made entity ``key``, shown under its name; none if unreadable."""
    try:
        corrections = curation.load(settings.curation_dir)
    except BadInput as e:
        logger.warning("corrections not shown: %s", e)
        return []
    return [{"summary": curation.describe(c), "note": c.note} for c in curation.touching(corrections, key)]


def _confidence_or_none(value: str | None) -> float | None:
    """The entity form's minimum confidence: empty means none; anything else a number from 0 to 1."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:  # NaN fails too
        raise BadInput(
            f"min_confidence {value!r} is not a number from 0 to 1 (e.g. 0.7); leave it empty for all"
        )
    return number


def _entity_api_links(
    key: str, labels: list[str] | None, types: list[str] | None, limit: int, min_confidence: float | None
) -> list[tuple[str, str]]:
    """JSON API URLs for the same view: the entity, and its relationships (one type / label when so filtered,
    the minimum confidence when set).

    The API pages relationships by at most API_PAGE_CAP and filters one type and one label at a time.
    """
    base = api_entity_url(key)
    params: dict[str, str | int] = {"limit": min(limit, API_PAGE_CAP)}
    if types and len(types) == 1:
        params["type"] = types[0]
    if labels and len(labels) == 1:
        params["label"] = labels[0]
    if min_confidence is not None:
        params["min_confidence"] = f"{min_confidence:g}"
    return [("entity JSON", base), ("relationships JSON", f"{base}/relationships?{urlencode(params)}")]


EXPORT_FORMATS = (("GraphML", "graphml"), ("GEXF", "gexf"), ("CSV + evidence", "csv"))


def export_links(base: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """Download links of one view in each export format (``params`` as the query string, empty ones
    dropped, lists repeated)."""
    return [
        (title, f"{base}?{urlencode([*_pairs(params), ('format', fmt)])}") for title, fmt in EXPORT_FORMATS
    ]


# --- paths ------------------------------------------------------------------------------------------


@router.get(PAGES["explorer_paths"], response_class=HTMLResponse, name="explorer_paths")
def paths_page(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    source: Annotated[str | None, Query(max_length=300)] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
    max_hops: Annotated[int, Query(ge=1, le=read.MAX_HOPS)] = 4,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    exclude_label: Annotated[list[Label] | None, Query()] = None,
    exclude_type: Annotated[list[RelType] | None, Query()] = None,
    exclude_provinces: bool = False,
) -> HTMLResponse:
    """Shortest paths between two actors (keys, names or aliases), shortest first, drawn like a
    neighbourhood; each step shows its own direction; labels, provinces and types can be left out."""
    without_labels = [x.value for x in exclude_label or ()]
    without_types = [x.value for x in exclude_type or ()]
    leave_out = {
        "exclude_label": without_labels,
        "exclude_type": without_types,
        "exclude_provinces": exclude_provinces,
    }
    form = {"source": source or "", "target": target or "", "max_hops": max_hops, "limit": limit, **leave_out}
    context: dict[str, Any] = {
        "nav": "paths",
        "form": form,
        "max_hops_cap": read.MAX_HOPS,
        "exclude_label_items": viz.legend_items(queries.ACTOR_LABELS),
        "exclude_type_items": viz.type_items(read.PATH_TYPES),
    }
    if not (source and source.strip() and target and target.strip()):
        return _page(request, "paths.html", result=None, **context)
    db = settings.neo4j_database
    try:
        result = read.shortest_paths(
            driver,
            database=db,
            source=source,
            target=target,
            max_hops=max_hops,
            limit=limit,
            exclude_labels=without_labels,
            exclude_types=without_types,
            exclude_provinces=exclude_provinces,
        )
        rel_keys = [step.key for path in result.paths for step in path.relationships]
        node_keys = [result.source.key, result.target.key, *(n.key for p in result.paths for n in p.nodes)]
        edges = queries.relationships_by_key(driver, database=db, keys=rel_keys)
        nodes = queries.nodes_by_key(driver, database=db, keys=node_keys)
    except (NotFound, BadInput) as e:
        # the form stays filled in, with the reason beside it
        status = 404 if isinstance(e, NotFound) else 400
        return _page(request, "paths.html", status, result=None, error=str(e), **context)
    except (InnographError, Neo4jError, DriverError) as e:
        return _error(request, e, nav="paths", in_paths=True)
    view = viz.GraphView(nodes=nodes, edges=edges, total_edges=len(edges), focus=result.source.key)
    params = {
        "source": result.source.key,
        "target": result.target.key,
        "max_hops": max_hops,
        "limit": limit,
        "exclude_label": leave_out["exclude_label"],
        "exclude_type": leave_out["exclude_type"],
        "exclude_provinces": "true" if exclude_provinces else None,
    }
    lengths = [p.length for p in result.paths]
    return _page(
        request,
        "paths.html",
        result=result,
        lengths=(min(lengths), max(lengths)) if lengths else None,
        graph_html=viz.render_graph(view, node_url=ENTITY_PREFIX),
        edges=edges,
        names={n.key: n.name for n in nodes},
        label_items=viz.legend_items({n.label for n in nodes}),
        type_items=viz.type_items({e.type for e in edges}),
        api_url="/paths?" + urlencode([(k, v) for k, v in _pairs(params)]),
        export_links=export_links("/export/paths", params),
        **context,
    )


def _pairs(params: dict[str, Any]) -> list[tuple[str, Any]]:
    """Query-string pairs: lists repeated, empty values dropped."""
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list | tuple) else [vs])]
    return [(k, v) for k, v in pairs if v is not None and v != ""]


# --- Cypher -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """A research query from cypher/examples/<name>.cypher: first comment line the title, others the notes."""

    name: str
    title: str
    description: str
    query: str


_COMMENT = re.compile(r"^\s*//\s?(.*)$")


def parse_example(name: str, text: str) -> Example:
    """Split an example file into its title (first comment line), notes (other leading comments) and query."""
    comments: list[str] = []
    lines = text.strip().splitlines()
    while lines and (m := _COMMENT.match(lines[0])):
        comments.append(m.group(1).strip())
        lines.pop(0)
    title = comments[0] if comments else name.replace("_", " ")
    return Example(name=name, title=title, description=" ".join(comments[1:]), query="\n".join(lines).strip())


def load_examples() -> list[Example]:
    """The example research queries shipped in cypher/examples, by file name."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return [
        parse_example(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(EXAMPLES_DIR.glob("*.cypher"))
    ]


@router.get(PAGES["explorer_cypher"], response_class=HTMLResponse, name="explorer_cypher")
def cypher_page(
    request: Request, example: Annotated[str | None, Query(max_length=100)] = None
) -> HTMLResponse:
    """A query box that POSTs to the API's /cypher; draws returned nodes/relationships, tabulates rows."""
    examples = load_examples()
    chosen = next((e for e in examples if e.name == example), examples[0] if examples else None)
    return _page(
        request,
        "cypher.html",
        nav="cypher",
        examples=examples,
        chosen=chosen,
        examples_json=[e.__dict__ for e in examples],
        label_items=viz.legend_items(queries.ALL_LABELS),
        type_items=viz.type_items(queries.ALL_TYPES),
    )

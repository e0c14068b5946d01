"""The explorer's documents: ``/explore/documents`` lists them (sortable, filterable), and
``/explore/documents/{id}`` reads one, every evidence span highlighted and linked to its fact;
``?at=START-END`` scrolls to a span and marks it (every evidence citation in the explorer links so).
"""

from __future__ import annotations

from typing import Annotated, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from neo4j.exceptions import DriverError, Neo4jError

from app.api import UPLOAD_SUFFIXES
from app.deps import DriverDep, SettingsDep
from graph import read
from graph.errors import InnographError, NotFound
from graph.views import DocumentSort, SortOrder

from . import pages, reader

PAGE_SIZE = 50
TITLE_FACTS = 6  # facts named in a highlight's hover text; the span list beside the text has them all
# The list's columns: (sort key, heading, the direction a first click sorts in).
COLUMNS: tuple[tuple[DocumentSort, str, SortOrder], ...] = (
    ("title", "Title", "asc"),
    ("source", "Source", "asc"),
    ("date", "Date", "desc"),
    ("ingested_at", "Ingested", "desc"),
    ("entities", "Entities", "desc"),
    ("relations", "Relations", "desc"),
    ("evidence", "Evidence", "desc"),
)
assert {c[0] for c in COLUMNS} == set(get_args(DocumentSort))

router = APIRouter(include_in_schema=False)


def _sort_url(q: str, column: DocumentSort, current: DocumentSort, order: SortOrder, first: SortOrder) -> str:
    """The list sorted by ``column``: the other direction when it is the current column."""
    flipped: SortOrder = "asc" if order == "desc" else "desc"
    params: dict[str, str] = {"sort": column, "order": flipped if column == current else first}
    if q:
        params["q"] = q
    return f"{reader.READER_PREFIX}?{urlencode(params)}"


@router.get(reader.READER_PREFIX, response_class=HTMLResponse, name="explorer_documents")
def documents_page(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=200, description="part of a title or source")] = None,
    sort: DocumentSort = "ingested_at",
    order: SortOrder = "desc",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    deleted: Annotated[
        str | None, Query(max_length=300, description="title of a document just deleted")
    ] = None,
) -> HTMLResponse:
    """The ingested documents with their counts, sorted by a column, filtered by title or source; a form to
    upload one (POST /documents)."""
    try:
        found = read.list_documents(
            driver,
            database=settings.neo4j_database,
            limit=PAGE_SIZE,
            offset=offset,
            q=q,
            sort=sort,
            order=order,
        )
    except (InnographError, Neo4jError, DriverError) as e:
        return pages._error(request, e, nav="documents")
    q = (q or "").strip()
    columns = [
        {"key": key, "title": title, "url": _sort_url(q, key, sort, order, first), "on": key == sort}
        for key, title, first in COLUMNS
    ]
    more = {"sort": sort, "order": order, "offset": offset + PAGE_SIZE, **({"q": q} if q else {})}
    return pages._page(
        request,
        "documents.html",
        nav="documents",
        found=found,
        q=q,
        sort=sort,
        order=order,
        columns=columns,
        next_url=f"{reader.READER_PREFIX}?{urlencode(more)}" if offset + PAGE_SIZE < found.total else None,
        api_url="/documents?" + urlencode({"sort": sort, "order": order, **({"q": q} if q else {})}),
        upload_accept=",".join(sorted(UPLOAD_SUFFIXES)),
        deleted=deleted,
    )


@router.get(reader.READER_PREFIX + "/{id}", response_class=HTMLResponse, name="explorer_document")
def document_page(
    request: Request,
    id: str,
    driver: DriverDep,
    settings: SettingsDep,
    at: Annotated[str | None, Query(max_length=40, description="START-END: the span to mark")] = None,
) -> HTMLResponse:
    """One document in paragraphs, each evidence span highlighted and linked to its fact; ``at`` marks one."""
    db = settings.neo4j_database
    try:
        document = read.get_document(driver, database=db, id_=id)
        span = reader.parse_at(at, len(document.text))
        evidence = read.document_evidence(driver, database=db, id_=id)
    except NotFound:
        error = NotFound(
            f"No document with id {id!r} is stored: it may have been replaced by a newer version or "
            "deleted. Pick one from the documents list."
        )
        return pages._error(request, error, nav="documents", in_documents=True)
    except (InnographError, Neo4jError, DriverError) as e:
        return pages._error(request, e, nav="documents", in_documents=True)
    spans = reader.spans_of(evidence, pages.ENTITY_PREFIX)
    return pages._page(
        request,
        "document.html",
        nav="documents",
        document=document,
        spans=spans,
        paragraphs=paragraphs_html(reader.layout(document.text, spans, span), spans),
        at=span,
        marked=document.text[span[0] : span[1]] if span else None,
        facts=len({ev.fact for ev in evidence}),
    )


def paragraphs_html(paragraphs: list[reader.Paragraph], spans: list[reader.Span]) -> list[Markup]:
    """Each paragraph's inner HTML: evidence pieces as links to their fact, the marked runs in <mark>, the
    first of them ``id="at"`` (the page scrolls to it). No whitespace is added between pieces, so the text
    reads (and copies) exactly as stored."""
    html: list[Markup] = []
    first = True
    for paragraph in paragraphs:
        out: list[str] = []
        for run in paragraph.runs:
            inner = "".join(_piece_html(piece, spans) for piece in run.pieces)
            if run.marked:
                out.append(f'<mark {"id" if first else "class"}="at">{inner}</mark>')
                first = False
            else:
                out.append(inner)
        html.append(Markup("".join(out)))
    return html


def _piece_html(piece: reader.Piece, spans: list[reader.Span]) -> str:
    text = escape(piece.text)
    if not piece.spans:
        return str(text)
    primary = spans[piece.spans[0]]
    facts = {f.key: f for i in piece.spans for f in spans[i].facts}
    names = [f.text for f in facts.values()]
    hover = " · ".join(names[:TITLE_FACTS])
    if len(names) > TITLE_FACTS:
        hover += f" · +{len(names) - TITLE_FACTS} more"
    depth = " ev-deep" if len(piece.spans) > 1 else ""
    attrs = (
        f'data-span="{primary.id}" data-start="{primary.start}" data-end="{primary.end}" '
        f'title="{escape(hover)}"'
    )
    url = primary.facts[0].url
    if url is None:
        return f'<span class="ev ev-gone{depth}" {attrs}>{text}</span>'
    return f'<a class="ev{depth}" href="{escape(url)}" {attrs}>{text}</a>'

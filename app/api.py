"""The JSON API: thin routes that validate, call one graph.read / graph.store function, and return a view."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from neo4j import Driver
from neo4j.exceptions import AuthError, DriverError, Neo4jError
from pydantic import BaseModel, Field

from app import exports
from app.curation import redirect_if_moved
from app.deps import ApiKeyDep, DriverDep, SettingsDep
from app.explorer import queries
from app.exports import ExportFormat
from app.limits import Slots
from graph import curation, read
from graph.config import Settings
from graph.errors import Neo4jUnavailable, NotFound
from graph.model import Label, RelType
from graph.views import (
    CypherResult,
    DeleteResult,
    Direction,
    DocumentDetail,
    DocumentPage,
    DocumentSort,
    EntityDetail,
    EntityPage,
    Health,
    IngestResult,
    PathsResult,
    RelationshipPage,
    SortOrder,
    Stats,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

router = APIRouter()

# Read routes are `async def` and hand the (blocking) driver call to the threadpool themselves: a sync
# route would also validate its response in the threadpool, two thread hops per request instead of one.

# What POST /documents accepts; ingest.read reads these kinds of file.
UPLOAD_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ".docx"})
MAX_OFFSET = 1_000_000


class Problem(BaseModel):
    """Every error: one message that says what went wrong and what to do."""

    detail: str


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem} for code in codes}


Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
EvidenceLimit = Annotated[int, Query(ge=0, le=50, description="evidence samples per fact")]
MinConfidence = Annotated[
    float | None,
    Query(
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="only facts with a piece of evidence at least this confident (0–1)",
    ),
]


class CypherRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000, examples=["MATCH (c:City) RETURN c.name LIMIT 5"])
    params: dict[str, Any] = Field(default_factory=dict)


@router.get("/entities", responses=_problems(503), tags=["entities"])
async def search_entities(
    driver: DriverDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=200, description="part of a name or alias")] = None,
    label: Label | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> EntityPage:
    """Search entities by name or alias (Chinese substrings included), exact matches first.

    Without ``q`` it lists all entities (of ``label``), those with the most evidence first.
    """
    return await run_in_threadpool(
        read.search_entities,
        driver,
        database=settings.neo4j_database,
        q=q,
        label=label.value if label else None,
        limit=limit,
        offset=offset,
    )


@router.get("/entities/suggest", responses=_problems(400, 503), tags=["entities"])
async def suggest_entities(
    driver: DriverDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=200, description="what has been typed: part of a name, alias or pinyin"
        ),
    ],
    label: Label | None = None,
    limit: Annotated[int, Query(ge=1, le=20, description="at most this many suggestions")] = 8,
) -> EntityPage:
    """Suggestions while a name is typed (the explorer's search, paths and compare fields): the best matches
    of ``q`` by name, alias or pinyin (``xuz`` → 徐州), else names that sound like it (许州 → 徐州);
    400 when ``q`` is empty."""
    return await run_in_threadpool(
        read.suggest_entities,
        driver,
        database=settings.neo4j_database,
        q=q,
        label=label.value if label else None,
        limit=limit,
    )


# Declared before /entities/{key}: keys may contain "/", so the detail route takes the rest of the path.
@router.get(
    "/entities/{key:path}/relationships",
    response_model=RelationshipPage,
    responses=_problems(404, 503),
    tags=["entities"],
)
async def entity_relationships(
    request: Request,
    key: str,
    driver: DriverDep,
    settings: SettingsDep,
    type: RelType | None = None,
    direction: Direction = "both",
    label: Label | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    evidence_limit: EvidenceLimit = 5,
    min_confidence: MinConfidence = None,
) -> RelationshipPage | Response:
    """The relationships of one entity with the other end, amount and evidence (sentence, document, offsets).

    ``direction`` is seen from the entity; COOPERATES is undirected and matches every direction.
    ``label`` filters the other end; ``min_confidence`` (0–1) keeps the facts with at least one piece of
    evidence that confident (an evidence's confidence is the measured precision of the rule that read it).
    The extension SETS_TARGET (a policy's targets) is listed too, its year, value, unit and comparator in
    ``properties``. A key a curator merged or renamed redirects to the entity it became.
    """
    call = partial(
        read.list_relationships,
        driver,
        database=settings.neo4j_database,
        key=key,
        type_=type.value if type else None,
        direction=direction,
        label=label.value if label else None,
        limit=limit,
        offset=offset,
        evidence_limit=evidence_limit,
        min_confidence=min_confidence,
    )
    suffix = "/relationships" + (f"?{request.url.query}" if request.url.query else "")
    return await _or_redirect(call, settings, key, suffix)


@router.get(
    "/entities/{key:path}", response_model=EntityDetail, responses=_problems(404, 503), tags=["entities"]
)
async def get_entity(
    request: Request, key: str, driver: DriverDep, settings: SettingsDep, evidence_limit: EvidenceLimit = 5
) -> EntityDetail | Response:
    """One entity: properties, aliases, the documents that mention it, its evidence count and samples.

    A key a curator merged into another entity, or renamed, redirects (307) to the entity it became.
    """
    call = partial(
        read.get_entity, driver, database=settings.neo4j_database, key=key, evidence_limit=evidence_limit
    )
    suffix = f"?{request.url.query}" if request.url.query else ""
    return await _or_redirect(call, settings, key, suffix)


async def _or_redirect(call: Callable[[], T], settings: Settings, key: str, suffix: str) -> T | Response:
    """``call()`` in the threadpool; when it finds no such entity, a redirect if the curator moved the key."""
    try:
        return await run_in_threadpool(call)
    except NotFound:
        moved = redirect_if_moved(settings, key, lambda new: "/entities/" + quote(new, safe=":") + suffix)
        if moved is None:
            raise
        return moved


PathTypes = Annotated[
    list[RelType] | None, Query(description="leave out relationships of these types (e.g. HOSTS)")
]
PathLabels = Annotated[
    list[Label] | None, Query(description="leave out paths through entities of these labels (not the ends)")
]
Provinces = Annotated[bool, Query(description="leave out paths through provinces (City of level province)")]


@router.get("/paths", responses=_problems(400, 404, 503), tags=["entities"])
async def shortest_paths(
    driver: DriverDep,
    settings: SettingsDep,
    source: Annotated[str, Query(min_length=1, max_length=200, description="entity key, name or alias")],
    target: Annotated[str, Query(min_length=1, max_length=200, description="entity key, name or alias")],
    max_hops: Annotated[int, Query(ge=1, le=read.MAX_HOPS)] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many paths")] = 10,
    exclude_label: PathLabels = None,
    exclude_type: PathTypes = None,
    exclude_provinces: Provinces = False,
) -> PathsResult:
    """Up to ``limit`` shortest paths between two actors over HOSTS/FUNDS/COOPERATES in any direction,
    shortest first and longer ones after them when they exist (empty if none).

    Each step gives the relationship as stored (``source``, ``target``) and its ``direction`` along the
    walk (forward, backward, or both for COOPERATES). ``exclude_label``, ``exclude_provinces`` and
    ``exclude_type`` leave out paths through such entities (the two ends stay allowed) or relationships.
    """
    return await run_in_threadpool(
        read.shortest_paths,
        driver,
        database=settings.neo4j_database,
        source=source,
        target=target,
        max_hops=max_hops,
        limit=limit,
        exclude_labels=[x.value for x in exclude_label or ()],
        exclude_types=[x.value for x in exclude_type or ()],
        exclude_provinces=exclude_provinces,
    )


@router.post("/cypher", responses=_problems(400, 403, 408, 413, 429, 503), tags=["query"])
async def run_cypher(
    request: Request, body: CypherRequest, driver: DriverDep, settings: SettingsDep
) -> CypherResult:
    """Run a read-only Cypher query with parameters, within a time limit and a row cap.

    Neo4j's plan of the query decides: writes, schema and admin commands (SHOW TRANSACTIONS, TERMINATE),
    procedures off the allowlist, LOAD CSV and USE are refused with 403 and change nothing. A syntax error,
    or text too long or nested too deep, is a 400; past the time limit, planning or running, the query is
    stopped (408); a result past the byte cap is a 413. At most INNOGRAPH_MAX_CONCURRENT_CYPHER queries run
    at once; one more is a 429 with Retry-After.
    """
    slots: Slots = request.app.state.cypher_slots
    release = slots.take()
    try:
        return await run_in_threadpool(
            read.run_cypher,
            driver,
            body.query,
            body.params,
            database=settings.neo4j_database,
            timeout_s=settings.cypher_timeout_s,
            row_cap=settings.cypher_row_cap,
            byte_cap=settings.cypher_max_bytes,
            plan_timeout_s=settings.cypher_plan_timeout_s,
        )
    finally:
        release()


@router.get("/documents", responses=_problems(503), tags=["documents"])
async def list_documents(
    driver: DriverDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=200, description="part of a title or source")] = None,
    sort: Annotated[DocumentSort, Query(description="the column to order by")] = "ingested_at",
    order: Annotated[SortOrder, Query(description="asc or desc")] = "desc",
    limit: Limit = 50,
    offset: Offset = 0,
) -> DocumentPage:
    """The ingested documents with how many entities, relations and evidence each yielded.

    Newest first by default; ``sort`` orders by title, source, date, ingested_at or a count, ``q`` keeps the
    documents whose title or source contains it (case-insensitive).
    """
    return await run_in_threadpool(
        read.list_documents,
        driver,
        database=settings.neo4j_database,
        limit=limit,
        offset=offset,
        q=q,
        sort=sort,
        order=order,
    )


@router.get("/documents/{id}", responses=_problems(404, 503), tags=["documents"])
async def get_document(id: str, driver: DriverDep, settings: SettingsDep) -> DocumentDetail:
    """One document: its text, counts and the entities it mentions."""
    return await run_in_threadpool(read.get_document, driver, database=settings.neo4j_database, id_=id)


_UPLOAD_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .txt, .md, .html, .pdf or .docx document",
                        },
                        "source": {
                            "type": "string",
                            "description": "the document's path, e.g. alice/report.txt (default: the file's "
                            "name as sent, folders included); naming a source already stored replaces it",
                        },
                        "replace": {
                            "type": "boolean",
                            "description": "replace the stored document of the same source with this version",
                        },
                    },
                }
            }
        },
    }
}
_MAX_SOURCE_CHARS = 500


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    responses=_problems(400, 401, 409, 413, 415, 422, 503),
    tags=["documents"],
    dependencies=[ApiKeyDep],
    openapi_extra=_UPLOAD_FORM,
)
async def upload_document(request: Request, driver: DriverDep, settings: SettingsDep) -> IngestResult:
    """Ingest one document: read, extract, store; needs the ``X-API-Key`` header (INNOGRAPH_API_KEY).

    The document's source is the path the form's ``source`` names, else the file's name as sent (folders
    included): ``upload:alice/report.txt``. The file is kept as ``<INNOGRAPH_DATA_DIR>/uploads/<that path>``,
    so that a rebuild (``innograph run``, or ``innograph ingest`` of that folder) ingests it again. A file
    whose name is already another document's source is refused (409) unless ``replace=true`` or the source
    is named explicitly: then it is a new version, replacing the facts only the old version stated.
    """
    from app.uploads import read_upload

    # The body is read only now, after the key check (a dependency), and only up to the limit.
    upload = await read_upload(request, limit=settings.max_upload_bytes)
    explicit = bool(upload.fields.get("source", "").strip())
    name = _upload_path(upload.fields["source"] if explicit else upload.filename or "")
    replace = explicit or upload.fields.get("replace", "").strip().lower() in ("true", "1", "on", "yes")
    return await run_in_threadpool(
        _ingest_upload, driver, settings, name, bytes(upload.data), replace=replace
    )


def _upload_path(raw: str) -> str:
    """The relative POSIX path under which an upload is kept and named; 400 or 415 when it cannot be."""
    given = raw.strip().replace("\\", "/")
    if "://" in given:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"the source {given[:_MAX_SOURCE_CHARS]!r} is a URL: name the document by a path such as "
            "site/page.html",
        )
    parts = [part for part in given.split("/") if part not in ("", ".")]
    bad = (
        not parts
        or len(given) > _MAX_SOURCE_CHARS
        or any(p == ".." or p.startswith((".", "~$")) for p in parts)
    )
    if bad or any(ch in given for ch in "\x00\r\n"):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"the name {given[:_MAX_SOURCE_CHARS]!r} cannot be kept: give a relative path of at most "
            f"{_MAX_SOURCE_CHARS} characters whose parts do not start with . or ~$ and are not ..",
        )
    path = "/".join(parts)
    suffix = Path(parts[-1]).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"unsupported file type {suffix or '(no extension)'!r} for {path!r}: "
            f"upload one of {', '.join(sorted(UPLOAD_SUFFIXES))}",
        )
    return path


def _ingest_upload(
    driver: Driver, settings: Settings, name: str, data: bytes, *, replace: bool
) -> IngestResult:
    """Store an upload's document under ``upload:<name>``, kept as upload_dir/<name> once stored."""
    from graph.model import content_id
    from graph.store import write_graph
    from ingest.batch import extract_file_bounded
    from ingest.curate import curate

    source = f"upload:{name}"
    doc_id = content_id(data)
    taken = read.document_ids_by_source(driver, database=settings.neo4j_database, source=source)
    if taken and doc_id not in taken and not replace:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{source!r} is already another document's source: to upload a new version of it send "
            "replace=true (or name it in the source field); to keep both, give this one another source",
        )
    upload_dir = settings.upload_dir
    kept = upload_dir / name
    if kept.is_dir():
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{name!r} is a folder of uploads: give the document another source"
        )
    upload_dir.mkdir(parents=True, exist_ok=True)
    # Written under a hidden name first (ingest skips hidden files) and kept under its own only once stored:
    # a file that cannot be read or stored leaves nothing behind.
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=Path(name).suffix.lower(), dir=upload_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        result = extract_file_bounded(
            Path(tmp),
            max_bytes=settings.max_upload_bytes,
            timeout_s=settings.upload_timeout_s,
            memory_bytes=settings.upload_memory_bytes,
        )
        if result.error is not None or result.graph is None:
            # The worker names the file by where it was read: never show that temporary path.
            error = (result.error or "no graph came back").replace(tmp, name).replace(Path(tmp).name, name)
            code = (
                status.HTTP_422_UNPROCESSABLE_CONTENT if result.over_budget else status.HTTP_400_BAD_REQUEST
            )
            raise HTTPException(code, f"{name}: {error}")
        document = result.graph.document.model_copy(update={"source": source})
        graph = result.graph.model_copy(update={"document": document})
        graph = curate(graph, curation.load(settings.curation_dir)).graph
        write_graph(driver, graph, database=settings.neo4j_database)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, kept)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return IngestResult(
        document_id=document.id,
        source=document.source,
        entities=len(graph.entities),
        relations=len(graph.relations),
        evidence=sum(len(e.evidence) for e in graph.entities) + sum(len(r.evidence) for r in graph.relations),
        pruned=dict(result.pruned),
    )


@router.delete(
    "/documents/{id}",
    responses=_problems(401, 404, 503),
    tags=["documents"],
    dependencies=[ApiKeyDep],
)
def delete_document(id: str, driver: DriverDep, settings: SettingsDep) -> DeleteResult:
    """Delete a document, its evidence and the facts only it stated; needs the ``X-API-Key`` header.

    An uploaded document's file goes too (``file_removed``), so that a rebuild does not bring it back; a
    document ingested from a folder of yours comes back with the next ingest of that folder unless its
    file is removed (``innograph ingest --sync FOLDER`` then retracts it as well).
    """
    from graph.store import delete_document as delete

    document = read.get_document(driver, database=settings.neo4j_database, id_=id)
    summary = delete(driver, id, database=settings.neo4j_database)
    return DeleteResult(
        document_id=id,
        source=document.source or "",
        title=document.title,
        nodes_deleted=summary.nodes_deleted,
        relationships_deleted=summary.relationships_deleted,
        evidence_deleted=summary.evidence_deleted,
        file_removed=_remove_upload(settings.upload_dir, document.source or "", id),
    )


def _remove_upload(upload_dir: Path, source: str, document_id: str) -> str | None:
    """Remove the kept file of an upload whose content is this document's; its path, or None."""
    from graph.model import content_id

    if not source.startswith("upload:"):
        return None
    root = upload_dir.resolve()
    path = upload_dir / source.removeprefix("upload:")
    if not path.resolve().is_relative_to(root):  # a source written by hand that points elsewhere
        return None
    try:
        if content_id(path.read_bytes()) != document_id:  # a newer version under that name stays
            return None
        path.unlink()
    except (FileNotFoundError, IsADirectoryError):
        return None
    # The folders the upload's path made go with it once empty.
    for folder in path.parents:
        if folder.resolve() == root or not folder.resolve().is_relative_to(root):
            break
        try:
            folder.rmdir()
        except OSError:
            break
    return str(path)


@router.get("/stats", responses=_problems(503), tags=["graph"])
async def get_stats(driver: DriverDep, settings: SettingsDep) -> Stats:
    """Counts per entity label and relation type, plus documents and evidence."""
    return await run_in_threadpool(read.get_stats, driver, database=settings.neo4j_database)


@router.get("/health", responses=_problems(503), tags=["graph"])
async def health(request: Request, driver: DriverDep, settings: SettingsDep) -> Health:
    """Whether Neo4j answers, its version and node counts; 503 while it cannot be reached.

    Its read runs on threads of its own (``app.state.health_pool``), never behind the requests that hold
    the API's shared threads, so a monitor sees the API answer while heavy queries run.
    """
    pool: ThreadPoolExecutor = request.app.state.health_pool
    try:
        info = await asyncio.get_running_loop().run_in_executor(
            pool, partial(read.health_counts, driver, database=settings.neo4j_database)
        )
    except AuthError as e:
        raise Neo4jUnavailable(
            f"Neo4j at {settings.neo4j_uri} refused user {settings.neo4j_user!r}: check NEO4J_USER and "
            "NEO4J_PASSWORD, then restart the API"
        ) from e
    except (Neo4jError, DriverError) as e:
        raise Neo4jUnavailable(
            f"Neo4j at {settings.neo4j_uri} does not answer ({type(e).__name__}): start it "
            "(innograph run) or point NEO4J_URI at a running server; this recovers by itself once it is up"
        ) from e
    return Health(neo4j_uri=settings.neo4j_uri, database=settings.neo4j_database, **info)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "GraphML, GEXF, a zip of nodes.csv, edges.csv and evidence.csv, or node-link JSON",
            "content": exports.OPENAPI_CONTENT,
        },
        **_problems(429, 503),
    },
    tags=["graph"],
)
def export(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    format: ExportFormat = ExportFormat.GRAPHML,
    label: Annotated[list[Label] | None, Query(description="keep entities of these labels")] = None,
    type: Annotated[list[RelType] | None, Query(description="keep relations of these types")] = None,
) -> Response:
    """The entity graph, or the subgraph of ``label`` entities and ``type`` relations between them.

    The whole stored graph by default, the extension included: Indicator nodes and SETS_TARGET edges (with
    year, value, unit, comparator, city); ``label`` without Indicator gives the actor network alone.

    - ``graphml`` and ``gexf`` (Gephi): node ``label`` = the entity's name, ``type`` = its label (City,
      Park, …), then name, aliases ("|"-joined), evidence_count and other properties; edge ``label`` and
      ``relation`` = the relation type, amount_cny, evidence_count, confidence, doc_ids ("|"-joined
      document ids), sentence (its first evidence), symmetric; the edge id is the relation key.
    - ``csv``: a zip of ``nodes.csv`` (id, label, type, name, aliases, evidence_count, …), ``edges.csv``
      (source, target, relation, key, symmetric, amount_cny, evidence_count, …) and ``evidence.csv`` (one row
      per piece of evidence: relation_key, relation, source, target, document_id, start, end, sentence,
      extractor, confidence, amount_cny). The relation type column is ``relation``, not ``type``, because
      Gephi reads a ``type`` column as edge direction.
    - ``json``: networkx node-link data (``nodes``, ``links``), readable by d3 and ``nx.node_link_graph``.

    ``/export/entity/{key}`` and ``/export/paths`` export one explorer view instead. The file is streamed as
    it is read from Neo4j, in pages; at most INNOGRAPH_MAX_CONCURRENT_EXPORTS exports run at once, and a
    request past that is a 429 with Retry-After.
    """
    release = _export_slot(request)
    try:
        source = read.export_source(
            driver,
            database=settings.neo4j_database,
            labels=[x.value for x in label] if label else None,
            types=[x.value for x in type] if type else None,
            batch_size=settings.export_batch_size,
        )
    except BaseException:
        release()
        raise
    return exports.response(source, format, "innograph", release)


# The "Export this view" routes (entity page, path page) answer like /export.
_VIEW_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the view in the chosen format", "content": exports.OPENAPI_CONTENT},
    **_problems(400, 404, 429, 503),
}


@router.get(
    "/export/entity/{key:path}",
    response_class=Response,
    responses=_VIEW_EXPORT_RESPONSES,
    tags=["graph"],
)
def export_entity_view(
    key: str,
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    format: ExportFormat = ExportFormat.GRAPHML,
    depth: Annotated[int, Query(ge=1, le=2, description="hops around the entity")] = 1,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many relationships")] = 120,
    labels: Annotated[list[Label] | None, Query(description="labels of the other ends")] = None,
    types: Annotated[list[RelType] | None, Query(description="relation types")] = None,
    min_confidence: MinConfidence = None,
) -> Response:
    """The subgraph an entity's explorer page draws with the same parameters (its "Export this view"
    link): the entity, its relationships within ``depth`` hops and their other ends; formats as /export."""
    hood = queries.entity_view(
        driver,
        database=settings.neo4j_database,
        key=key,
        depth=depth,
        labels=[x.value for x in labels] if labels else None,
        types=[x.value for x in types] if types else None,
        limit=limit,
        min_confidence=min_confidence,
    )
    return _export_view(
        request, driver, settings, [n.key for n in hood.nodes], [e.key for e in hood.edges], format, "entity"
    )


@router.get(
    "/export/paths",
    response_class=Response,
    responses=_VIEW_EXPORT_RESPONSES,
    tags=["graph"],
)
def export_paths_view(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    source: Annotated[str, Query(min_length=1, max_length=200, description="entity key, name or alias")],
    target: Annotated[str, Query(min_length=1, max_length=200, description="entity key, name or alias")],
    format: ExportFormat = ExportFormat.GRAPHML,
    max_hops: Annotated[int, Query(ge=1, le=read.MAX_HOPS)] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many paths")] = 10,
    exclude_label: PathLabels = None,
    exclude_type: PathTypes = None,
    exclude_provinces: Provinces = False,
) -> Response:
    """The paths GET /paths (and the explorer's path page) finds with the same parameters, as one subgraph:
    their entities and relationships (the path page's "Export this view" link); formats as /export."""
    result = read.shortest_paths(
        driver,
        database=settings.neo4j_database,
        source=source,
        target=target,
        max_hops=max_hops,
        limit=limit,
        exclude_labels=[x.value for x in exclude_label or ()],
        exclude_types=[x.value for x in exclude_type or ()],
        exclude_provinces=exclude_provinces,
    )
    return _export_view(
        request,
        driver,
        settings,
        [result.source.key, result.target.key, *(n.key for p in result.paths for n in p.nodes)],
        [step.key for p in result.paths for step in p.relationships],
        format,
        "paths",
    )


def _export_slot(request: Request) -> Callable[[], None]:
    """One of the process's export slots (released when the download ends); Busy (429) if none is free."""
    slots: Slots = request.app.state.export_slots
    return slots.take()


def _export_view(
    request: Request,
    driver: Driver,
    settings: Settings,
    node_keys: list[str],
    relation_keys: list[str],
    fmt: ExportFormat,
    view: str,
) -> Response:
    release = _export_slot(request)
    try:
        source = read.export_view(
            driver, database=settings.neo4j_database, node_keys=node_keys, relation_keys=relation_keys
        )
    except BaseException:
        release()
        raise
    return exports.response(source, fmt, f"innograph-{view}", release)

"""The curation API: merge, rename, reject, add, list and undo corrections; every route needs the API key.

A route checks the request against the graph (unknown keys are 404s that name them, impossible requests
400s that say why), appends the correction to the log (graph/curation.py) and writes the documents it
touches again with the whole log applied (ingest/curate.py), so the graph shows it at once and keeps it
through any re-ingest. Undo removes the line and writes the same documents again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from fastapi.responses import RedirectResponse
from neo4j import Driver
from pydantic import BaseModel, Field

from app.deps import ApiKeyDep, DriverDep, SettingsDep
from graph import curation
from graph.config import Settings
from graph.curation import Action, Add, Correction, Merge, Reject, Rename
from graph.errors import BadInput, InnographError, NotFound
from graph.model import CORE_TYPES, SYMMETRIC, Document, Label, RelType, entity_key, relation_key

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/curation", tags=["curation"], dependencies=[ApiKeyDep])

Key = Annotated[str, Field(min_length=1, max_length=300, examples=["Park:徐州高新区"])]
Note = Annotated[str, Field(max_length=2000, description="why: shown beside the correction and its evidence")]
MAX_MERGE = 50


class MergeRequest(BaseModel):
    into: Key
    merge: list[Key] = Field(min_length=1, max_length=MAX_MERGE, description="keys of the same actor")
    note: Note = ""


class RenameRequest(BaseModel):
    key: Key
    name: str | None = Field(default=None, max_length=200, description="the new name (default: unchanged)")
    label: str | None = Field(default=None, max_length=40, description="the new label (default: unchanged)")
    note: Note = ""


class RejectRequest(BaseModel):
    fact: str = Field(min_length=1, max_length=700, examples=["City:徐州|HOSTS|Park:徐州高新区"])
    note: Note = ""


class AddRequest(BaseModel):
    type: str = Field(examples=["COOPERATES"])
    source: Key
    target: Key
    amount_cny: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    note: Note = ""
    document_id: str = Field(min_length=1, max_length=64, description="the document the fact is read in")
    start: int = Field(ge=0, description="offset of the evidence span in the document's text")
    end: int = Field(gt=0, description="end of the evidence span")


class CorrectionView(BaseModel):
    """One correction: when, by whom (the API key's owner), why, and what it does."""

    id: str
    action: Action
    at: dt.datetime
    by: str
    note: str
    summary: str
    correction: Correction
    documents: int | None = Field(default=None, description="documents written again to apply it")


def _view(c: Merge | Rename | Reject | Add, documents: int | None = None) -> CorrectionView:
    return CorrectionView(
        id=c.id,
        action=c.action,
        at=c.at,
        by=c.by,
        note=c.note,
        summary=curation.describe(c),
        correction=c,
        documents=documents,
    )


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text}
    for code, text in (
        (400, "a correction that cannot be made (the message says why)"),
        (401, "the X-API-Key header is missing or wrong"),
        (404, "an entity, fact, document or correction that does not exist"),
        (503, "Neo4j is down, or INNOGRAPH_API_KEY is not set"),
    )
}


@router.get("", responses=_PROBLEMS)
def list_corrections(settings: SettingsDep) -> list[CorrectionView]:
    """Every correction, oldest first, with when, who and why."""
    return [_view(c) for c in curation.load(settings.curation_dir)]


@router.post("/merge", status_code=status.HTTP_201_CREATED, responses=_PROBLEMS)
def merge(body: MergeRequest, driver: DriverDep, settings: SettingsDep) -> CorrectionView:
    """Merge entities that are one actor into ``into``: their names become its aliases, their facts its
    facts, and their keys answer with it (GET /entities/{old key} redirects)."""
    with curation.LOCK:
        log = curation.load(settings.curation_dir)
        into = curation.resolve(log, body.into)
        merged = list(dict.fromkeys(curation.resolve(log, k) for k in body.merge))
        if into in merged:
            raise BadInput(
                f"cannot merge {into!r} into itself: list the other keys of the same actor in `merge`"
            )
        _require_entities(driver, settings, [into, *merged])
        c = Merge(**_stamp(settings, body.note), into=into, merge=tuple(merged))
        return _apply(driver, settings, log, c)


@router.post("/rename", status_code=status.HTTP_201_CREATED, responses=_PROBLEMS)
def rename(body: RenameRequest, driver: DriverDep, settings: SettingsDep) -> CorrectionView:
    """Give an entity another name or label (its key changes with them; the old key redirects to the new,
    the old name stays an alias, and pinyin search finds the new name)."""
    with curation.LOCK:
        log = curation.load(settings.curation_dir)
        key = curation.resolve(log, body.key)
        _require_entities(driver, settings, [key])
        old_label, old_name = curation.key_parts(key)
        label = _label(body.label) if body.label else old_label
        name = (body.name or "").strip() or old_name
        new_key = entity_key(label, name)
        if new_key == key:
            raise BadInput(f"{key!r} already has that name and label: give a new name or label")
        if curation.entity_names(driver, database=settings.neo4j_database, keys=[new_key]):
            raise BadInput(
                f"{new_key!r} already exists: merge {key!r} into it instead (POST /curation/merge)"
            )
        c = Rename(**_stamp(settings, body.note), key=key, new_key=new_key)
        return _apply(driver, settings, log, c)


@router.post("/reject", status_code=status.HTTP_201_CREATED, responses=_PROBLEMS)
def reject(body: RejectRequest, driver: DriverDep, settings: SettingsDep) -> CorrectionView:
    """Reject a wrong fact by its key: no document states it any more, now or after a re-ingest."""
    with curation.LOCK:
        log = curation.load(settings.curation_dir)
        fact = curation.find_fact(driver, database=settings.neo4j_database, fact=body.fact.strip())
        c = Reject(
            **_stamp(settings, body.note), fact=fact["key"], source=fact["source"], target=fact["target"]
        )
        return _apply(driver, settings, log, c)


@router.post("/add", status_code=status.HTTP_201_CREATED, responses=_PROBLEMS)
def add(body: AddRequest, driver: DriverDep, settings: SettingsDep) -> CorrectionView:
    """Add a fact extraction missed, with its evidence: a span (``start``–``end``) of a stored document.

    The fact's evidence names the extractor ``curator`` and carries the note.
    """
    with curation.LOCK:
        log = curation.load(settings.curation_dir)
        type_ = _core_type(body.type)
        source, target = curation.resolve(log, body.source), curation.resolve(log, body.target)
        if source == target:
            raise BadInput(f"a {type_} fact needs two different entities, got {source!r} twice")
        _require_entities(driver, settings, [source, target])
        if type_ in SYMMETRIC and target < source:
            source, target = target, source
        document = _document(driver, settings, body.document_id)
        if not body.start < body.end <= len(document.text):
            raise BadInput(
                f"the span {body.start}–{body.end} is not inside document {document.id} "
                f"({len(document.text)} characters): give start < end ≤ its length"
            )
        fact = relation_key(type_, source, target)
        if any(isinstance(c, Reject) and c.fact == fact for c in log):
            raise BadInput(f"{fact!r} is rejected: undo that rejection (DELETE /curation/{{id}}) instead")
        c = Add(
            **_stamp(settings, body.note),
            type=type_,
            source=source,
            target=target,
            amount_cny=body.amount_cny,
            document_id=document.id,
            document_source=document.source,
            start=body.start,
            end=body.end,
            sentence=document.text[body.start : body.end],
        )
        return _apply(driver, settings, log, c)


@router.delete("/{id}", responses=_PROBLEMS)
def undo(
    id: Annotated[str, Path(min_length=1, max_length=40)], driver: DriverDep, settings: SettingsDep
) -> CorrectionView:
    """Undo one correction: remove it from the log and write the documents it touched again without it."""
    from ingest.curate import rewrite_documents

    with curation.LOCK:
        log = curation.load(settings.curation_dir)
        c, rest = curation.without(log, id)
        documents = curation.affected_documents(
            driver, database=settings.neo4j_database, correction=c, corrections=log
        )
        curation.save(settings.curation_dir, rest)
        try:
            rewrite_documents(driver, database=settings.neo4j_database, documents=documents, corrections=rest)
        except InnographError:
            curation.save(settings.curation_dir, log)  # the log stays what the graph shows
            raise
        logger.info("undid correction %s (%s)", c.id, curation.describe(c))
        return _view(c, len(documents))


# --- helpers --------------------------------------------------------------------------------------


def _stamp(settings: Settings, note: str) -> dict[str, Any]:
    return {"id": curation.new_id(), "at": curation.now(), "by": settings.api_key_owner, "note": note.strip()}


def _apply(
    driver: Driver,
    settings: Settings,
    log: list[Merge | Rename | Reject | Add],
    c: Merge | Rename | Reject | Add,
) -> CorrectionView:
    """Append ``c`` to the log and write the documents it touches with the whole log applied."""
    from ingest.curate import rewrite_documents

    corrections = [*log, c]
    documents = curation.affected_documents(
        driver, database=settings.neo4j_database, correction=c, corrections=corrections
    )
    curation.save(settings.curation_dir, corrections)
    try:
        rewrite_documents(
            driver, database=settings.neo4j_database, documents=documents, corrections=corrections
        )
    except (InnographError, ValueError) as e:
        curation.save(settings.curation_dir, log)  # the log stays what the graph shows
        if isinstance(e, ValueError):
            raise BadInput(f"this correction does not fit the documents it touches: {e}") from e
        raise
    logger.info("correction %s: %s (%d documents written again)", c.id, curation.describe(c), len(documents))
    return _view(c, len(documents))


def _require_entities(driver: Driver, settings: Settings, keys: list[str]) -> None:
    """NotFound naming the first of ``keys`` that is no entity in the graph."""
    found = curation.entity_names(driver, database=settings.neo4j_database, keys=keys)
    for key in keys:
        if key not in found:
            raise NotFound(
                f"no entity has the key {key!r}: keys are Label:name as the entity's page shows them "
                "(search GET /entities?q= for its name)"
            )


def _label(value: str) -> Label:
    try:
        return Label(value.strip())
    except ValueError:
        raise BadInput(
            f"{value!r} is not a label of the ontology: use one of {curation.label_names()}"
        ) from None


def _core_type(value: str) -> RelType:
    names = ", ".join(t.value for t in CORE_TYPES)
    try:
        type_ = RelType(value.strip().upper())
    except ValueError:
        raise BadInput(
            f"{value!r} is not a relationship type a curator can add: use one of {names}"
        ) from None
    if type_ not in CORE_TYPES:
        raise BadInput(f"{value!r} is not a relationship type a curator can add: use one of {names}")
    return type_


def _document(driver: Driver, settings: Settings, document_id: str) -> Document:
    found = curation.stored_documents(driver, database=settings.neo4j_database, ids=[document_id.strip()])
    if not found:
        raise NotFound(
            f"no document has the id {document_id!r}: GET /documents lists them (the id is the sha256 "
            "the reader's address shows)"
        )
    return found[0]


def redirect_if_moved(settings: Settings, key: str, url: Callable[[str], str]) -> RedirectResponse | None:
    """A redirect to ``url(new key)`` when the log merged or renamed ``key`` into another, else None."""
    moved = curation.moved_to(curation.load(settings.curation_dir), key)
    if moved is None:
        return None
    return RedirectResponse(url(moved), status_code=status.HTTP_307_TEMPORARY_REDIRECT)

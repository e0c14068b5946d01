"""The curator's corrections: merges, renames, rejected facts and added facts, kept outside the database.

They live in ``<curation_dir>/corrections.jsonl``, one JSON object a line, in the order they were made, so
a person can read, diff and share them. The database never is their home: ingest applies them to every
document's Graph before it is written (ingest/curate.py), so a re-ingest, a new version of a document or a
rebuild from an empty database keeps them. Undoing one removes its line.

This module reads and writes the file and answers questions about it (where a merged key went, which
documents a correction touches); it knows nothing of extraction.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import uuid
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from neo4j import Driver
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from graph.cypher import query
from graph.errors import BadInput, NotFound
from graph.model import Document, Label, RelType

LOG_NAME = "corrections.jsonl"
CURATOR = "curator"  # the extractor named on the evidence of a fact a curator added
# Corrections are read, applied and written under this lock, so two requests cannot interleave their
# rewrites of the same documents or lose each other's lines.
LOCK = threading.RLock()


class Action(StrEnum):
    MERGE = "merge"
    RENAME = "rename"
    REJECT = "reject"
    ADD = "add"


class _Correction(BaseModel):
    """What every correction records: its id, when, who (the API key's owner) and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    at: dt.datetime
    by: str
    note: str = ""


class Merge(_Correction):
    """The entities ``merge`` are one actor with ``into``: their names become its aliases."""

    action: Literal[Action.MERGE] = Action.MERGE
    into: str
    merge: tuple[str, ...]


class Rename(_Correction):
    """Entity ``key`` is called ``new_key`` (``Label:name``) from now on; its old name becomes an alias."""

    action: Literal[Action.RENAME] = Action.RENAME
    key: str
    new_key: str


class Reject(_Correction):
    """Fact ``fact`` is wrong: no document's extraction states it any more."""

    action: Literal[Action.REJECT] = Action.REJECT
    fact: str
    source: str
    target: str


class Add(_Correction):
    """A fact extraction missed, read by the curator in a span of a document.

    ``document_source`` and ``sentence`` let it follow the document to a new version: there the span is
    found again by its sentence.
    """

    action: Literal[Action.ADD] = Action.ADD
    type: RelType
    source: str
    target: str
    amount_cny: float | None = None
    document_id: str
    document_source: str
    start: int
    end: int
    sentence: str


Correction = Annotated[Merge | Rename | Reject | Add, Field(discriminator="action")]
_LINE: TypeAdapter[Merge | Rename | Reject | Add] = TypeAdapter(Correction)


def new_id() -> str:
    """A short random id for a correction (12 hex digits)."""
    return uuid.uuid4().hex[:12]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def key_parts(key: str) -> tuple[Label, str]:
    """``Label:name`` split into its label and name; BadInput when the label is not in the ontology."""
    label, sep, name = key.partition(":")
    if not sep or not name.strip():
        raise BadInput(f"{key!r} is not an entity key: write it as Label:name, e.g. City:徐州")
    try:
        return Label(label), name
    except ValueError:
        raise BadInput(f"{label!r} is not a label of the ontology: use one of {label_names()}") from None


def label_names() -> str:
    return ", ".join(label.value for label in Label)


# --- the file -------------------------------------------------------------------------------------


def log_path(directory: Path) -> Path:
    return directory / LOG_NAME


def load(directory: Path) -> list[Merge | Rename | Reject | Add]:
    """Every correction in ``directory``'s log, oldest first; none when there is no log yet.

    Raises BadInput naming the file and line when a line is not a correction (a hand edit gone wrong).
    """
    path = log_path(directory)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise BadInput(f"cannot read the corrections in {path}: {e}") from e
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(_LINE.validate_json(line))
        except ValidationError as e:
            problem = e.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise BadInput(
                f"{path}:{number} is not a correction ({where}: {problem['msg']}): fix or remove that line"
            ) from None
    return found


def save(directory: Path, corrections: Sequence[Merge | Rename | Reject | Add]) -> None:
    """Write the log whole: a temporary file renamed over the old one, so a reader never sees half."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "".join(_LINE.dump_json(c).decode() + "\n" for c in corrections)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".corrections-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, log_path(directory))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def without(
    corrections: Sequence[Merge | Rename | Reject | Add], correction_id: str
) -> tuple[Merge | Rename | Reject | Add, list[Merge | Rename | Reject | Add]]:
    """The correction with ``correction_id`` and the log without it; NotFound when there is none."""
    for i, c in enumerate(corrections):
        if c.id == correction_id:
            return c, [*corrections[:i], *corrections[i + 1 :]]
    raise NotFound(f"no correction has the id {correction_id!r}: GET /curation lists them with their ids")


# --- what the log says ----------------------------------------------------------------------------


def redirects(corrections: Iterable[Merge | Rename | Reject | Add]) -> dict[str, str]:
    """Old key -> the key it became, for every merged or renamed entity (one step each)."""
    moved: dict[str, str] = {}
    for c in corrections:
        if isinstance(c, Merge):
            moved.update(dict.fromkeys(c.merge, c.into))
        elif isinstance(c, Rename):
            moved[c.key] = c.new_key
    return moved


def resolve(corrections: Iterable[Merge | Rename | Reject | Add], key: str) -> str:
    """The key ``key`` answers to now: followed through merges and renames (``key`` itself if none)."""
    moved = redirects(corrections)
    seen = {key}
    while key in moved and moved[key] not in seen:
        key = moved[key]
        seen.add(key)
    return key


def moved_to(corrections: Iterable[Merge | Rename | Reject | Add], key: str) -> str | None:
    """The key a merged or renamed ``key`` answers to now, or None when no correction moved it."""
    now = resolve(corrections, key)
    return None if now == key else now


def involved_keys(c: Merge | Rename | Reject | Add) -> set[str]:
    """The entity keys a correction names."""
    if isinstance(c, Merge):
        return {c.into, *c.merge}
    if isinstance(c, Rename):
        return {c.key, c.new_key}
    return {c.source, c.target}


def describe(c: Merge | Rename | Reject | Add) -> str:
    """One line a person reads in the list of corrections."""
    if isinstance(c, Merge):
        return f"merged {'、'.join(_name(k) for k in c.merge)} into {_name(c.into)}"
    if isinstance(c, Rename):
        return f"renamed {c.key} to {c.new_key}"
    if isinstance(c, Reject):
        return f"rejected {c.fact}"
    return f"added {_name(c.source)} {c.type.value} {_name(c.target)}"


def _name(key: str) -> str:
    return key.partition(":")[2] or key


def touching(corrections: Iterable[Merge | Rename | Reject | Add], key: str) -> list[Merge | Rename]:
    """The merges and renames that made entity ``key`` what it is (for its page)."""
    return [
        c
        for c in corrections
        if (isinstance(c, Merge) and c.into == key) or (isinstance(c, Rename) and c.new_key == key)
    ]


# --- what the database says -------------------------------------------------------------------------


def entity_names(driver: Driver, *, database: str, keys: Sequence[str]) -> dict[str, str]:
    """key -> name of those ``keys`` that are entities in the graph."""
    records, _, _ = driver.execute_query(
        query("curation_entities"), keys=list(keys), database_=database, routing_="r"
    )
    return {r["key"]: r["name"] for r in records}


def find_fact(driver: Driver, *, database: str, fact: str) -> dict[str, Any]:
    """The stored fact with key ``fact`` (key, type, source, target); NotFound when there is none."""
    records, _, _ = driver.execute_query(query("curation_fact"), key=fact, database_=database, routing_="r")
    if not records:
        raise NotFound(
            f"no fact has the key {fact!r}: copy it from the entity's relationships "
            "(GET /entities/{key}/relationships lists each fact's key)"
        )
    return dict(records[0])


def stored_documents(
    driver: Driver,
    *,
    database: str,
    keys: Iterable[str] = (),
    ids: Iterable[str] = (),
    sources: Iterable[str] = (),
) -> list[Document]:
    """The stored documents that mention one of ``keys``, or have one of ``ids`` or ``sources``, as Documents
    to extract again (their text is stored whole)."""
    records, _, _ = driver.execute_query(
        query("curation_documents"),
        keys=sorted(set(keys)),
        ids=sorted(set(ids)),
        sources=sorted(set(sources)),
        database_=database,
        routing_="r",
    )
    return [
        Document(
            id=r["id"],
            source=r["source"],
            title=r["title"],
            date=r["date"].to_native() if r["date"] is not None else None,
            text=r["text"],
        )
        for r in records
    ]


def affected_documents(
    driver: Driver,
    *,
    database: str,
    correction: Merge | Rename | Reject | Add,
    corrections: Sequence[Merge | Rename | Reject | Add],
) -> list[Document]:
    """The documents whose Graph ``correction`` changes, to be written again with ``corrections`` applied.

    Those that mention a key it names, or the key that key is now (``corrections`` followed), and for an
    added fact its document and the other versions of that document.
    """
    keys = involved_keys(correction)
    keys |= {resolve(corrections, k) for k in keys}
    ids, sources = (
        ([correction.document_id], [correction.document_source]) if isinstance(correction, Add) else ([], [])
    )
    return stored_documents(driver, database=database, keys=keys, ids=ids, sources=sources)

"""Bulk first load: graph shards → CSV in the cypher/STORAGE.md layout → `neo4j-admin database import full`.

The CSV holds exactly what graph.store.write_graph would leave after writing the same documents one by
one, in the same order: the rows come from the writer's own row builders (`entity_rows`, `relation_rows`,
`evidence_rows`, `merged_relations`, `document_params`), and `GraphFold` folds them the way its Cypher
does — aliases the sorted union of the documents' MENTIONS, `doc_ids` of an entity sorted and of a
relationship in write order, `evidence_count`, `confidence` (highest) and `amount_cny` (largest) from the
Evidence, extra properties with the last write winning. A document whose content id came earlier is
skipped; of the versions of one source only the last is stored, and the ones it replaced leave what a
retraction leaves (their properties on facts that survive, nothing else).

After the import the database is an ordinary one: graph.store.apply_schema builds its constraints and
indexes, and incremental ingest and document replacement work on it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from graph.errors import BadInput, ConfigError, InnographError
from graph.model import Graph
from graph.pinyin import pinyin_key
from graph.store import document_params, entity_rows, evidence_rows, merged_relations, relation_rows
from ingest.shards import ShardFailure, parse_line, peek_documents, read_failures, shard_lines

if TYPE_CHECKING:
    from graph.curation import Add, Merge, Reject, Rename
    from graph.server import LocalNeo4j
    from ingest.distributed import ExtractSummary

    Correction = Merge | Rename | Reject | Add

logger = logging.getLogger(__name__)

ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: no name, alias or document id contains it
ARRAY_DELIMITER_OPTION = "U+001F"
DEFAULT_READ_BUFFER = 4 * 2**20  # neo4j-admin's default; it must hold the largest single value
_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}


class Role(Enum):
    """What the bulk load does with one shard line, decided before reading any graph (`plan`)."""

    STORE = "store"  # the last version of its source: stored
    REPLACED = "replaced"  # a later version of its source replaces it: only its properties survive
    SKIPPED = "skipped"  # its content id came earlier in the input (or is stored already)


def plan(documents: Iterable[tuple[str, str]], *, known: frozenset[str] = frozenset()) -> list[Role]:
    """The Role of each (document id, source) in input order, as `innograph ingest` would treat them:
    a content id already seen (or in ``known``) is skipped, and each source keeps its last version."""
    roles: list[Role] = []
    seen: set[str] = set(known)
    last: dict[str, int] = {}
    for i, (doc_id, source) in enumerate(documents):
        if doc_id in seen:
            roles.append(Role.SKIPPED)
            continue
        seen.add(doc_id)
        if source in last:
            roles[last[source]] = Role.REPLACED
        last[source] = i
        roles.append(Role.STORE)
    return roles


# --- CSV cells ---------------------------------------------------------------------------------------


def cell(value: object) -> str:
    """One CSV field as neo4j-admin reads it: strings always quoted (so "" is an empty string, not null),
    None an empty field, lists joined by ARRAY_DELIMITER."""
    if isinstance(value, str):  # first: most cells are strings
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadInput(f"{value} cannot be stored: Neo4j's CSV import reads finite numbers only")
        return repr(value)
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in v for v in items):
            raise BadInput(f"a list value {items[:3]} contains U+001F, the CSV array delimiter: remove it")
        return cell(ARRAY_DELIMITER.join(items))
    if isinstance(value, dt.date):
        return value.isoformat()
    raise BadInput(f"{value!r} ({type(value).__name__}) is no property value Neo4j's CSV import reads")


def property_type(value: object) -> str:
    """The neo4j-admin header type of an extra property's value (graph.model.Scalar)."""
    try:
        return _TYPES[type(value)]
    except KeyError:
        raise BadInput(f"property value {value!r} is not a str, int, float or bool") from None


class CsvFile:
    """One CSV file with its header; notes whether a field spans lines and the largest field."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.rows = 0
        self.multiline = False
        self.widest = 0
        self._f: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._f.write(",".join(header) + "\n")

    def write(self, values: Sequence[object]) -> None:
        cells = [cell(v) for v in values]
        line = ",".join(cells)
        if "\n" in line or "\r" in line:
            self.multiline = True
        widest = max(map(len, cells))
        if widest > self.widest:
            self.widest = widest
        self._f.write(line)
        self._f.write("\n")
        self.rows += 1

    def close(self) -> None:
        self._f.close()


# --- the fold ----------------------------------------------------------------------------------------


class _EntityState:
    __slots__ = ("aliases", "doc_ids", "evidence", "label", "live", "name", "properties")

    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.label = label
        self.properties: dict[str, object] = {}
        self.aliases: set[str] = set()
        self.doc_ids: list[str] = []
        self.evidence = 0
        self.live = 0  # stored documents (of those folded so far) that mention it


class _RelationState:
    __slots__ = (
        *("amount", "confidence", "doc_ids", "evidence", "live"),
        *("properties", "row_amount", "source", "target", "type"),
    )

    def __init__(self, type_: str, source: str, target: str) -> None:
        self.type = type_
        self.source = source
        self.target = target
        self.properties: dict[str, object] = {}
        self.doc_ids: list[str] = []
        self.evidence = 0
        self.confidence: float | None = None
        self.amount: float | None = None  # the largest amount its evidence states
        self.row_amount: float | None = None  # the amount the last document writing it stated
        self.live = 0


@dataclass(frozen=True)
class ImportFiles:
    """The CSV of one bulk load: node files by labels, relationship files by type, and their counts."""

    folder: Path
    nodes: tuple[tuple[str, Path], ...]  # ("Entity:City", path)
    relationships: tuple[tuple[str, Path], ...]  # ("HOSTS", path)
    multiline: tuple[Path, ...]
    read_buffer: int
    documents: int
    entities: int
    relations: int
    evidence: int
    counts: dict[str, int] = field(default_factory=dict)


class GraphFold:
    """Folds Graphs, in write order, into the CSV the incremental writer's end state would export to.

    Documents, evidence and mentions stream to CSV as they come; entities and relationships are kept (one
    small record per fact) and written by `finish`.
    """

    def __init__(self, folder: Path, *, ingested_at: dt.datetime | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.ingested_at = (ingested_at or dt.datetime.now(dt.UTC)).isoformat().replace("+00:00", "Z")
        self.entities: dict[str, _EntityState] = {}
        self.relations: dict[str, _RelationState] = {}
        self._current: dict[str, str] = {}  # source -> the id of its version folded last
        self._replaced: dict[str, tuple[list[str], list[str]]] = {}  # id -> its entity and relation keys
        doc_header = ["id:ID(Document)", "source", "title", "date:date", "text", "length:long"]
        self._documents = CsvFile(folder / "documents.csv", [*doc_header, "ingested_at:datetime"])
        self._evidence = CsvFile(
            folder / "evidence.csv",
            [
                *("key:ID(Evidence)", "fact", "kind", "document_id", "start:long", "end:long", "sentence"),
                *("extractor", "confidence:double", "amount_cny:double", "note"),
            ],
        )
        self._in_document = CsvFile(folder / "in_document.csv", [":START_ID(Evidence)", ":END_ID(Document)"])
        self._mentions = CsvFile(
            folder / "mentions.csv", [":START_ID(Document)", ":END_ID(Entity)", "aliases:string[]"]
        )

    def add(self, graph: Graph, role: Role) -> None:
        """Fold one document's Graph (`role` from `plan`); raises BadInput as write_graph would."""
        if role is Role.SKIPPED:
            return
        relations = merged_relations(graph)
        ents = entity_rows(graph, with_pinyin=False)
        rels = relation_rows(relations)
        doc = graph.document
        for row in ents:
            e = self.entities.get(row["key"])
            if e is None:
                e = self.entities[row["key"]] = _EntityState(row["name"], row["label"])
            e.properties.update(row["properties"])
        for row in rels:
            r = self.relations.get(row["key"])
            if r is None:
                r = self.relations[row["key"]] = _RelationState(row["type"], row["source"], row["target"])
            r.properties.update(row["properties"])
            r.row_amount = row["amount_cny"]
        self._retract_older_version(doc.source, doc.id, ents, rels)
        for row in ents:
            self.entities[row["key"]].live += 1
        for row in rels:
            self.relations[row["key"]].live += 1
        if role is Role.REPLACED:
            self._replaced[doc.id] = ([row["key"] for row in ents], [row["key"] for row in rels])
            return
        self._store(graph, ents, rels, evidence_rows(graph, relations))

    def _retract_older_version(self, source: str, doc_id: str, ents: list[Any], rels: list[Any]) -> None:
        """What writing a new version of a source does to the one folded before: the facts only it
        stated go (an entity or relationship no stored document supports), the rest keep its properties."""
        older = self._current.get(source)
        self._current[source] = doc_id
        if older is None or older == doc_id:
            return
        entity_keys, relation_keys = self._replaced.pop(older)
        fresh_entities = {row["key"] for row in ents}
        fresh_relations = {row["key"] for row in rels}
        for key in relation_keys:
            r = self.relations[key]
            r.live -= 1
            if r.live == 0 and key not in fresh_relations:
                del self.relations[key]
        for key in entity_keys:
            e = self.entities[key]
            e.live -= 1
            if e.live == 0 and key not in fresh_entities:
                del self.entities[key]

    def _store(self, graph: Graph, ents: list[Any], rels: list[Any], evidence: list[Any]) -> None:
        doc = document_params(graph)
        doc_id = doc["id"]
        self._documents.write(
            [doc_id, doc["source"], doc["title"], doc["date"], doc["text"], doc["length"], self.ingested_at]
        )
        for row in ents:
            e = self.entities[row["key"]]
            e.doc_ids.append(doc_id)
            e.aliases.update(row["aliases"])
            self._mentions.write([doc_id, row["key"], row["aliases"]])
        for row in rels:
            self.relations[row["key"]].doc_ids.append(doc_id)
        for ev in evidence:
            self._evidence.write(
                [
                    *(ev["key"], ev["fact"], ev["kind"], doc_id, ev["start"], ev["end"], ev["sentence"]),
                    *(ev["extractor"], ev["confidence"], ev["amount_cny"], ev["note"]),
                ]
            )
            self._in_document.write([ev["key"], doc_id])
            if ev["kind"] == "entity":
                self.entities[ev["fact"]].evidence += 1
                continue
            r = self.relations[ev["fact"]]
            r.evidence += 1
            r.confidence = _max(r.confidence, ev["confidence"])
            r.amount = _max(r.amount, ev["amount_cny"])

    def finish(self) -> ImportFiles:
        """Write the entity and relationship files (one per label or type and set of extra properties)."""
        for f in (self._documents, self._evidence, self._in_document, self._mentions):
            f.close()
        files = [self._documents, self._evidence, self._in_document, self._mentions]
        nodes = [("Document", self._documents.path), ("Evidence", self._evidence.path)]
        relationships = [("IN_DOCUMENT", self._in_document.path), ("MENTIONS", self._mentions.path)]
        counts: dict[str, int] = {}
        for (labels, _extra), out in self._entity_files().items():
            nodes.append((labels, out.path))
            files.append(out)
            counts[labels] = counts.get(labels, 0) + out.rows
        for (type_, _extra), out in self._relation_files().items():
            relationships.append((type_, out.path))
            files.append(out)
            counts[type_] = counts.get(type_, 0) + out.rows
        widest = max(f.widest for f in files) * 4  # characters to UTF-8 bytes, at most
        return ImportFiles(
            folder=self.folder,
            nodes=tuple(nodes),
            relationships=tuple(relationships),
            multiline=tuple(f.path for f in files if f.multiline),
            read_buffer=max(DEFAULT_READ_BUFFER, 1 << max(0, widest).bit_length()),
            documents=self._documents.rows,
            entities=len(self.entities),
            relations=len(self.relations),
            evidence=self._evidence.rows,
            counts=counts,
        )

    def _entity_files(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], CsvFile]:
        outs: dict[tuple[str, tuple[tuple[str, str], ...]], CsvFile] = {}
        for key, e in self.entities.items():
            extra = _signature(e.properties)
            group = (f"Entity:{e.label}", extra)
            out = outs.get(group)
            if out is None:
                header = ["key:ID(Entity)", "name", "label", "aliases:string[]", "doc_ids:string[]"]
                header += ["evidence_count:long", "pinyin", *(f"{name}:{kind}" for name, kind in extra)]
                out = outs[group] = CsvFile(self.folder / f"entities-{len(outs):03d}.csv", header)
            aliases = sorted((a for a in e.aliases if a != e.name), key=_cypher_order)
            out.write(
                [
                    *(key, e.name, e.label, aliases, sorted(e.doc_ids), e.evidence, pinyin_key(e.name)),
                    *(e.properties[name] for name, _ in extra),
                ]
            )
        for out in outs.values():
            out.close()
        return outs

    def _relation_files(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], CsvFile]:
        outs: dict[tuple[str, tuple[tuple[str, str], ...]], CsvFile] = {}
        for key, r in self.relations.items():
            extra = _signature(r.properties)
            group = (r.type, extra)
            out = outs.get(group)
            if out is None:
                header = [":START_ID(Entity)", ":END_ID(Entity)", "key", "doc_ids:string[]"]
                header += ["evidence_count:long", "confidence:double", "amount_cny:double"]
                header += [f"{name}:{kind}" for name, kind in extra]
                out = outs[group] = CsvFile(self.folder / f"relations-{len(outs):03d}.csv", header)
            amount = r.amount if r.amount is not None else r.row_amount
            out.write(
                [
                    *(r.source, r.target, key, r.doc_ids, r.evidence, r.confidence, amount),
                    *(r.properties[name] for name, _ in extra),
                ]
            )
        for out in outs.values():
            out.close()
        return outs


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


def _cypher_order(text: str) -> bytes:
    """Sort key of Cypher's ORDER BY on strings (Java's UTF-16 code-unit order)."""
    return text.encode("utf-16-be", "surrogatepass")


def _signature(properties: dict[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, property_type(value)) for name, value in properties.items()))


def fold_to_csv(
    graphs: Iterable[tuple[Graph, Role]], folder: Path, *, ingested_at: dt.datetime | None = None
) -> ImportFiles:
    """Fold ``graphs`` (in write order, each with its Role) into import CSV in ``folder``."""
    fold = GraphFold(folder, ingested_at=ingested_at)
    for graph, role in graphs:
        fold.add(graph, role)
    return fold.finish()


# --- neo4j-admin -------------------------------------------------------------------------------------


def import_arguments(
    files: ImportFiles,
    *,
    database: str,
    overwrite: bool,
    off_heap: str,
    threads: int | None = None,
    report_file: Path | None = None,
) -> list[str]:
    """The arguments of `neo4j-admin database import full` that load ``files`` into ``database``."""
    args = ["database", "import", "full", database]
    args += [f"--nodes={labels}={path}" for labels, path in files.nodes]
    args += [f"--relationships={type_}={path}" for type_, path in files.relationships]
    args += [f"--array-delimiter={ARRAY_DELIMITER_OPTION}", f"--read-buffer-size={files.read_buffer}"]
    if files.multiline:
        args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(map(str, files.multiline))]
    args += [f"--max-off-heap-memory={off_heap}"]
    if threads is not None:
        args += [f"--threads={threads}"]
    if report_file is not None:
        args += [f"--report-file={report_file}"]
    if overwrite:
        args += ["--overwrite-destination=true"]
    return args


class ImportFailed(InnographError):
    """neo4j-admin refused the CSV or failed; the message has the end of its output."""


@dataclass(frozen=True)
class AdminRun:
    """One finished neo4j-admin run: its wall time and the peak resident memory of its JVM."""

    seconds: float
    peak_rss_bytes: int


def run_admin_import(
    args: Sequence[str], *, java: Path, lib: Path, home: Path, heap: str, timeout_s: float = 6 * 3600
) -> AdminRun:
    """Run neo4j-admin (org.neo4j.cli.AdminTool, from the jars in ``lib``) on the store in ``home``
    with ``heap`` of JVM heap; raises ImportFailed with the end of its output."""
    from graph.server import ADMIN_TOOL

    conf = home / "import-conf"
    conf.mkdir(parents=True, exist_ok=True)
    lines = [f"server.directories.data={home / 'data'}", f"server.directories.logs={home / 'logs'}"]
    (conf / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cmd = [str(java), "-cp", str(lib / "*"), f"-Xmx{heap}", "-Dfile.encoding=UTF-8", ADMIN_TOOL, *args]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)}
    log = home / "logs" / "bulk-import.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = _watch_rss(proc, timeout_s)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise ImportFailed(f"neo4j-admin database import failed (exit {proc.returncode}, log {log}):\n{tail}")
    logger.info("neo4j-admin import took %.1f s, peak RSS %.0f MiB", seconds, peak / 2**20)
    return AdminRun(seconds=seconds, peak_rss_bytes=peak)


def _watch_rss(proc: subprocess.Popen[bytes], timeout_s: float) -> int:
    """Wait for ``proc``, sampling its resident memory; the peak in bytes."""
    import psutil

    peak = 0
    deadline = time.monotonic() + timeout_s
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, watched.memory_info().rss)
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise ImportFailed(f"neo4j-admin database import took longer than {timeout_s:.0f} s: stopped")
        time.sleep(0.2)
    return peak


def shell_command(args: Sequence[str]) -> str:
    """``neo4j-admin <args>`` as one line to paste into a shell."""
    import shlex

    return "neo4j-admin " + " ".join(shlex.quote(a) for a in args)


def remove_csv(files: ImportFiles) -> None:
    """Delete the CSV folder of a finished import (the database holds it all now)."""
    shutil.rmtree(files.folder, ignore_errors=True)


# --- from shards to a database --------------------------------------------------------------------


@dataclass(frozen=True)
class BulkReport:
    """What a bulk load did: the CSV it wrote, the documents it skipped or could not load, its phases."""

    files: ImportFiles
    failures: tuple[ShardFailure, ...] = ()
    skipped: int = 0
    replaced: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    import_peak_rss_bytes: int = 0
    command: str | None = None  # for an external Neo4j: the neo4j-admin command to run there


def _effective_source(source: str, upload_dir: Path | None) -> str:
    from ingest.batch import upload_source

    return upload_source(Path(source), upload_dir) or source


def roles_of(shards: Sequence[Path], *, upload_dir: Path | None = None) -> list[Role]:
    """The Role of every shard line (`plan`), by the source `innograph ingest` would give it."""
    return plan((doc_id, _effective_source(source, upload_dir)) for doc_id, source in peek_documents(shards))


def folded_graphs(
    shards: Sequence[Path],
    roles: Sequence[Role],
    *,
    corrections: Sequence[Correction] = (),
    upload_dir: Path | None = None,
    failures: list[ShardFailure],
) -> Iterator[tuple[Graph, Role]]:
    """The shards' Graphs in write order with their Role, the upload source and the curator's corrections
    applied as `innograph ingest` applies them; a Graph the corrections do not fit goes to ``failures``."""
    from ingest.batch import Extracted, corrected, with_upload_source

    for graph, role in zip(read_graphs(shards, skip=[r is Role.SKIPPED for r in roles]), roles, strict=True):
        if graph is None:
            continue
        extracted = with_upload_source(Extracted(graph.document.source, graph=graph), upload_dir)
        result = corrected(extracted, corrections)
        if result.graph is None:
            doc = graph.document
            failures.append(ShardFailure(doc.source, "failed", result.error or "not corrected", doc.id))
            continue
        yield result.graph, role


def read_graphs(shards: Sequence[Path], *, skip: Sequence[bool]) -> Iterator[Graph | None]:
    """`read_shards` that yields None, unparsed, for the lines ``skip`` marks."""
    for i, (path, number, line) in enumerate(shard_lines(shards)):
        yield None if skip[i] else parse_line(path, number, line)


def write_csv(
    shards: Sequence[Path],
    folder: Path,
    *,
    corrections: Sequence[Correction] = (),
    upload_dir: Path | None = None,
) -> BulkReport:
    """Fold the shards into import CSV in ``folder`` (for an external Neo4j, or before a local import)."""
    started = time.perf_counter()
    failures = list(read_failures(shards))
    roles = roles_of(shards, upload_dir=upload_dir)
    graphs = folded_graphs(shards, roles, corrections=corrections, upload_dir=upload_dir, failures=failures)
    files = fold_to_csv(graphs, folder)
    return BulkReport(
        files=files,
        failures=tuple(failures),
        skipped=roles.count(Role.SKIPPED),
        replaced=roles.count(Role.REPLACED),
        seconds={"csv": time.perf_counter() - started},
    )


def database_dir(server: LocalNeo4j) -> Path:
    """Where the local server keeps the store of its database."""
    return server.home / "data" / "databases" / server.database


def _stored_nodes(server: LocalNeo4j) -> int:
    """Nodes in the local server's database: started for the question, stopped after."""
    from neo4j import GraphDatabase

    from graph.cypher import query

    with server:
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            records, _, _ = driver.execute_query(query("bulk_count_nodes"), database_=server.database)
        return int(records[0]["nodes"])


def load_local(
    server: LocalNeo4j,
    shards: Sequence[Path],
    *,
    overwrite: bool = False,
    corrections: Sequence[Correction] = (),
    upload_dir: Path | None = None,
    heap: str = "1g",
    off_heap: str = "1g",
    threads: int | None = None,
    csv_dir: Path | None = None,
    keep_csv: bool = False,
) -> BulkReport:
    """Bulk-load the shards into the local server's database, which must be empty unless ``overwrite``:
    write the CSV, run neo4j-admin with ``heap`` and ``off_heap`` memory on the stopped store, start the
    server and apply the schema. The server is left running (the caller stops it).

    Raises ConfigError when a server already runs on the home, BadInput when the database holds data.
    """
    from neo4j import GraphDatabase

    from graph.server import check_home_free, find_java
    from graph.store import apply_schema

    if server.is_running:
        raise ConfigError(f"the Neo4j on {server.home} is running: --bulk imports into a stopped store")
    check_home_free(server.home)
    existing = database_dir(server).exists()
    if existing and not overwrite:
        nodes = _stored_nodes(server)
        if nodes:
            raise BadInput(
                f"database {server.database!r} in {server.home} holds {nodes} nodes: --bulk loads only into "
                "an empty database. Use `innograph ingest` (without --bulk) to add documents to it, or "
                "--overwrite to replace everything in it"
            )
    folder = csv_dir or server.home / "bulk-csv"
    if csv_dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    report = write_csv(shards, folder, corrections=corrections, upload_dir=upload_dir)
    args = import_arguments(
        report.files,
        database=server.database,
        overwrite=existing,
        off_heap=off_heap,
        threads=threads,
        report_file=folder / "import.report",
    )
    run = run_admin_import(args, java=find_java(server.java), lib=server.lib, home=server.home, heap=heap)
    if not keep_csv:
        remove_csv(report.files)
    started = time.perf_counter()
    server.start()
    started_s = time.perf_counter() - started
    started = time.perf_counter()
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        apply_schema(driver, database=server.database)
    seconds = {**report.seconds, "import": run.seconds, "start": started_s}
    seconds["schema"] = time.perf_counter() - started
    return replace(report, seconds=seconds, import_peak_rss_bytes=run.peak_rss_bytes)


def write_for_external(
    shards: Sequence[Path],
    folder: Path,
    *,
    database: str,
    corrections: Sequence[Correction] = (),
    upload_dir: Path | None = None,
    off_heap: str = "90%",
) -> BulkReport:
    """The CSV for a Neo4j this process does not manage, and the one neo4j-admin command to run there
    (with the CSV folder copied to the same path on that machine, the database stopped)."""
    if folder.exists() and any(folder.glob("*.csv")):
        raise BadInput(f"{folder} holds CSV files already: choose an empty folder for --csv-dir")
    report = write_csv(shards, folder.resolve(), corrections=corrections, upload_dir=upload_dir)
    args = import_arguments(report.files, database=database, overwrite=True, off_heap=off_heap)
    return replace(report, command=shell_command(args))


def bulk_inputs(
    paths: Sequence[Path],
    *,
    work_dir: Path,
    cluster: str | None = None,
    workers: int | None = None,
    max_bytes: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Path], ExtractSummary | None]:
    """The shards to load for ``paths``: the shards named (or found in folders) as they are, and the
    documents among them extracted into ``work_dir/shards`` on the Dask engine (`extract_to_shards`)."""
    from ingest.distributed import extract_to_shards
    from ingest.read import MAX_BYTES, iter_paths
    from ingest.shards import REPORT_SUFFIX, is_shard

    files = iter_paths(paths)
    shards = [f for f in files if is_shard(f)]
    documents = [f for f in files if not is_shard(f) and not f.name.endswith(REPORT_SUFFIX)]
    if not shards and not documents:
        raise BadInput(f"nothing to load: no documents or shards in {' '.join(map(str, paths))}")
    summary = None
    if documents:
        summary = extract_to_shards(
            documents,
            out=work_dir / "shards",
            cluster=cluster,
            workers=workers,
            max_bytes=max_bytes or MAX_BYTES,
            on_progress=on_progress,
        )
        shards += summary.shards
    return shards, summary

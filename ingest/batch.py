"""Ingest many files: read and extract in a process pool, write each document to Neo4j in this process.

One file's failure is a row of the report, never the end of the run. A document whose content id is
already stored is skipped (not even extracted) unless `force` is set. The curator's corrections
(graph/curation.py) are applied to each document's Graph just before it is written (ingest/curate.py).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import StrEnum
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.curation import Add, Merge, Reject, Rename
from graph.errors import ConfigError, InnographError, Neo4jUnavailable, NotFound
from graph.model import Document, Graph, content_id
from ingest.read import MAX_BYTES, UnreadableFile, iter_paths, read_document
from ingest.shards import REPORT_SUFFIX, is_shard, read_failures, read_shards, shard_lines

if TYPE_CHECKING:
    from neo4j import Driver

logger = logging.getLogger(__name__)

# Set only while the fork server starts: its import of this module then loads the extraction's lazy
# resources (jieba's dictionary, the gazetteer) once, and every worker forked from it starts warm.
_WARM_ENV = "INNOGRAPH_WARM_FORK_SERVER"
_CRASHED = "the worker process died on it (out of memory, or a crash inside a parser)"


class Status(StrEnum):
    OK = "ok"
    SKIPPED = "skipped-unchanged"
    FAILED = "failed"
    RETRACTED = "retracted"  # its file is gone from a folder ingested with sync: deleted from the graph


# The source of an uploaded document: POST /documents keeps the file as <upload folder>/<name>, and an ingest
# of that folder (a rebuild) gives it the same source, so that its next upload replaces it.
UPLOAD_SOURCE = "upload:"


@dataclass(frozen=True)
class Extracted:
    """What a worker sends back for one file: its graph, or an error."""

    path: str
    document_id: str | None = None
    chars: int = 0
    cpu_s: float = 0.0  # the worker's CPU time on this file (read + extract)
    graph: Graph | None = None
    pruned: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    over_budget: bool = False  # stopped for its time or memory budget (extract_file_bounded), not unreadable


@dataclass(frozen=True)
class FileReport:
    """One row of the ingest report."""

    path: str
    status: Status
    document_id: str | None = None
    entities: int = 0
    relations: int = 0
    pruned: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class IngestReport:
    """Every file's row, in path order, and the totals."""

    files: tuple[FileReport, ...]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for row in self.files if row.status is status)

    @property
    def ok(self) -> int:
        return self.count(Status.OK)

    @property
    def skipped(self) -> int:
        return self.count(Status.SKIPPED)

    @property
    def failed(self) -> int:
        return self.count(Status.FAILED)

    @property
    def retracted(self) -> int:
        return self.count(Status.RETRACTED)

    @property
    def entities(self) -> int:
        return sum(row.entities for row in self.files)

    @property
    def relations(self) -> int:
        return sum(row.relations for row in self.files)

    @property
    def pruned(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for row in self.files:
            total.update(row.pruned)
        return dict(sorted(total.items()))

    def as_json(self) -> dict[str, Any]:
        """The report as plain data (`innograph ingest --json`): every file's row, then the totals."""
        files = [
            {
                "path": row.path,
                "status": row.status.value,
                "document_id": row.document_id,
                "entities": row.entities,
                "relations": row.relations,
                "pruned": dict(row.pruned),
                "note": row.error,
            }
            for row in self.files
        ]
        totals = {status.value: self.count(status) for status in Status}
        return {
            "files": files,
            "totals": {
                "files": len(self.files),
                **totals,
                "entities": self.entities,
                "relations": self.relations,
                "pruned": self.pruned,
                "seconds": round(self.seconds, 3),
            },
        }


ProgressCallback = Callable[[FileReport, int, int], None]


def ingest_paths(
    paths: Iterable[Path],
    *,
    driver: Driver,
    database: str,
    workers: int | None = None,
    force: bool = False,
    max_bytes: int = MAX_BYTES,
    on_progress: ProgressCallback | None = None,
    sync: bool = False,
    upload_dir: Path | None = None,
    corrections: Sequence[Merge | Rename | Reject | Add] = (),
) -> IngestReport:
    """Read, extract, correct (``corrections``, graph.curation.load) and store every file under `paths`;
    `on_progress(row, done, total)` after each file. Graph shards (ingest/shards.py) among them are stored
    as they are, without extracting again; the files their reports list are rows of this report.

    With `sync`, documents stored from one of the folders in `paths` whose file is gone are deleted from the
    graph. Files in `upload_dir` (the upload folder) get the source an upload gives them (upload_source).
    Raises BadInput for a path that does not exist and Neo4jUnavailable when the database goes away.
    """
    from graph.store import write_graph

    started = time.perf_counter()
    paths = list(paths)
    files = iter_paths(paths)
    # Graph shards (innograph extract --out) are written as they are; their reports are no documents.
    shards = [path for path in files if is_shard(path)]
    files = [path for path in files if not is_shard(path) and not path.name.endswith(REPORT_SUFFIX)]
    total = len(files) + sum(1 for _ in shard_lines(shards)) + sum(1 for _ in read_failures(shards))
    rows: list[FileReport] = []

    def report(row: FileReport) -> None:
        rows.append(row)
        if on_progress is not None:
            on_progress(row, len(rows), total)

    known = frozenset() if force else stored_document_ids(driver, database=database)
    if sync and not force:
        # A file moved within a synced folder is written again under its new path, not skipped: else its
        # old path, now gone, would retract it.
        known = known - _moved(driver, database=database, upload_dir=upload_dir)
    first_path: dict[str, str] = {}  # content id -> the first file of this run that has it
    todo: list[Path] = []
    # The id is the hash of the raw bytes, so unchanged files are known before any worker starts:
    # a second run over the same folder reads each file once and extracts nothing.
    for path in files:
        doc_id = peek_content_id(path, max_bytes=max_bytes)
        if doc_id is not None and doc_id in known:
            report(FileReport(str(path), Status.SKIPPED, doc_id))
        elif doc_id is not None and doc_id in first_path:
            report(
                FileReport(str(path), Status.SKIPPED, doc_id, error=f"same content as {first_path[doc_id]}")
            )
        else:
            if doc_id is not None:
                first_path[doc_id] = str(path)
            todo.append(path)

    def write(graph: Graph) -> None:
        write_graph(driver, graph, database=database)

    for failure in read_failures(shards):
        status = Status.SKIPPED if failure.status == "skipped" else Status.FAILED
        report(FileReport(failure.path, status, failure.document_id, error=failure.reason))
    for graph in read_shards(shards):
        doc = graph.document
        if doc.id in known:
            report(FileReport(doc.source, Status.SKIPPED, doc.id))
        elif doc.id in first_path:
            note = f"same content as {first_path[doc.id]}"
            report(FileReport(doc.source, Status.SKIPPED, doc.id, error=note))
        else:
            first_path[doc.id] = doc.source
            extracted = Extracted(path=doc.source, document_id=doc.id, chars=len(doc.text), graph=graph)
            report(_store(corrected(with_upload_source(extracted, upload_dir), corrections), write=write))
    for result in extract_files(todo, workers=workers, max_bytes=max_bytes):
        # The upload's source first: a curator's added fact follows a new version of a document by its source.
        result = corrected(with_upload_source(result, upload_dir), corrections)
        report(_store(result, write=write))
    if sync:
        folders = [path for path in paths if path.is_dir()]
        rows.extend(retract_missing(folders, driver=driver, database=database, upload_dir=upload_dir))
    rows.sort(key=lambda row: row.path)
    return IngestReport(files=tuple(rows), seconds=time.perf_counter() - started)


def corrected(result: Extracted, corrections: Sequence[Merge | Rename | Reject | Add]) -> Extracted:
    """``result`` with the corrections applied to its graph, what they dropped added to its pruned counts."""
    from ingest.curate import curate

    if result.graph is None or not corrections:
        return result
    try:
        curated = curate(result.graph, corrections)
    except (InnographError, ValueError) as e:  # a hand-edited correction that does not fit this document
        error = f"cannot apply the corrections (graph.curation): {_one_line(e)}"
        return replace(result, graph=None, error=error)
    pruned = Counter(result.pruned)
    pruned.update(curated.dropped)
    return replace(result, graph=curated.graph, pruned=dict(pruned))


def with_upload_source(result: Extracted, upload_dir: Path | None) -> Extracted:
    """``result`` with the source an upload gives its document when its file is in the upload folder."""
    graph = result.graph
    source = upload_source(Path(graph.document.source), upload_dir) if graph is not None else None
    if graph is None or source is None:
        return result
    document = graph.document.model_copy(update={"source": source})
    return replace(result, graph=graph.model_copy(update={"document": document}))


def upload_source(path: Path, upload_dir: Path | None) -> str | None:
    """``upload:<name>`` for a file of the upload folder, else None (a file keeps its path as source)."""
    if upload_dir is None:
        return None
    try:
        name = path.resolve().relative_to(upload_dir.resolve())
    except ValueError:
        return None
    return UPLOAD_SOURCE + name.as_posix()


def source_file(source: str, upload_dir: Path | None) -> Path | None:
    """The file a stored document was read from, or None when its source names none (a URL, an upload
    without an upload folder). A relative path is taken from the working directory, as ingest took it."""
    if source.startswith(UPLOAD_SOURCE):
        return upload_dir / source.removeprefix(UPLOAD_SOURCE) if upload_dir is not None else None
    if "://" in source or source.startswith("<"):
        return None
    return Path(source)


def _moved(driver: Driver, *, database: str, upload_dir: Path | None) -> frozenset[str]:
    """Ids of the stored documents whose file is gone from where they were read."""
    gone = set()
    for doc_id, source in stored_sources(driver, database=database):
        path = source_file(source, upload_dir)
        if path is not None and not path.exists():
            gone.add(doc_id)
    return frozenset(gone)


def retract_missing(
    folders: Sequence[Path], *, driver: Driver, database: str, upload_dir: Path | None = None
) -> list[FileReport]:
    """Delete the stored documents read from a file inside one of `folders` that no longer exists; one
    RETRACTED row each. Raises Neo4jUnavailable when the database cannot be read or written."""
    from graph.store import delete_document

    roots = [folder.resolve() for folder in folders]
    rows = []
    for doc_id, source in stored_sources(driver, database=database):
        path = source_file(source, upload_dir)
        if path is None or path.exists():
            continue
        if not any(path.resolve().is_relative_to(root) for root in roots):
            continue
        with contextlib.suppress(NotFound):  # deleted meanwhile by someone else: gone either way
            delete_document(driver, doc_id, database=database)
        logger.info("retracted %s (%s): its file is gone", source, doc_id[:12])
        rows.append(FileReport(source, Status.RETRACTED, doc_id, error="file gone: document deleted"))
    return rows


def stored_sources(driver: Driver, *, database: str) -> list[tuple[str, str]]:
    """(content id, source) of every stored document; raises Neo4jUnavailable if it cannot tell."""
    from neo4j.exceptions import DriverError, Neo4jError

    from graph.cypher import query

    try:
        records, _, _ = driver.execute_query(query("document_sources"), database_=database, routing_="r")
    except (Neo4jError, DriverError) as e:
        raise Neo4jUnavailable(
            f"cannot list the stored documents: {e}; is Neo4j running (innograph run)?"
        ) from e
    return [(record["id"], record["source"]) for record in records]


def peek_content_id(path: Path, *, max_bytes: int = MAX_BYTES) -> str | None:
    """The content id `read_document` would give `path`, or None when it would fail before hashing."""
    try:
        if not 0 < path.stat().st_size <= max_bytes:
            return None
        return content_id(path.read_bytes())
    except OSError:
        return None


def _store(result: Extracted, *, write: Callable[[Graph], object]) -> FileReport:
    """Write one extraction result and say how it went; only a lost database connection propagates."""
    graph = result.graph
    if result.error is not None or graph is None:
        error = result.error or "no graph came back"
        return FileReport(result.path, Status.FAILED, result.document_id, error=error)
    try:
        write(graph)
    except Neo4jUnavailable:
        raise
    except InnographError as e:
        return FileReport(result.path, Status.FAILED, result.document_id, error=f"could not store: {e}")
    return FileReport(
        result.path,
        Status.OK,
        result.document_id,
        entities=len(graph.entities),
        relations=len({r.key for r in graph.relations}),  # stored once per fact
        pruned=dict(result.pruned),
    )


def stored_document_ids(driver: Driver, *, database: str) -> frozenset[str]:
    """Content ids of the documents already in the database; raises Neo4jUnavailable if it cannot tell."""
    from neo4j.exceptions import DriverError, Neo4jError

    from graph.cypher import query

    try:
        records, _, _ = driver.execute_query(query("document_ids"), database_=database, routing_="r")
    except (Neo4jError, DriverError) as e:
        raise Neo4jUnavailable(
            f"cannot list the stored documents: {e}; is Neo4j running (innograph run)?"
        ) from e
    return frozenset(record["id"] for record in records)


# --- the process pool ---------------------------------------------------------------------------------


def extract_files(
    files: Sequence[Path], *, workers: int | None = None, max_bytes: int = MAX_BYTES
) -> Iterator[Extracted]:
    """Read and extract `files` in `workers` processes (default: all cores), yielding results as they come.

    A file that kills its worker is retried alone, so that it fails by itself and takes no other with it.
    """
    if not files:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    _check_workers_start(max_bytes)
    queue = deque(files)
    while queue:
        crashed = yield from _run_pool(queue, workers=workers, max_bytes=max_bytes)
        for path in crashed:
            again = yield from _run_pool(deque([path]), workers=1, max_bytes=max_bytes)
            if again:
                yield Extracted(path=str(path), error=_CRASHED)


def _run_pool(queue: deque[Path], *, workers: int, max_bytes: int) -> Generator[Extracted, None, list[Path]]:
    """Drain `queue` through one pool; returns the files in flight if a worker died (losing the pool)."""
    # Two tasks per worker keep every core busy while this process writes, without queueing every result.
    limit = 2 * workers
    pool = _pool(workers, max_bytes)
    in_flight: dict[Future[Extracted], Path] = {}
    try:
        while queue or in_flight:
            while queue and len(in_flight) < limit:
                path = queue.popleft()
                in_flight[pool.submit(_extract_in_worker, path)] = path
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                path = in_flight.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    crashed = [path, *in_flight.values()]
                    logger.warning(
                        "a worker died with %d file(s) in flight; retrying each alone", len(crashed)
                    )
                    in_flight.clear()
                    return crashed
                except Exception as e:  # e.g. a result that could not be sent back
                    result = Extracted(path=str(path), error=f"worker error: {_one_line(e)}")
                yield result
        return []
    finally:
        # Also reached when the caller stops early (e.g. Neo4j went away): drop the queued work.
        pool.shutdown(wait=True, cancel_futures=True)


def _check_workers_start(max_bytes: int) -> None:
    """Raise ConfigError when worker processes die at start-up, rather than blame every file for it."""
    try:
        with _pool(1, max_bytes) as pool:
            pool.submit(_ping).result()
    except BrokenProcessPool as e:
        raise ConfigError(
            "worker processes die as they start (see the messages above); run from a script or "
            "module file, and check that the innograph package imports cleanly"
        ) from e


def _ping() -> bool:
    return True


def _pool(workers: int, max_bytes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(max_bytes,)
    )


def _context() -> ForkServerContext:
    """The fork-server context, its server started (once per process) with the extraction preloaded.

    Not plain fork: this process may hold threads (progress bar, driver) whose locks a forked child would
    inherit held. The server is a fresh process; workers fork from it, sharing what it loaded.
    """
    context: ForkServerContext = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    os.environ[_WARM_ENV] = "1"
    try:
        forkserver.ensure_running()  # copies the environment now; nothing else sees the variable
    finally:
        del os.environ[_WARM_ENV]
    return context


def _warm_up() -> None:
    """Load the extraction's lazy resources by extracting one sentence; a failure only costs speed."""
    from ingest.pipeline import extract_document

    text = "徐州高新区入驻华为。"
    try:
        extract_document(Document(id=content_id(text.encode()), source="<warm-up>", text=text))
    except Exception:
        logger.warning("warming up the extraction failed; workers will load it themselves", exc_info=True)
    # What is loaded now lives as long as the workers: out of the collector's sight, it is neither
    # traversed by every full collection nor copied into each worker by the collector's writes.
    gc.freeze()


_max_bytes: int = MAX_BYTES


def _init_worker(max_bytes: int) -> None:
    global _max_bytes
    _max_bytes = max_bytes
    # Ctrl-C is the main process's to handle (it cancels the queued files); a worker finishes its file.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # pypdf warns about every oddity it recovers from, on stderr over the progress bar; what matters
    # reaches us as exceptions.
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _extract_in_worker(path: Path) -> Extracted:
    return extract_file(path, max_bytes=_max_bytes)


def extract_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Extracted:
    """Read and extract one file; every failure becomes the result's one-line `error`."""
    from ingest.pipeline import extract_document

    started = time.process_time()
    try:
        document = read_document(path, max_bytes=max_bytes)
    except UnreadableFile as e:
        return Extracted(path=str(path), error=e.reason, cpu_s=time.process_time() - started)
    except Exception as e:  # a reader library failing in a way read_document did not foresee
        logger.debug("reading %s failed", path, exc_info=True)
        return Extracted(path=str(path), error=f"cannot read: {_one_line(e)}{_where(e)}")
    try:
        extraction = extract_document(document)
    except Exception as e:
        # A bug met on one document must not stop the others; the report names it and where it happened.
        logger.debug("extraction failed on %s", path, exc_info=True)
        error = f"extraction failed: {_one_line(e)}{_where(e)}"
        return Extracted(path=str(path), document_id=document.id, error=error)
    return Extracted(
        path=str(path),
        document_id=document.id,
        chars=len(document.text),
        cpu_s=time.process_time() - started,
        graph=extraction.graph,
        pruned=dict(extraction.pruned),
    )


def extract_file_bounded(
    path: Path, *, max_bytes: int = MAX_BYTES, timeout_s: float, memory_bytes: int
) -> Extracted:
    """`extract_file` in a process of its own, killed after `timeout_s` seconds; it may grow by
    `memory_bytes` of address space at most. Either budget spent is an error with ``over_budget`` set."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(
        target=_bounded_worker,
        args=(send, path, max_bytes, memory_bytes),
        name="innograph-upload",
        daemon=True,
    )
    worker.start()
    send.close()  # only the child writes: its end closing tells this side the child is gone
    try:
        if receive.poll(timeout_s):
            try:
                result: Extracted = receive.recv()
                return result
            except EOFError:
                pass  # died without an answer: killed for its memory, or a crash in a parser
            return Extracted(path=str(path), error=_CRASHED, over_budget=True)
        return Extracted(
            path=str(path),
            error=f"extraction took longer than its limit of {timeout_s:g} s and was stopped; split the "
            "document or raise INNOGRAPH_UPLOAD_TIMEOUT_S",
            over_budget=True,
        )
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receive.close()


def _bounded_worker(send: Any, path: Path, max_bytes: int, memory_bytes: int) -> None:
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # The budget is on top of what the (forked, warm) process already maps: the dictionaries are shared.
    limit = _address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = extract_file(path, max_bytes=max_bytes)
    except MemoryError:
        result = Extracted(
            path=str(path),
            error=f"extraction needed more than its memory budget of {memory_bytes // 2**20} MiB and was "
            "stopped; split the document or raise INNOGRAPH_UPLOAD_MEMORY_BYTES",
            over_budget=True,
        )
    if result.error is not None and "MemoryError" in result.error:
        result = replace(result, over_budget=True)
    send.send(result)
    send.close()


def _address_space() -> int:
    """This process's mapped address space in bytes (Linux), 0 where it cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"


def _one_line(error: BaseException) -> str:
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}"[:200]


if os.environ.get(_WARM_ENV) == "1":  # only in the fork server, see _context
    _warm_up()

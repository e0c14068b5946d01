"""Extraction on a Dask cluster: files in, graph shards (ingest/shards.py) out.

Documents are independent, so each task reads and extracts a small batch of files with the serial code
(`ingest.batch.extract_file`: `ingest.read.read_document` + `ingest.pipeline.extract_document`) and sends
back each document's Graph as JSON. With an address the tasks go to a running Dask scheduler (its workers
need this package installed and the files on a shared path); without one they run on a
`distributed.LocalCluster` of worker processes on this machine: the same code path either way.

Output is deterministic: the shards hold the documents in sorted path order, whatever the number of
workers or the order tasks finish in; a file whose content repeats an earlier file's is skipped (as
`innograph ingest` skips it) and named in the shard's report.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import BadInput, ConfigError
from ingest.read import MAX_BYTES, iter_paths
from ingest.shards import SHARD_SUFFIX, ShardFailure, ShardWriter

logger = logging.getLogger(__name__)

DEFAULT_TASK_FILES = 8  # files per task: enough to amortise a task's overhead, few enough to spread
DEFAULT_SHARD_DOCUMENTS = 1000  # documents per shard file
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Row:
    """What a task sends back for one file: its Graph as JSON (a shard's line), or the error."""

    path: str  # as given
    document_id: str | None = None
    graph_json: str | None = None
    error: str | None = None
    relations: int = 0  # facts (one per relation key), as the ingest report counts them
    pruned: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtractSummary:
    """What an extraction run wrote: the shards, and how many files gave a graph, failed or were skipped."""

    shards: tuple[Path, ...]
    documents: int
    failed: int
    skipped: int
    relations: int
    workers: int
    seconds: float
    pruned: dict[str, int] = field(default_factory=dict)
    failures: tuple[ShardFailure, ...] = ()


def extract_rows(items: Sequence[tuple[str, str]], max_bytes: int = MAX_BYTES) -> list[Row]:
    """A Dask task: read and extract each (path as given, path to read) with the serial code.

    The document's source is the path as given (what `innograph ingest` stores), read from where the
    worker sees the file; every failure is a row's error, never the task's.
    """
    from ingest.batch import extract_file

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    rows: list[Row] = []
    for given, location in items:
        result = extract_file(Path(location), max_bytes=max_bytes)
        graph = result.graph
        if graph is None:
            rows.append(Row(given, result.document_id, error=result.error or "no graph came back"))
            continue
        if graph.document.source != given:
            document = graph.document.model_copy(update={"source": given})
            graph = graph.model_copy(update={"document": document})
        rows.append(
            Row(
                given,
                result.document_id,
                graph.model_dump_json(),
                relations=len({r.key for r in graph.relations}),
                pruned=dict(result.pruned),
            )
        )
    return rows


@contextlib.contextmanager
def dask_client(cluster: str | None, workers: int | None) -> Iterator[Any]:
    """A distributed.Client on the scheduler at ``cluster``, else on a LocalCluster of ``workers`` processes
    (default: all cores), one thread each (extraction is pure Python: threads would share one core)."""
    from distributed import Client, LocalCluster

    if cluster is not None:
        try:
            client = Client(cluster, timeout="30s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as e:
            raise ConfigError(
                f"no Dask scheduler answers at {cluster} ({e}): start one (dask scheduler; dask worker "
                f"{cluster}) or leave out --cluster to use a local cluster"
            ) from e
        with client:
            yield client
        return
    n = max(1, workers or os.cpu_count() or 1)
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,
        ) as local,
        Client(local) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def warm(client: Any) -> None:
    """Load the extraction's lazy resources (jieba, the gazetteer) on every worker of ``client``, so that
    what is timed next is extraction, not start-up."""
    client.run(_warm_worker)


def _warm_worker() -> int:
    from ingest.pipeline import extract_text

    return len(extract_text("徐州高新区入驻华为。").graph.entities)


def _batches(files: Sequence[Path], size: int) -> list[list[tuple[str, str]]]:
    items = [(str(path), str(path.resolve())) for path in files]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _ordered_rows(
    client: Any, batches: list[list[tuple[str, str]]], *, max_bytes: int, in_flight: int
) -> Iterator[Row]:
    """Rows of every batch in submission order, at most ``in_flight`` tasks queued at once."""
    pending: deque[tuple[Any, list[tuple[str, str]]]] = deque()
    queue = deque(batches)
    while queue or pending:
        while queue and len(pending) < in_flight:
            batch = queue.popleft()
            pending.append((client.submit(extract_rows, batch, max_bytes, pure=False), batch))
        future, batch = pending.popleft()
        try:
            rows: list[Row] = future.result()
        except Exception as e:  # the task died (a worker killed by its memory limit, a lost worker)
            error = f"the Dask task failed: {type(e).__name__}: {' '.join(str(e).split())[:160]}"
            rows = [Row(given, error=error) for given, _ in batch]
        finally:
            future.release()
        yield from rows


def _failure(row: Row, first_path: dict[str, str]) -> ShardFailure | None:
    """The report row of a file that gives no graph: failed, or a copy of an earlier file's content."""
    if row.graph_json is None or row.document_id is None:
        return ShardFailure(row.path, "failed", row.error or "no graph came back", row.document_id)
    if row.document_id in first_path:
        reason = f"same content as {first_path[row.document_id]}"
        return ShardFailure(row.path, "skipped", reason, row.document_id)
    return None


def extract_to_shards(
    paths: Sequence[Path],
    *,
    out: Path,
    cluster: str | None = None,
    workers: int | None = None,
    task_files: int = DEFAULT_TASK_FILES,
    shard_documents: int = DEFAULT_SHARD_DOCUMENTS,
    max_bytes: int = MAX_BYTES,
    on_progress: ProgressCallback | None = None,
    client: Any = None,
) -> ExtractSummary:
    """Extract every file under ``paths`` on a Dask cluster (``cluster``'s address, else a local one) into
    shards ``out/part-NNNNN.graph.jsonl`` of ``shard_documents`` documents each, in sorted path order.

    A ``client`` (distributed.Client) given is used as it is, instead of one on ``cluster``. Raises BadInput
    for a missing path or an ``out`` holding shards already, ConfigError when no scheduler answers.
    """
    if task_files < 1 or shard_documents < 1:
        raise BadInput("task_files and shard_documents must be at least 1")
    started = time.perf_counter()
    files = iter_paths(paths)
    if out.exists() and any(out.glob(f"*{SHARD_SUFFIX}")):
        raise BadInput(f"{out} holds shards already: choose an empty folder for --out, or remove them")
    out.mkdir(parents=True, exist_ok=True)
    batches = _batches(files, task_files)
    shards: list[Path] = []
    failures: list[ShardFailure] = []
    pruned: Counter[str] = Counter()
    first_path: dict[str, str] = {}
    counts = Counter[str]()
    writer: ShardWriter | None = None
    n_workers = 0
    try:
        with contextlib.ExitStack() as stack:
            if client is None:
                client = stack.enter_context(dask_client(cluster, workers))
            n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            rows = _ordered_rows(client, batches, max_bytes=max_bytes, in_flight=4 * max(1, n_workers))
            for done, row in enumerate(rows, start=1):
                if writer is None or writer.graphs + writer.failures >= shard_documents:
                    if writer is not None:
                        writer.close()
                    writer = ShardWriter(out / f"part-{len(shards):05d}{SHARD_SUFFIX}")
                    shards.append(writer.path)
                failure = _failure(row, first_path)
                if failure is not None:
                    writer.add_failure(failure)
                    failures.append(failure)
                    counts[failure.status] += 1
                elif row.graph_json is not None and row.document_id is not None:
                    first_path[row.document_id] = row.path
                    writer.add_json(row.graph_json)
                    counts["documents"] += 1
                    counts["relations"] += row.relations
                    pruned.update(row.pruned)
                if on_progress is not None:
                    on_progress(done, len(files))
    finally:
        if writer is not None:
            writer.close()
    summary = ExtractSummary(
        shards=tuple(shards),
        documents=counts["documents"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        relations=counts["relations"],
        workers=n_workers,
        seconds=time.perf_counter() - started,
        pruned=dict(sorted(pruned.items())),
        failures=tuple(failures),
    )
    logger.info(
        "extracted %d files on %d Dask workers in %.1f s: %d documents, %d failed, %d skipped",
        len(files),
        summary.workers,
        summary.seconds,
        summary.documents,
        summary.failed,
        summary.skipped,
    )
    return summary

"""Bulk-load benchmark: `innograph ingest --bulk`'s path against the incremental writer, in one run.

    python -m bench.bench_bulk [--documents 10000] [--relations 100] [--entities 100000] [--sample 300]
                               [--extract-documents 200]

1. Generates ``--documents`` deterministic documents (bench/bench_load.py's generator: hub cities shared by
   every document, a cluster of entities per document, ``--relations`` distinct facts each, every fact with
   its evidence sentence) and writes them as graph shards (ingest/shards.py). Not timed.
2. **Bulk, timed end to end from the shards**: `ingest.bulk.load_local` into a new LocalNeo4j home — fold
   into CSV, neo4j-admin import (heap INNOGRAPH_BULK_IMPORT_HEAP, --max-off-heap-memory
   INNOGRAPH_BULK_IMPORT_OFF_HEAP), start the server, apply the schema. Extraction is not in this figure
   (the shards are generated); it is timed apart in 4.
3. **Incremental, timed**: graph.store.write_graph of the first ``--sample`` of the same documents, one
   transaction each, into another new LocalNeo4j; the ratio of relations/s (target >= 20x).
4. **Extraction, timed**: the texts of ``--extract-documents`` of the same documents read and extracted as
   files through ingest.distributed on a LocalCluster of 1 worker, then of 2 (workers warmed first, start-up
   not timed): documents/s and the speed-up.
Peak memory is sampled every 0.2 s: the resident set of this process plus all its children (the import's
JVM, the Neo4j server) at the same instant (target <= 4 GB), and of the import's JVM alone. The machine's
load average and cores are printed before and after. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from bench.bench_load import make_graph, make_specs
from graph.config import get_settings
from graph.model import Graph
from graph.server import LocalNeo4j, find_free_ports
from graph.store import apply_schema, write_graph
from ingest.bulk import load_local
from ingest.distributed import dask_client, extract_to_shards, warm
from ingest.shards import ShardWriter

logger = logging.getLogger("bench.bench_bulk")
console = Console(width=140)
GB = 2**30
SHARD_DOCUMENTS = 1000


class PeakMemory:
    """Samples RSS of this process plus its children (summed at each instant) in a thread; keeps the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self.own_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = own = 0
            try:
                own = me.memory_info().rss
                total = own
                for child in me.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
            except psutil.Error:
                pass
            self.peak = max(self.peak, total)
            self.own_peak = max(self.own_peak, own)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def graphs(documents: int, relations: int, entities: int, seed: int = 13) -> Iterator[Graph]:
    hubs, clusters = make_specs(entities, documents, seed)
    for d in range(documents):
        yield make_graph(hubs, clusters[d], relations, seed + d, f"bench/bulk/doc{d:05d}.txt")


def write_shards(folder: Path, documents: int, relations: int, entities: int) -> tuple[list[Path], int]:
    """The generated documents as shards of SHARD_DOCUMENTS each; (shards, relations in them)."""
    shards: list[Path] = []
    writer: ShardWriter | None = None
    total = 0
    for graph in graphs(documents, relations, entities):
        if writer is None or writer.graphs >= SHARD_DOCUMENTS:
            if writer is not None:
                writer.close()
            writer = ShardWriter(folder / f"part-{len(shards):05d}.graph.jsonl")
            shards.append(writer.path)
        writer.add(graph)
        total += len(graph.relations)
    if writer is not None:
        writer.close()
    return shards, total


def server(home: Path) -> LocalNeo4j:
    settings = get_settings()
    bolt, http = find_free_ports(2)
    return LocalNeo4j(
        home=home,
        lib=settings.neo4j_lib,
        password="bench-bulk-password",
        bolt_port=bolt,
        http_port=http,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
    )


def incremental(home: Path, sample: list[Graph]) -> float:
    """Seconds to write ``sample`` with graph.store.write_graph into a new server (schema applied first)."""
    from neo4j import GraphDatabase

    with server(home) as neo4j, GraphDatabase.driver(neo4j.uri, auth=(neo4j.user, neo4j.password)) as d:
        apply_schema(d, database=neo4j.database)
        started = time.perf_counter()
        for graph in sample:
            write_graph(d, graph, database=neo4j.database)
        return time.perf_counter() - started


def extraction(folder: Path, sample: list[Graph]) -> dict[int, float]:
    """Seconds to read and extract the sample's texts as files on a warm LocalCluster of 1 and 2 workers."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for i, graph in enumerate(sample):
        (docs / f"doc{i:05d}.txt").write_text(graph.document.text, encoding="utf-8")
    seconds = {}
    for workers in (1, 2):
        with dask_client(None, workers) as client:
            warm(client)
            started = time.perf_counter()
            extract_to_shards([docs], out=folder / f"shards-{workers}", client=client)
            seconds[workers] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=100, help="distinct facts per document")
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="documents written incrementally")
    parser.add_argument("--extract-documents", type=int, default=200, help="documents extracted on 1 and 2")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("distributed").setLevel(logging.ERROR)
    settings = get_settings()
    console.print(f"before: {machine()}")
    with tempfile.TemporaryDirectory(prefix="innograph-bench-bulk-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        shards, relations = write_shards(work / "shards", args.documents, args.relations, args.entities)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in shards)
        console.print(
            f"generated {args.documents} documents, {relations} relations in {len(shards)} shards "
            f"({size / 2**20:.0f} MiB) in {generated:.0f} s (not timed below)"
        )
        bulk_server = server(work / "bulk-home")
        with PeakMemory() as memory:
            started = time.perf_counter()
            try:
                report = load_local(
                    bulk_server,
                    shards,
                    heap=settings.bulk_import_heap,
                    off_heap=settings.bulk_import_off_heap,
                )
                bulk_s = time.perf_counter() - started
            finally:
                bulk_server.stop()
        sample = [
            g
            for g, _ in zip(
                graphs(args.documents, args.relations, args.entities), range(args.sample), strict=False
            )
        ]
        sample_relations = sum(len(g.relations) for g in sample)
        incremental_s = incremental(work / "incremental-home", sample)
        extract = extraction(work / "extract", sample[: args.extract_documents])

    bulk_rate, inc_rate = relations / bulk_s, sample_relations / incremental_s
    table = Table(
        title="bulk first load vs incremental writer (same generated documents)", title_justify="left"
    )
    for column in ("path", "documents", "relations", "seconds", "documents/s", "relations/s"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row(
        "--bulk from shards (CSV + import + start + schema)",
        str(report.files.documents),
        str(relations),
        f"{bulk_s:.1f}",
        f"{report.files.documents / bulk_s:,.0f}",
        f"{bulk_rate:,.0f}",
    )
    table.add_row(
        "incremental (graph.store.write_graph)",
        str(len(sample)),
        str(sample_relations),
        f"{incremental_s:.1f}",
        f"{len(sample) / incremental_s:,.1f}",
        f"{inc_rate:,.0f}",
    )
    console.print(table)
    phases = ", ".join(f"{phase} {s:.1f} s" for phase, s in report.seconds.items())
    console.print(f"bulk phases: {phases}")
    console.print(f"ratio bulk / incremental relations/s: {bulk_rate / inc_rate:.1f}x (target >= 20x)")
    console.print(
        f"peak memory during --bulk: {memory.peak / GB:.2f} GB this process + children at one instant "
        f"(this process alone {memory.own_peak / GB:.2f} GB; "
        f"neo4j-admin's JVM {report.import_peak_rss_bytes / GB:.2f} GB "
        f"with heap {settings.bulk_import_heap}, off-heap {settings.bulk_import_off_heap}); target <= 4 GB"
    )
    n = min(args.extract_documents, len(sample))
    console.print(
        f"extraction of {n} generated texts (read + extract as files, ingest.distributed, warm workers): "
        f"1 worker {n / extract[1]:.1f} docs/s, 2 workers {n / extract[2]:.1f} docs/s, "
        f"speed-up {extract[1] / extract[2]:.2f}x"
    )
    console.print(f"after: {machine()}")


if __name__ == "__main__":
    main()

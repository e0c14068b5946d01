"""Analytics benchmark: time and peak memory of `innograph analyse` (pull + compute + write-back).

    python -m bench.bench_analytics [--sizes 10000,100000,1000000] [--compare 100000] [--heap 1g]

For each size, a generated graph of that many relations (a third as many actors: cities host parks, parks
and cities host institutes and enterprises, cities and policies fund them, actors cooperate by preferential
attachment) is bulk-loaded with UNWIND into a fresh LocalNeo4j (temporary home, free ports). The analyse
run is then a subprocess of its own, so its peak memory (its rusage maxrss, as RUSAGE_CHILDREN would
report for a parent with that one child) excludes the generator and the loader. The table gives the growth
factor per 10x relations; the target is <= 15x time and <= 4 GB peak at 1M. ``--compare`` runs the
compute step on both backends (networkx, igraph) for the sizes up to that many relations.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction
from rich.console import Console
from rich.table import Table

from graph import analytics
from graph.config import get_settings
from graph.cypher import query
from graph.model import CORE_TYPES, Label, RelType, relation_key
from graph.server import LocalNeo4j, find_free_ports
from graph.store import apply_schema

logger = logging.getLogger(__name__)
console = Console(width=160)

LOAD_BATCH = 10_000
DOC_POOL = 5_000  # distinct document ids the generated facts cite
WARM_UP_PAGES = 10


# --- the generated graph ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    nodes: list[dict[str, Any]]
    relations: list[dict[str, Any]]


def generate(relations: int, *, seed: int = 7) -> Generated:
    """A deterministic actor graph with ``relations`` relations and ``relations // 3`` actors."""
    rng = random.Random(seed)
    n = max(60, relations // 3)
    counts = {
        Label.CITY: max(5, n // 200),
        Label.PARK: max(5, n // 20),
        Label.POLICY: max(5, n // 50),
        Label.INSTITUTE: max(5, n // 10),
    }
    counts[Label.ENTERPRISE] = n - sum(counts.values())
    stems = {Label.CITY: "城市", Label.PARK: "高新区", Label.POLICY: "政策", Label.INSTITUTE: "研究院"}
    keys: dict[Label, list[str]] = {}
    nodes = []
    for label, count in counts.items():
        stem = stems.get(label, "企业")
        keys[label] = []
        for i in range(count):
            name = f"{stem}{i:07d}"
            keys[label].append(f"{label.value}:{name}")
            nodes.append({"key": f"{label.value}:{name}", "name": name, "label": label.value})
    facts: dict[tuple[RelType, str, str], int] = {}

    def add(type_: RelType, source: str, target: str) -> bool:
        if source == target:
            return False
        if type_ is RelType.COOPERATES and target < source:
            source, target = target, source
        before = len(facts)
        facts.setdefault((type_, source, target), 1 + int(rng.expovariate(1.0)))  # evidence 1, 2, ...
        return len(facts) > before

    cities, parks = keys[Label.CITY], keys[Label.PARK]
    actors = keys[Label.INSTITUTE] + keys[Label.ENTERPRISE]
    for park in parks:
        add(RelType.HOSTS, rng.choice(cities), park)
    for actor in actors:
        add(RelType.HOSTS, rng.choice(parks) if rng.random() < 0.8 else rng.choice(cities), actor)
    funders = cities + keys[Label.POLICY]
    attachment = list(actors)  # an actor appears once more per cooperation: rich get richer
    while len(facts) < relations:
        if rng.random() < 0.25:
            add(RelType.FUNDS, rng.choice(funders), rng.choice(actors))
        else:
            a, b = rng.choice(attachment), rng.choice(attachment)
            if add(RelType.COOPERATES, a, b):
                attachment += (a, b)
    rows = []
    for (type_, source, target), evidence in facts.items():
        docs = sorted({f"doc{rng.randrange(DOC_POOL):05d}" for _ in range(evidence)})
        rows.append(
            {
                "type": type_.value,
                "source": source,
                "target": target,
                "key": relation_key(type_, source, target),
                "doc_ids": docs,
                "evidence_count": evidence,
            }
        )
    return Generated(nodes=nodes, relations=rows[:relations])


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), LOAD_BATCH):
        yield rows[start : start + LOAD_BATCH]


def _write(tx: ManagedTransaction, name: str, rows: list[dict[str, Any]]) -> None:
    tx.run(query(name), rows=rows).consume()


def load(driver: Driver, database: str, graph: Generated) -> float:
    """Bulk-load ``graph`` (layout of cypher/STORAGE.md) into an empty database; seconds taken."""
    started = time.perf_counter()
    apply_schema(driver, database=database)
    with driver.session(database=database) as session:
        for rows in _batches(graph.nodes):
            session.execute_write(_write, "analytics_bench_nodes", rows)
        for rows in _batches(graph.relations):
            session.execute_write(_write, "analytics_bench_relations", rows)
    return time.perf_counter() - started


def warm_up(driver: Driver, database: str, graph: Generated) -> float:
    """Plan the analytics statements and warm Neo4j's JIT on a few pages and writes, so that the measured
    run is not the server's first (a cold server adds a fixed ~15 s here); seconds taken."""
    started = time.perf_counter()
    params = {"labels": None, "types": [t.value for t in CORE_TYPES], "by_documents": False, "page": 1_000}
    rows = [
        {"key": n["key"], "degree": 0, "pagerank": 0.0, "betweenness": 0.0, "community": 0}
        for n in graph.nodes
    ]
    with driver.session(database=database) as session:
        session.run(query("analytics_count_entities")).consume()
        after = ""
        for _ in range(WARM_UP_PAGES):
            record = session.run(query("analytics_page"), params, after=after).single(strict=True)
            if record["last"] is None:
                break
            after = record["last"]
        for start in range(0, min(len(rows), WARM_UP_PAGES * 1_000), 1_000):
            batch = rows[start : start + 1_000]
            session.execute_write(_write_metrics, batch)  # overwritten by the measured run
    return time.perf_counter() - started


def _write_metrics(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> None:
    tx.run(query("analytics_write"), rows=rows, run_at=None).consume()


# --- the measured subprocess --------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    """Run one analyse (or, with --compute-only, pull and compute on --backend) and print its figures."""
    auth = ("neo4j", os.environ["BENCH_NEO4J_PASSWORD"])
    with GraphDatabase.driver(args.uri, auth=auth) as driver:
        started = time.perf_counter()
        if args.compute_only:
            g = analytics.pull_graph(driver, database=args.database)
            result = analytics.analyse(g, backend=args.backend)
        else:
            result = analytics.run_analytics(driver, database=args.database, backend=args.backend)
        total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": result.seconds,
                "total": total,
                "nodes": len(result.nodes),
                "edges": result.edges,
                "communities": result.communities,
                "pivots": result.betweenness_pivots,
                "backend": result.backend,
            }
        )
    )


def measured(server: LocalNeo4j, *extra: str) -> dict[str, Any]:
    """Figures of one child run, with its peak resident memory in MB and its wall time."""
    cmd = [sys.executable, "-m", "bench.bench_analytics", "--child", "--uri", server.uri, "--database"]
    cmd += [server.database, *extra]
    env = {**os.environ, "BENCH_NEO4J_PASSWORD": server.password}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, env=env)
        # wait4 reaps this one child and returns its own rusage: loading and Neo4j do not count.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"the analyse subprocess failed with code {proc.returncode}")
    figures: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    # CPU time of the analyse process: on a machine shared with other work, steadier than wall time.
    figures["cpu"] = usage.ru_utime + usage.ru_stime
    figures["wall"] = wall
    return figures


# --- the run ------------------------------------------------------------------------------------------


def bench_size(relations: int, *, heap: str, pagecache: str, compare: bool) -> dict[str, Any]:
    started = time.perf_counter()
    graph = generate(relations)
    generated = time.perf_counter() - started
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as home:
        bolt, http = find_free_ports(2)
        server = LocalNeo4j(
            home=Path(home),
            lib=settings.neo4j_lib,
            password=secrets.token_urlsafe(16),
            bolt_port=bolt,
            http_port=http,
            heap=heap,
            pagecache=pagecache,
            java=settings.java,
            start_timeout_s=settings.neo4j_start_timeout_s,
        )
        with server, GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            loaded = load(driver, server.database, graph)
            warmed = warm_up(driver, server.database, graph)
            del graph
            console.print(
                f"{relations:,} relations: generated in {generated:.1f} s, loaded in {loaded:.1f} s, "
                f"server warmed up in {warmed:.1f} s"
            )
            row = measured(server)
            row.update(relations=relations, load_s=loaded)
            console.print(
                f"  analyse {row['total']:.1f} s ({_phases(row['seconds'])}), peak {row['peak_mb']:.0f} MB"
            )
            if compare:
                for backend in ("networkx", "igraph"):
                    figures = measured(server, "--compute-only", "--backend", backend)
                    row[backend] = figures
                    console.print(f"  compute on {backend}: {_phases(figures['seconds'])}")
    return row


def _phases(seconds: dict[str, float]) -> str:
    return ", ".join(f"{phase} {s:.2f} s" for phase, s in seconds.items())


def _compute(seconds: dict[str, float]) -> float:
    return sum(s for phase, s in seconds.items() if phase not in ("pull", "write"))


def report(rows: list[dict[str, Any]], *, heap: str, pagecache: str) -> None:
    table = Table(title="innograph analyse: pull + compute + write-back", title_justify="left")
    columns = ("relations", "actors", "edges", "pull s", "compute s", "write s", "analyse s", "x per 10x")
    for column in (*columns, "CPU s", "x per 10x", "peak MB"):
        table.add_column(column, justify="right")
    table.add_column("betweenness", justify="right")
    table.add_column("backend")
    previous: dict[str, Any] | None = None
    for row in rows:
        growth = cpu_growth = ""
        if previous is not None:
            growth = _per_10x(row, previous, "total")
            cpu_growth = _per_10x(row, previous, "cpu")
        s = row["seconds"]
        table.add_row(
            f"{row['relations']:,}",
            f"{row['nodes']:,}",
            f"{row['edges']:,}",
            f"{s['pull']:.1f}",
            f"{_compute(s):.1f}",
            f"{s['write']:.1f}",
            f"{row['total']:.1f}",
            growth,
            f"{row['cpu']:.1f}",
            cpu_growth,
            f"{row['peak_mb']:.0f}",
            f"{row['pivots']} pivots" if row["pivots"] else "exact",
            row["backend"],
        )
        previous = row
    console.print(table)
    compared = [row for row in rows if "networkx" in row]
    if compared:
        side = Table(title="compute only, same pulled graph: networkx vs igraph", title_justify="left")
        side.add_column("relations", justify="right")
        for phase in ("pagerank", "betweenness", "communities", "compute"):
            side.add_column(f"{phase} nx / ig s", justify="right")
        side.add_column("speed-up", justify="right")
        side.add_column("peak MB nx / ig", justify="right")
        for row in compared:
            nx_s, ig_s = row["networkx"]["seconds"], row["igraph"]["seconds"]
            cells = [f"{nx_s[p]:.2f} / {ig_s[p]:.2f}" for p in ("pagerank", "betweenness", "communities")]
            cells.append(f"{_compute(nx_s):.2f} / {_compute(ig_s):.2f}")
            side.add_row(
                f"{row['relations']:,}",
                *cells,
                f"{_compute(nx_s) / max(_compute(ig_s), 1e-9):.0f}x",
                f"{row['networkx']['peak_mb']:.0f} / {row['igraph']['peak_mb']:.0f}",
            )
        console.print(side)
    console.print(
        f"Neo4j: heap {heap}, page cache {pagecache} (its memory is not in 'peak MB'); "
        f"betweenness exact up to {analytics.EXACT_BETWEENNESS_MAX_NODES:,} nodes, else "
        f"{analytics.BETWEENNESS_PIVOTS} pivots within {analytics.BETWEENNESS_BUDGET:,} "
        f"pivot x edges, at least "
        f"{analytics.MIN_BETWEENNESS_PIVOTS}; igraph from {analytics.IGRAPH_MIN_EDGES:,} edges "
        f"({'installed' if analytics.igraph_available() else 'NOT installed: networkx only'})"
    )


def _per_10x(row: dict[str, Any], previous: dict[str, Any], measure: str) -> str:
    """How much ``measure`` grows per 10x relations between two rows."""
    tenfolds = math.log10(row["relations"] / previous["relations"])
    return f"{(row[measure] / previous[measure]) ** (1 / tenfolds):.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="relations per run, comma-separated")
    parser.add_argument(
        "--compare", type=int, default=100_000, help="compare backends up to this size (0: never)"
    )
    parser.add_argument("--heap", default="1g", help="Neo4j heap")
    parser.add_argument("--pagecache", default="512m", help="Neo4j page cache")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compute-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="neo4j", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the server of the size being measured is stopped and its home removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.child:
        child(args)
        return
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    rows = [
        bench_size(size, heap=args.heap, pagecache=args.pagecache, compare=size <= args.compare)
        for size in sizes
    ]
    report(rows, heap=args.heap, pagecache=args.pagecache)


if __name__ == "__main__":
    main()

"""Abuse benchmark: the red-team's load cases against a real Neo4j and uvicorn on loopback.

    python -m bench.bench_abuse [--entities 20000] [--relations 80000] [--home bench/out/abuse-neo4j]

Builds a generated graph as bench.bench_api does (neo4j-admin import; ``--home`` keeps it for the next run),
serves ``app.main:create_app`` with uvicorn, then replays each case while a prober asks ``/health`` every
100 ms on a new connection:

- 45 nested queries at once (``RETURN [[[…300 levels…]]]``, which overflowed Neo4j's parser stack);
- 20 slow queries at once (10 cartesian products that run into the transaction time limit, 10 chains of
  200 OPTIONAL MATCH clauses whose planning runs into the planning limit);
- 4 exports of the whole graph at once (GraphML);
- one ``RETURN range(1,20000000)`` (a 20-million-element value: Neo4j's transaction memory limit).

For each it prints the statuses the API answered, how long the case took, /health p50/p99/max, the API's
peak resident memory and how many of 40 new Bolt connections Neo4j accepted afterwards. The target is a
/health p99 under 1 s in every case; the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bench_api import count_entities, generate, local_neo4j, serve

logger = logging.getLogger("bench.bench_abuse")

NESTED = "RETURN " + "[" * 300 + "1" + "]" * 300
CARTESIAN = (
    "MATCH (a:Entity), (b:Entity), (c:Entity) WHERE a.name + b.name + c.name = 'x' RETURN count(*) AS n"
)
OPTIONAL_CHAIN = (
    "MATCH (n0:Entity) "
    + " ".join(f"OPTIONAL MATCH (n{i})-[]-(n{i + 1})" for i in range(200))
    + " RETURN count(*) AS n"
)
HUGE_VALUE = "RETURN range(1, 20000000) AS r"
TARGET_P99_S = 1.0


def _request(port: int, method: str, path: str, body: Any = None, timeout: float = 300) -> tuple[int, int]:
    """(status, bytes read) of one request on a new connection; status 0 when it failed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return response.status, size
    except OSError:
        return 0, 0
    finally:
        conn.close()


@dataclass
class Probe:
    """/health every 100 ms during a case, and the API's resident memory at each tick."""

    port: int
    api_pid: int
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    peak_rss_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            status, _ = _request(self.port, "GET", "/health", timeout=30)
            self.latencies.append(time.perf_counter() - started)
            self.failures += status != 200
            self.peak_rss_mb = max(self.peak_rss_mb, _rss_mb(self.api_pid))
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def bolt_accepts(uri: str, auth: tuple[str, str], n: int = 40) -> int:
    """How many of ``n`` new drivers opened at once get a Bolt connection and a login."""
    from neo4j import GraphDatabase

    def one(_: int) -> bool:
        try:
            with GraphDatabase.driver(uri, auth=auth, connection_timeout=10) as driver:
                driver.verify_connectivity()
            return True
        except Exception:
            return False

    with ThreadPoolExecutor(n) as pool:
        return sum(pool.map(one, range(n)))


def run_case(port: int, api_pid: int, calls: list[Callable[[], tuple[int, int]]]) -> dict[str, Any]:
    probe = Probe(port, api_pid)
    prober = threading.Thread(target=probe.run, daemon=True)
    prober.start()
    time.sleep(0.5)  # a few quiet probes first
    started = time.perf_counter()
    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(lambda call: call(), calls))
    seconds = time.perf_counter() - started
    time.sleep(0.5)
    probe.stop()
    prober.join(35)
    return {
        "statuses": dict(Counter(status for status, _ in results)),
        "bytes": sum(size for _, size in results),
        "seconds": seconds,
        "health_n": len(probe.latencies),
        "health_failures": probe.failures,
        "health_p50_s": statistics.median(probe.latencies),
        "health_p99_s": _pct(probe.latencies, 99),
        "health_max_s": max(probe.latencies),
        "api_peak_rss_mb": probe.peak_rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--relations", type=int, default=80_000)
    parser.add_argument("--home", type=Path, default=None, help="keep Neo4j here and reuse its data")
    parser.add_argument("--heap", default="512m", help="Neo4j heap (the project's default)")
    parser.add_argument("--pagecache", default="256m")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)

    from neo4j import GraphDatabase
    from rich.console import Console
    from rich.table import Table

    from graph.server import find_free_ports
    from graph.store import apply_schema

    console = Console(width=160)
    graph = None
    if args.home is None or not (args.home / "data" / "databases" / "neo4j").exists():
        started = time.perf_counter()
        graph = generate(args.entities, args.relations)
        console.print(f"generated the graph in {time.perf_counter() - started:.1f} s")
    with local_neo4j(args.home, args.heap, args.pagecache, graph) as server:
        del graph
        auth = (server.user, server.password)
        with GraphDatabase.driver(server.uri, auth=auth) as driver:
            started = time.perf_counter()
            apply_schema(driver, database=server.database)
            entities, relations = count_entities(driver, server.database)
        console.print(
            f"graph: {entities} entities, {relations} relations; schema online in "
            f"{time.perf_counter() - started:.1f} s; Neo4j heap {args.heap}"
        )
        (port,) = find_free_ports(1)
        api = serve(server.uri, server.password, port, 1)
        try:
            _request(port, "GET", "/export?format=json&label=City")  # warm the export path and its plans

            def cypher(text: str) -> Callable[[], tuple[int, int]]:
                return lambda: _request(port, "POST", "/cypher", {"query": text})

            def export() -> tuple[int, int]:
                return _request(port, "GET", "/export?format=graphml")

            cases = [
                ("45 nested queries at once", [cypher(NESTED)] * 45),
                ("20 slow queries at once", [cypher(CARTESIAN)] * 10 + [cypher(OPTIONAL_CHAIN)] * 10),
                ("4 exports at once (GraphML)", [export] * 4),
                ("RETURN range(1,20000000)", [cypher(HUGE_VALUE)]),
            ]
            table = Table(
                title=f"abuse cases ({os.cpu_count()} cores, load avg {os.getloadavg()[0]:.1f} at start)"
            )
            columns = ["case", "statuses", "MB out", "case s", "/health n", "p50 ms", "p99 ms", "max ms"]
            columns += ["failed", "API peak RSS MB", "new Bolt ok", "p99 < 1 s"]
            for column in columns:
                table.add_column(column, justify="left" if column in ("case", "statuses") else "right")
            summary = []
            idle_rss = _rss_mb(api.pid)
            for name, calls in cases:
                result = run_case(port, api.pid, calls)
                result["bolt_ok"] = bolt_accepts(server.uri, auth)
                summary.append({"case": name, **result})
                table.add_row(
                    name,
                    " ".join(f"{status}×{n}" for status, n in sorted(result["statuses"].items())),
                    f"{result['bytes'] / 1e6:.1f}",
                    f"{result['seconds']:.1f}",
                    str(result["health_n"]),
                    f"{result['health_p50_s'] * 1000:.0f}",
                    f"{result['health_p99_s'] * 1000:.0f}",
                    f"{result['health_max_s'] * 1000:.0f}",
                    str(result["health_failures"]),
                    f"{result['api_peak_rss_mb']:.0f}",
                    f"{result['bolt_ok']}/40",
                    "yes" if result["health_p99_s"] < TARGET_P99_S else "NO",
                )
                console.print(f"{name}: done in {result['seconds']:.1f} s")
        finally:
            api.terminate()
            api.wait(30)
        console.print(table)
        console.print(
            f"API resident memory before the cases: {idle_rss:.0f} MB. statuses: the API's answers "
            "(0 = no answer); /health: probed every 100 ms on a new connection during the case; "
            "new Bolt ok: of 40 drivers opened at once after the case, how many connected and logged in."
        )
        out = Path(__file__).resolve().parent / "out"
        out.mkdir(exist_ok=True)
        (out / "bench_abuse.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

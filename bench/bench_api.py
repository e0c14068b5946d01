"""API benchmark: the HTTP API over a large generated graph, loaded from a second process.

    python -m bench.bench_api [--entities 100000] [--relations 500000] [--seconds 15] [--workers 1]
                              [--concurrency 8] [--rate 300] [--home bench/out/api-neo4j]

1. Starts a LocalNeo4j on free ports (in ``--home`` when given, so a second run reuses the data; else a
   temporary home) and, unless the database already holds the graph, bulk-loads a deterministic graph of
   ``--entities`` entities and ``--relations`` relations, every fact with evidence in one of the generated
   documents. The per-document store writer (graph.store.write_graph) recomputes aliases, counts and
   confidences per row, which is right for ingest but would take tens of minutes at this size on two
   shared cores (so did a Cypher UNWIND loader: ~1,000 rows/s here), so the graph is written as CSV in
   the STORAGE.md layout and built offline by ``neo4j-admin database import`` (on the shared 2-core
   machine: ~2 min to generate, ~4 min to write the CSV and import, ~40 s for apply_schema to build the
   constraints and indexes on it). Use ``--home`` to pay that once.
2. Serves ``app.main:create_app`` with uvicorn (``--workers`` processes, no access log; uvloop and
   httptools when installed).
3. Loads it from a SECOND process (``--client``): a small asyncio HTTP/1.1 keep-alive client, loopback only,
   on ``/entities/{key}/relationships`` (random entities) and ``/entities?q=`` (random 2-3 character pieces
   of names). For each: a closed loop on 1 connection (latency without queueing), a closed loop on
   ``--concurrency`` connections (the maximum rate), and an open loop at ``--rate`` requests/s (latency
   measured from each request's scheduled time, so a server that falls behind shows it). Prints requests/s
   and p50/p90/p99 latency, never asserts them; bench/out/bench_api.json keeps them.
4. Says where the time goes: the CPU time per request of Neo4j and of uvicorn during each run (and the rate
   two dedicated cores would sustain at that cost), and the same Cypher run directly through the driver.
   The machine's load average is printed with each run: other work on it takes its share of the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.config import ROOT

logger = logging.getLogger("bench.bench_api")

BATCH = 10_000
LABEL_WEIGHTS = (("City", 0.02), ("Park", 0.13), ("Institute", 0.15), ("Enterprise", 0.55), ("Policy", 0.15))
SUFFIX = {
    "City": ("市",),
    "Park": ("高新区", "科技园", "软件园", "创新谷", "产业园"),
    "Institute": ("研究院", "实验室", "大学", "工程中心", "研究所"),
    "Enterprise": ("集团", "科技", "股份", "电子", "药业"),
    "Policy": ("行动计划", "实施意见", "若干政策", "专项资金", "人才计划"),
}
CHARS = (
    "江苏徐州扬常泰淮海宁安华中兴新盛通达科创智能信息材料生物医药光电机械汽车能源环保数字云网东南西北山河湖"
)
VERB = {"HOSTS": "引进", "FUNDS": "资助", "COOPERATES": "携手"}
DOCUMENTS = 200


# --- the generated graph ----------------------------------------------------------------------------


@dataclass
class BenchGraph:
    """Rows for the bulk loader, in the STORAGE.md layout."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)


def generate(n_entities: int, n_relations: int, seed: int = 7) -> BenchGraph:
    """A deterministic graph: hub cities and parks, skewed degrees, each fact with 1-2 evidence sentences."""
    rng = random.Random(seed)
    labels = [label for label, _ in LABEL_WEIGHTS]
    weights = [w for _, w in LABEL_WEIGHTS]
    ents: list[tuple[str, str, str]] = []  # (key, label, name)
    for i in range(n_entities):
        label = rng.choices(labels, weights)[0]
        stem = "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 4)))
        name = f"{stem}{rng.choice(SUFFIX[label])}{i}"
        ents.append((f"{label}:{name}", label, name))
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, (_, label, _) in enumerate(ents):
        by_label[label].append(i)
    hosts = by_label["City"] + by_label["Park"]
    funders = by_label["City"] + by_label["Policy"] + by_label["Enterprise"]

    def skewed(pool: list[int]) -> int:
        return pool[int(len(pool) * rng.random() ** 3)]  # a few hubs, a long tail

    doc_sentences: list[list[str]] = [[] for _ in range(DOCUMENTS)]
    doc_length = [0] * DOCUMENTS
    graph = BenchGraph()
    doc_ids = [f"{i:064x}" for i in range(DOCUMENTS)]
    mentions: set[tuple[int, int]] = set()

    def cite(doc: int, sentence: str, fact: str, kind: str, confidence: float, amount: float | None) -> None:
        start = doc_length[doc]
        doc_sentences[doc].append(sentence)
        doc_length[doc] += len(sentence)
        end = start + len(sentence)
        graph.evidence.append(
            {
                "key": f"{doc_ids[doc]}:{start}:{end}:{fact}",
                "fact": fact,
                "kind": kind,
                "document_id": doc_ids[doc],
                "start": start,
                "end": end,
                "sentence": sentence,
                "extractor": "bench",
                "confidence": confidence,
                "amount_cny": amount,
            }
        )

    entity_docs: dict[int, set[int]] = defaultdict(set)
    for i, (key, _, name) in enumerate(ents):
        doc = rng.randrange(DOCUMENTS)
        cite(doc, f"{name}是创新主体。", key, "entity", 0.9, None)
        entity_docs[i].add(doc)
        mentions.add((doc, i))
    seen: set[str] = set()
    types = ("HOSTS", "COOPERATES", "FUNDS")
    while len(graph.relations) < n_relations:
        type_ = rng.choices(types, (0.6, 0.25, 0.15))[0]
        if type_ == "HOSTS":
            a, b = skewed(hosts), rng.randrange(n_entities)
        elif type_ == "FUNDS":
            a, b = skewed(funders), rng.randrange(n_entities)
        else:
            a, b = rng.randrange(n_entities), int(n_entities * rng.random() ** 3)
        if a == b:
            continue
        sa, sb = ents[a][0], ents[b][0]
        if type_ == "COOPERATES" and sb < sa:
            a, b, sa, sb = b, a, sb, sa
        key = f"{sa}|{type_}|{sb}"
        if key in seen:
            continue
        seen.add(key)
        amount = float(rng.randrange(1, 500) * 100_000) if type_ == "FUNDS" and rng.random() < 0.5 else None
        docs = rng.sample(range(DOCUMENTS), 2 if rng.random() < 0.1 else 1)
        confidence = round(0.5 + rng.random() / 2, 3)
        for doc in docs:
            cite(doc, f"{ents[a][2]}{VERB[type_]}{ents[b][2]}。", key, "relation", confidence, amount)
            mentions.update({(doc, a), (doc, b)})
            entity_docs[a].add(doc)
            entity_docs[b].add(doc)
        graph.relations.append(
            {
                "key": key,
                "type": type_,
                "source": sa,
                "target": sb,
                "doc_ids": sorted(doc_ids[d] for d in docs),
                "evidence_count": len(docs),
                "confidence": confidence,
                "amount_cny": amount,
            }
        )
    for i, (key, label, name) in enumerate(ents):
        aliases = [name.rstrip("0123456789")] if rng.random() < 0.3 else []
        graph.entities.append(
            {
                "key": key,
                "label": label,
                "name": name,
                "aliases": aliases,
                "doc_ids": sorted(doc_ids[d] for d in entity_docs[i]),
                "evidence_count": 1,
            }
        )
    graph.mentions = [
        {"document_id": doc_ids[d], "key": ents[i][0], "aliases": []} for d, i in sorted(mentions)
    ]
    graph.documents = [
        {
            "id": doc_ids[d],
            "source": f"bench/doc{d:03d}.txt",
            "title": f"bench document {d}",
            "text": "".join(doc_sentences[d]),
            "length": doc_length[d],
        }
        for d in range(DOCUMENTS)
    ]
    return graph


# --- the server side ----------------------------------------------------------------------------------


@contextlib.contextmanager
def local_neo4j(home: Path | None, heap: str, pagecache: str, graph: BenchGraph | None) -> Iterator[Any]:
    """A LocalNeo4j on free ports, in ``home`` (kept) or a temporary home (removed).

    A home without a database first gets ``graph`` (generated on demand) through ``neo4j-admin database
    import``; a home that has one is reused as it is.
    """
    from graph.config import get_settings
    from graph.server import LocalNeo4j, find_free_ports

    settings = get_settings()
    with contextlib.ExitStack() as stack:
        if home is None:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="innograph-bench-api-")))
        home = home.resolve()
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "data" / "databases" / "neo4j").exists():
            if graph is None:
                raise ValueError("an empty home needs a graph to import")
            bulk_import(home, settings.neo4j_lib, heap, graph)
        bolt, http = find_free_ports(2)
        server = LocalNeo4j(
            home=home,
            lib=settings.neo4j_lib,
            password="bench-api-password",
            bolt_port=bolt,
            http_port=http,
            heap=heap,
            pagecache=pagecache,
        )
        with server:
            yield server


def write_csv(path: Path, header: list[str], rows: Iterator[list[Any]] | list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def bulk_import(home: Path, lib: Path, heap: str, graph: BenchGraph) -> float:
    """Write ``graph`` as CSV in the STORAGE.md layout and build the database offline with neo4j-admin."""
    from graph.server import ADMIN_TOOL, find_java

    started = time.perf_counter()
    csv_dir = home / "import-csv"
    csv_dir.mkdir(parents=True, exist_ok=True)

    def arr(values: list[str]) -> str:
        return ";".join(values)

    def num(value: float | None) -> str:
        return "" if value is None else repr(value)

    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_csv(
        csv_dir / "documents.csv",
        ["id:ID(Document)", ":LABEL", "source", "title", "text", "length:int", "ingested_at:datetime"],
        [
            [d["id"], "Document", d["source"], d["title"], d["text"], d["length"], now]
            for d in graph.documents
        ],
    )
    write_csv(
        csv_dir / "entities.csv",
        [
            "key:ID(Entity)",
            ":LABEL",
            "name",
            "label",
            "aliases:string[]",
            "doc_ids:string[]",
            "evidence_count:int",
        ],
        [
            [e["key"], f"Entity;{e['label']}", e["name"], e["label"], arr(e["aliases"]), arr(e["doc_ids"]), 1]
            for e in graph.entities
        ],
    )
    evidence_header = ["key:ID(Evidence)", ":LABEL", "fact", "kind", "document_id", "start:int", "end:int"]
    evidence_header += ["sentence", "extractor", "confidence:float", "amount_cny:float"]
    write_csv(
        csv_dir / "evidence.csv",
        evidence_header,
        [
            [
                *(e["key"], "Evidence", e["fact"], e["kind"], e["document_id"], e["start"], e["end"]),
                *(e["sentence"], e["extractor"], num(e["confidence"]), num(e["amount_cny"])),
            ]
            for e in graph.evidence
        ],
    )
    relation_header = [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "key", "doc_ids:string[]"]
    relation_header += ["evidence_count:int", "confidence:float", "amount_cny:float"]
    write_csv(
        csv_dir / "relations.csv",
        relation_header,
        [
            [
                *(r["source"], r["target"], r["type"], r["key"], arr(r["doc_ids"]), r["evidence_count"]),
                *(num(r["confidence"]), num(r["amount_cny"])),
            ]
            for r in graph.relations
        ],
    )
    write_csv(
        csv_dir / "in_document.csv",
        [":START_ID(Evidence)", ":END_ID(Document)", ":TYPE"],
        [[e["key"], e["document_id"], "IN_DOCUMENT"] for e in graph.evidence],
    )
    write_csv(
        csv_dir / "mentions.csv",
        [":START_ID(Document)", ":END_ID(Entity)", ":TYPE"],
        [[m["document_id"], m["key"], "MENTIONS"] for m in graph.mentions],
    )
    conf = home / "import-conf"
    conf.mkdir(exist_ok=True)
    (conf / "neo4j.conf").write_text(f"server.directories.data={home / 'data'}\n", encoding="utf-8")
    cmd = [
        str(find_java(None)),
        "-cp",
        str(lib / "*"),
        f"-Xmx{heap}",
        ADMIN_TOOL,
        "database",
        "import",
        "full",
    ]
    cmd += [f"--nodes={csv_dir / name}.csv" for name in ("documents", "entities", "evidence")]
    cmd += [f"--relationships={csv_dir / name}.csv" for name in ("relations", "in_document", "mentions")]
    cmd += ["--threads=2", "neo4j"]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)}
    done = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    shutil.rmtree(csv_dir)  # ~0.5 GB at the default size; the database now holds it all
    seconds = time.perf_counter() - started
    logger.info("imported the graph with neo4j-admin in %.1f s", seconds)
    return seconds


def count_entities(driver: Any, database: str) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (e:Entity) WITH count(e) AS n RETURN n, COUNT { ()-[:HOSTS|FUNDS|COOPERATES]->() } AS r",
        database_=database,
    )
    return int(records[0]["n"]), int(records[0]["r"])


def sample_requests(driver: Any, database: str, n: int, seed: int = 11) -> dict[str, list[str]]:
    """Request paths: relationships of random entities, and searches for pieces of random names."""
    rng = random.Random(seed)
    records, _, _ = driver.execute_query(
        "MATCH (e:Entity) WHERE rand() < $p RETURN e.key AS key, e.name AS name LIMIT $n",
        p=min(1.0, 3 * n / max(1, count_entities(driver, database)[0])),
        n=n,
        database_=database,
    )
    rels, searches = [], []
    for r in records:
        rels.append(f"/entities/{urllib.parse.quote(r['key'], safe=':')}/relationships?limit=20")
        stem = r["name"].rstrip("0123456789")
        stem = next((stem[: -len(x)] for xs in SUFFIX.values() for x in xs if stem.endswith(x)), stem)
        width = rng.choice((2, 3))
        start = rng.randrange(max(1, len(stem) - width + 1))
        searches.append(f"/entities?q={urllib.parse.quote(stem[start : start + width])}&limit=20")
    return {"relationships": rels, "search": searches}


def serve(uri: str, password: str, port: int, workers: int, root: Path = ROOT) -> subprocess.Popen[bytes]:
    """uvicorn on 127.0.0.1:port serving create_app from the checkout ``root``, in its own process(es)."""
    env = {
        **os.environ,
        "NEO4J_URI": uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": password,
        "PYTHONPATH": str(root),
    }
    cmd = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    # uvloop and httptools (uvicorn[standard]) when installed: the event loop and HTTP parser in C.
    cmd += ["--loop", "auto", "--http", "auto"]
    proc = subprocess.Popen(cmd, cwd=root, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r,
        ):
            if r.status == 200:
                return proc
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("uvicorn did not answer /health within 60 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by serve (all its worker processes: it leads its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, 15)
    proc.wait(30)


def breakdown(driver: Any, database: str, paths: Sequence[str], n: int) -> dict[str, float]:
    """Where an API request's time goes outside HTTP, measured in this process on the same reads the API
    makes (graph.read as checked out here): per call, the thread CPU ms of the Cypher through the driver
    (session, Bolt, records), of building the views (the rest of the graph.read call) and of the JSON the
    route sends (pydantic's serializer), and Neo4j's own ms (result available + consumed), medians."""
    from pydantic import TypeAdapter

    from graph import read
    from graph.cypher import query
    from graph.views import EntityPage, RelationshipPage

    rel_json, search_json = TypeAdapter(RelationshipPage), TypeAdapter(EntityPage)
    driver_ms, views_ms, json_ms, server_ms = [], [], [], []
    for path in paths[:n]:
        parsed = urllib.parse.urlsplit(path)
        params = urllib.parse.parse_qs(parsed.query)
        if parsed.path.endswith("/relationships"):
            key = urllib.parse.unquote(parsed.path[len("/entities/") : -len("/relationships")])
            name = "read_relationships"
            args: dict[str, Any] = dict(key=key, type=None, direction="both", label=None, limit=20, offset=0)
            args.update(evidence_limit=5, min_confidence=None)
            call = {k: v for k, v in args.items() if k not in ("type", "evidence_limit", "min_confidence")}

            def full(call: dict[str, Any] = call) -> Any:
                return read.list_relationships(driver, database=database, type_=None, **call)

            adapter: Any = rel_json
        else:
            q = read.normalise_query(params["q"][0])
            name = "read_search_fulltext"
            args = dict(index=read.ENTITY_SEARCH_INDEX, lucene=read.lucene_phrase(q), q=q, label=None)
            args.update(window=read.EXACT_ALIAS_WINDOW, limit=20, offset=0)

            def full(q: str = q) -> Any:
                return read.search_entities(driver, database=database, q=q, label=None, limit=20, offset=0)

            adapter = search_json
        started = time.thread_time()
        with driver.session(database=database, default_access_mode="READ") as session:
            result = session.run(query(name), args)
            list(result)
            summary = result.consume()
        driver_ms.append((time.thread_time() - started) * 1000)
        server_ms.append((summary.result_available_after or 0) + (summary.result_consumed_after or 0))
        started = time.thread_time()
        page = full()
        views_ms.append(max(0.0, (time.thread_time() - started) * 1000 - driver_ms[-1]))
        started = time.thread_time()
        adapter.dump_json(page)
        json_ms.append((time.thread_time() - started) * 1000)
    med = statistics.median
    return {
        "driver_ms": med(driver_ms),
        "views_ms": med(views_ms),
        "json_ms": med(json_ms),
        "server_ms": med(server_ms),
    }


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each named group of processes (with their children)."""
    import psutil

    out: dict[str, float] = {}
    for name, group in pids.items():
        total = 0.0
        for pid in group:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                for p in [proc, *proc.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        t = p.cpu_times()
                        total += t.user + t.system
        out[name] = total
    return out


# --- the client side (a second process) ---------------------------------------------------------------


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


def _build(path: str, port: int) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


async def closed_loop(port: int, paths: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    """``concurrency`` connections, each sending its next request as soon as the last one is answered."""
    requests = [_build(p, port) for p in paths]
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status = await _request(reader, writer, requests[i % len(requests)])
            latencies.append(time.perf_counter() - started)
            errors += status != 200
            i += concurrency
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return _summary(latencies, errors, time.perf_counter() - started)


async def open_loop(port: int, paths: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Requests scheduled at ``rate``/s whatever the server does; latency counts from the scheduled time."""
    requests = [_build(p, port) for p in paths]
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0
    connections = 64

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (item := await queue.get()) is not None:
            scheduled, request = item
            status = await _request(reader, writer, request)
            latencies.append(time.perf_counter() - scheduled)
            errors += status != 200
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    started = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        scheduled = started + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, requests[i % len(requests)]))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return _summary(latencies, errors, time.perf_counter() - started)


def _summary(latencies: list[float], errors: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": ordered[-1] * 1000 if ordered else float("nan"),
    }


def client_main(args: argparse.Namespace) -> None:
    """The load generator: reads the plan from --client (a JSON file), prints results as JSON."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    plan = json.loads(Path(args.client).read_text(encoding="utf-8"))
    port, paths = plan["port"], plan["paths"]
    if plan["mode"] == "closed":
        result = asyncio.run(closed_loop(port, paths, plan["concurrency"], plan["seconds"]))
    else:
        result = asyncio.run(open_loop(port, paths, plan["rate"], plan["seconds"]))
    print(json.dumps(result))


def run_client(plan: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Run the load generator in a second process; its result and pid."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(plan, f)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_api", "--client", f.name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        out, _ = proc.communicate(timeout=plan["seconds"] + 120)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError(f"the load client failed with exit code {proc.returncode}")
    return json.loads(out), proc.pid


# --- the run -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=500_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each load run")
    parser.add_argument(
        "--workers", type=int, default=None, help="uvicorn worker processes [default: INNOGRAPH_API_WORKERS]"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="connections of the closed loop")
    parser.add_argument("--rate", type=float, default=300.0, help="requests/s of the open loop")
    parser.add_argument("--home", type=Path, default=None, help="keep Neo4j here and reuse its data")
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="1g")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout (e.g. `git worktree add /tmp/base main`) served too, in the same run on the "
        "same Neo4j and requests, for before/after ratios",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    run(args)


@dataclass
class Measured:
    """One load run against one served checkout."""

    endpoint: str
    app: str
    load: str
    result: dict[str, Any]
    cpu_ms: dict[str, float]  # CPU ms per request: neo4j, uvicorn
    load_avg: float

    @property
    def capacity(self) -> float:
        spent = self.cpu_ms["neo4j"] + self.cpu_ms["uvicorn"]
        return 2000 / spent if spent else float("nan")


def measure(
    server: Any,
    args: argparse.Namespace,
    workers: int,
    plans: dict[str, list[str]],
    apps: list[tuple[str, Path]],
) -> list[Measured]:
    """Every load on every endpoint for every app, an endpoint's apps back to back (before, then after)."""
    from graph.server import find_free_ports

    runs: list[Measured] = []
    for name, paths in plans.items():
        for app_name, root in apps:
            (port,) = find_free_ports(1)
            api = serve(server.uri, server.password, port, workers, root)
            try:
                # Warm-up: page cache, query plans and the app's own first calls, not measured.
                run_client({"mode": "closed", "port": port, "paths": paths, "concurrency": 4, "seconds": 5})
                loads = [("closed", 1), ("closed", args.concurrency), ("open", args.concurrency)]
                for mode, concurrency in loads:
                    plan = {"mode": mode, "port": port, "paths": paths, "seconds": args.seconds}
                    plan.update(concurrency=concurrency, rate=args.rate)
                    pids = {"neo4j": [server.pid or 0], "uvicorn": [api.pid]}
                    before = cpu_seconds(pids)
                    result, _ = run_client(plan)
                    after = cpu_seconds(pids)
                    load_name = f"{concurrency} conn(s)" if mode == "closed" else f"{args.rate:g}/s open"
                    per_request = {
                        k: (after[k] - before[k]) * 1000 / max(1, result["requests"]) for k in after
                    }
                    runs.append(Measured(name, app_name, load_name, result, per_request, os.getloadavg()[0]))
            finally:
                stop(api)
    return runs


def run(args: argparse.Namespace) -> None:
    from neo4j import GraphDatabase
    from rich.console import Console
    from rich.table import Table

    from graph.config import get_settings
    from graph.store import apply_schema

    console = Console(width=150)
    workers = args.workers or get_settings().api_workers
    graph = None
    if args.home is None or not (args.home / "data" / "databases" / "neo4j").exists():
        started = time.perf_counter()
        graph = generate(args.entities, args.relations)
        console.print(
            f"generated {len(graph.entities)} entities, {len(graph.relations)} relations, "
            f"{len(graph.evidence)} evidence, {len(graph.mentions)} mentions, "
            f"{len(graph.documents)} documents in {time.perf_counter() - started:.1f} s"
        )
    apps = [("before", args.baseline.resolve())] if args.baseline else []
    apps.append(("after" if args.baseline else "this checkout", ROOT))
    with local_neo4j(args.home, args.heap, args.pagecache, graph) as server:
        del graph
        auth = (server.user, server.password)
        with GraphDatabase.driver(server.uri, auth=auth, notifications_min_severity="OFF") as driver:
            db = server.database
            started = time.perf_counter()
            apply_schema(driver, database=db)  # on an imported store this builds every index and constraint
            console.print(f"schema applied, indexes online in {time.perf_counter() - started:.1f} s")
            entities, relations = count_entities(driver, db)
            console.print(f"graph: {entities} entities, {relations} relations")
            plans = sample_requests(driver, db, 5000)
            parts = {name: breakdown(driver, db, paths, 300) for name, paths in plans.items()}
        runs = measure(server, args, workers, plans, apps)
    _report(console, Table, runs, parts, workers, args)


def _report(
    console: Any,
    table_type: Any,
    runs: list[Measured],
    parts: dict[str, dict[str, float]],
    workers: int,
    args: Any,
) -> None:
    load = table_type(title=f"API load ({workers} uvicorn worker(s), {os.cpu_count()} cores)")
    columns = [
        "endpoint",
        "app",
        "load",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
    ]
    columns += ["Neo4j CPU ms", "uvicorn CPU ms", "2-core capacity req/s", "load avg"]
    for column in columns:
        load.add_column(column, justify="left" if column in ("endpoint", "app", "load") else "right")
    for m in runs:
        r = m.result
        load.add_row(
            m.endpoint,
            m.app,
            m.load,
            str(r["requests"]),
            str(r["errors"]),
            f"{r['rps']:.0f}",
            f"{r['p50_ms']:.1f}",
            f"{r['p90_ms']:.1f}",
            f"{r['p99_ms']:.1f}",
            f"{r['max_ms']:.1f}",
            f"{m.cpu_ms['neo4j']:.2f}",
            f"{m.cpu_ms['uvicorn']:.2f}",
            f"{m.capacity:.0f}",
            f"{m.load_avg:.1f}",
        )
    console.print(load)
    console.print(
        "CPU ms: CPU time per request of each process during the run; 2-core capacity: 2000 ms divided "
        "by Neo4j + uvicorn CPU ms, the rate two cores of their own would sustain; load avg: the "
        "machine's 1-minute load average after the run (other work on the machine shares its cores)."
    )
    where = table_type(
        title="where the time goes, per request (this checkout, closed loop on many connections)"
    )
    columns = ["endpoint", "Neo4j CPU ms", "of which query ms", "uvicorn CPU ms", "driver ms", "views ms"]
    columns += ["JSON ms", "HTTP + FastAPI + thread hop ms"]
    for column in columns:
        where.add_column(column, justify="left" if column == "endpoint" else "right")
    mine = "after" if args.baseline else "this checkout"
    for m in runs:
        if m.app != mine or m.load != f"{args.concurrency} conn(s)":
            continue
        p = parts[m.endpoint]
        rest = m.cpu_ms["uvicorn"] - p["driver_ms"] - p["views_ms"] - p["json_ms"]
        where.add_row(
            m.endpoint,
            f"{m.cpu_ms['neo4j']:.2f}",
            f"{p['server_ms']:.1f}",
            f"{m.cpu_ms['uvicorn']:.2f}",
            f"{p['driver_ms']:.2f}",
            f"{p['views_ms']:.2f}",
            f"{p['json_ms']:.2f}",
            f"{rest:.2f}",
        )
    console.print(where)
    console.print(
        "driver, views, JSON: thread CPU ms (median) of the same reads run in the bench process: the Cypher "
        "through the driver, building the response models from its records, pydantic's JSON; the rest of "
        "uvicorn's CPU is HTTP parsing, routing, validation of the query, dependencies and the hop to the "
        "threadpool. 'of which query ms': Neo4j's own time for the query (result available + consumed, "
        "median); the remainder of its CPU is Bolt, transactions and background work."
    )
    if args.baseline:
        ratios = table_type(
            title="after / before, same run (req/s and capacity: higher is better; p99: lower)"
        )
        for column in ("endpoint", "load", "req/s", "p99", "Neo4j CPU", "uvicorn CPU", "2-core capacity"):
            ratios.add_column(column, justify="left" if column in ("endpoint", "load") else "right")
        by = {(m.endpoint, m.app, m.load): m for m in runs}
        for m in runs:
            if m.app != "after":
                continue
            b = by[(m.endpoint, "before", m.load)]
            ratios.add_row(
                m.endpoint,
                m.load,
                f"{m.result['rps'] / b.result['rps']:.2f}×",
                f"{m.result['p99_ms'] / b.result['p99_ms']:.2f}×",
                f"{m.cpu_ms['neo4j'] / b.cpu_ms['neo4j']:.2f}×",
                f"{m.cpu_ms['uvicorn'] / b.cpu_ms['uvicorn']:.2f}×",
                f"{m.capacity / b.capacity:.2f}×",
            )
        console.print(ratios)
    out = ROOT / "bench" / "out" / "bench_api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = [
        {
            "endpoint": m.endpoint,
            "app": m.app,
            "load": m.load,
            **m.result,
            "cpu_ms": m.cpu_ms,
            "load_avg": m.load_avg,
        }
        for m in runs
    ]
    out.write_text(json.dumps({"runs": summary, "breakdown": parts}, indent=1), encoding="utf-8")
    console.print(f"results written to {out}")


if __name__ == "__main__":
    main()

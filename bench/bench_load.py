"""Load benchmark: the batched writer against a row-at-a-time baseline, on a deterministic graph.

    python -m bench.bench_load [--entities 20000] [--relations 100000] [--documents 10] [--naive-sample 2000]

Starts a LocalNeo4j on free ports in a temporary home (or uses NEO4J_URI when it is set), writes the
graph document by document (one transaction each, UNWIND batches), writes it again (a no-op), replaces
one document with a changed version, then writes a sample of relations one statement and transaction
each, and prints rows/s, the ratio and where the time went. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction
from rich.console import Console
from rich.table import Table

from graph.config import get_settings
from graph.cypher import query
from graph.model import Document, Entity, Evidence, Graph, Label, Relation, RelType, content_id, relation_key
from graph.store import PhaseStats, WriteSummary, apply_schema, write_graph

logger = logging.getLogger(__name__)
console = Console(width=150)

# Characters names are drawn from; names stay unique through their numeric suffix.
_CHARS = "江苏徐州扬常泰淮海宁安华中兴新盛通达科创智能信息材料生物医药光电机械汽车能源环保数字云网"
_SUFFIX = {
    Label.PARK: ("高新区", "科技园", "软件园", "创新谷", "产业园"),
    Label.INSTITUTE: ("研究院", "实验室", "大学", "工程中心", "研究所"),
    Label.ENTERPRISE: ("集团", "科技", "股份", "电子", "药业"),
    Label.POLICY: ("行动计划", "实施意见", "若干政策", "专项资金", "人才计划"),
}
_VERB = {RelType.HOSTS: "引进", RelType.FUNDS: "资助", RelType.COOPERATES: "携手"}
_TYPE_WEIGHTS = ((RelType.HOSTS, 0.6), (RelType.COOPERATES, 0.25), (RelType.FUNDS, 0.15))
HUB_CITIES = 300


# --- the deterministic graph ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    label: Label
    name: str

    @property
    def key(self) -> str:
        return f"{self.label.value}:{self.name}"


def _name(rng: random.Random, label: Label, i: int) -> str:
    stem = "".join(rng.choice(_CHARS) for _ in range(2))
    if label is Label.CITY:
        return f"{stem}{i}"
    return f"{stem}{rng.choice(_SUFFIX[label])}{i}"


def make_specs(entities: int, documents: int, seed: int) -> tuple[list[Spec], list[list[Spec]]]:
    """Hub cities shared by every document, and the other entities split into one cluster per document."""
    rng = random.Random(seed)
    hubs = [Spec(Label.CITY, _name(rng, Label.CITY, i)) for i in range(HUB_CITIES)]
    labels = (Label.PARK, Label.INSTITUTE, Label.ENTERPRISE, Label.POLICY, Label.CITY)
    rest = [
        Spec(labels[i % len(labels)], _name(rng, labels[i % len(labels)], i))
        for i in range(entities - HUB_CITIES)
    ]
    clusters = [rest[d::documents] for d in range(documents)]
    return hubs, clusters


def make_graph(
    hubs: list[Spec], cluster: list[Spec], relations: int, seed: int, source: str, prefix: str = ""
) -> Graph:
    """One document stating ``relations`` distinct facts among its cluster and the hub cities."""
    rng = random.Random(seed)
    facts: dict[str, tuple[RelType, Spec, Spec, float | None]] = {}
    types = [t for t, _ in _TYPE_WEIGHTS]
    weights = [w for _, w in _TYPE_WEIGHTS]
    while len(facts) < relations:
        type_ = rng.choices(types, weights)[0]
        target = rng.choice(cluster)
        source_spec = (
            rng.choice(hubs)
            if type_ is not RelType.COOPERATES and rng.random() < 0.6
            else rng.choice(cluster)
        )
        if source_spec == target:
            continue
        amount = float(rng.randrange(1, 500) * 100_000) if type_ is RelType.FUNDS else None
        a, b = (Spec(source_spec.label, prefix + source_spec.name), Spec(target.label, prefix + target.name))
        facts.setdefault(relation_key(type_, a.key, b.key), (type_, a, b, amount))
    # The text: one sentence per fact; an entity's evidence is the first sentence naming it.
    sentences, spans, offset = [], [], 0
    for type_, a, b, _ in facts.values():
        sentence = f"{a.name}{_VERB[type_]}{b.name}。"
        sentences.append(sentence)
        spans.append((offset, sentence))
        offset += len(sentence)
    text = "".join(sentences)
    doc = Document(id=content_id(text.encode()), source=source, text=text)

    def ev(span: tuple[int, str]) -> Evidence:
        start, sentence = span
        return Evidence(
            document_id=doc.id,
            start=start,
            end=start + len(sentence),
            sentence=sentence,
            extractor="bench",
            confidence=0.8,
        )

    first_span: dict[Spec, tuple[int, str]] = {}
    rels = []
    for (type_, a, b, amount), span in zip(facts.values(), spans, strict=True):
        first_span.setdefault(a, span)
        first_span.setdefault(b, span)
        rels.append(Relation(type=type_, source=a.key, target=b.key, amount_cny=amount, evidence=(ev(span),)))
    entities = tuple(
        Entity.create(label=s.label, name=s.name, evidence=(ev(span),), properties={"bench": True})
        for s, span in first_span.items()
    )
    return Graph(document=doc, entities=entities, relations=tuple(rels))


# --- the server -------------------------------------------------------------------------------------


@contextlib.contextmanager
def neo4j(heap: str, pagecache: str) -> Iterator[tuple[Driver, str]]:
    """A driver to NEO4J_URI when it is set, else to a LocalNeo4j on free ports in a temporary home."""
    settings = get_settings()
    if os.environ.get("NEO4J_URI"):
        password = settings.neo4j_secret().get_secret_value()
        with GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, password)) as driver:
            yield driver, settings.neo4j_database
        return
    from graph.server import LocalNeo4j, find_free_ports

    bolt, http = find_free_ports(2)
    with tempfile.TemporaryDirectory(prefix="innograph-bench-") as home:
        server = LocalNeo4j(
            home=Path(home),
            lib=settings.neo4j_lib,
            password="bench-password",
            bolt_port=bolt,
            http_port=http,
            heap=heap,
            pagecache=pagecache,
        )
        with server, GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            yield driver, server.database


# --- runs -------------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    relations: int
    seconds: float
    summaries: list[WriteSummary]

    @property
    def rate(self) -> float:
        return self.relations / self.seconds if self.seconds else 0.0


def batched(driver: Driver, database: str, name: str, graphs: list[Graph], batch_size: int) -> Run:
    started = time.perf_counter()
    summaries = [write_graph(driver, g, database=database, batch_size=batch_size) for g in graphs]
    return Run(name, sum(len(g.relations) for g in graphs), time.perf_counter() - started, summaries)


def naive(driver: Driver, database: str, graph: Graph, sample: int) -> Run:
    """One transaction per relation, each MERGEing its endpoints, the relation and its evidence."""
    entities = {e.key: e for e in graph.entities}
    cypher = query("write_naive_relation")

    def one(tx: ManagedTransaction, params: dict[str, Any]) -> None:
        tx.run(cypher, params).consume()

    started = time.perf_counter()
    with driver.session(database=database) as session:
        for r in graph.relations[:sample]:
            ev = r.evidence[0]
            params = {
                "document_id": graph.document.id,
                "source": {
                    "key": r.source,
                    "name": entities[r.source].name,
                    "label": entities[r.source].label.value,
                },
                "target": {
                    "key": r.target,
                    "name": entities[r.target].name,
                    "label": entities[r.target].label.value,
                },
                "row": {"type": r.type.value, "key": r.key, "amount_cny": r.amount_cny},
                "evidence": {
                    "key": f"{ev.key}:{r.key}",
                    "fact": r.key,
                    "kind": "relation",
                    "document_id": ev.document_id,
                    "start": ev.start,
                    "end": ev.end,
                    "sentence": ev.sentence,
                    "extractor": ev.extractor,
                    "confidence": ev.confidence,
                },
            }
            session.execute_write(one, params)
    return Run(
        "naive: 1 relation per transaction",
        min(sample, len(graph.relations)),
        time.perf_counter() - started,
        [],
    )


def changed_version(graph: Graph) -> Graph:
    """The same source with every tenth fact dropped (and the entities only those named)."""
    kept = tuple(r for i, r in enumerate(graph.relations) if i % 10)
    used = {k for r in kept for k in (r.source, r.target)}
    text = graph.document.text + "(修订)"
    doc = Document(id=content_id(text.encode()), source=graph.document.source, text=text)

    def moved(evs: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(e.model_copy(update={"document_id": doc.id}) for e in evs)

    return Graph(
        document=doc,
        entities=tuple(
            e.model_copy(update={"evidence": moved(e.evidence)}) for e in graph.entities if e.key in used
        ),
        relations=tuple(r.model_copy(update={"evidence": moved(r.evidence)}) for r in kept),
    )


# --- report -----------------------------------------------------------------------------------------


def phase_totals(summaries: list[WriteSummary]) -> dict[str, PhaseStats]:
    totals: dict[str, PhaseStats] = {}
    for s in summaries:
        for name, p in s.phases.items():
            t = totals.get(name, PhaseStats())
            totals[name] = PhaseStats(
                t.rows + p.rows,
                t.statements + p.statements,
                t.client_s + p.client_s,
                t.server_ms + p.server_ms,
            )
    return totals


def report(runs: list[Run], graphs: list[Graph], generate_s: float, args: argparse.Namespace) -> None:
    entities = len({e.key for g in graphs for e in g.entities})
    relations = sum(len(g.relations) for g in graphs)
    evidence = sum(len(e.evidence) for g in graphs for e in g.entities) + sum(
        len(r.evidence) for g in graphs for r in g.relations
    )
    console.print(
        f"[bold]graph[/]: {len(graphs)} documents, {entities:,} entities, {relations:,} relations, "
        f"{evidence:,} pieces of evidence; generated and validated in {generate_s:.1f} s; "
        f"batch size {args.batch_size:,}; heap {args.heap}, page cache {args.pagecache}"
    )
    table = Table(title="load", show_lines=False)
    columns = ["run", "relations", "seconds", "relations/s", "changes/s"]
    columns += ["nodes +/-", "rels +/-", "evidence +/-"]
    for col in columns:
        table.add_column(col, justify="right" if col != "run" else "left")
    for run in runs:
        s = run.summaries
        changes = sum(
            x.nodes_created + x.nodes_deleted + x.relationships_created + x.relationships_deleted for x in s
        )
        table.add_row(
            run.name,
            f"{run.relations:,}",
            f"{run.seconds:.2f}",
            f"{run.rate:,.0f}",
            f"{changes / run.seconds:,.0f}" if s else "",
            f"{sum(x.nodes_created for x in s):,}/{sum(x.nodes_deleted for x in s):,}" if s else "",
            f"{sum(x.relationships_created for x in s):,}/{sum(x.relationships_deleted for x in s):,}"
            if s
            else "",
            f"{sum(x.evidence_created for x in s):,}/{sum(x.evidence_deleted for x in s):,}" if s else "",
        )
    table.caption = (
        "relations/s: facts written per second, with their entities, evidence and commit; "
        "changes/s: nodes and relationships created or deleted per second"
    )
    console.print(table)
    first, naive_run = runs[0], runs[-1]
    console.print(
        f"naive extrapolated to {relations:,} relations: {relations / naive_run.rate / 60:,.1f} min "
        f"vs {first.seconds:,.1f} s batched - batched is [bold]{first.rate / naive_run.rate:,.0f}x[/] faster"
    )
    for run in runs[:-1]:
        phases = Table(title=f"where the time went: {run.name}")
        for col in ("phase", "rows", "statements", "client s", "server s", "rows/s"):
            phases.add_column(col, justify="right" if col != "phase" else "left")
        totals = phase_totals(run.summaries)
        for name, p in sorted(totals.items(), key=lambda kv: -kv[1].client_s):
            phases.add_row(
                name,
                f"{p.rows:,}",
                f"{p.statements:,}",
                f"{p.client_s:.2f}",
                f"{p.server_ms / 1000:.2f}",
                f"{p.rows / p.client_s:,.0f}" if p.client_s else "",
            )
        outside = {"rows", "commit"}
        in_statements = sum(p.client_s for name, p in totals.items() if name not in outside)
        server = sum(p.server_ms for p in totals.values()) / 1000
        rows_s = totals["rows"].client_s if "rows" in totals else 0.0
        commit_s = totals["commit"].client_s if "commit" in totals else 0.0
        phases.caption = (
            f"{run.seconds:.2f} s total = statements {in_statements:.2f} s (server {server:.2f} s, "
            f"driver and network {in_statements - server:.2f} s) + commit {commit_s:.2f} s "
            f"+ building rows {rows_s:.2f} s "
            f"+ the rest {run.seconds - in_statements - commit_s - rows_s:.2f} s"
        )
        console.print(phases)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10, help="one transaction each")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default=get_settings().neo4j_heap, help="of a server the bench starts")
    parser.add_argument("--pagecache", default=get_settings().neo4j_pagecache)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    started = time.perf_counter()
    hubs, clusters = make_specs(args.entities, args.documents, args.seed)
    per_doc = args.relations // args.documents
    graphs = [
        make_graph(hubs, cluster, per_doc, args.seed + d, f"bench/doc-{d:03}.txt")
        for d, cluster in enumerate(clusters)
    ]
    sample = make_graph(
        hubs, clusters[0], args.naive_sample, args.seed - 1, "bench/naive.txt", prefix="naive-"
    )
    generate_s = time.perf_counter() - started

    with neo4j(args.heap, args.pagecache) as (driver, database):
        apply_schema(driver, database=database)
        runs = [
            batched(driver, database, "batched: first write", graphs, args.batch_size),
            batched(driver, database, "batched: same documents again (no-op)", graphs, args.batch_size),
            batched(
                driver,
                database,
                "batched: one document changed",
                [changed_version(graphs[0])],
                args.batch_size,
            ),
            naive(driver, database, sample, args.naive_sample),
        ]
    report(runs, graphs, generate_s, args)


if __name__ == "__main__":
    main()

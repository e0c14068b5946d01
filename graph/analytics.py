"""Network analytics of the actor graph: pull it from Neo4j once, compute with networkx, write results back.

Pure functions work on a networkx graph (testable without Neo4j); `pull_graph`, `write_metrics` and
`run_analytics` talk to Neo4j. Measures, per actor:

- ``degree``: distinct neighbours, any relation type or direction;
- ``pagerank``: weighted PageRank on the directed graph (HOSTS host→hosted, FUNDS funder→funded,
  COOPERATES both ways), so rank flows to actors that are hosted, funded and cooperated with;
- ``betweenness``: normalised shortest-path betweenness on the undirected graph (hops: evidence counts are
  strengths, not distances), exact up to `EXACT_BETWEENNESS_MAX_NODES` nodes, else estimated from
  source nodes drawn with a fixed seed (256 up to 100k edges, 64 at 1M: see `betweenness_pivots`);
- ``community``: seeded Louvain on the undirected weighted graph, numbered by size (0 = largest).

Large graphs run PageRank, betweenness and Louvain on python-igraph when it is installed (same definitions,
same pivots; measured in bench/bench_analytics.py), else on networkx.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import networkx as nx
from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError

from graph.cypher import query
from graph.db import read_session, wrap_driver_error, write_session
from graph.errors import BadInput, InnographError, NotFound
from graph.model import CORE_LABELS, CORE_TYPES, SYMMETRIC, Label, RelType

logger = logging.getLogger(__name__)

# Exact betweenness costs one BFS per node (n x m); sampling costs one BFS per pivot (k x m). Measured on the
# bench graphs (bench/bench_analytics.py): exact at 2 000 nodes takes 0.4 s on igraph (24 s on networkx);
# 256 pivots find 18 of the exact top 20 on the 3 300-node graph (64 pivots: 15). A BFS also gets slower
# per edge as the graph outgrows the CPU caches (x26 per 10x edges from 100k to 1M), so the pivots share a
# budget of 256 BFS over 100k edges: 256 pivots up to 100k edges, fewer above, never under 64 (1M: 64).
EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_PIVOTS = 256
MIN_BETWEENNESS_PIVOTS = 64
BETWEENNESS_BUDGET = 256 * 100_000  # pivots x edges
# Below this many edges networkx (the reference) takes about a second at most, exact betweenness included.
IGRAPH_MIN_EDGES = 1_000
DEFAULT_SEED = 42
DEFAULT_BATCH_SIZE = 10_000

Backend = Literal["auto", "networkx", "igraph"]
Weight = Literal["evidence", "documents"]
Measure = Literal["degree", "pagerank", "betweenness", "community"]


class AnalyticsError(InnographError):
    """Neo4j refused an analytics query or write; what was written before the error stays."""


class Progress(Protocol):
    """Told how far a phase is: ``done`` of ``total`` units (None when the total is unknown)."""

    def __call__(self, phase: str, done: int, total: int | None) -> None: ...


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of the actor graph to analyse; empty means all of it: the core labels and types
    (graph.model.CORE_LABELS, CORE_TYPES; indicators and policy targets are no actors or ties). A city's
    part is the city, what it hosts directly or through its parks (up to 4 parks deep), and the relations
    among them."""

    labels: tuple[Label, ...] = ()
    types: tuple[RelType, ...] = ()
    cities: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [
            f"labels {','.join(self.labels)}" if self.labels else "",
            f"types {','.join(self.types)}" if self.types else "",
            f"cities {','.join(self.cities)}" if self.cities else "",
        ]
        return "; ".join(p for p in parts if p) or "whole graph"


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """One actor's measures within the analysed graph."""

    key: str
    name: str
    label: str
    degree: int
    pagerank: float
    betweenness: float
    community: int


@dataclass(frozen=True, slots=True)
class AnalyticsResult:
    """The measures of every node of one run, and how they were computed."""

    nodes: tuple[NodeMetrics, ...]
    edges: int
    communities: int
    betweenness_pivots: int | None  # None: exact
    backend: str
    seed: int
    run_at: dt.datetime
    seconds: dict[str, float]

    def top(self, measure: Measure, n: int = 10) -> list[NodeMetrics]:
        """The ``n`` nodes with the highest ``measure``, ties broken by key."""
        return sorted(self.nodes, key=lambda m: (-getattr(m, measure), m.key))[:n]


# --- building the networkx graph --------------------------------------------------------------------


def build_graph(
    nodes: Iterable[tuple[str, str, str]], edges: Iterable[tuple[str, str, str, float]]
) -> nx.DiGraph:
    """A DiGraph from (key, name, label) nodes and (source, target, type, weight) relations.

    COOPERATES becomes two arcs; relations between the same ordered pair add their weights. Each arc's
    ``sym`` is the part of its weight that came from a symmetric relation (see `undirected`).
    """
    arcs: Arcs = {}
    for source, target, type_, weight in edges:
        _add_relation(arcs, source, target, type_, weight)
    return _digraph(((key, {"name": name, "label": label}) for key, name, label in nodes), arcs)


Arcs = dict[tuple[str, str], list[float]]  # (source, target) -> [weight, symmetric part of the weight]


def _add_relation(arcs: Arcs, source: str, target: str, type_: str, weight: float) -> None:
    if source == target:
        return  # the model forbids self-loops; one from elsewhere must not distort the measures
    symmetric = type_ in SYMMETRIC
    for pair in ((source, target), (target, source)) if symmetric else ((source, target),):
        arc = arcs.get(pair)
        if arc is None:
            arcs[pair] = [weight, weight if symmetric else 0]
        else:
            arc[0] += weight
            if symmetric:
                arc[1] += weight


def _digraph(nodes: Iterable[tuple[str, dict[str, Any]]], arcs: Arcs) -> nx.DiGraph:
    # Accumulating in a dict and adding the arcs at once is ~3x faster than networkx's add_edge per relation.
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(
        (a, b, {"weight": w, "sym": sym} if sym else {"weight": w}) for (a, b), (w, sym) in arcs.items()
    )
    return g


def undirected(g: nx.Graph) -> nx.Graph:
    """The undirected weighted view of ``g``: one edge per pair, weight = sum of its relations' weights.

    A symmetric relation is stored as two arcs of full weight; it counts once here. An undirected input
    is returned as is.
    """
    return g if not g.is_directed() else _graph_of_pairs(g, _pairs(g))


def _graph_of_pairs(g: nx.Graph, pairs: dict[tuple[Any, Any], float]) -> nx.Graph:
    u = nx.Graph()
    u.add_nodes_from(g)
    u.add_edges_from((a, b, {"weight": w}) for (a, b), w in pairs.items())
    return u


def _pairs(g: nx.Graph) -> dict[tuple[Any, Any], float]:
    """The edges of `undirected` (``g``) with their weights, without building a networkx graph."""
    if not g.is_directed():
        return {(a, b): w for a, b, w in g.edges(data="weight", default=1)}
    pairs: dict[tuple[Any, Any], float] = {}
    for a, b, data in g.edges(data=True):
        # Half of each arc's symmetric part: the two arcs of one COOPERATES add up to its weight once.
        w = data.get("weight", 1) - data.get("sym", 0) / 2
        if (b, a) in pairs:
            pairs[(b, a)] += w
        else:
            pairs[(a, b)] = w
    return pairs


# --- measures (pure) ----------------------------------------------------------------------------------


def degrees(g: nx.Graph) -> dict[str, int]:
    """Distinct neighbours of each node, whatever the direction or type of the relations."""
    u = undirected(g)
    return {node: int(d) for node, d in u.degree()}


def pagerank(g: nx.Graph, *, alpha: float = 0.85, backend: Backend = "auto") -> dict[str, float]:
    """Weighted PageRank (``weight`` attribute; directed if ``g`` is); values sum to 1."""
    if len(g) == 0:
        return {}
    if _use_igraph(g, backend):
        return _pagerank_igraph(_to_igraph(g), list(g), alpha=alpha)
    result: dict[str, float] = nx.pagerank(g, alpha=alpha, weight="weight")
    return result


def betweenness_pivots(
    n_nodes: int,
    n_edges: int,
    *,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    pivots: int = BETWEENNESS_PIVOTS,
) -> int | None:
    """How many source nodes betweenness samples for a graph of this size; None means exact.

    Exact up to ``exact_max_nodes`` nodes; above, ``pivots`` while ``pivots`` x edges fits
    `BETWEENNESS_BUDGET`, else as many as fit, but at least `MIN_BETWEENNESS_PIVOTS`.
    """
    k = max(min(pivots, MIN_BETWEENNESS_PIVOTS), min(pivots, BETWEENNESS_BUDGET // max(n_edges, 1)))
    if n_nodes <= exact_max_nodes or n_nodes <= k:
        return None
    return k


def betweenness(
    g: nx.Graph,
    *,
    seed: int = DEFAULT_SEED,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    pivots: int = BETWEENNESS_PIVOTS,
    backend: Backend = "auto",
) -> dict[str, float]:
    """Normalised betweenness on the undirected, unweighted view of ``g``; sampled above
    ``exact_max_nodes`` nodes (see `betweenness_pivots`) from sources drawn with ``seed``, the same sources
    on every backend."""
    u = undirected(g)
    if len(u) == 0:
        return {}
    k = betweenness_pivots(len(u), u.number_of_edges(), exact_max_nodes=exact_max_nodes, pivots=pivots)
    if _use_igraph(u, backend):
        return _betweenness_igraph(_to_igraph(u, weighted=False), list(u), k=k, seed=seed)
    result: dict[str, float] = nx.betweenness_centrality(u, k=k, normalized=True, seed=seed)
    return result


def communities(
    g: nx.Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0, backend: Backend = "auto"
) -> dict[str, int]:
    """Louvain communities of the undirected weighted view of ``g``, numbered 0.. by decreasing size
    (ties by smallest key); the same ``seed`` gives the same partition."""
    u = undirected(g)
    if len(u) == 0:
        return {}
    if _use_igraph(u, backend):
        groups = _louvain_igraph(_to_igraph(u), list(u), seed=seed, resolution=resolution)
    else:
        groups = nx.community.louvain_communities(u, weight="weight", resolution=resolution, seed=seed)
    return number_communities(groups)


def number_communities(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Node -> community number, the largest community 0, ties ordered by their smallest member."""
    ordered = sorted((sorted(group) for group in groups), key=lambda members: (-len(members), members[0]))
    return {node: i for i, members in enumerate(ordered) for node in members}


def analyse(
    g: nx.DiGraph,
    *,
    seed: int = DEFAULT_SEED,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    pivots: int = BETWEENNESS_PIVOTS,
    backend: Backend = "auto",
    progress: Progress = _no_progress,
) -> AnalyticsResult:
    """Every measure for every node of ``g`` (built by `build_graph` or any networkx graph)."""
    run_at = dt.datetime.now(dt.UTC)
    seconds: dict[str, float] = {}

    def timed(phase: str, compute: Callable[[], Any], *, add: bool = False) -> Any:
        progress(phase, 0, 1)
        started = time.perf_counter()
        with _gc_paused():
            value = compute()
        seconds[phase] = time.perf_counter() - started + (seconds.get(phase, 0.0) if add else 0.0)
        progress(phase, 1, 1)
        logger.debug("%s: %.2f s", phase, seconds[phase])
        return value

    nodes = list(g)
    pairs = timed("prepare", lambda: _pairs(g))
    k = betweenness_pivots(len(nodes), len(pairs), exact_max_nodes=exact_max_nodes, pivots=pivots)
    if _use_igraph_for(len(pairs), backend):
        # igraph copies built straight from the arcs and pairs: no undirected networkx graph at all.
        hd, hu = timed("prepare", lambda: _igraph_pair(g, nodes, pairs), add=True)
        deg = dict(zip(nodes, hu.degree(), strict=True))
        pr = timed("pagerank", lambda: _pagerank_igraph(hd or hu, nodes))
        # Unweighted betweenness: igraph reads no weights unless asked to.
        bc = timed("betweenness", lambda: _betweenness_igraph(hu, nodes, k=k, seed=seed))
        groups = timed("communities", lambda: _louvain_igraph(hu, nodes, seed=seed, resolution=1.0))
        used = "igraph"
    else:
        u = timed("prepare", lambda: g if not g.is_directed() else _graph_of_pairs(g, pairs), add=True)
        deg = {n: int(d) for n, d in u.degree()}
        pr = timed("pagerank", lambda: pagerank(g, backend="networkx"))
        bc = timed("betweenness", lambda: nx.betweenness_centrality(u, k=k, normalized=True, seed=seed))
        groups = timed("communities", lambda: nx.community.louvain_communities(u, weight="weight", seed=seed))
        used = "networkx"
    community = number_communities(groups)
    metrics: tuple[NodeMetrics, ...] = timed(
        "collect",
        lambda: tuple(
            NodeMetrics(
                key=node,
                name=str(g.nodes[node].get("name", node)),
                label=str(g.nodes[node].get("label", "")),
                degree=deg[node],
                pagerank=float(pr[node]),
                betweenness=float(bc[node]),
                community=community[node],
            )
            for node in nodes
        ),
    )
    return AnalyticsResult(
        nodes=metrics,
        edges=len(pairs),
        communities=len(set(community.values())),
        betweenness_pivots=k,
        backend=used,
        seed=seed,
        run_at=run_at,
        seconds=seconds,
    )


# --- the igraph backend -------------------------------------------------------------------------------


def igraph_available() -> bool:
    """True when python-igraph can be imported."""
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def _use_igraph(g: nx.Graph, backend: Backend) -> bool:
    return _use_igraph_for(g.number_of_edges(), backend)


def _use_igraph_for(n_edges: int, backend: Backend) -> bool:
    if backend == "networkx":
        return False
    if backend == "igraph":
        if not igraph_available():
            raise BadInput("backend 'igraph' needs python-igraph: pip install igraph, or use 'networkx'")
        return True
    return n_edges >= IGRAPH_MIN_EDGES and igraph_available()


def _to_igraph(g: nx.Graph, *, weighted: bool = True) -> Any:
    """An igraph copy of ``g`` whose vertex i is ``list(g)[i]``, with edge attribute ``weight``."""
    index = {node: i for i, node in enumerate(g)}
    arcs = g.edges(data="weight", default=1)
    return _igraph(
        len(index),
        [(index[a], index[b]) for a, b, _ in arcs],
        [w for *_, w in arcs] if weighted else None,
        directed=g.is_directed(),
    )


def _igraph_pair(g: nx.Graph, nodes: Sequence[Any], pairs: dict[tuple[Any, Any], float]) -> tuple[Any, Any]:
    """igraph copies of ``g`` (None when undirected) and of its undirected view given by ``pairs``."""
    index = {node: i for i, node in enumerate(nodes)}
    hu = _igraph(len(nodes), [(index[a], index[b]) for a, b in pairs], list(pairs.values()), directed=False)
    if not g.is_directed():
        return None, hu
    arcs = g.edges(data="weight", default=1)
    hd = _igraph(len(nodes), [(index[a], index[b]) for a, b, _ in arcs], [w for *_, w in arcs], directed=True)
    return hd, hu


def _igraph(n: int, edges: list[tuple[int, int]], weights: list[float] | None, *, directed: bool) -> Any:
    import igraph as ig

    h = ig.Graph(n=n, edges=edges, directed=directed)
    if weights is not None:
        h.es["weight"] = weights
    return h


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building millions of dicts and tuples (which form no cycles)
    otherwise triggers full collections over every live object, measured at +50% time at 1M relations."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _pagerank_igraph(h: Any, nodes: Sequence[str], *, alpha: float = 0.85) -> dict[str, float]:
    values = h.pagerank(directed=h.is_directed(), damping=alpha, weights="weight")
    return dict(zip(nodes, values, strict=True))


def _betweenness_igraph(h: Any, nodes: Sequence[str], *, k: int | None, seed: int) -> dict[str, float]:
    """networkx's normalised betweenness (endpoints excluded), computed by igraph from the same pivots."""
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    # networkx counts ordered (s, t) pairs; igraph counts an undirected pair once.
    pairs = 1 if h.is_directed() else 2
    if k is None:
        raw = h.betweenness(directed=h.is_directed())
        scale = pairs / ((n - 1) * (n - 2))
        return {node: value * scale for node, value in zip(nodes, raw, strict=True)}
    # The pivots networkx's betweenness_centrality(k=k, seed=seed) draws.
    sources = random.Random(seed).sample(range(n), k)
    raw = h.betweenness(directed=h.is_directed(), sources=sources)
    # A pivot cannot lie on its own paths: it is averaged over k - 1 sources, the others over k.
    is_source = set(sources)
    scale_source = pairs / ((k - 1) * (n - 2))
    scale_other = pairs / (k * (n - 2))
    return {
        node: value * (scale_source if i in is_source else scale_other)
        for i, (node, value) in enumerate(zip(nodes, raw, strict=True))
    }


def _louvain_igraph(h: Any, nodes: Sequence[str], *, seed: int, resolution: float) -> list[set[str]]:
    import igraph as ig

    # igraph draws from Python's `random` module by default; a private seeded generator makes runs repeat
    # without touching the caller's random state.
    ig.set_random_number_generator(random.Random(seed))
    try:
        clustering = h.community_multilevel(weights="weight", resolution=resolution)
    finally:
        ig.set_random_number_generator(random)
    return [{nodes[i] for i in members} for members in clustering]


# --- Neo4j: pull and write back -----------------------------------------------------------------------


def pull_graph(
    driver: Driver,
    *,
    database: str,
    scope: Scope = Scope(),
    weight: Weight = "evidence",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = _no_progress,
) -> nx.DiGraph:
    """The actors and relations in ``scope`` as a DiGraph (see `build_graph`), read in one transaction.

    Pages of ``batch_size`` actors, each with its outgoing relations, follow the key index from a cursor
    (no SKIP); a page comes back as one record of lists, ~5x faster to decode than a record per relation.
    Raises NotFound for an unknown city.
    """
    if batch_size < 1:
        raise BadInput(f"batch_size must be at least 1, got {batch_size}")
    params: dict[str, Any] = {
        "labels": [label.value for label in scope.labels or CORE_LABELS],
        "types": [t.value for t in scope.types or CORE_TYPES],
        "by_documents": weight == "documents",
        "page": batch_size,
    }

    def work(tx: ManagedTransaction) -> nx.DiGraph:
        nodes: list[tuple[str, dict[str, Any]]] = []
        arcs: Arcs = {}
        members: set[str] | None = None
        if scope.cities:
            members = _city_members(tx, scope.cities)
            pages = _pages_of_keys(tx, sorted(members), params, progress)
        else:
            pages = _pages_by_cursor(tx, params, progress)
        with _gc_paused():
            for rows in pages:
                for key, name, label, out in rows:
                    nodes.append((key, {"name": name, "label": label}))
                    for target, type_, w in out:
                        if members is None or target in members:  # a city's part keeps its inner relations
                            _add_relation(arcs, key, target, type_, w)
            return _digraph(nodes, arcs)

    started = time.perf_counter()
    g = _read(driver, database, work, doing=f"read the graph ({scope.describe()})")
    if scope.types:
        # The network of some relation types is made of the actors that have them; the rest keep the
        # measures of the last run that included them.
        g.remove_nodes_from([node for node, d in g.degree() if d == 0])
    logger.info(
        "pulled %d nodes, %d arcs (%s) in %.1f s",
        g.number_of_nodes(),
        g.number_of_edges(),
        scope.describe(),
        time.perf_counter() - started,
    )
    return g


Page = list[list[Any]]  # [key, name, label, [[target, type, weight], ...]] per actor


def _pages_by_cursor(tx: ManagedTransaction, params: dict[str, Any], progress: Progress) -> Iterator[Page]:
    """Every actor in key order, a page at a time; the cursor is the last key of the previous page."""
    total = int(tx.run(query("analytics_count_entities")).single(strict=True)["nodes"])
    statement = query("analytics_page")
    done, after = 0, ""
    progress("pull", 0, total)
    while True:
        record = tx.run(statement, params, after=after).single(strict=True)
        if record["last"] is None:  # past the last key
            break
        after = record["last"]
        done += int(record["scanned"])
        progress("pull", min(done, total), total)
        yield record["rows"]
    progress("pull", done, done)


def _pages_of_keys(
    tx: ManagedTransaction, keys: Sequence[str], params: dict[str, Any], progress: Progress
) -> Iterator[Page]:
    """The actors with the given ``keys``, a page at a time."""
    statement = query("analytics_page_keys")
    size = int(params["page"])
    progress("pull", 0, len(keys))
    for start in range(0, len(keys), size):
        record = tx.run(statement, params, keys=list(keys[start : start + size])).single(strict=True)
        progress("pull", min(start + size, len(keys)), len(keys))
        yield record["rows"]


def _city_members(tx: ManagedTransaction, cities: Sequence[str]) -> set[str]:
    found: dict[str, list[str]] = {}
    for record in tx.run(query("analytics_city_members"), cities=list(cities)):
        found.setdefault(record["city"], []).extend(record["members"])
    missing = [c for c in cities if c not in found]
    if missing:
        raise NotFound(
            f"no City named {', '.join(missing)} in the graph: check the name "
            "(GET /entities?label=City lists them) or ingest documents about it"
        )
    return {key for keys in found.values() for key in keys}


def write_metrics(
    driver: Driver,
    result: AnalyticsResult,
    *,
    database: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = _no_progress,
) -> int:
    """Set degree, pagerank, betweenness, community and analytics_run_at on the result's nodes, one
    transaction per batch; returns how many nodes were updated (nodes deleted meanwhile are skipped)."""
    if batch_size < 1:
        raise BadInput(f"batch_size must be at least 1, got {batch_size}")
    statement = query("analytics_write")
    total = len(result.nodes)
    updated = 0
    progress("write", 0, total)
    try:
        with write_session(driver, database) as session:
            for start in range(0, total, batch_size):
                rows = [
                    {
                        "key": m.key,
                        "degree": m.degree,
                        "pagerank": m.pagerank,
                        "betweenness": m.betweenness,
                        "community": m.community,
                    }
                    for m in result.nodes[start : start + batch_size]
                ]
                updated += session.execute_write(_write_batch, statement, rows, result.run_at)
                progress("write", min(start + batch_size, total), total)
    except (Neo4jError, DriverError) as e:
        doing = f"write the analytics ({updated} of {total} nodes were written)"
        raise wrap_driver_error(e, doing, AnalyticsError) from e
    return updated


def _write_batch(tx: ManagedTransaction, statement: str, rows: list[dict[str, Any]], run_at: Any) -> int:
    record = tx.run(statement, rows=rows, run_at=run_at).single(strict=True)
    return int(record["updated"])


def run_analytics(
    driver: Driver,
    *,
    database: str,
    scope: Scope = Scope(),
    weight: Weight = "evidence",
    seed: int = DEFAULT_SEED,
    backend: Backend = "auto",
    batch_size: int = DEFAULT_BATCH_SIZE,
    write: bool = True,
    progress: Progress = _no_progress,
) -> AnalyticsResult:
    """Pull ``scope`` once, compute every measure, write them back as node properties (unless ``write`` is
    False); raises NotFound when the scope has no node."""
    started = time.perf_counter()
    g = pull_graph(
        driver, database=database, scope=scope, weight=weight, batch_size=batch_size, progress=progress
    )
    pulled = time.perf_counter() - started
    if len(g) == 0:
        raise NotFound(
            f"nothing to analyse in {scope.describe()}: ingest documents first, or widen the filters"
        )
    result = analyse(g, seed=seed, backend=backend, progress=progress)
    result.seconds["pull"] = pulled
    del g  # the graph is no longer needed: free it before the write-back holds its batches
    if write:
        started = time.perf_counter()
        write_metrics(driver, result, database=database, batch_size=batch_size, progress=progress)
        result.seconds["write"] = time.perf_counter() - started
    logger.info(
        "analysed %d nodes, %d edges, %d communities (%s, betweenness %s) in %s",
        len(result.nodes),
        result.edges,
        result.communities,
        result.backend,
        f"sampled from {result.betweenness_pivots} pivots" if result.betweenness_pivots else "exact",
        ", ".join(f"{phase} {s:.1f} s" for phase, s in result.seconds.items()),
    )
    return result


def _read(
    driver: Driver,
    database: str,
    work: Callable[[ManagedTransaction], nx.DiGraph],
    *,
    doing: str,
) -> nx.DiGraph:
    try:
        # A store without, say, FUNDS yet is normal: no warnings about absent labels or types.
        with read_session(driver, database) as session:
            return session.execute_read(work)
    except (Neo4jError, DriverError) as e:
        raise wrap_driver_error(e, doing, AnalyticsError) from e

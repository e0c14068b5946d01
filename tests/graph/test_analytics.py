"""Network analytics: measures on small graphs whose answers are known by hand, then the pull / write-back
round trip and the `innograph analyse` command against the real Neo4j."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from neo4j import Driver
from typer.testing import CliRunner

from app.cli import app
from graph.analytics import (
    AnalyticsResult,
    Backend,
    Scope,
    analyse,
    betweenness,
    betweenness_pivots,
    build_graph,
    communities,
    degrees,
    number_communities,
    pagerank,
    pull_graph,
    run_analytics,
    undirected,
)
from graph.config import get_settings
from graph.errors import NotFound
from graph.model import Document, Entity, Evidence, Graph, Label, Relation, RelType, content_id
from graph.store import apply_schema, write_graph
from tests.helpers import evidence

BACKENDS: list[Backend] = ["networkx", "igraph"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each measure runs on both backends; igraph must give networkx's answers."""
    if request.param == "igraph":
        pytest.importorskip("igraph")
    chosen: Backend = request.param
    return chosen


# --- pure measures on hand-checked graphs ---------------------------------------------------------


def star(leaves: int) -> nx.DiGraph:
    """A centre cooperating with ``leaves`` actors, built the way the pull builds graphs."""
    nodes = [("centre", "centre", "Park")] + [(f"leaf{i}", f"leaf{i}", "Enterprise") for i in range(leaves)]
    edges = [("centre", f"leaf{i}", "COOPERATES", 1) for i in range(leaves)]
    return build_graph(nodes, edges)


def two_cliques_and_a_bridge() -> nx.Graph:
    """Two 5-cliques a0..a4 and b0..b4, joined through one bridge node x (a0 - x - b0)."""
    g = nx.Graph()
    for side in "ab":
        members = [f"{side}{i}" for i in range(5)]
        g.add_edges_from((u, v) for i, u in enumerate(members) for v in members[i + 1 :])
    g.add_edges_from([("a0", "x"), ("x", "b0")])
    nx.set_edge_attributes(g, 1, "weight")
    return g


def test_the_centre_of_a_star_leads_every_measure(backend: Backend) -> None:
    g = star(6)
    deg, pr, bc = degrees(g), pagerank(g, backend=backend), betweenness(g, backend=backend)
    leaves = [n for n in g if n != "centre"]
    assert deg["centre"] == 6 and all(deg[leaf] == 1 for leaf in leaves)
    assert all(pr["centre"] > pr[leaf] for leaf in leaves)
    # Every pair of leaves (15 of the 15 pairs that exclude the centre) has its only path through it.
    assert bc["centre"] == pytest.approx(1.0)
    assert all(bc[leaf] == 0 for leaf in leaves)


def test_the_bridge_between_two_cliques_has_the_highest_betweenness(backend: Backend) -> None:
    g = two_cliques_and_a_bridge()
    bc = betweenness(g, backend=backend)
    assert max(bc, key=bc.__getitem__) == "x"
    # By hand: x lies on all 5 x 5 a-b paths; a0 on the 4 x 6 paths from a1..a4 to x, b0..b4.
    pairs = (11 - 1) * (11 - 2) / 2
    assert bc["x"] == pytest.approx(25 / pairs)
    assert bc["a0"] == pytest.approx(24 / pairs)
    assert bc["a1"] == 0


def test_pagerank_sums_to_one(backend: Backend) -> None:
    for g in (two_cliques_and_a_bridge(), star(4), nx.gnm_random_graph(50, 120, seed=3, directed=True)):
        nx.set_edge_attributes(g, 2, "weight")
        assert sum(pagerank(g, backend=backend).values()) == pytest.approx(1.0)


def test_communities_split_at_the_bridge_and_repeat_with_the_seed(backend: Backend) -> None:
    g = two_cliques_and_a_bridge()
    found = communities(g, seed=7, backend=backend)
    side_a = {found[f"a{i}"] for i in range(5)}
    side_b = {found[f"b{i}"] for i in range(5)}
    assert len(side_a) == 1 and len(side_b) == 1 and side_a != side_b
    assert set(found.values()) == side_a | side_b  # the bridge joins one side, no third community
    assert communities(g, seed=7, backend=backend) == found


def test_seeded_communities_repeat_on_a_larger_graph(backend: Backend) -> None:
    g = nx.relabel_nodes(nx.connected_caveman_graph(12, 6), str)
    nx.set_edge_attributes(g, 1, "weight")
    first = communities(g, seed=11, backend=backend)
    assert communities(g, seed=11, backend=backend) == first
    assert len(set(first.values())) == 12  # each cave is a community


def test_relations_between_a_pair_add_up_and_cooperation_counts_once() -> None:
    nodes = [("a", "a", "Park"), ("b", "b", "Enterprise"), ("c", "c", "City")]
    edges = [
        ("a", "b", "COOPERATES", 3),
        ("a", "b", "HOSTS", 2),
        ("c", "a", "HOSTS", 1),
        ("b", "a", "FUNDS", 4),
    ]
    g = build_graph(nodes, edges)
    assert g["a"]["b"]["weight"] == 5 and g["b"]["a"]["weight"] == 7  # 3 + 2, and 3 + 4
    u = undirected(g)
    assert u["a"]["b"]["weight"] == pytest.approx(9)  # cooperation 3 once, hosts 2, funds 4
    assert u["a"]["c"]["weight"] == pytest.approx(1)
    assert degrees(g) == {"a": 2, "b": 1, "c": 1}


def test_pagerank_flows_along_hosting_and_funding() -> None:
    # A city hosting two parks that both host one enterprise: rank gathers at the enterprise.
    nodes = [(k, k, "Entity") for k in ("city", "p1", "p2", "firm")]
    edges = [("city", "p1", "HOSTS", 1), ("city", "p2", "HOSTS", 1), ("p1", "firm", "HOSTS", 1)]
    edges.append(("p2", "firm", "FUNDS", 1))
    pr = pagerank(build_graph(nodes, edges), backend="networkx")
    assert pr["p1"] == pytest.approx(pr["p2"])
    assert pr["firm"] > pr["p1"] > pr["city"]


def test_betweenness_is_exact_up_to_the_threshold_then_sampled() -> None:
    assert betweenness_pivots(2_000, 6_000, exact_max_nodes=2_000) is None
    assert betweenness_pivots(2_001, 6_000, exact_max_nodes=2_000) == 256
    assert betweenness_pivots(100, 300, exact_max_nodes=10) is None  # fewer nodes than pivots
    # 256 pivots x 100k edges is the budget: fewer pivots on larger graphs, never under 64.
    assert betweenness_pivots(33_333, 100_000) == 256
    assert betweenness_pivots(100_000, 200_000) == 128
    assert betweenness_pivots(333_333, 1_000_000) == 64
    g = nx.relabel_nodes(nx.barabasi_albert_graph(300, 3, seed=5), str)
    exact = betweenness(g, backend="networkx")
    sampled = betweenness(g, exact_max_nodes=100, pivots=150, seed=1, backend="networkx")
    assert sampled != exact
    # Half the nodes as pivots: the hubs keep their rank and their values within a quarter.
    top = sorted(exact, key=exact.__getitem__, reverse=True)
    assert set(sorted(sampled, key=sampled.__getitem__, reverse=True)[:3]) == set(top[:3])
    assert all(sampled[n] == pytest.approx(exact[n], rel=0.25) for n in top[:5])


def test_igraph_gives_networkx_answers() -> None:
    pytest.importorskip("igraph")
    rnd = random.Random(2)
    g = nx.relabel_nodes(nx.gnm_random_graph(400, 1_200, seed=2, directed=True), lambda i: f"n{i}")
    for _, _, data in g.edges(data=True):
        data["weight"] = rnd.randint(1, 4)
    g.add_node("isolated")
    pr_nx, pr_ig = pagerank(g, backend="networkx"), pagerank(g, backend="igraph")
    # networkx stops its power iteration at an error of N x 1e-6; igraph (PRPACK) solves exactly.
    assert all(pr_ig[n] == pytest.approx(pr_nx[n], rel=5e-3) for n in g)
    for exact_max_nodes in (1_000, 100):  # exact, then sampled from the same 60 pivots
        bc_nx = betweenness(g, exact_max_nodes=exact_max_nodes, pivots=60, seed=9, backend="networkx")
        bc_ig = betweenness(g, exact_max_nodes=exact_max_nodes, pivots=60, seed=9, backend="igraph")
        assert all(bc_ig[n] == pytest.approx(bc_nx[n], abs=1e-12) for n in g)
    parts = communities(g, backend="igraph")
    assert set(parts) == set(g)


def test_communities_are_numbered_by_size() -> None:
    assert number_communities([{"z"}, {"c", "d"}, {"a"}, {"b", "e", "f"}]) == {
        "b": 0,
        "e": 0,
        "f": 0,
        "c": 1,
        "d": 1,
        "a": 2,
        "z": 3,
    }


def test_analyse_gathers_every_measure() -> None:
    g = star(5)
    result = analyse(g, backend="networkx")
    assert {m.key for m in result.nodes} == set(g)
    assert result.edges == 5 and result.betweenness_pivots is None and result.communities >= 1
    assert result.top("pagerank", 1)[0].key == "centre"
    assert result.top("betweenness", 1)[0].key == "centre"
    assert result.top("degree", 1)[0].degree == 5
    assert analyse(nx.DiGraph(), backend="networkx").nodes == ()


# --- Neo4j round trip -------------------------------------------------------------------------------

# One document; each sentence states one fact. The two sentences about 徐工 and 矿大 support one
# cooperation twice, so its evidence count is 2 and its document count 1.
SENTENCES = {
    "x_p": "徐州高新区位于徐州。",
    "p_g": "徐工集团入驻徐州高新区。",
    "p_e": "恩华药业入驻徐州高新区。",
    "x_u": "中国矿业大学坐落于徐州。",
    "g_u": "徐工集团与中国矿业大学共建实验室。",
    "g_u2": "徐工集团与中国矿业大学签署合作协议。",
    "y_q": "扬州高新区位于扬州。",
    "q_p": "扬州高新区牵手徐州高新区。",
    "l_e": "《徐州科技创新40条》支持恩华药业。",
    "q_j": "扬州甲公司入驻扬州高新区。",
}
NAMES = {
    "X": (Label.CITY, "徐州"),
    "P": (Label.PARK, "徐州高新区"),
    "G": (Label.ENTERPRISE, "徐工集团"),
    "E": (Label.ENTERPRISE, "恩华药业"),
    "U": (Label.INSTITUTE, "中国矿业大学"),
    "Y": (Label.CITY, "扬州"),
    "Q": (Label.PARK, "扬州高新区"),
    "L": (Label.POLICY, "徐州科技创新40条"),
    "J": (Label.ENTERPRISE, "扬州甲公司"),
}
FACTS = [
    (RelType.HOSTS, "X", "P", ("x_p",)),
    (RelType.HOSTS, "P", "G", ("p_g",)),
    (RelType.HOSTS, "P", "E", ("p_e",)),
    (RelType.HOSTS, "X", "U", ("x_u",)),
    (RelType.COOPERATES, "G", "U", ("g_u", "g_u2")),
    (RelType.HOSTS, "Y", "Q", ("y_q",)),
    (RelType.COOPERATES, "Q", "P", ("q_p",)),
    (RelType.FUNDS, "L", "E", ("l_e",)),
    (RelType.HOSTS, "Q", "J", ("q_j",)),
]


def key(short: str) -> str:
    label, name = NAMES[short]
    return Entity.create(label=label, name=name).key


def two_cities() -> Graph:
    """徐州 with its high-tech zone (hosting 徐工, 恩华), 矿大; 扬州 with its zone (hosting 甲公司);
    the zones cooperate; a policy funds 恩华."""
    text = "".join(SENTENCES.values())
    doc = Document(id=content_id(text.encode()), source="test/analytics.txt", text=text)

    def ev(sentence_id: str) -> Evidence:
        return evidence(doc, SENTENCES[sentence_id])

    entities = tuple(
        Entity.create(label=label, name=name, aliases=("徐州市",) if short == "X" else ())
        for short, (label, name) in NAMES.items()
    )
    relations = tuple(
        Relation(type=t, source=key(s), target=key(o), evidence=tuple(ev(i) for i in ids))
        for t, s, o, ids in FACTS
    )
    return Graph(document=doc, entities=entities, relations=relations)


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Any) -> str:
    """The two-city graph written by graph.store into an empty database; the database's name."""
    database: str = neo4j_server.database
    apply_schema(driver, database=database)
    write_graph(driver, two_cities(), database=database)
    return database


def stored(driver: Driver, database: str) -> dict[str, dict[str, Any]]:
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) RETURN n.key AS key, n.degree AS degree, n.pagerank AS pagerank, "
        "n.betweenness AS betweenness, n.community AS community, n.analytics_run_at AS run_at",
        database_=database,
    )
    return {r["key"]: dict(r) for r in records}


def test_measures_are_written_back_as_node_properties(driver: Driver, db: str) -> None:
    result = run_analytics(driver, database=db, batch_size=2)  # batches smaller than the graph
    back = stored(driver, db)
    assert set(back) == {key(s) for s in NAMES} == {m.key for m in result.nodes}
    for m in result.nodes:
        row = back[m.key]
        assert (row["degree"], row["community"]) == (m.degree, m.community)
        assert row["pagerank"] == pytest.approx(m.pagerank) and row["betweenness"] == pytest.approx(
            m.betweenness
        )
        assert row["run_at"].to_native() == result.run_at
    assert sum(row["pagerank"] for row in back.values()) == pytest.approx(1.0)
    # By hand: the 徐州 zone has 4 partners (徐州, 徐工, 恩华, 扬州 zone) and joins 扬州's side to 徐州's.
    zone = key("P")
    assert max(back, key=lambda k: back[k]["degree"]) == zone and back[zone]["degree"] == 4
    assert max(back, key=lambda k: back[k]["betweenness"]) == zone
    assert back[key("J")]["betweenness"] == 0
    assert result.betweenness_pivots is None and result.backend == "networkx"


def test_a_later_run_replaces_the_measures_and_its_time(driver: Driver, db: str) -> None:
    first = run_analytics(driver, database=db)
    second = run_analytics(driver, database=db, seed=first.seed)
    back = stored(driver, db)
    assert second.run_at > first.run_at
    assert {row["run_at"].to_native() for row in back.values()} == {second.run_at}
    assert {m.key: m.community for m in first.nodes} == {m.key: m.community for m in second.nodes}


def test_a_city_scope_is_the_city_and_what_it_hosts_directly_or_through_its_parks(
    driver: Driver, db: str
) -> None:
    result = run_analytics(driver, database=db, scope=Scope(cities=("徐州市",)))  # found by alias
    assert {m.key for m in result.nodes} == {key(s) for s in "XPGEU"}
    assert result.edges == 5  # four HOSTS and the 徐工-矿大 cooperation
    back = stored(driver, db)
    assert all(back[key(s)]["pagerank"] is None for s in "YQJL")  # outside the scope: untouched


@pytest.mark.parametrize("batch_size", [1, 3, 10_000])
def test_filters_by_label_and_relation_type(driver: Driver, db: str, batch_size: int) -> None:
    def pull(scope: Scope) -> nx.DiGraph:
        return pull_graph(driver, database=db, scope=scope, batch_size=batch_size)

    parks = pull(Scope(labels=(Label.PARK,)))  # pages without any park still move the cursor on
    assert set(parks) == {key("P"), key("Q")} and parks.has_edge(key("P"), key("Q"))
    cooperation = pull(Scope(types=(RelType.COOPERATES,)))
    assert set(cooperation) == {key(s) for s in "GUPQ"}
    assert cooperation.has_edge(key("Q"), key("P")) and cooperation.has_edge(key("P"), key("Q"))
    hosts_in_yangzhou = pull(
        Scope(types=(RelType.HOSTS,), cities=("扬州",), labels=(Label.PARK, Label.ENTERPRISE))
    )
    assert set(hosts_in_yangzhou) == {key("Q"), key("J")}
    whole = pull(Scope())
    assert set(whole) == {key(s) for s in NAMES}
    assert whole.number_of_edges() == len(FACTS) + 2  # each cooperation is two arcs


def test_edge_weight_is_the_evidence_or_the_document_count(driver: Driver, db: str) -> None:
    by_evidence = pull_graph(driver, database=db, weight="evidence")
    by_documents = pull_graph(driver, database=db, weight="documents")
    g, u = key("G"), key("U")
    assert by_evidence[g][u]["weight"] == 2 and by_evidence[u][g]["weight"] == 2
    assert by_documents[g][u]["weight"] == 1
    assert undirected(by_evidence)[g][u]["weight"] == 2


def test_an_unknown_city_or_an_empty_scope_is_not_found(driver: Driver, db: str) -> None:
    with pytest.raises(NotFound, match="no City named 不存在"):
        run_analytics(driver, database=db, scope=Scope(cities=("不存在",)))
    with pytest.raises(NotFound, match="nothing to analyse"):
        run_analytics(driver, database=db, scope=Scope(labels=(Label.INSTITUTE,), types=(RelType.FUNDS,)))
    assert all(row["pagerank"] is None for row in stored(driver, db).values())


# --- the command ------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment that points `innograph` at the test Neo4j."""
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_secret().get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        "COLUMNS": "160",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def test_the_analyse_command_lists_the_top_actors(driver: Driver, db: str, cli_env: dict[str, str]) -> None:
    done = CliRunner().invoke(app, ["analyse", "--top", "3"])
    assert done.exit_code == 0, done.output
    assert "top 3 by PageRank" in done.stdout and "top 3 by betweenness" in done.stdout
    assert "徐州高新区" in done.stdout and "9 actors" in done.stdout
    assert all(row["pagerank"] is not None for row in stored(driver, db).values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label", "Town"], "--label 'Town' is not one of City, Park"),
        (["--type", "OWNS"], "--type 'OWNS' is not one of HOSTS"),
        (["--city", "不存在"], "no City named 不存在"),
        (["--weight", "money"], "--weight 'money'"),
    ],
)
def test_the_analyse_command_fails_in_one_line(
    driver: Driver, db: str, cli_env: dict[str, str], args: list[str], message: str
) -> None:
    done = CliRunner().invoke(app, ["analyse", *args])
    assert done.exit_code == 1
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.output


def test_run_at_is_timezone_aware_utc() -> None:
    result: AnalyticsResult = analyse(star(2), backend="networkx")
    assert result.run_at.tzinfo is not None and result.run_at.utcoffset() == dt.timedelta(0)

"""The entity page's radial layout (app/explorer/layout.py), drawing options, amounts, error text: pure."""

from __future__ import annotations

import itertools

from app.explorer import layout, viz
from graph.cypher_guard import syntax_error_text

NAMES = [
    "徐州高新区", "江苏", "中国矿业大学", "徐州经济技术开发区", "淮海经济区医学健康产业研究院", "华为",
    "重大项目产业基金", "丰县", "徐州软件园", "江苏师大文化创意产业园", "中关村创新中心", "睢宁县",
]  # fmt: skip


def star(n: int) -> tuple[list[layout.LayoutNode], list[tuple[str, str]]]:
    """A centre and ``n`` neighbours with names of the corpus' lengths (cycled, made unique)."""
    centre = layout.LayoutNode(key="City:徐州", name="徐州", size=62.7, font=viz.FOCUS_FONT)
    leaves = [
        layout.LayoutNode(key=f"Park:{i}", name=f"{NAMES[i % len(NAMES)]}{i}", size=viz.node_size(1 + i % 3))
        for i in range(n)
    ]
    return [centre, *leaves], [(centre.key, leaf.key) for leaf in leaves]


def overlapping(nodes: list[layout.LayoutNode], positions: dict[str, layout.Point]) -> list[tuple[str, str]]:
    boxes = {n.key: layout.node_box(n) for n in nodes}
    return [
        (a, b)
        for a, b in itertools.combinations(positions, 2)
        if boxes[a].overlaps(positions[a], boxes[b], positions[b])
    ]


def test_a_67_node_star_has_no_two_boxes_overlapping() -> None:
    nodes, edges = star(67)
    positions = layout.radial(nodes, edges, "City:徐州")
    assert set(positions) == {n.key for n in nodes}
    assert positions["City:徐州"] == (0.0, 0.0)
    assert overlapping(nodes, positions) == []
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    # wider than tall, like the canvas and the labels, and around the centre on every side
    assert max(xs) - min(xs) > max(ys) - min(ys)
    assert min(xs) < 0 < max(xs) and min(ys) < 0 < max(ys)


def test_the_layout_is_the_same_every_time_and_independent_of_edge_order() -> None:
    nodes, edges = star(30)
    first = layout.radial(nodes, edges, "City:徐州")
    assert layout.radial(nodes, list(reversed(edges)), "City:徐州") == first


def test_two_hops_ring_outside_beyond_the_node_leading_there() -> None:
    nodes, edges = star(12)
    far = [layout.LayoutNode(key=f"Enterprise:{i}", name=f"企业{i}", size=21.0) for i in range(5)]
    edges += [("Park:3", f.key) for f in far]
    positions = layout.radial([*nodes, *far], edges, "City:徐州")
    assert overlapping([*nodes, *far], positions) == []
    radius = {k: abs(complex(*p)) for k, p in positions.items()}
    assert min(radius[f.key] for f in far) > radius["Park:3"]  # outside, beyond the node leading there
    hops, parent = layout.hops_from("City:徐州", positions, edges)
    assert {hops[f.key] for f in far} == {2} and {parent[f.key] for f in far} == {"Park:3"}


def test_a_lone_neighbour_sits_beside_the_entity() -> None:
    nodes, edges = star(1)
    positions = layout.radial(nodes, edges, "City:徐州")
    x, y = positions["Park:0"]
    assert x > 0 and y == 0.0
    assert overlapping(nodes, positions) == []


def test_a_node_nothing_reaches_still_gets_a_place() -> None:
    nodes, edges = star(3)
    lost = layout.LayoutNode(key="Policy:孤", name="孤立政策", size=21.0)
    positions = layout.radial([*nodes, lost], edges, "City:徐州")
    assert lost.key in positions and overlapping([*nodes, lost], positions) == []


def test_layout_seed_is_derived_from_the_key() -> None:
    assert viz.layout_seed("City:徐州") == viz.layout_seed("City:徐州")
    assert viz.layout_seed("City:徐州") != viz.layout_seed("City:扬州")
    assert 0 <= viz.layout_seed("City:徐州") < 2**31
    options = viz.network_options(viz.layout_seed("City:徐州"), physics=False)
    assert options["layout"]["randomSeed"] == viz.layout_seed("City:徐州")
    assert options["physics"]["enabled"] is False


def test_a_radial_view_places_every_node_and_a_big_one_drops_edge_text() -> None:
    focus = viz.NodeView(key="City:徐州", name="徐州", label="City", degree=20)
    others = tuple(viz.NodeView(key=f"Park:{i}", name=f"园区{i}", label="Park", degree=1) for i in range(20))
    edges = tuple(
        viz.EdgeView(key=f"e{i}", type="HOSTS", source=focus.key, target=o.key) for i, o in enumerate(others)
    )
    payload = viz.graph_payload(
        viz.GraphView(nodes=(focus, *others), edges=edges, focus=focus.key, radial=True)
    )
    assert all("x" in n and "y" in n for n in payload["nodes"])
    assert payload["options"]["physics"]["enabled"] is False
    assert not any("label" in e for e in payload["edges"])  # 20 > EDGE_LABELS_MAX: type by colour, on hover
    small = viz.graph_payload(
        viz.GraphView(nodes=(focus, others[0]), edges=edges[:1], focus=focus.key, radial=True)
    )
    assert small["edges"][0]["label"] == "HOSTS"


def test_amounts_read_as_chinese_sources_state_them() -> None:
    assert viz.format_amount(2_000_000_000) == "20亿元"
    assert viz.format_amount(20_000_000) == "2000万元"
    assert viz.format_amount(150_000_000) == "1.5亿元"
    assert viz.format_amount(1.2e12) == "1.2万亿元"
    assert viz.format_amount(999_950_000_000) == "10000亿元"  # no exponent
    assert viz.format_amount(5000) == "5000元"
    assert viz.format_amount(None) == ""


def test_syntax_errors_lose_the_explain_prefix_and_count_columns_in_the_users_text() -> None:
    neo4j = (
        "Invalid input 'RETRN': expected a graph pattern or <EOF> (line 1, column 19 (offset: 18))\n"
        '"EXPLAIN MATCH (n) RETRN n"\n'
        "                   ^"
    )
    text = syntax_error_text(neo4j)
    assert "EXPLAIN" not in text
    head, quoted, caret = text.splitlines()
    assert (
        head
        == "Error in the query at line 1, column 11: Invalid input 'RETRN': expected a graph pattern or <EOF>"
    )
    assert quoted == "MATCH (n) RETRN n" and quoted[caret.index("^") :].startswith("RETRN")
    later = syntax_error_text("Invalid input 'n' (line 3, column 8 (offset: 38))\n\"RETURN n\"\n        ^")
    assert later.splitlines()[0].startswith("Error in the query at line 3, column 8:")
    assert later.splitlines()[1][later.splitlines()[2].index("^")] == "n"

"""Graph drawing for the explorer: pyvis builds the vis-network data, our own template renders it.

pyvis's own page template links Bootstrap and vis from CDNs; we only use pyvis for the node/edge
lists and options and render them into ``templates/_graph.html``, whose scripts are served by the app.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from graph.model import Label, RelType
from graph.views import EvidenceView

from . import layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
EDGE_LABELS_MAX = 16  # more edges than this: their type shows as colour (legend) and on hover, not as text
FOCUS_FONT = 30


@dataclass(frozen=True)
class Style:
    """How one label or relation type is drawn (the legend shows the same)."""

    color: str
    shape: str
    caption: str  # Chinese caption in the legend


LABEL_STYLES: dict[str, Style] = {
    Label.CITY.value: Style("#3566c9", "hexagon", "城市/地区"),
    Label.PARK.value: Style("#2e9d6a", "square", "园区"),
    Label.INSTITUTE.value: Style("#8250df", "triangle", "高校/院所"),
    Label.ENTERPRISE.value: Style("#e07b24", "dot", "企业"),
    Label.POLICY.value: Style("#c8405a", "diamond", "政策"),
    # extension (not scored): what a policy sets targets for; drawn when a Cypher result returns one
    Label.INDICATOR.value: Style("#9a6700", "star", "指标"),
}
OTHER_LABEL = Style("#7d8590", "dot", "其他")

TYPE_STYLES: dict[str, Style] = {
    RelType.HOSTS.value: Style("#8c9bb0", "arrow", "承载/入驻"),
    RelType.FUNDS.value: Style("#d4a017", "arrow", "资助/投资"),
    RelType.COOPERATES.value: Style("#1f9bb4", "line", "合作"),
    RelType.SETS_TARGET.value: Style("#c99a2e", "arrow", "设定目标"),
}
OTHER_TYPE = Style("#b0b7c3", "arrow", "其他")


@dataclass(frozen=True)
class NodeView:
    key: str
    name: str
    label: str
    degree: int = 0
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeView:
    key: str
    type: str
    source: str  # entity key
    target: str  # entity key
    amount_cny: float | None = None
    evidence: tuple[EvidenceView, ...] = ()
    confidence: float | None = None


@dataclass(frozen=True)
class GraphView:
    """What one page draws: nodes, edges, and how many edges matched before the cap."""

    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    total_edges: int = 0
    focus: str | None = None
    radial: bool = False  # placed by layout.radial around the focus (no physics) rather than by physics


def label_style(label: str) -> Style:
    return LABEL_STYLES.get(label, OTHER_LABEL)


def type_style(type_: str) -> Style:
    return TYPE_STYLES.get(type_, OTHER_TYPE)


AMOUNT_UNITS = (("万亿元", 1e12), ("亿元", 1e8), ("万元", 1e4))


def format_amount(amount: float | None) -> str:
    """Yuan as Chinese sources state them, to four significant digits: 20000000 → '2000万元',
    150000000 → '1.5亿元', 2000000000 → '20亿元'."""
    if amount is None:
        return ""
    for unit, size in AMOUNT_UNITS:
        if amount >= size:
            return f"{_significant(amount / size)}{unit}"
    return f"{amount:.0f}元"


def _significant(number: float, digits: int = 4) -> str:
    """``number`` (≥ 1) rounded to ``digits`` significant digits, written without exponent or trailing 0."""
    decimals = max(0, digits - 1 - math.floor(math.log10(number)))
    text = f"{number:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def node_size(degree: int) -> float:
    """Size grows with the log of the degree so hubs stand out without swallowing the canvas."""
    return round(14 + 7 * math.log2(1 + max(degree, 0)), 1)


def node_title(node: NodeView) -> str:
    """Plain-text hover text of a node (vis-network shows strings as text, never as HTML)."""
    lines = [f"{node.name}  [{node.label}]", f"degree {node.degree}"]
    if node.aliases:
        lines.append("别名: " + "、".join(node.aliases))
    return "\n".join(lines)


def edge_title(edge: EdgeView, names: dict[str, str]) -> str:
    """Plain-text hover text of an edge: the fact, its amount, each evidence sentence and its document."""
    head = f"{names.get(edge.source, edge.source)} —{edge.type}→ {names.get(edge.target, edge.target)}"
    lines = [head]
    if edge.amount_cny is not None:
        lines.append(f"金额: {format_amount(edge.amount_cny)}")
    for ev in edge.evidence[:5]:
        where = ev.source or ev.document_id[:12]
        span = f" @{ev.start}-{ev.end}"
        lines.append(f"“{ev.sentence}”\n  — {where}{span}")
    if len(edge.evidence) > 5:
        lines.append(f"… and {len(edge.evidence) - 5} more")
    return "\n".join(lines)


def edge_label(edge: EdgeView) -> str:
    amount = format_amount(edge.amount_cny)
    return f"{edge.type} {amount}" if amount else edge.type


def _color(color: str) -> dict[str, Any]:
    """A node colour: filled with the label colour, darker border when selected or hovered."""
    return {
        "background": color,
        "border": color,
        "highlight": {"background": color, "border": "#1f2328"},
        "hover": {"background": color, "border": "#1f2328"},
    }


def layout_seed(key: str | None) -> int:
    """vis-network's ``layout.randomSeed`` for a drawing centred on ``key``: the same page draws the same."""
    return int(hashlib.sha256((key or "").encode()).hexdigest()[:8], 16) % 2**31


def network_options(seed: int = 0, physics: bool = True) -> dict[str, Any]:
    """vis-network options shared by every drawing; ``physics`` False for one placed by layout.radial."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": seed, "improvedLayout": physics},
        "nodes": {
            "font": {
                "face": FONT_STACK,
                "size": 22,
                "color": "#1f2328",
                "strokeWidth": 5,
                "strokeColor": "#ffffff",
            },
            "borderWidth": 1.5,
            "shadow": False,
        },
        "edges": {
            "font": {"face": FONT_STACK, "size": 15, "color": "#57606a", "strokeWidth": 4, "align": "middle"},
            "smooth": {"enabled": True, "type": "dynamic"},
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
        "groups": {
            label: {"color": _color(style.color), "shape": style.shape}
            for label, style in [*LABEL_STYLES.items(), ("Other", OTHER_LABEL)]
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.012,
                "springLength": 110,
                "springConstant": 0.06,
                "avoidOverlap": 0.7,
            },
            "stabilization": {"enabled": True, "iterations": 250, "fit": True},
            "minVelocity": 0.9,
        },
    }


def build_network(view: GraphView) -> Network:
    """A pyvis Network holding the view's nodes and edges, styled per label and type."""
    # directed=True keeps parallel edges (pyvis drops a second edge between the same pair when undirected)
    net = Network(directed=True, cdn_resources="in_line")
    names = {n.key: n.name for n in view.nodes}
    positions = radial_positions(view)
    edge_labels = len(view.edges) <= EDGE_LABELS_MAX
    for node in view.nodes:
        style = label_style(node.label)
        focus = node.key == view.focus
        group = node.label if node.label in LABEL_STYLES else "Other"
        # Colours and shapes come from the `groups` option (pyvis drops `color` when a group is given).
        # The focus node has no group: vis-network lets a group's colour win over the node's own.
        net.add_node(
            node.key,
            label=node.name,
            shape=style.shape,
            size=node_size(node.degree) + (6 if focus else 0),
            title=node_title(node),
            degree=node.degree,
            entityLabel=group,
            **({} if focus else {"group": group}),
        )
        if node.key in positions:
            x, y = positions[node.key]
            net.node_map[node.key].update(x=x, y=y)
        if focus:
            net.node_map[node.key].update(
                borderWidth=4,
                color={**_color(style.color), "border": "#1f2328"},
                font={"size": FOCUS_FONT, "strokeWidth": 6},
            )
            if not positions:
                # pinned at the origin while the layout settles, so the neighbourhood rings around it
                net.node_map[node.key].update(x=0, y=0, fixed={"x": True, "y": True})
    pairs: dict[frozenset[str], int] = {}
    for edge in view.edges:
        if edge.source not in names or edge.target not in names:
            continue
        style = type_style(edge.type)
        pair = frozenset((edge.source, edge.target))
        nth = pairs.get(pair, 0)
        pairs[pair] = nth + 1
        net.add_edge(
            edge.source,
            edge.target,
            id=edge.key,
            title=edge_title(edge, names),
            amount=format_amount(edge.amount_cny),
            color={"color": style.color, "highlight": "#1f2328", "hover": "#1f2328"},
            width=1.5 + min(len(edge.evidence), 4) * 0.5,
            arrows={"to": {"enabled": style.shape == "arrow", "scaleFactor": 0.6}},
            relType=edge.type,
            # parallel edges between one pair bend apart instead of overlapping
            smooth={"enabled": True, "type": "curvedCW", "roundness": 0.18 * nth} if nth else {},
            **({"label": edge_label(edge)} if edge_labels else {}),
        )
    return net


def _size(node: NodeView, focus: str | None) -> float:
    return node_size(node.degree) + (6 if node.key == focus else 0)


def radial_positions(view: GraphView) -> dict[str, tuple[float, float]]:
    """Where layout.radial puts each node of a radial view (none for a physics one); the first ring in
    ontology order of labels, then by name, so one label's nodes sit together."""
    if not view.radial or view.focus is None:
        return {}
    rank = {label: i for i, label in enumerate(LABEL_STYLES)}
    ordered = sorted(view.nodes, key=lambda n: (rank.get(n.label, len(rank)), n.name, n.key))
    nodes = [
        layout.LayoutNode(
            key=n.key,
            name=n.name,
            size=_size(n, view.focus),
            font=FOCUS_FONT if n.key == view.focus else layout.LABEL_FONT,
        )
        for n in ordered
    ]
    return layout.radial(nodes, [(e.source, e.target) for e in view.edges], view.focus)


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


_ENV = _environment()


def graph_payload(view: GraphView) -> dict[str, Any]:
    """The JSON the page script draws: pyvis's node/edge lists and options, plus structured evidence."""
    net = build_network(view)
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    evidence = {
        e.key: [
            ev.model_dump(include={"sentence", "source", "document_id", "start", "end", "extractor"})
            for ev in e.evidence
        ]
        for e in view.edges
    }
    return {
        "nodes": nodes,
        "edges": edges,
        "options": network_options(layout_seed(view.focus), physics=not view.radial),
        "focus": view.focus,
        "evidence": evidence,
        "total_edges": view.total_edges,
    }


def render_graph(
    view: GraphView, *, node_url: str, element_id: str = "graph", height: str = "100%", expand: bool = False
) -> str:
    """HTML fragment (canvas div + JSON data) that /static/explorer/explorer.js turns into a vis Network.

    ``node_url`` + the URL-encoded key is where a click on a node goes; with ``expand`` a double-click on a
    node draws its relationships in place.
    """
    template = _ENV.get_template("_graph.html")
    return template.render(
        payload=graph_payload(view), element_id=element_id, height=height, node_url=node_url, expand=expand
    )


def legend_items(labels: Iterable[str]) -> list[dict[str, str]]:
    """Legend rows for the given labels, in ontology order."""
    return _style_rows("label", labels, LABEL_STYLES, label_style)


def _style_rows(
    column: str, names: Iterable[str], known: Mapping[str, Style], style_of: Callable[[str], Style]
) -> list[dict[str, str]]:
    """One row (name, colour, shape, caption) per name: the known ones in their order, then the others."""
    wanted = set(names)
    order: Sequence[str] = [*known, *sorted(wanted - set(known))]
    return [
        {column: n, "color": style_of(n).color, "shape": style_of(n).shape, "caption": style_of(n).caption}
        for n in order
        if n in wanted
    ]


def styles_payload() -> dict[str, Any]:
    """Label and relation-type styles for the page scripts (the Cypher page styles its own drawing)."""
    return {
        "labels": {k: asdict(v) for k, v in LABEL_STYLES.items()},
        "types": {k: asdict(v) for k, v in TYPE_STYLES.items()},
        "other_label": asdict(OTHER_LABEL),
        "other_type": asdict(OTHER_TYPE),
        "font": FONT_STACK,
        "options": network_options(),
    }


def type_items(types: Iterable[str]) -> list[dict[str, str]]:
    """Filter/legend rows for relation types, in ontology order."""
    return _style_rows("type", types, TYPE_STYLES, type_style)

"""A radial layout for an entity's neighbourhood, computed on the server so a page draws the same every time.

The entity sits at the centre; the nodes one relationship away ring it, those two away ring them (each ring
in the order of the nodes leading to it). Rings are ellipses wider than tall, as labels and the canvas are; a
ring is filled in turn, every node at the first angle where its box (shape plus the label under it, its width
estimated from the text) clears the boxes already placed, and what does not fit goes on a ring one typical
box wider and taller. So in a 67-node star no two labels overlap, and a ring left with room is spread out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LABEL_FONT = 22  # px, viz.network_options nodes.font.size
LABEL_LINE = 1.3  # line height of a label, in font sizes
LABEL_STROKE = 6  # px: the white outline around a label's text
PAD = 5  # px of air around every box
SPOKE = 70  # px of edge at least between a ring and the one inside, so a short edge still shows

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """The space a node takes, relative to its centre: shape above, label below."""

    half_width: float
    above: float
    below: float

    def overlaps(self, at: Point, other: Box, other_at: Point) -> bool:
        (x, y), (ox, oy) = at, other_at
        return (
            abs(x - ox) < self.half_width + other.half_width
            and y - self.above < oy + other.below
            and oy - other.above < y + self.below
        )


@dataclass(frozen=True)
class LayoutNode:
    key: str
    name: str
    size: float  # vis-network size: the shape's radius in px
    font: float = LABEL_FONT


def text_width(text: str, font: float) -> float:
    """Estimated drawn width of ``text``: CJK characters one em, others about 0.6 em."""
    return sum(font if ord(ch) >= 0x2E80 else 0.6 * font for ch in text)


def node_box(node: LayoutNode) -> Box:
    label = text_width(node.name, node.font) + LABEL_STROKE
    return Box(
        half_width=max(node.size, label / 2) + PAD,
        above=node.size + PAD,
        below=node.size + node.font * LABEL_LINE + PAD,
    )


Placed = list[tuple[Box, Point]]


def _clear(box: Box, at: Point, placed: Placed) -> bool:
    return not any(box.overlaps(at, other, other_at) for other, other_at in placed)


@dataclass(frozen=True)
class Ellipse:
    """One ring: semi-axes ``a`` (x) and ``b`` (y); wider than tall, as labels are."""

    a: float
    b: float

    def point(self, t: float) -> Point:
        return (self.a * math.cos(t), self.b * math.sin(t))


def _fill(boxes: Sequence[Box], ring: Ellipse, start: float, below: Placed) -> tuple[list[Point], int]:
    """Place as many of ``boxes`` (in turn) on ``ring`` as fit in one turn from ``start``, each at the first
    angle where it clears the boxes before it and those of the rings inside (``below``); (points, count).
    A ring left with room is spread evenly over the turn."""
    step = 3.0 / max(ring.a, ring.b)  # three pixels along the ring
    angles: list[float] = []
    placed: Placed = []
    for box in boxes:
        t = angles[-1] + step if angles else start
        while t - start < 2 * math.pi and not _clear(box, ring.point(t), placed[-3:] + below):
            t += step
        # the ring comes back round: the box must clear the first ones too
        if t - start >= 2 * math.pi or not _clear(box, ring.point(t), placed[:3]):
            break
        angles.append(t)
        placed.append((box, ring.point(t)))
    if len(angles) == len(boxes) and len(angles) > 1:
        return _spread(boxes, ring, start, angles, below), len(angles)
    return [at for _b, at in placed], len(placed)


def _spread(
    boxes: Sequence[Box], ring: Ellipse, start: float, angles: list[float], below: Placed
) -> list[Point]:
    """A ring with room left: its angles stretched towards an even share of the turn, as far as the boxes
    stay clear (a half-filled ring reads as a lopsided drawing)."""
    used = angles[-1] - start
    full = 2 * math.pi * (len(angles) - 1) / len(angles)
    for step in range(10, 0, -1):
        factor = 1 + (full / max(used, 1e-9) - 1) * step / 10
        if factor <= 1:
            break
        spread = [
            (box, ring.point(start + (t - start) * factor)) for box, t in zip(boxes, angles, strict=True)
        ]
        if all(_clear(b, at, spread[i + 1 : i + 4] + below) for i, (b, at) in enumerate(spread)) and _clear(
            *spread[-1], spread[:3]
        ):
            return [at for _b, at in spread]
    return [ring.point(t) for t in angles]


def _rings(boxes: Sequence[Box], first: Ellipse, gap: Point, start: float, below: Placed) -> list[Point]:
    """``boxes`` on as many rings as they need, each ring ``gap`` wider and taller than the one inside."""
    points: list[Point] = []
    ring = first
    placed = list(below)
    while len(points) < len(boxes):
        got, count = _fill(boxes[len(points) :], ring, start, _reaching(placed, ring, boxes))
        if count:
            points.extend(got)
            placed.extend(zip(boxes[len(points) - count : len(points)], got, strict=True))
        ring = Ellipse(ring.a + gap[0], ring.b + gap[1])
    return points


def _reaching(placed: Placed, ring: Ellipse, boxes: Sequence[Box]) -> Placed:
    """The placed boxes a box on ``ring`` could touch: those reaching out to within one box of it (a long
    label two rings inside can)."""
    wide = max(b.half_width for b in boxes)
    tall = max(b.above + b.below for b in boxes)

    def reaches(box: Box, at: Point) -> bool:
        x = (abs(at[0]) + box.half_width + wide) / ring.a
        y = (abs(at[1]) + max(box.above, box.below) + tall) / ring.b
        return x * x + y * y >= 1

    return [(box, at) for box, at in placed if reaches(box, at)]


def _gap(boxes: Sequence[Box]) -> Point:
    """How much wider and taller each ring is than the one inside: a typical box, so rings nest."""
    widths = sorted(2 * b.half_width for b in boxes)
    return (widths[int(0.6 * (len(widths) - 1))], max(b.above + b.below for b in boxes))


def hops_from(
    focus: str, keys: Iterable[str], edges: Iterable[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, str]]:
    """Breadth-first distance of each key from ``focus`` over ``edges`` (either direction), and the node
    each was first reached from; keys not reached count as one hop past the farthest."""
    neighbours: dict[str, list[str]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    hops, parent, frontier = {focus: 0}, {}, [focus]
    while frontier:
        following: list[str] = []
        for key in frontier:
            for other in neighbours.get(key, ()):
                if other not in hops:
                    hops[other] = hops[key] + 1
                    parent[other] = key
                    following.append(other)
        frontier = following
    farthest = max(hops.values())
    for key in keys:
        hops.setdefault(key, farthest + 1)
    return hops, parent


def radial(nodes: Sequence[LayoutNode], edges: Iterable[tuple[str, str]], focus: str) -> dict[str, Point]:
    """Positions (x right, y down, px) of ``nodes``: ``focus`` at the origin, the others ring by ring by
    their distance from it over ``edges``, each in the order given (a hop-2 node near its parent)."""
    by_key = {n.key: n for n in nodes}
    if focus not in by_key:
        return {}
    hops, parent = hops_from(focus, by_key, edges)
    positions: dict[str, Point] = {focus: (0.0, 0.0)}
    centre = node_box(by_key[focus])
    below: Placed = [(centre, (0.0, 0.0))]
    inner = Ellipse(centre.half_width, centre.below)
    order = {n.key: i for i, n in enumerate(nodes)}
    for hop in sorted({h for k, h in hops.items() if k != focus}):
        ring = _ring_order([k for k in by_key if hops[k] == hop], parent, positions, order)
        boxes = [node_box(by_key[k]) for k in ring]
        gap = _gap(boxes)
        first = Ellipse(inner.a + gap[0] * 0.75 + SPOKE, inner.b + gap[1] * 0.9 + SPOKE / 2)
        points = _rings(boxes, first, gap, _start_angle(ring[0], parent, positions), below)
        for key, at in zip(ring, points, strict=True):
            positions[key] = (round(at[0], 1), round(at[1], 1))
        below = list(zip(boxes, points, strict=True))
        inner = Ellipse(max(abs(x) for x, _y in points), max(abs(y) for _x, y in points))
    return positions


def _angle(at: tuple[float, float]) -> float:
    return math.atan2(at[1], at[0]) % (2 * math.pi)


def _parent_angle(key: str, parent: Mapping[str, str], positions: Mapping[str, Point]) -> float | None:
    """The angle of the node ``key`` was reached from, None for the centre's neighbours."""
    up = parent.get(key)
    if up is None or up not in positions or positions[up] == (0.0, 0.0):
        return None
    return _angle(positions[up])


def _ring_order(
    keys: list[str], parent: Mapping[str, str], positions: Mapping[str, Point], order: Mapping[str, int]
) -> list[str]:
    """A ring's nodes by the angle of the node leading to them (the first ring: in the order given)."""
    return sorted(keys, key=lambda k: (_parent_angle(k, parent, positions) or 0.0, order[k]))


def _start_angle(first: str, parent: Mapping[str, str], positions: Mapping[str, Point]) -> float:
    """The first ring starts at the right (a lone neighbour sits beside the entity: the canvas is wide);
    an outer ring at the angle of its first node's parent."""
    return _parent_angle(first, parent, positions) or 0.0

"""Graph files for Gephi, networkx and spreadsheets, built from the networkx graph graph.read exports.

In every file a node's ``label`` is the entity's name (Gephi shows it as the node's caption) and its
``type`` the entity's label (City, Park, …); an edge's ``label`` and ``relation`` are the relation type.
GraphML and JSON also keep the relation type in the edge's ``type``; GEXF cannot, its ``type`` is the
edge's direction. The CSV zip adds an evidence table: one row per piece of evidence of an exported edge.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import networkx as nx
from fastapi import Response

from graph.views import EvidenceView


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    CSV = "csv"
    JSON = "json"


MEDIA_TYPES = {
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.GEXF: "application/gexf+xml",
    ExportFormat.CSV: "application/zip",
    ExportFormat.JSON: "application/json",
}
SUFFIXES = {
    ExportFormat.GRAPHML: "graphml",
    ExportFormat.GEXF: "gexf",
    ExportFormat.CSV: "zip",
    ExportFormat.JSON: "json",
}
OPENAPI_CONTENT: dict[str, Any] = {
    "application/graphml+xml": {"schema": {"type": "string"}},
    "application/gexf+xml": {"schema": {"type": "string"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"type": "object"}},
}
NODE_COLUMNS = ["id", "label", "type", "name", "aliases", "evidence_count"]
EDGE_COLUMNS = ["source", "target", "relation", "key", "symmetric", "amount_cny", "evidence_count"]
EVIDENCE_COLUMNS = [
    *("relation_key", "relation", "source", "target", "document_id", "start", "end", "sentence"),
    *("extractor", "confidence", "amount_cny"),
]


def for_gephi(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of an exported graph with Gephi's names: node label = name, type = the entity's label;
    edge label and relation = the relation type."""
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    for key, attrs in graph.nodes(data=True):
        node = dict(attrs)
        node["type"] = node.pop("label", "")
        node["label"] = node.get("name", key)
        out.add_node(key, **node)
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        edge = dict(attrs)
        edge["relation"] = edge["label"] = edge.get("type", "")
        out.add_edge(source, target, key=key, **edge)
    return out


def graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(for_gephi(graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2: the relation key as the edge id; COOPERATES stays one directed edge with symmetric=true
    (GEXF's mixed graphs do not read back into networkx)."""
    gephi = for_gephi(graph)
    for _, _, key, attrs in gephi.edges(keys=True, data=True):
        attrs.pop("type", None)  # GEXF's edge type is its direction, which the graph's default gives
        attrs["id"] = key
    buffer = io.BytesIO()
    nx.write_gexf(gephi, buffer, encoding="utf-8")
    return buffer.getvalue()


def node_link_json(graph: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(for_gephi(graph), edges="links")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def csv_zip(graph: nx.MultiDiGraph, evidence: Iterable[EvidenceView]) -> bytes:
    """A zip of nodes.csv, edges.csv and evidence.csv (UTF-8 with BOM, so spreadsheets read the Chinese)."""
    gephi = for_gephi(graph)
    node_columns = _columns(NODE_COLUMNS, gephi.nodes(data=True))
    edge_columns = _columns(
        EDGE_COLUMNS,
        ((key, attrs) for _, _, key, attrs in gephi.edges(keys=True, data=True)),
        # Gephi reads an edge table's `type` column as the edge's direction; the relation is `relation`.
        skip={"type", "label"},
    )
    nodes = _table(
        node_columns,
        ([key, *(attrs.get(c) for c in node_columns[1:])] for key, attrs in gephi.nodes(data=True)),
    )
    edges = _table(
        edge_columns,
        (
            [source, target, attrs.get("relation"), key, *(attrs.get(c) for c in edge_columns[4:])]
            for source, target, key, attrs in gephi.edges(keys=True, data=True)
        ),
    )
    ends = {
        key: (source, target, attrs.get("type"))
        for source, target, key, attrs in graph.edges(keys=True, data=True)
    }
    rows = (
        [
            ev.fact,
            ends[ev.fact][2],
            ends[ev.fact][0],
            ends[ev.fact][1],
            ev.document_id,
            ev.start,
            ev.end,
            ev.sentence,
            ev.extractor,
            ev.confidence,
            ev.amount_cny,
        ]
        for ev in evidence
        if ev.fact in ends
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", nodes)
        archive.writestr("edges.csv", edges)
        archive.writestr("evidence.csv", _table(EVIDENCE_COLUMNS, rows))
    return buffer.getvalue()


def response(content: bytes, fmt: ExportFormat, name: str) -> Response:
    """The download: ``name`` (ASCII) plus the format's suffix as the file name."""
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{SUFFIXES[fmt]}"'},
    )


def _table(columns: list[str], rows: Iterable[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return text.getvalue().encode("utf-8-sig")


def _columns(
    fixed: list[str],
    items: Iterable[tuple[Any, dict[str, Any]]],
    skip: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The fixed columns, then every other attribute any row has (analytics results such as pagerank,
    betweenness and community among them), in a stable order."""
    extra = {name for _, attrs in items for name in attrs} - set(fixed) - set(skip)
    return [*fixed, *sorted(extra)]


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined by "|", absent values empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return value

"""Graph files for Gephi, networkx and spreadsheets, streamed: written batch by batch as graph.read's
ExportSource reads them from Neo4j, so no export holds the whole graph in memory.

In every file a node's ``label`` is the entity's name (Gephi shows it as the node's caption) and its
``type`` the entity's label (City, Park, …); an edge's ``label`` and ``relation`` are the relation type.
GraphML and JSON also keep the relation type in the edge's ``type``; GEXF cannot, its ``type`` is the
edge's direction. The CSV zip adds an evidence table: one row per piece of evidence of an exported edge.
Each file reads back (networkx, Gephi) as the graph graph.read.export_graph builds; the files are not the
bytes networkx's own writers give (attribute ids, whitespace), which need the whole graph first.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from itertools import chain
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from fastapi.responses import StreamingResponse

from graph.read import ExportNode, ExportSource


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


GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
GEXF_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
    "<meta><creator>innograph</creator></meta>\n"
    '<graph defaultedgetype="directed" mode="static" name="">\n'
)
# The XML type names networkx writes and reads for each Python type (GraphML and GEXF agree on these).
XML_TYPES: dict[type, str] = {int: "long", float: "double", bool: "boolean", str: "string"}
# Characters XML 1.0 cannot carry at all; a stored text holding one is exported without it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
BOM = "\ufeff".encode()


def gephi_node(key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes with Gephi's names: label = the entity's name, type = the entity's label."""
    node = dict(attrs)
    node["type"] = node.pop("label", "")
    node["label"] = node.get("name", key)
    return node


def gephi_edge(attrs: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes with Gephi's names: label and relation = the relation type (``type`` kept)."""
    edge = dict(attrs)
    edge["relation"] = edge["label"] = edge.get("type", "")
    return edge


def gephi_node_types(source: ExportSource) -> dict[str, type]:
    types = dict(source.node_types)
    types["type"] = types.pop("label", str)
    types["label"] = str
    return types


def gephi_edge_types(source: ExportSource) -> dict[str, type]:
    return {**source.edge_types, "relation": str, "label": str}


def stream(source: ExportSource, fmt: ExportFormat) -> Iterator[bytes]:
    """The export of ``source`` in ``fmt``, as chunks of about one batch each."""
    if fmt is ExportFormat.GRAPHML:
        return graphml(source)
    if fmt is ExportFormat.GEXF:
        return gexf(source)
    if fmt is ExportFormat.CSV:
        return csv_zip(source)
    return node_link_json(source)


def graphml(source: ExportSource) -> Iterator[bytes]:
    node_keys = _xml_keys(gephi_node_types(source), "n")
    edge_keys = _xml_keys(gephi_edge_types(source), "e")
    head = [GRAPHML_HEAD]
    for scope, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, (key_id, kind) in keys.items():
            head.append(
                f'<key id="{key_id}" for="{scope}" attr.name={quoteattr(_xml_text(name))} '
                f'attr.type="{XML_TYPES[kind]}"/>\n'
            )
    head.append('<graph edgedefault="directed">\n')
    yield "".join(head).encode()
    for nodes in source.nodes():
        parts = []
        for key, attrs in nodes:
            parts.append(f"<node id={_xml_attr(key)}>")
            parts.extend(_graphml_data(gephi_node(key, attrs), node_keys))
            parts.append("</node>\n")
        yield "".join(parts).encode()
    for edges in source.edges():
        parts = []
        for source_key, target_key, key, attrs in edges:
            parts.append(
                f"<edge id={_xml_attr(key)} source={_xml_attr(source_key)} target={_xml_attr(target_key)}>"
            )
            parts.extend(_graphml_data(gephi_edge(attrs), edge_keys))
            parts.append("</edge>\n")
        yield "".join(parts).encode()
    yield b"</graph>\n</graphml>\n"


def gexf(source: ExportSource) -> Iterator[bytes]:
    """GEXF 1.2: the relation key as the edge id; COOPERATES stays one directed edge with symmetric=true
    (GEXF's mixed graphs do not read back into networkx). As networkx writes a multigraph, the edge key is
    also the attribute ``networkx_key``, which networkx reads back as the edge's key."""
    node_types = gephi_node_types(source)
    node_types.pop("label")  # the node's label is an XML attribute of its own
    edge_types = gephi_edge_types(source)
    for name in ("type", "label"):  # GEXF's edge type is its direction; the label is an XML attribute
        edge_types.pop(name)
    edge_types["networkx_key"] = str
    node_ids = _xml_keys(node_types, "n")
    edge_ids = _xml_keys(edge_types, "e")
    head = [GEXF_HEAD]
    for scope, ids in (("edge", edge_ids), ("node", node_ids)):
        head.append(f'<attributes mode="static" class="{scope}">\n')
        for name, (attr_id, kind) in ids.items():
            head.append(
                f'<attribute id="{attr_id}" title={quoteattr(_xml_text(name))} type="{XML_TYPES[kind]}"/>\n'
            )
        head.append("</attributes>\n")
    head.append("<nodes>\n")
    yield "".join(head).encode()
    for nodes in source.nodes():
        parts = []
        for key, attrs in nodes:
            node = gephi_node(key, attrs)
            label = node.pop("label")
            parts.append(f"<node id={_xml_attr(key)} label={_xml_attr(label)}>")
            parts.extend(_gexf_values(node, node_ids))
            parts.append("</node>\n")
        yield "".join(parts).encode()
    yield b"</nodes>\n<edges>\n"
    for edges in source.edges():
        parts = []
        for source_key, target_key, key, attrs in edges:
            edge = gephi_edge(attrs)
            edge.pop("type", None)
            label = edge.pop("label")
            edge["networkx_key"] = key
            parts.append(
                f"<edge source={_xml_attr(source_key)} target={_xml_attr(target_key)} id={_xml_attr(key)} "
                f"label={_xml_attr(label)}>"
            )
            parts.extend(_gexf_values(edge, edge_ids))
            parts.append("</edge>\n")
        yield "".join(parts).encode()
    yield b"</edges>\n</graph>\n</gexf>\n"


def node_link_json(source: ExportSource) -> Iterator[bytes]:
    """networkx node-link data (``nx.node_link_data(graph, edges="links")``), written node by node."""
    yield b'{"directed": true, "multigraph": true, "graph": {}, "nodes": ['
    first = True
    for nodes in source.nodes():
        rows = [json.dumps({**gephi_node(key, attrs), "id": key}, ensure_ascii=False) for key, attrs in nodes]
        yield (("" if first else ", ") + ", ".join(rows)).encode()
        first = first and not rows
    yield b'], "links": ['
    first = True
    for edges in source.edges():
        rows = [
            json.dumps({**gephi_edge(attrs), "source": s, "target": t, "key": key}, ensure_ascii=False)
            for s, t, key, attrs in edges
        ]
        yield (("" if first else ", ") + ", ".join(rows)).encode()
        first = first and not rows
    yield b"]}"


def csv_zip(source: ExportSource) -> Iterator[bytes]:
    """A zip of nodes.csv, edges.csv and evidence.csv (UTF-8 with BOM, so spreadsheets read the Chinese),
    compressed as it is written."""
    node_columns = _columns(NODE_COLUMNS, gephi_node_types(source))
    # Gephi reads an edge table's `type` column as the edge's direction; the relation is `relation`.
    edge_columns = _columns(EDGE_COLUMNS, gephi_edge_types(source), skip={"type", "label"})
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("nodes.csv", "w", force_zip64=True) as out:
            out.write(BOM + _rows([node_columns]))
            for nodes in source.nodes():
                out.write(
                    _rows([key, *(node.get(c) for c in node_columns[1:])] for key, node in _gephi(nodes))
                )
                yield sink.drain()
        with archive.open("edges.csv", "w", force_zip64=True) as out:
            out.write(BOM + _rows([edge_columns]))
            for edges in source.edges():
                rows = (
                    [s, t, edge.get("relation"), key, *(edge.get(c) for c in edge_columns[4:])]
                    for s, t, key, edge in ((s, t, k, gephi_edge(a)) for s, t, k, a in edges)
                )
                out.write(_rows(rows))
                yield sink.drain()
        with archive.open("evidence.csv", "w", force_zip64=True) as out:
            out.write(BOM + _rows([EVIDENCE_COLUMNS]))
            for edges in source.edges():
                ends = {key: (s, t, attrs.get("type")) for s, t, key, attrs in edges}
                evidence = source.evidence(list(ends))
                out.write(
                    _rows(
                        [
                            ev.fact,
                            ends[ev.fact][2],
                            ends[ev.fact][0],
                            ends[ev.fact][1],
                            *(ev.document_id, ev.start, ev.end, ev.sentence),
                            *(ev.extractor, ev.confidence, ev.amount_cny),
                        ]
                        for ev in evidence
                        if ev.fact in ends
                    )
                )
                yield sink.drain()
    yield sink.drain()


def download(source: ExportSource, fmt: ExportFormat, release: Callable[[], None]) -> Iterator[bytes]:
    """The chunks of the export, its first one already read (so a Neo4j that fails at once is an error
    status rather than a cut-off file); ``release`` (the export's slot) is called after the last chunk, or
    when the iterator is closed or dropped because the client went away."""
    chunks = stream(source, fmt)
    try:
        first = next(chunks)
    except BaseException:
        release()
        raise

    def body() -> Iterator[bytes]:
        try:
            yield from chain([first], chunks)
        finally:
            release()

    return body()


def response(
    source: ExportSource, fmt: ExportFormat, name: str, release: Callable[[], None]
) -> StreamingResponse:
    """The download, streamed: ``name`` (ASCII) plus the format's suffix as the file name."""
    return StreamingResponse(
        download(source, fmt, release),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{SUFFIXES[fmt]}"'},
    )


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come (zipfile writes into it)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _gephi(nodes: list[ExportNode]) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((key, gephi_node(key, attrs)) for key, attrs in nodes)


def _xml_keys(types: dict[str, type], prefix: str) -> dict[str, tuple[str, type]]:
    """Each attribute's XML key id and the type it is declared with (lists are written "|"-joined)."""
    return {
        name: (f"{prefix}{i}", kind if kind in XML_TYPES else str)
        for i, (name, kind) in enumerate(sorted(types.items()))
    }


def _graphml_data(attrs: dict[str, Any], keys: dict[str, tuple[str, type]]) -> Iterator[str]:
    for name, value in attrs.items():
        if value is None or name not in keys:
            continue
        key_id, kind = keys[name]
        yield f'<data key="{key_id}">{escape(_xml_value(value, kind))}</data>'


def _gexf_values(attrs: dict[str, Any], ids: dict[str, tuple[str, type]]) -> Iterator[str]:
    values = [
        f'<attvalue for="{ids[name][0]}" value={_xml_attr(_xml_value(value, ids[name][1]))}/>'
        for name, value in attrs.items()
        if value is not None and name in ids
    ]
    if values:
        yield "<attvalues>" + "".join(values) + "</attvalues>"


def _xml_value(value: Any, kind: type) -> str:
    """``value`` as the text of an attribute declared ``kind``, as networkx writes and reads it back."""
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        text = str(float(value))
        return {"inf": "INF", "-inf": "-INF", "nan": "NaN"}.get(text, text)
    if isinstance(value, list | tuple):
        return _xml_text("|".join(str(v) for v in value))
    return _xml_text(str(value))


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _xml_attr(text: str) -> str:
    return quoteattr(_xml_text(text))


def _rows(rows: Iterable[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return text.getvalue().encode("utf-8")


def _columns(
    fixed: list[str], types: dict[str, type], skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """The fixed columns, then every other attribute the rows may have (analytics results such as pagerank,
    betweenness and community among them), in a stable order."""
    extra = set(types) - set(fixed) - set(skip)
    return [*fixed, *sorted(extra)]


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined by "|", absent values empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return value

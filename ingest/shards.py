"""Graph shards: extraction output on disk, the hand-off between extraction and storage.

A shard is a JSON Lines file ``<name>.graph.jsonl``, one line per document: its `graph.model.Graph` as
``Graph.model_dump_json()`` (the Graph carries its Document, text included). Beside it,
``<name>.report.jsonl`` lists the files that gave no graph (failed, or skipped as a copy of another) with
their reason, one JSON object per line. `innograph extract --out DIR` writes them, `innograph ingest` and
`innograph ingest --bulk` read them like documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from graph.errors import BadInput
from graph.model import Graph

SHARD_SUFFIX = ".graph.jsonl"
REPORT_SUFFIX = ".report.jsonl"
# What Graph.model_dump_json() starts with: the document's id, then its source (a JSON string).
_HEAD = re.compile(r'\{"document":\{"id":"([0-9a-f]{64})","source":')
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class ShardFailure:
    """A file that gave no graph: ``status`` is "failed" or "skipped", ``reason`` says why in one line."""

    path: str
    status: str
    reason: str
    document_id: str | None = None


def is_shard(path: Path) -> bool:
    """Whether ``path`` names a graph shard (by its ``.graph.jsonl`` suffix)."""
    return path.name.endswith(SHARD_SUFFIX)


def report_path(shard: Path) -> Path:
    """The sidecar report of a shard: ``x.graph.jsonl`` -> ``x.report.jsonl``."""
    return shard.with_name(shard.name.removesuffix(SHARD_SUFFIX) + REPORT_SUFFIX)


class ShardWriter:
    """Writes one shard and its report, line by line; use as a context manager."""

    def __init__(self, path: Path) -> None:
        if not is_shard(path):
            raise BadInput(f"{path}: a shard's name must end in {SHARD_SUFFIX}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.graphs = 0
        self.failures = 0
        self._out: IO[str] = path.open("w", encoding="utf-8")
        self._report: IO[str] = report_path(path).open("w", encoding="utf-8")

    def add(self, graph: Graph) -> None:
        self._out.write(graph.model_dump_json())
        self._out.write("\n")
        self.graphs += 1

    def add_json(self, line: str) -> None:
        """Add a Graph already serialised by Graph.model_dump_json() (one line, no newline in it)."""
        self._out.write(line)
        self._out.write("\n")
        self.graphs += 1

    def add_failure(self, failure: ShardFailure) -> None:
        self._report.write(json.dumps(asdict(failure), ensure_ascii=False))
        self._report.write("\n")
        self.failures += 1

    def close(self) -> None:
        self._out.close()
        self._report.close()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_shard(path: Path, graphs: Iterable[Graph], failures: Iterable[ShardFailure] = ()) -> int:
    """Write ``graphs`` (a line each, in the order given) and the report of ``failures``; the graph count."""
    with ShardWriter(path) as writer:
        for graph in graphs:
            writer.add(graph)
        for failure in failures:
            writer.add_failure(failure)
        return writer.graphs


def shard_files(paths: Iterable[Path]) -> list[Path]:
    """The shards named, with folders searched recursively for ``*.graph.jsonl``, sorted and unique.

    Raises BadInput for a path that does not exist or a file that is not a shard.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob(f"*{SHARD_SUFFIX}") if p.is_file())
        elif not path.exists():
            raise BadInput(f"{path}: no such file or folder; check the path")
        elif is_shard(path):
            found.add(path)
        else:
            raise BadInput(f"{path} is not a graph shard (*{SHARD_SUFFIX}): pass shards or documents")
    return sorted(found, key=str)


def shard_lines(paths: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    """(shard, line number, line) of every non-blank line of the shards under ``paths``, in read order."""
    for path in shard_files(paths):
        with path.open("r", encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if line.strip():
                    yield path, number, line


def parse_line(path: Path, number: int, line: str) -> Graph:
    """One shard line as a Graph; BadInput naming the file and line when it is not one."""
    try:
        return Graph.model_validate_json(line)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BadInput(
            f"{path}:{number} is not a Graph ({where}: {first['msg']}): re-run `innograph extract` to "
            "write the shard again"
        ) from e


def read_shards(paths: Iterable[Path]) -> Iterator[Graph]:
    """Every Graph of the shards under ``paths``, shard by shard (sorted by name), in line order."""
    for path, number, line in shard_lines(paths):
        yield parse_line(path, number, line)


def peek_documents(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """(document id, source) of every line of the shards under ``paths``, in `read_shards` order, without
    parsing the whole line when it starts as Graph.model_dump_json() writes it."""
    for path, number, line in shard_lines(paths):
        head = _HEAD.match(line)
        if head is not None:
            source, _ = _DECODER.raw_decode(line, head.end())
            if isinstance(source, str):
                yield head.group(1), source
                continue
        graph = parse_line(path, number, line)
        yield graph.document.id, graph.document.source


def read_failures(paths: Iterable[Path]) -> Iterator[ShardFailure]:
    """The report rows beside the shards under ``paths`` (none for a shard without a report)."""
    for shard in shard_files(paths):
        report = report_path(shard)
        if not report.is_file():
            continue
        with report.open("r", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    yield ShardFailure(
                        path=str(row["path"]),
                        status=str(row["status"]),
                        reason=str(row["reason"]),
                        document_id=row.get("document_id"),
                    )

"""ingest/distributed.py: extraction on a Dask LocalCluster gives the serial path's graphs exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import BadInput
from ingest.distributed import extract_to_shards
from ingest.pipeline import extract_document
from ingest.read import iter_paths, read_document
from ingest.shards import read_failures, read_shards

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"


def test_a_local_cluster_of_two_workers_writes_what_serial_extraction_gives(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "copy.txt").write_bytes(next(iter(sorted(CORPUS.glob("*.txt")))).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "shards"
    # One file per task and two documents per shard: several tasks in flight, several shards.
    summary = extract_to_shards([folder], out=out, workers=2, task_files=1, shard_documents=2)
    assert summary.workers == 2
    assert (summary.documents, summary.failed, summary.skipped) == (5, 1, 1)
    serial = [
        extract_document(read_document(path)).graph.model_dump_json()
        for path in iter_paths([folder])
        if path.name not in ("copy.txt", "empty.txt")
    ]
    shards = sorted(out.glob("*.graph.jsonl"))
    assert len(shards) == len(summary.shards) == 4
    assert [graph.model_dump_json() for graph in read_shards([out])] == serial
    assert summary.relations == sum(len({r.key for r in g.relations}) for g in read_shards([out]))
    reasons = {Path(f.path).name: (f.status, f.reason) for f in read_failures([out])}
    assert reasons["empty.txt"] == ("failed", "empty file")
    assert reasons["copy.txt"][0] == "skipped" and "same content as" in reasons["copy.txt"][1]


def test_an_output_folder_with_shards_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.graph.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(BadInput, match="holds shards already"):
        extract_to_shards([CORPUS], out=tmp_path, workers=1)

"""The corrections log alone: the JSON Lines file, where merged keys went, what a correction names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph import curation
from graph.curation import Merge, Reject, Rename
from graph.errors import BadInput, NotFound
from graph.model import Label

STAMP = {"at": dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC), "by": "tester"}


def _log() -> list[Merge | Rename | Reject]:
    return [
        Merge(id="m1", **STAMP, note="same zone", into="Park:徐州高新区", merge=("Park:徐州国家高新区",)),
        Rename(id="r1", **STAMP, key="Park:徐州高新区", new_key="Park:徐州高新技术产业开发区"),
        Reject(
            id="x1",
            **STAMP,
            fact="City:徐州|HOSTS|Enterprise:华为",
            source="City:徐州",
            target="Enterprise:华为",
        ),
    ]


def test_the_log_round_trips_through_its_file(tmp_path: Path) -> None:
    assert curation.load(tmp_path / "none") == []
    curation.save(tmp_path, _log())
    lines = curation.log_path(tmp_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and '"into":"Park:徐州高新区"' in lines[0]
    assert curation.load(tmp_path) == _log()


def test_a_line_that_is_no_correction_is_named(tmp_path: Path) -> None:
    curation.log_path(tmp_path).write_text('\n{"action": "rename", "id": "x"}\n', encoding="utf-8")
    with pytest.raises(BadInput, match=r"corrections.jsonl:2 is not a correction"):
        curation.load(tmp_path)


def test_keys_follow_merges_then_renames() -> None:
    log = _log()
    assert curation.resolve(log, "Park:徐州国家高新区") == "Park:徐州高新技术产业开发区"
    assert curation.moved_to(log, "City:徐州") is None
    assert [c.id for c in curation.touching(log, "Park:徐州高新技术产业开发区")] == ["r1"]


def test_undo_takes_out_one_line_or_says_there_is_none() -> None:
    removed, rest = curation.without(_log(), "r1")
    assert removed.id == "r1" and [c.id for c in rest] == ["m1", "x1"]
    with pytest.raises(NotFound, match="GET /curation"):
        curation.without(_log(), "nope")


def test_key_parts_refuse_a_label_outside_the_ontology() -> None:
    assert curation.key_parts("City:徐州") == (Label.CITY, "徐州")
    with pytest.raises(BadInput, match="Campus"):
        curation.key_parts("Campus:矿大")
    with pytest.raises(BadInput, match="Label:name"):
        curation.key_parts("徐州")


def test_describe_reads_as_a_sentence() -> None:
    assert [curation.describe(c) for c in _log()] == [
        "merged 徐州国家高新区 into 徐州高新区",
        "renamed Park:徐州高新区 to Park:徐州高新技术产业开发区",
        "rejected City:徐州|HOSTS|Enterprise:华为",
    ]

"""The curation step alone: corrections applied to a hand-built Graph, no database."""

from __future__ import annotations

import datetime as dt

from graph.curation import CURATOR, Add, Merge, Reject, Rename
from graph.model import Entity, Graph, Label, Relation, RelType, relation_key
from ingest.curate import curate
from tests.helpers import evidence, make_document

TEXT = "徐州高新区位于徐州。徐州国家高新区引进华为。华为与中国矿业大学合作。"
DOC = make_document(TEXT, "seed/curate.txt")
STAMP = {"at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "by": "tester"}
S1, S2, S3 = (part + "。" for part in TEXT.split("。")[:3])


def _graph() -> Graph:
    park = Entity.create(label=Label.PARK, name="徐州高新区", evidence=(evidence(DOC, S1),))
    twin = Entity.create(
        label=Label.PARK, name="徐州国家高新区", aliases=("国家高新区",), evidence=(evidence(DOC, S2),)
    )
    city = Entity.create(label=Label.CITY, name="徐州", evidence=(evidence(DOC, S1),))
    huawei = Entity.create(label=Label.ENTERPRISE, name="华为", evidence=(evidence(DOC, S2),))
    cumt = Entity.create(label=Label.INSTITUTE, name="中国矿业大学", evidence=(evidence(DOC, S3),))
    rels = (
        Relation(type=RelType.HOSTS, source=city.key, target=park.key, evidence=(evidence(DOC, S1),)),
        Relation(type=RelType.HOSTS, source=city.key, target=twin.key, evidence=(evidence(DOC, S1),)),
        Relation(type=RelType.HOSTS, source=twin.key, target=huawei.key, evidence=(evidence(DOC, S2),)),
        Relation(type=RelType.COOPERATES, source=park.key, target=twin.key, evidence=(evidence(DOC, S2),)),
        Relation(type=RelType.COOPERATES, source=huawei.key, target=cumt.key, evidence=(evidence(DOC, S3),)),
    )
    return Graph(document=DOC, entities=(park, twin, city, huawei, cumt), relations=rels)


def test_no_corrections_leave_the_graph_as_it_is() -> None:
    graph = _graph()
    assert curate(graph, []).graph is graph


def test_merge_folds_the_names_evidence_and_facts_into_the_kept_entity() -> None:
    merged = curate(
        _graph(), [Merge(id="m", **STAMP, into="Park:徐州高新区", merge=("Park:徐州国家高新区",))]
    )
    entities = {e.key: e for e in merged.graph.entities}
    assert "Park:徐州国家高新区" not in entities
    kept = entities["Park:徐州高新区"]
    assert set(kept.aliases) == {"徐州国家高新区", "国家高新区"} and len(kept.evidence) == 2
    keys = {r.key for r in merged.graph.relations}
    assert "City:徐州|HOSTS|Park:徐州高新区" in keys and "Park:徐州高新区|HOSTS|Enterprise:华为" in keys
    assert len([k for k in keys if k.startswith("City:徐州|HOSTS")]) == 1, "the two HOSTS became one fact"
    assert merged.dropped == {"fact between two entities a curator merged": 1}


def test_rename_changes_the_key_and_keeps_the_old_name_as_an_alias() -> None:
    renamed = curate(
        _graph(), [Rename(id="r", **STAMP, key="Enterprise:华为", new_key="Enterprise:华为技术")]
    )
    entity = next(e for e in renamed.graph.entities if e.key == "Enterprise:华为技术")
    assert entity.name == "华为技术" and entity.aliases == ("华为",)
    assert relation_key(RelType.COOPERATES, "Enterprise:华为技术", "Institute:中国矿业大学") in {
        r.key for r in renamed.graph.relations
    }


def test_reject_drops_the_fact_with_a_reason() -> None:
    fact = "City:徐州|HOSTS|Park:徐州国家高新区"
    curated = curate(
        _graph(), [Reject(id="x", **STAMP, fact=fact, source="City:徐州", target="Park:徐州国家高新区")]
    )
    assert fact not in {r.key for r in curated.graph.relations}
    assert curated.dropped == {"fact a curator rejected": 1}


def _add(**changes: object) -> Add:
    values: dict[str, object] = {
        "id": "a",
        **STAMP,
        "note": "read by hand",
        "type": RelType.FUNDS,
        "source": "City:徐州",
        "target": "Institute:徐州研究院",
        "amount_cny": 1e6,
        "document_id": DOC.id,
        "document_source": DOC.source,
        "start": TEXT.index(S3),
        "end": TEXT.index(S3) + len(S3),
        "sentence": S3,
    }
    values.update(changes)
    return Add.model_validate(values)


def test_add_states_the_fact_with_the_curators_evidence_and_note() -> None:
    curated = curate(_graph(), [_add()])
    fact = next(r for r in curated.graph.relations if r.type is RelType.FUNDS)
    (ev,) = fact.evidence
    assert (ev.extractor, ev.confidence, ev.note, ev.sentence) == (CURATOR, 1.0, "read by hand", S3)
    assert fact.amount_cny == 1e6
    assert "Institute:徐州研究院" in {e.key for e in curated.graph.entities}, (
        "an end extraction missed is added"
    )


def test_add_finds_its_sentence_in_a_new_version_or_says_it_cannot() -> None:
    moved = make_document("前言。" + TEXT, DOC.source)
    graph = Graph(document=moved, entities=(Entity.create(label=Label.CITY, name="徐州"),))
    (fact,) = curate(graph, [_add()]).graph.relations
    assert moved.text[fact.evidence[0].start : fact.evidence[0].end] == S3
    gone = make_document("全新的文本。", DOC.source)
    lost = curate(Graph(document=gone), [_add()])
    assert lost.graph.relations == () and list(lost.dropped.values()) == [1]
    other = curate(Graph(document=make_document("另一份。" + TEXT, "elsewhere.txt")), [_add()])
    assert other.graph.relations == () and other.dropped == {}

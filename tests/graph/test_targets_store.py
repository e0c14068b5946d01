"""SETS_TARGET facts (the policy-targets extension) in the real Neo4j: one relationship per target year,
idempotent writes, replacement by a changed version, and retraction with the document."""

from __future__ import annotations

import re
from typing import Any

import pytest
from neo4j import Driver
from pydantic import ValidationError

from graph.cypher import CYPHER_DIR
from graph.model import (
    CORE_LABELS,
    CORE_TYPES,
    Document,
    Entity,
    Graph,
    Label,
    Relation,
    RelType,
    Scalar,
    relation_key,
)
from graph.store import apply_schema, delete_document, write_graph
from tests.graph.test_store import counts, element_ids, fact, node, rows
from tests.helpers import evidence, make_document

POLICY = "合肥市人民政府关于加快建设国家科技创新型城市的实施意见"
ROW = "国家高新技术企业数（家）\t4500\t6000"
V1 = f"{POLICY}\n\n指标名称\t2024年\t2025年\n{ROW}\n\n到2025年，全市技术合同成交额超过1000亿元。"
V2 = f"{POLICY}\n\n指标名称\t2024年\t2025年\n{ROW}\n"
SENTENCE = "到2025年，全市技术合同成交额超过1000亿元。"


def targets_graph(text: str) -> Graph:
    """合肥's policy sets 国家高新技术企业数 for 2024 and 2025 (a table row), and, when the text says so,
    技术合同成交额 for 2025 (a sentence)."""
    doc = make_document(text, "policy/hefei_targets.txt")
    city = Entity.create(label=Label.CITY, name="合肥", evidence=(evidence(doc, POLICY),))
    policy = Entity.create(label=Label.POLICY, name=POLICY, evidence=(evidence(doc, POLICY),))
    firms = Entity.create(label=Label.INDICATOR, name="国家高新技术企业数", evidence=(evidence(doc, ROW),))
    entities = [city, policy, firms]
    relations = [
        target(doc, policy, firms, 2024, 4500.0, "家", ROW),
        target(doc, policy, firms, 2025, 6000.0, "家", ROW),
    ]
    if SENTENCE in text:
        deals = Entity.create(
            label=Label.INDICATOR, name="技术合同成交额", evidence=(evidence(doc, SENTENCE),)
        )
        entities.append(deals)
        relations.append(target(doc, policy, deals, 2025, 1000.0, "亿元", SENTENCE, comparator=">"))
    return Graph(document=doc, entities=tuple(entities), relations=tuple(relations))


def target(
    doc: Document,
    policy: Entity,
    indicator: Entity,
    year: int,
    value: float,
    unit: str,
    sentence: str,
    comparator: str = "=",
) -> Relation:
    props: dict[str, Scalar] = {
        "year": year,
        "value": value,
        "unit": unit,
        "comparator": comparator,
        "city": "City:合肥",
    }
    return Relation(
        type=RelType.SETS_TARGET,
        source=policy.key,
        target=indicator.key,
        qualifier=str(year),
        properties=props,
        evidence=(evidence(doc, sentence),),
    )


@pytest.fixture
def db(driver: Driver, clean_db: None, neo4j_server: Any) -> str:
    database: str = neo4j_server.database
    apply_schema(driver, database=database)
    return database


def targets(driver: Driver, database: str) -> list[dict[str, Any]]:
    return rows(
        driver,
        database,
        "MATCH (p:Policy)-[r:SETS_TARGET]->(i:Indicator) "
        "RETURN i.name AS indicator, r.year AS year, r.value AS value, r.unit AS unit, r.city AS city, "
        "r.doc_ids AS docs, r.evidence_count AS evidence ORDER BY indicator, year",
    )


# --- the model ---------------------------------------------------------------------------------------


def test_the_extension_stays_out_of_the_core_ontology() -> None:
    assert Label.INDICATOR not in CORE_LABELS and len(CORE_LABELS) == 5
    assert RelType.SETS_TARGET not in CORE_TYPES and len(CORE_TYPES) == 3
    assert set(CORE_LABELS) | {Label.INDICATOR} == set(Label)
    assert set(CORE_TYPES) | {RelType.SETS_TARGET} == set(RelType)


def test_each_target_year_is_its_own_fact_and_core_keys_are_unchanged() -> None:
    graph = targets_graph(V1)
    keys = [r.key for r in graph.relations]
    assert len(set(keys)) == 3
    assert keys[0] == f"Policy:{POLICY}|SETS_TARGET|Indicator:国家高新技术企业数|2024"
    assert relation_key(RelType.HOSTS, "City:合肥", "Park:合肥高新区") == "City:合肥|HOSTS|Park:合肥高新区"
    with pytest.raises(ValidationError, match="needs a qualifier"):
        Relation(type=RelType.SETS_TARGET, source="Policy:a", target="Indicator:b")
    with pytest.raises(ValidationError, match="takes no qualifier"):
        Relation(type=RelType.HOSTS, source="City:a", target="Park:b", qualifier="2020")


def test_every_relation_type_has_a_static_write_branch() -> None:
    """write_relations.cypher MERGEs each type in its own branch (a dynamic type would scan): a type
    without one would be dropped without a word."""
    text = (CYPHER_DIR / "write_relations.cypher").read_text(encoding="utf-8")
    for t in RelType:
        assert f"row.type = '{t.value}'" in text and re.search(rf"\[r:{t.value} \{{key: row.key\}}\]", text)
    for name in ("retract_relations", "gc_relations", "gc_entities"):
        assert "SETS_TARGET" in (CYPHER_DIR / f"{name}.cypher").read_text(encoding="utf-8"), name


# --- the store ---------------------------------------------------------------------------------------


def test_writing_targets_twice_changes_nothing(driver: Driver, db: str) -> None:
    graph = targets_graph(V1)
    first = write_graph(driver, graph, database=db)
    before, ids = counts(driver, db), element_ids(driver, db)

    again = write_graph(driver, graph, database=db)

    assert first.relationships_created >= 3
    assert not again.changed and (again.evidence_created, again.evidence_deleted) == (0, 0)
    assert counts(driver, db) == before and element_ids(driver, db) == ids
    assert before["SETS_TARGET"] == 3 and before["Entity"] == 4
    doc_id = graph.document.id
    assert targets(driver, db) == [
        {"indicator": "国家高新技术企业数", "year": 2024, "value": 4500.0, "unit": "家", "city": "City:合肥",
         "docs": [doc_id], "evidence": 1},
        {"indicator": "国家高新技术企业数", "year": 2025, "value": 6000.0, "unit": "家", "city": "City:合肥",
         "docs": [doc_id], "evidence": 1},
        {"indicator": "技术合同成交额", "year": 2025, "value": 1000.0, "unit": "亿元", "city": "City:合肥",
         "docs": [doc_id], "evidence": 1},
    ]  # fmt: skip
    stored = fact(driver, db, graph.relations[2].key)
    assert stored is not None and stored["comparator"] == ">"


def test_a_changed_version_replaces_its_targets(driver: Driver, db: str) -> None:
    """The new version no longer states the sentence's target: that fact, its evidence and its indicator
    go; the table's targets stay with the new version's evidence only."""
    old, new = targets_graph(V1), targets_graph(V2)
    write_graph(driver, old, database=db)

    summary = write_graph(driver, new, database=db)

    assert summary.replaced == (old.document.id,)
    assert [(t["indicator"], t["year"], t["docs"]) for t in targets(driver, db)] == [
        ("国家高新技术企业数", 2024, [new.document.id]),
        ("国家高新技术企业数", 2025, [new.document.id]),
    ]
    assert node(driver, db, "Indicator:技术合同成交额") is None
    assert fact(driver, db, old.relations[2].key) is None
    left = rows(driver, db, "MATCH (ev:Evidence) RETURN DISTINCT ev.document_id AS d")
    assert left == [{"d": new.document.id}]
    assert counts(driver, db)["SETS_TARGET"] == 2


def test_deleting_the_document_removes_its_targets_and_indicators(driver: Driver, db: str) -> None:
    graph = targets_graph(V1)
    write_graph(driver, graph, database=db)

    delete_document(driver, graph.document.id, database=db)

    assert counts(driver, db) == {}

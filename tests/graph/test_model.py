"""graph.model.merge_repeats: the one merge rule for a fact stated more than once."""

from __future__ import annotations

from graph.model import MAX_EVIDENCE, Document, Evidence, Relation, RelType, content_id, merge_repeats
from graph.store import merged_relations
from ingest.pipeline import extract_text

TEXT = "甲。乙。丙。丁。戊。己。庚。"
DOC = Document(id=content_id(TEXT.encode()), source="t.txt", text=TEXT)


def _ev(i: int) -> Evidence:
    span = TEXT[2 * i : 2 * i + 2]
    return Evidence(
        document_id=DOC.id, start=2 * i, end=2 * i + 2, sentence=span, extractor="test", confidence=1.0
    )


def _funds(amount: float | None, *evidence: int) -> Relation:
    ev = tuple(_ev(i) for i in evidence)
    return Relation(
        type=RelType.FUNDS, source="City:常州", target="Institute:所", amount_cny=amount, evidence=ev
    )


def test_repeats_keep_the_largest_amount_and_pool_evidence_in_text_order() -> None:
    (merged,) = merge_repeats([_funds(5e6, 0), _funds(None, 1), _funds(2e7, 2), _funds(1e6, 0)])
    assert merged.amount_cny == 2e7
    assert [ev.start for ev in merged.evidence] == [0, 2, 4]  # the repeat of sentence 0 counted once


def test_evidence_stops_at_the_cap() -> None:
    (merged,) = merge_repeats([_funds(None, i) for i in range(7)])
    assert len(merged.evidence) == MAX_EVIDENCE
    assert [ev.start for ev in merged.evidence] == [0, 2, 4, 6, 8]


def test_symmetric_repeats_meet_whichever_way_round_they_were_stated() -> None:
    a = Relation(type=RelType.COOPERATES, source="Park:乙区", target="Institute:甲所", evidence=(_ev(0),))
    b = Relation(type=RelType.COOPERATES, source="Institute:甲所", target="Park:乙区", evidence=(_ev(1),))
    (merged,) = merge_repeats([a, b])
    assert (merged.source, merged.target) == ("Institute:甲所", "Park:乙区")
    assert len(merged.evidence) == 2


def test_extraction_and_the_store_agree_on_a_repeated_fact() -> None:
    text = (
        "常州市政府给予常州大学科技园500万元资助。"
        "常州市政府给予常州大学科技园2000万元资助。"
        "常州市政府给予常州大学科技园资助。"
    )
    graph = extract_text(text).graph
    funds = [r for r in graph.relations if r.type is RelType.FUNDS]
    (fact,) = funds  # three sentences, one fact
    assert len(fact.evidence) == 3
    assert merged_relations(graph) == list(graph.relations)  # the store's merge changes nothing
    assert fact.amount_cny == 2e7


def test_one_span_cited_by_two_rules_is_one_piece_of_evidence() -> None:
    first, again = _ev(0), _ev(0).model_copy(update={"extractor": "another-rule", "confidence": 0.5})
    a = _funds(None).model_copy(update={"evidence": (first,)})
    b = _funds(None).model_copy(update={"evidence": (again,)})
    (merged,) = merge_repeats([a, b])
    assert merged.evidence == (first,)

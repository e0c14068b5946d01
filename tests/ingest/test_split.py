"""Sentences and clauses keep exact spans into the original text."""

from __future__ import annotations

from ingest.clean import clean
from ingest.split import clause_end, clause_start, clauses, evidence_text, sentences

TEXT = "徐州软件园牵手北京中关村，成立了创新中心。\n目前，该中心已入驻企业315家；华为、中兴等已入驻徐 州。"


def test_sentences_split_at_terminal_punctuation_and_lines() -> None:
    c = clean(TEXT)
    texts = [s.text for s in sentences(c)]
    assert texts == [
        "徐州软件园牵手北京中关村,成立了创新中心。",
        "目前,该中心已入驻企业315家;",
        "华为、中兴等已入驻徐州。",
    ]


def test_every_segment_slices_the_original_text() -> None:
    c = clean(TEXT)
    for s in sentences(c):
        original = evidence_text(c, s)
        assert original == TEXT[s.ostart : s.oend]
        assert original.replace(" ", "").replace("，", ",").replace("；", ";") == s.text
        for cl in clauses(c, s):
            assert s.ostart <= cl.ostart < cl.oend <= s.oend
            assert evidence_text(c, cl) == TEXT[cl.ostart : cl.oend]


def test_clauses_split_at_commas() -> None:
    c = clean(TEXT)
    first = sentences(c)[0]
    assert [x.text for x in clauses(c, first)] == ["徐州软件园牵手北京中关村", "成立了创新中心。"]


def test_clause_bounds_use_the_same_marks_as_clauses() -> None:
    text = clean("市政府设立专项资金，支持：中科院苏州纳米所、恒瑞医药建设实验室。").text
    pos = text.index("恒瑞")
    start, end = clause_start(text, pos), clause_end(text, pos)
    assert text[start:end] == "中科院苏州纳米所、恒瑞医药建设实验室。"
    assert clause_start(text, 2) == 0 and clause_end(text, 2) == text.index(",")
    sentence = sentences(clean(text))[0]
    assert [c.text for c in clauses(clean(text), sentence)][-1] == text[start:end]

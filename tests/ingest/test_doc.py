"""The document object: one analysis carries text, sentences, clauses, mentions and entities."""

from __future__ import annotations

from graph.model import Document, Label, content_id
from ingest.doc import analyse


def _doc(text: str) -> Document:
    return Document(id=content_id(text.encode("utf-8")), source="<test>", text=text)


def test_analyse_carries_every_step_with_spans_into_the_cleaned_text() -> None:
    doc = analyse(_doc("南宁市推进发展。南宁高新区集聚了广西大学科技园，建设南宁软件园。"))
    second = "南宁高新区集聚了广西大学科技园,建设南宁软件园。"
    assert [s.text for s in doc.sentences] == ["南宁市推进发展。", second]
    assert [c.text for c in doc.clauses][-2:] == ["南宁高新区集聚了广西大学科技园", "建设南宁软件园。"]
    for m, e in doc.mentions:
        assert doc.text[m.start : m.end] == m.surface
        assert m in e.mentions
    names = {e.name: e.label for _, e in doc.mentions}
    assert names["南宁软件园"] is Label.PARK
    assert doc.local_city(0) is not None and doc.local_city(0).name == "南宁"


def test_a_countys_own_document_names_it_as_issuer() -> None:
    doc = analyse(_doc("通化市柳河县加快发展。全县上下、县委县政府高度重视，县财政安排资金。"))
    assert doc.issuer is not None and doc.issuer.name == "柳河县"
    assert analyse(_doc("通化市加快发展。柳河县加快发展。")).issuer is None

"""The document reader's layout (app/explorer/reader.py): pure functions over a text and evidence offsets."""

from __future__ import annotations

import pytest

from app.explorer.reader import Paragraph, Span, layout, parse_at, reader_url, spans_of
from graph.errors import BadInput
from graph.views import DocumentEvidence, EntityRef, FactRef

TEXT = "徐州市是江苏省的地级市。徐州高新区位于徐州市。\n\n华为入驻徐州。\n"


def _ev(sentence: str, fact: str, **extra: object) -> DocumentEvidence:
    start = TEXT.index(sentence)
    return DocumentEvidence.model_validate(
        {"fact": fact, "start": start, "end": start + len(sentence), "sentence": sentence, **extra}
    )


XUZHOU = EntityRef(key="City:徐州", label="City", name="徐州")
PARK = EntityRef(key="Park:徐州高新区", label="Park", name="徐州高新区")
EVIDENCE = [
    _ev("徐州市是江苏省的地级市。", "City:徐州", kind="entity", entity=XUZHOU),
    _ev("徐州高新区位于徐州市。", "Park:徐州高新区", kind="entity", entity=PARK),
    _ev(
        "徐州高新区位于徐州市。",
        "City:徐州|HOSTS|Park:徐州高新区",
        kind="relation",
        relation=FactRef(type="HOSTS", source=XUZHOU, target=PARK),
    ),
    _ev("徐州市", "City:徐州", kind="entity", entity=XUZHOU),  # a span inside another
    _ev("华为入驻徐州。", "Enterprise:华为", kind="entity"),  # a fact no longer stored
]


def _text(paragraph: Paragraph) -> str:
    return "".join(p.text for run in paragraph.runs for p in run.pieces)


def test_paragraphs_are_the_non_empty_lines_with_their_offsets() -> None:
    paragraphs = layout(TEXT, spans_of(EVIDENCE, "/e/"), None)
    assert [_text(p) for p in paragraphs] == [
        "徐州市是江苏省的地级市。徐州高新区位于徐州市。",
        "华为入驻徐州。",
    ]
    assert all(TEXT[p.start : p.end] == _text(p) for p in paragraphs)


def test_every_character_of_every_span_is_in_a_piece_covered_by_it() -> None:
    spans = spans_of(EVIDENCE, "/e/")
    pieces = [piece for p in layout(TEXT, spans, None) for run in p.runs for piece in run.pieces]
    for i, span in enumerate(spans):
        inside = [p for p in pieces if span.start <= p.start and p.end <= span.end]
        assert "".join(p.text for p in inside) == span.sentence
        assert all(i in p.spans for p in inside)
    # the shortest covering span comes first: the inner 徐州市 before the sentence around it
    first = next(p for p in pieces if p.start == 0)
    assert first.text == "徐州市" and spans[first.spans[0]].sentence == "徐州市"


def test_spans_group_their_facts_and_name_them() -> None:
    spans = spans_of(EVIDENCE, "/e/")
    assert [(s.start, s.end) for s in spans] == sorted({(e.start, e.end) for e in EVIDENCE})
    park = next(s for s in spans if s.sentence == "徐州高新区位于徐州市。")
    assert [(f.text, f.url) for f in park.facts] == [
        ("徐州高新区 · Park", "/e/Park:%E5%BE%90%E5%B7%9E%E9%AB%98%E6%96%B0%E5%8C%BA"),
        ("徐州 HOSTS → 徐州高新区", "/e/City:%E5%BE%90%E5%B7%9E"),
    ]
    gone = next(s for s in spans if s.sentence == "华为入驻徐州。")
    assert gone.facts[0].url is None and "no longer stored" in gone.facts[0].text


def test_the_marked_span_is_one_run_whatever_spans_it_cuts() -> None:
    start = TEXT.index("江苏省")
    at = (start, TEXT.index("位于"))  # from inside one sentence into the next
    paragraph = layout(TEXT, spans_of(EVIDENCE, "/e/"), at)[0]
    marked = [run for run in paragraph.runs if run.marked]
    assert len(marked) == 1
    assert "".join(p.text for p in marked[0].pieces) == TEXT[at[0] : at[1]]


def test_a_span_over_a_line_break_is_marked_in_each_paragraph() -> None:
    at = (TEXT.index("徐州市。"), TEXT.index("入驻"))
    runs = [run for p in layout(TEXT, [], at) for run in p.runs if run.marked]
    assert ["".join(p.text for p in r.pieces) for r in runs] == ["徐州市。", "华为"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("3-9", (3, 9)), (" 0 - 30 ", (0, 30)), (f"0-{len(TEXT)}", (0, len(TEXT)))],
)
def test_at_parses_start_end(value: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_at(value, len(TEXT)) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("abc", "give START-END character offsets"),
        ("10", "give START-END character offsets"),
        ("-3-4", "give START-END character offsets"),
        ("9-3", "START must be smaller than END"),
        ("5-5", "START must be smaller than END"),
        ("0-99999", f"past the end of the document ({len(TEXT)} characters)"),
    ],
)
def test_a_bad_at_says_what_to_send(value: str, says: str) -> None:
    with pytest.raises(BadInput) as e:
        parse_at(value, len(TEXT))
    assert says in str(e.value) and repr(value) in str(e.value)


def test_reader_url_marks_and_scrolls_to_the_span() -> None:
    assert reader_url("ab" * 32) == "/explore/documents/" + "ab" * 32
    assert reader_url("ab" * 32, 3, 9) == "/explore/documents/" + "ab" * 32 + "?at=3-9#at"


def test_span_ids_are_their_offsets() -> None:
    assert Span(3, 9, "x" * 6, ()).id == "span-3-9"

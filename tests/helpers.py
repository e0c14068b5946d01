"""Small builders the tests share: a document from text, the evidence of one of its sentences."""

from __future__ import annotations

from graph.model import Document, Evidence, content_id


def make_document(text: str, source: str) -> Document:
    return Document(id=content_id(text.encode()), source=source, text=text)


def evidence(doc: Document, sentence: str, *, extractor: str = "test", confidence: float = 0.9) -> Evidence:
    """The evidence of the first occurrence of ``sentence`` in ``doc``."""
    start = doc.text.index(sentence)
    return Evidence(
        document_id=doc.id,
        start=start,
        end=start + len(sentence),
        sentence=sentence,
        extractor=extractor,
        confidence=confidence,
    )

"""Scoring of extracted graphs against gold files (rules of ONTOLOGY.md and gold/README.md).

Entities match on label + (name or any alias) after NFKC, whitespace and quote removal (City names also
without a trailing 市/省); relations on type + endpoints resolved through the gold's aliases, COOPERATES
undirected. Counts are pooled over documents; macro averages run over the five labels and three types of
the scored ontology (graph.model.CORE_LABELS, CORE_TYPES): extensions such as Indicator and SETS_TARGET
are never scored, whatever a prediction or gold file holds.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import BadInput
from graph.model import CORE_LABELS, CORE_TYPES, SYMMETRIC, Label

_DROP = re.compile(r"[\s\"'“”‘’「」『』《》]")


def norm(name: str, label: str | None = None) -> str:
    """The form names are compared in: NFKC, no whitespace or quotes; City also without trailing 市/省."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", name))
    if label == Label.CITY.value and len(text) > 2 and text[-1] in "市省":
        text = text[:-1]
    return text


@dataclass(frozen=True)
class GoldEntity:
    label: str
    name: str
    aliases: tuple[str, ...] = ()

    def forms(self) -> set[str]:
        return {norm(n, self.label) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class GoldRelation:
    type: str
    source: str
    target: str
    amount_cny: float | None = None
    evidence: str = ""


@dataclass(frozen=True)
class Annotated:
    """One document's entities and relations, in the gold format (predictions use it too)."""

    doc: str
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Counts per label and per relation type, with the misses kept for error analysis."""

    labels: dict[str, Counts] = field(
        default_factory=lambda: {label.value: Counts() for label in CORE_LABELS}
    )
    types: dict[str, Counts] = field(default_factory=lambda: {t.value: Counts() for t in CORE_TYPES})
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # (doc, kind, item)
    false_negatives: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def entity_macro_f1(self) -> float:
        return sum(c.f1 for c in self.labels.values()) / len(self.labels)

    @property
    def relation_macro_f1(self) -> float:
        return sum(c.f1 for c in self.types.values()) / len(self.types)


def parse_annotated(data: Mapping[str, Any], *, doc: str = "") -> Annotated:
    """Read one gold-format object; raises BadInput naming what is missing."""
    try:
        entities = tuple(
            GoldEntity(label=e["label"], name=e["name"], aliases=tuple(e.get("aliases") or ()))
            for e in data["entities"]
        )
        relations = tuple(
            GoldRelation(
                type=r["type"],
                source=r["source"],
                target=r["target"],
                amount_cny=r.get("amount_cny"),
                evidence=r.get("evidence") or "",
            )
            for r in data["relations"]
        )
    except (KeyError, TypeError) as e:
        raise BadInput(f"{doc or 'annotation'}: not in the gold format ({e!r}); see ONTOLOGY.md") from e
    return Annotated(doc=str(data.get("doc") or doc), entities=entities, relations=relations)


def load_gold(directory: Path) -> list[Annotated]:
    """All ``*.json`` gold files of a directory, sorted by name."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise BadInput(f"no *.json gold files in {directory}: pass the folder that holds them")
    out = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise BadInput(f"cannot read gold file {path}: {e}") from e
        out.append(parse_annotated(data, doc=path.name))
    return out


def gold_document(folder: Path, doc: str) -> Path:
    """The document a gold file is about: ``doc`` itself in ``folder``, else a readable file of its stem
    (gold written for ``x.txt`` also scores ``x.html``)."""
    from ingest.read import SUPPORTED_SUFFIXES

    named = folder / Path(doc).name
    if named.is_file():
        return named
    for suffix in sorted(SUPPORTED_SUFFIXES):
        if (candidate := folder / (Path(doc).stem + suffix)).is_file():
            return candidate
    raise BadInput(f"document {named} of gold file {doc} not found: pass --docs FOLDER")


def _match_entities(doc: str, gold: Sequence[GoldEntity], pred: Sequence[GoldEntity], score: Score) -> None:
    for label in CORE_LABELS:
        golds = [g for g in gold if g.label == label.value]
        preds = [p for p in pred if p.label == label.value]
        used: set[int] = set()
        matched_pred: set[int] = set()
        # Two passes: a predicted name first, then its aliases, so aliases never steal a name's match.
        for by_alias in (False, True):
            for i, p in enumerate(preds):
                if i in matched_pred:
                    continue
                keys = {norm(a, p.label) for a in p.aliases} if by_alias else {norm(p.name, p.label)}
                for j, g in enumerate(golds):
                    if j not in used and keys & g.forms():
                        used.add(j)
                        matched_pred.add(i)
                        break
        counts = score.labels[label.value]
        counts.tp += len(used)
        counts.fp += len(preds) - len(matched_pred)
        counts.fn += len(golds) - len(used)
        score.false_positives += [
            (doc, label.value, p.name) for i, p in enumerate(preds) if i not in matched_pred
        ]
        score.false_negatives += [(doc, label.value, g.name) for j, g in enumerate(golds) if j not in used]


def _resolver(gold: Iterable[GoldEntity], pred: Iterable[GoldEntity]) -> dict[str, str]:
    """Map every normalised surface form to a gold canonical name (predicted aliases lead there too)."""
    to_gold: dict[str, str] = {}
    for g in gold:
        for form in g.forms():
            to_gold.setdefault(form, norm(g.name))
            to_gold.setdefault(norm(form), norm(g.name))
    out = dict(to_gold)
    for p in pred:
        forms = [norm(p.name, p.label), norm(p.name), *(norm(a, p.label) for a in p.aliases)]
        target = next((to_gold[f] for f in forms if f in to_gold), None)
        if target is not None:
            out.setdefault(norm(p.name), target)
    return out


def _triples(relations: Iterable[GoldRelation], resolve: Mapping[str, str]) -> set[tuple[str, str, str]]:
    out = set()
    for r in relations:
        s, t = (resolve.get(norm(x), norm(x)) for x in (r.source, r.target))
        if r.type in {x.value for x in SYMMETRIC} and t < s:
            s, t = t, s
        out.add((r.type, s, t))
    return out


def score_document(gold: Annotated, pred: Annotated, score: Score) -> None:
    """Add one document's matches to ``score``."""
    _match_entities(gold.doc, gold.entities, pred.entities, score)
    resolve = _resolver(gold.entities, pred.entities)
    gold_t = _triples(gold.relations, resolve)
    pred_t = _triples(pred.relations, resolve)
    for t in CORE_TYPES:
        g = {x for x in gold_t if x[0] == t.value}
        p = {x for x in pred_t if x[0] == t.value}
        c = score.types[t.value]
        c.tp += len(g & p)
        c.fp += len(p - g)
        c.fn += len(g - p)
        score.false_positives += [(gold.doc, t.value, f"{s} -> {o}") for _, s, o in sorted(p - g)]
        score.false_negatives += [(gold.doc, t.value, f"{s} -> {o}") for _, s, o in sorted(g - p)]


def score_all(pairs: Iterable[tuple[Annotated, Annotated]]) -> Score:
    """Score (gold, prediction) pairs, pooling counts over documents."""
    score = Score()
    for gold, pred in pairs:
        score_document(gold, pred, score)
    return score


def format_table(score: Score) -> list[tuple[str, str, str, str, str, str, str]]:
    """Rows (kind, P, R, F1, TP, FP, FN) for the labels, the types and the two macro averages."""
    rows = []
    for name, c in (*score.labels.items(), *score.types.items()):
        rows.append(
            (name, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.tp), str(c.fp), str(c.fn))
        )
    rows.append(("entity macro", "", "", f"{score.entity_macro_f1:.3f}", "", "", ""))
    rows.append(("relation macro", "", "", f"{score.relation_macro_f1:.3f}", "", "", ""))
    return rows

"""Scoring of extracted graphs against gold files (rules of ONTOLOGY.md and gold/README.md).

Entities match on label + (name or any alias) after NFKC, whitespace and quote removal (City names also
without a trailing 市/省); relations on type + endpoints resolved through the gold's aliases, COOPERATES
undirected. Counts are pooled over documents; macro averages run over the five labels and three types of
the scored ontology (graph.model.CORE_LABELS, CORE_TYPES): extensions such as Indicator and SETS_TARGET
are never scored, whatever a prediction or gold file holds.

Rules are measured too: every scored prediction is kept as an Outcome (TP or FP) with the extractor tags of
its evidence and its confidence (the highest of its evidence). A prediction counts once for each distinct
extractor in its evidence (`by_rule`), so a fact two rules found is credited to, or blamed on, both; the
per-rule counts therefore add up to more than the totals. Predicted relations that resolve to one triple
are one prediction, with the union of their extractors.
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
from graph.model import CORE_LABELS, CORE_TYPES, SYMMETRIC, Evidence, Graph, Label

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
    # Predictions only: the extractor tags of the evidence and the highest evidence confidence.
    rules: tuple[str, ...] = ()
    confidence: float | None = None

    def forms(self) -> set[str]:
        return {norm(n, self.label) for n in (self.name, *self.aliases)}


@dataclass(frozen=True)
class GoldRelation:
    type: str
    source: str
    target: str
    amount_cny: float | None = None
    evidence: str = ""
    rules: tuple[str, ...] = ()  # predictions only, as for GoldEntity
    confidence: float | None = None


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


@dataclass(frozen=True)
class Outcome:
    """One scored prediction: entity or relation, its label or type, whether it matched gold, its rules."""

    kind: str  # "entity" | "relation"
    what: str  # label or relation type
    tp: bool
    rules: tuple[str, ...]
    confidence: float | None


@dataclass
class Score:
    """Counts per label and per relation type, with the misses kept for error analysis."""

    labels: dict[str, Counts] = field(
        default_factory=lambda: {label.value: Counts() for label in CORE_LABELS}
    )
    types: dict[str, Counts] = field(default_factory=lambda: {t.value: Counts() for t in CORE_TYPES})
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # (doc, kind, item)
    false_negatives: list[tuple[str, str, str]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

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
        score.outcomes += [
            Outcome("entity", label.value, i in matched_pred, p.rules, p.confidence)
            for i, p in enumerate(preds)
        ]


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


def _relation_outcomes(
    relations: Iterable[GoldRelation], resolve: Mapping[str, str], gold_t: set[tuple[str, str, str]]
) -> list[Outcome]:
    """One Outcome per distinct predicted core triple: its extractors pooled, its highest confidence."""
    rules: dict[tuple[str, str, str], dict[str, None]] = {}
    best: dict[tuple[str, str, str], float | None] = {}
    core = {t.value for t in CORE_TYPES}
    for r in relations:
        if r.type not in core:
            continue
        (triple,) = _triples((r,), resolve)
        rules.setdefault(triple, {}).update(dict.fromkeys(r.rules))
        old = best.get(triple)
        best[triple] = r.confidence if old is None else max(old, r.confidence or 0.0)
    return [Outcome("relation", t[0], t in gold_t, tuple(rules[t]), best[t]) for t in rules]


def score_document(gold: Annotated, pred: Annotated, score: Score) -> None:
    """Add one document's matches to ``score``."""
    _match_entities(gold.doc, gold.entities, pred.entities, score)
    resolve = _resolver(gold.entities, pred.entities)
    gold_t = _triples(gold.relations, resolve)
    pred_t = _triples(pred.relations, resolve)
    score.outcomes += _relation_outcomes(pred.relations, resolve, gold_t)
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


# --- predictions from graphs, and the measures of rules -----------------------------------------------

NO_EVIDENCE = "(no evidence)"
# Confidence bands of `innograph eval`: (label, lowest, highest excluded); a band holds lo <= c < hi.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("<0.5", 0.0, 0.5),
    ("0.5-0.7", 0.5, 0.7),
    ("0.7-0.85", 0.7, 0.85),
    (">=0.85", 0.85, float("inf")),
)


def annotate_graph(graph: Graph, *, doc: str) -> Annotated:
    """A graph as a prediction (core labels and types, ends by name, as ``pipeline.to_gold_format``),
    each item with the extractors of its evidence and their highest confidence."""
    names = {e.key: e.name for e in graph.entities}
    entities = tuple(
        GoldEntity(e.label.value, e.name, e.aliases, *_rules_of(e.evidence))
        for e in graph.entities
        if e.label in CORE_LABELS
    )
    relations = tuple(
        GoldRelation(
            r.type.value,
            names[r.source],
            names[r.target],
            r.amount_cny,
            r.evidence[0].sentence if r.evidence else "",
            *_rules_of(r.evidence),
        )
        for r in graph.relations
        if r.type in CORE_TYPES
    )
    return Annotated(doc=doc, entities=entities, relations=relations)


def _rules_of(evidence: Sequence[Evidence]) -> tuple[tuple[str, ...], float | None]:
    rules = tuple(dict.fromkeys(ev.extractor for ev in evidence))
    return rules, max((ev.confidence for ev in evidence), default=None)


def predict_folder(gold: Path, docs: Path) -> list[tuple[Annotated, Annotated]]:
    """Extract the document of every gold file in ``gold`` from ``docs``: (gold, prediction) pairs."""
    from ingest.pipeline import extract_document
    from ingest.read import read_document

    pairs = []
    for g in load_gold(gold):
        graph = extract_document(read_document(gold_document(docs, g.doc))).graph
        pairs.append((g, annotate_graph(graph, doc=g.doc)))
    return pairs


def by_rule(outcomes: Iterable[Outcome]) -> dict[str, Counts]:
    """TP and FP per extractor tag, each distinct tag of a prediction counted once; sorted by tag."""
    out: dict[str, Counts] = {}
    for o in outcomes:
        for rule in o.rules or (NO_EVIDENCE,):
            counts = out.setdefault(rule, Counts())
            counts.tp += o.tp
            counts.fp += not o.tp
    return dict(sorted(out.items()))


def band_of(confidence: float) -> str:
    return next(name for name, lo, hi in BANDS if lo <= confidence < hi)


def by_band(outcomes: Iterable[Outcome]) -> dict[tuple[str, str], Counts]:
    """TP and FP per (kind, confidence band), every band of both kinds present; predictions without
    evidence (no confidence) are left out."""
    out = {(kind, name): Counts() for kind in ("entity", "relation") for name, _, _ in BANDS}
    for o in outcomes:
        if o.confidence is not None:
            counts = out[(o.kind, band_of(o.confidence))]
            counts.tp += o.tp
            counts.fp += not o.tp
    return out

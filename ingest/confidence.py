"""A fact's confidence: the measured precision of the rule that made it.

``innograph calibrate`` scores the extractor on gold sets (ingest.evaluate), counts TP and FP per extractor
tag (``recognise:<tag>``, ``relate:<tag>``; a prediction counts once for each distinct tag of its evidence)
and writes ``data/rules/confidence.tsv``. The pipeline asks ``rule_confidence`` for each piece of evidence:
a rule with at least MIN_PREDICTIONS scored predictions gets its precision, any other keeps the hand-set
confidence the code gives it. Without the file every rule keeps its hand-set confidence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graph.errors import BadInput, ConfigError
from graph.files import data_folder
from ingest.evaluate import Counts, by_rule, predict_folder, score_all

logger = logging.getLogger(__name__)

FILE = "confidence.tsv"
MIN_PREDICTIONS = 5  # fewer scored predictions than this: the precision is noise, the default stays
COLUMNS = ("extractor", "precision", "tp", "fp", "source sets")
HEADER = f"""\
# Measured precision of each extraction rule, pooled over gold sets; written by `innograph calibrate`
# (do not edit by hand: run it again after changing rules or gold).
# A prediction counts once for each distinct extractor tag in its evidence. The pipeline uses `precision`
# as the confidence of a rule's evidence only when tp + fp >= {MIN_PREDICTIONS} (minimum sample); a rule with
# fewer predictions, or not listed, keeps the hand-set confidence the extraction code gives it.
"""


@dataclass(frozen=True)
class RuleStat:
    """One rule's measured precision and the gold sets it was measured on."""

    extractor: str
    tp: int
    fp: int
    sets: tuple[str, ...]

    @property
    def predictions(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.predictions if self.predictions else 0.0


def table_path() -> Path:
    return data_folder("rules") / FILE


@cache
def load_table() -> dict[str, RuleStat]:
    """The rows of data/rules/confidence.tsv by extractor; empty (with a warning) when it is missing."""
    path = table_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        # Not calibrated (yet): a fresh checkout without the file, or calibrate's own first run.
        logger.info("%s is missing: every rule keeps its hand-set confidence (innograph calibrate)", path)
        return {}
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e}") from e
    return dict(_parse(path, lines))


def _parse(path: Path, lines: Sequence[str]) -> list[tuple[str, RuleStat]]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith(COLUMNS[0] + "\t"):
            continue
        cells = line.split("\t")
        try:
            stat = RuleStat(cells[0], int(cells[2]), int(cells[3]), tuple(filter(None, cells[4].split(","))))
        except (IndexError, ValueError) as e:
            raise ConfigError(
                f"{path}:{number}: expected the columns {', '.join(COLUMNS)}; run innograph calibrate again"
            ) from e
        rows.append((stat.extractor, stat))
    return rows


def rule_confidence(extractor: str, default: float) -> float:
    """The measured precision of ``extractor`` when it made at least MIN_PREDICTIONS predictions on the
    gold sets, else ``default`` (the rule's hand-set confidence)."""
    stat = load_table().get(extractor)
    if stat is None or stat.predictions < MIN_PREDICTIONS:
        return default
    return stat.precision


def measure(sets: Sequence[tuple[Path, Path]]) -> list[RuleStat]:
    """Per-rule TP and FP pooled over (gold folder, documents folder) pairs, sorted by extractor."""
    if not sets:
        raise BadInput("no gold set given: pass --gold DIR --docs DIR at least once")
    pooled: dict[str, Counts] = {}
    seen: dict[str, dict[str, None]] = {}
    for gold, docs in sets:
        for rule, counts in by_rule(score_all(predict_folder(gold, docs)).outcomes).items():
            total = pooled.setdefault(rule, Counts())
            total.tp += counts.tp
            total.fp += counts.fp
            seen.setdefault(rule, {})[str(gold)] = None
    return [RuleStat(rule, c.tp, c.fp, tuple(seen[rule])) for rule, c in sorted(pooled.items())]


def format_table(stats: Sequence[RuleStat]) -> str:
    """The text of confidence.tsv: the header comment, the column names, one row per rule."""
    rows = ["\t".join(COLUMNS)]
    rows += [f"{s.extractor}\t{s.precision:.3f}\t{s.tp}\t{s.fp}\t{','.join(s.sets)}" for s in stats]
    return HEADER + "\n".join(rows) + "\n"


def write_table(stats: Sequence[RuleStat], path: Path | None = None) -> Path:
    """Write confidence.tsv (default: data/rules/ of the settings) and forget the cached table."""
    target = path or table_path()
    target.write_text(format_table(stats), encoding="utf-8")
    load_table.cache_clear()
    return target

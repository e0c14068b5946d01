"""Measure the gazetteer: load time and match throughput (MB of UTF-8 text per second).

Run: .venv/bin/python -m tools.refdata.bench_gazetteer [FILE ...]   (default: data/corpus/*.txt,
repeated to 1,000,000 characters). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    from ingest.gazetteer import get_gazetteer

    gz = get_gazetteer()
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    files = [Path(a) for a in argv] or sorted(Path("data/corpus").glob("*.txt"))
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    if not text:
        raise SystemExit("no text to measure: pass files or fill data/corpus/")
    sample = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    mb = len(sample.encode("utf-8")) / 1e6
    # CPU time next to wall time: on a shared machine the wall clock also counts other processes
    print(f"load (import + read + automaton): {load_s:.2f} s wall, {load_cpu:.2f} s CPU, {len(gz)} entries")
    for kw in ({}, {"include_weak": False}):
        runs, cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            hits = gz.find(sample, **kw)  # type: ignore[arg-type]
            runs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        best = min(runs)
        print(
            f"find{kw or ''}: {mb:.2f} MB ({len(sample):,} chars) in {best:.3f} s best of 3 "
            f"(median {statistics.median(runs):.3f} s) = {mb / best:.1f} MB/s, "
            f"{len(sample) / best / 1e6:.2f} M chars/s, {len(hits):,} hits; "
            f"CPU best {min(cpu):.3f} s = {mb / min(cpu):.1f} MB/s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

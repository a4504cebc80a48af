"""Identifier screening measured on tests/data/identifier_screening.jsonl.

Run:  python benchmarks/bench_identifiers.py

210 reflections with planted identifiers (each kind at least 29 times) and 210 clean ones
(anonymisation placeholders, numbers, capitalised ordinary words). Prints, per kind, the recall
(texts holding that kind where that kind was found) and, over the clean texts, the false-alarm
rate (texts where anything was flagged). The patterns were refined by reading the misses on the
even-numbered lines only; the odd-numbered lines are the held-out measurement.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from yalomfactors.privacy import IDENTIFIER_KINDS, check_identifiers

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "identifier_screening.jsonl"


def measure(half: str = "held-out") -> tuple[pd.DataFrame, float, int]:
    """Measure on one half of the set: "development" (even lines, whose misses were read while
    writing the patterns), "held-out" (odd lines, never read for that) or "all"."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    if half != "all":
        rows = rows[(0 if half == "development" else 1)::2]
    found = check_identifiers([row["text"] for row in rows])
    kinds_found: dict[int, set[str]] = {}
    for row, kind in zip(found["row"], found["kind"]):
        kinds_found.setdefault(int(row), set()).add(kind)
    table = []
    for kind in IDENTIFIER_KINDS:
        holding = [i for i, row in enumerate(rows) if kind in row["kinds"]]
        hits = sum(kind in kinds_found.get(i, set()) for i in holding)
        table.append({"kind": kind, "texts": len(holding), "found": hits, "recall": hits / len(holding) if holding else float("nan")})
    clean = [i for i, row in enumerate(rows) if not row["kinds"]]
    false_alarms = sum(bool(kinds_found.get(i)) for i in clean)
    return pd.DataFrame(table), false_alarms / len(clean), len(clean)


if __name__ == "__main__":
    for half in ("held-out", "development", "all"):
        table, false_alarm_rate, n_clean = measure(half)
        print(f"== {half} ==")
        print(table.to_string(index=False, float_format="{:.2f}".format))
        print(f"false alarms on clean texts: {false_alarm_rate:.1%} of {n_clean}")

"""Writing tagged tables as CSV: pandas' ``DataFrame.to_csv`` against ``yalomfactors.io.write_csv``.

Run:  python benchmarks/bench_write.py [--rows 5000 100000] [--repeats 7]

Tags reflections resampled from the corpus and sample texts with the "fast" model (one chunk of
``tag_file`` is 5,000 rows), a few of them empty so that probabilities and tags are missing there,
then writes the table both ways to a temporary folder, alternating, and prints the fastest of the
repeats for each, their ratio, and whether the two files are byte for byte the same.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from yalomfactors import load_corpus, load_model, load_sample
from yalomfactors.io import write_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 100_000])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    texts = pd.concat([load_corpus()["text"], load_sample()["text"]], ignore_index=True).to_numpy()
    model = load_model("fast")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        pandas_path, ours_path = Path(folder) / "pandas.csv", Path(folder) / "ours.csv"
        for rows in args.rows:
            chosen = texts[rng.integers(0, len(texts), rows)].astype(object)
            chosen[rng.random(rows) < 0.01] = ""
            frame = pd.DataFrame({"reflection_id": np.arange(rows).astype(str), "group_id": rng.integers(0, 500, rows).astype(str),
                                  "session_number": rng.integers(1, 16, rows), "member_id": rng.integers(0, 5000, rows).astype(str),
                                  "text": chosen})
            tagged = model.tag(frame, text_column="text", identifiers="ignore")
            best = {"pandas": float("inf"), "write_csv": float("inf")}
            for _ in range(args.repeats):
                started = time.perf_counter()
                tagged.to_csv(pandas_path, index=False, encoding="utf-8")
                best["pandas"] = min(best["pandas"], time.perf_counter() - started)
                started = time.perf_counter()
                write_csv(tagged, ours_path)
                best["write_csv"] = min(best["write_csv"], time.perf_counter() - started)
            same = pandas_path.read_bytes() == ours_path.read_bytes()
            print(f"{rows:>9,} rows x {tagged.shape[1]} columns: DataFrame.to_csv {1000 * best['pandas']:8.1f} ms, "
                  f"write_csv {1000 * best['write_csv']:8.1f} ms ({best['write_csv'] / best['pandas']:.2f} x the time); "
                  f"same bytes: {same}", flush=True)


if __name__ == "__main__":
    main()

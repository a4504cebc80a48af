"""Streaming tag throughput and memory at 10k, 100k and 1M rows, with 1 and 2 jobs.

Run:  python benchmarks/bench_batch.py [--sizes 10000 100000 1000000]

Inputs are built by resampling the corpus and sample texts into CSV files. Each run is a fresh
process calling yalomfactors.batch.tag_file with the "fast" model; it prints reflections per
second, wall time and peak resident memory (the main process and, separately, the largest worker).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
import json, resource, sys, time
from yalomfactors import load_model
from yalomfactors.batch import tag_file
started = time.perf_counter()
result = tag_file(sys.argv[1], sys.argv[2], model=load_model("fast"), n_jobs=int(sys.argv[3]), identifiers="ignore")
seconds = time.perf_counter() - started
print(json.dumps({"rows": result["rows"], "seconds": seconds,
                  "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    import numpy as np
    import pandas as pd

    from yalomfactors import load_corpus, load_sample

    texts = pd.concat([load_corpus()["text"], load_sample()["text"]], ignore_index=True).to_numpy()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        rates: dict[tuple[int, int], float] = {}
        for size in args.sizes:
            source = Path(folder) / f"in_{size}.csv"
            pd.DataFrame({"reflection_id": np.arange(size), "group_id": rng.integers(0, 500, size),
                          "session_number": rng.integers(1, 16, size), "member_id": rng.integers(0, 5000, size),
                          "text": texts[rng.integers(0, len(texts), size)]}).to_csv(source, index=False)
            for jobs in args.jobs:
                out = Path(folder) / f"out_{size}_{jobs}.csv"
                done = subprocess.run([sys.executable, "-c", RUN, str(source), str(out), str(jobs)], check=True,
                                      capture_output=True, text=True)
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                rate = figures["rows"] / figures["seconds"]
                rates[(size, jobs)] = rate
                print(f"{size:>9,} rows, {jobs} job(s): {rate:8,.0f} reflections/s, {figures['seconds']:7.1f} s, "
                      f"peak memory main {figures['main_mb']:.0f} MB, largest worker {figures['worker_mb']:.0f} MB", flush=True)
                out.unlink()
            source.unlink()
        first, last = min(args.sizes), max(args.sizes)
        for jobs in args.jobs:
            print(f"{jobs} job(s): throughput at {last:,} is {rates[(last, jobs)] / rates[(first, jobs)]:.2f} x that at {first:,}")
        if 1 in args.jobs and 2 in args.jobs:
            for size in args.sizes:
                print(f"{size:,} rows: 2 jobs = {rates[(size, 2)] / rates[(size, 1)]:.2f} x 1 job")


if __name__ == "__main__":
    main()

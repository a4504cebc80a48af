"""Streaming tag throughput and memory at 10k, 100k and 1M rows, with 1 and 2 jobs.

Run:  python benchmarks/bench_batch.py [--sizes 10000 100000 1000000] [--identifiers warn] [--repeats N]

Inputs are built by resampling the corpus and sample texts into CSV files. Each run is a fresh
process: it imports yalomfactors, loads the "fast" model and tags one text, which builds the spaCy
pipeline and the identifier name list (start-up, timed on its own), then calls
yalomfactors.batch.tag_file with the default identifier policy ("warn": every row is screened). It
prints the start-up time, the tagging time and reflections per second of tag_file (read, screen,
tag, write, join), the whole wall time with its own rate, and peak resident memory: the main
process's own high-water mark (VmHWM; Linux), and the largest worker's (which counts the pages it
shares with the main process at fork). A run at 10k rows lasts one or two seconds, where this
machine's run-to-run swings are as large as the effects measured, so inputs up to 10k rows run seven
times and up to 100k three times, each in a fresh process (1 and 2 jobs alternating), and the
median is used for the ratios; every run is printed, and so is the ratio of 2 jobs to 1 job in each
pair of runs. First, for scale, it prints how much faster two processes do a pure-Python loop than one
on this machine: no code's 2 jobs / 1 job can exceed that. The machine's factor swings from minute to
minute, so it is measured again right after each pair of runs (sizes run more than once), and printed
beside that pair's ratio, together with the same factor for this work: one warm 5,000-row chunk (screen,
tag, write) tagged by one process alone and then by two at once (each already running, so start-up,
fork, first pass and new words are left out: what 2 jobs / 1 job would be if they cost nothing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = """
import time
begun = time.perf_counter()
import json, resource, sys, warnings
from yalomfactors import load_model
from yalomfactors.batch import tag_file
model = load_model("fast")
model.tag(["Warm up: builds the spaCy pipeline and the name list, as any first call does."])
started = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the identifier warning (row counts only) is expected here
    result = tag_file(sys.argv[1], sys.argv[2], model=model, n_jobs=int(sys.argv[3]), identifiers=sys.argv[4])
ended = time.perf_counter()
# VmHWM is this process's own peak; ru_maxrss would carry over the benchmark parent's peak across exec.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rows": result["rows"], "seconds": ended - started, "startup": started - begun,
                  "main_mb": peak_kb / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


SPIN = "x = 0\nfor i in range(12_000_000): x += i"  # about a second of pure-Python work, as one chunk is


def parallel_ceiling(repeats: int) -> list[float]:
    """How much faster two processes do CPU-bound work than one, on this machine: the same loop run
    alone, then twice side by side; each repeat gives 2 x the time alone / the time of the pair.
    Perfectly parallel work gets this factor at most, whatever the code."""
    factors = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", SPIN], check=True)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        pair = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2)]
        for process in pair:
            process.wait()
        factors.append(2 * alone / (time.perf_counter() - started))
    return factors


TAGGER = """
import sys
import pandas as pd
from yalomfactors import load_model
from yalomfactors.io import write_csv
from yalomfactors.privacy import check_identifiers
model = load_model("fast")
frame = pd.read_csv(sys.argv[1], nrows=5000, dtype=str, keep_default_na=False)
def chunk():  # what tag_file does to a chunk of 5,000 rows: screen, tag, write
    check_identifiers(frame, "text")
    write_csv(model.tag(frame, text_column="text", identifiers="ignore"), sys.argv[2])
chunk()  # warm: every word of the chunk is known from here on
print("ready", flush=True)
sys.stdin.readline()
chunk()
print("done", flush=True)
"""


def tagging_ceiling(source: Path, folder: Path) -> float:
    """How much faster two processes tag than one on this machine, now: the same warm chunk of 5,000
    rows tagged by one process alone, then by two at the same moment (each already running and warm,
    so no start-up, fork, first pass or new words are counted); 2 x the time alone / the time of the
    pair. A bound for 2 jobs / 1 job that tracks this work rather than a pure-Python loop."""

    def timed(count: int) -> float:
        taggers = [subprocess.Popen([sys.executable, "-c", TAGGER, str(source), str(folder / f"ceiling_{i}.csv")],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(count)]
        for tagger in taggers:
            assert tagger.stdout is not None and tagger.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        for tagger in taggers:
            assert tagger.stdin is not None
            tagger.stdin.write("go\n")
            tagger.stdin.flush()
        for tagger in taggers:
            assert tagger.stdout is not None and tagger.stdout.readline().strip() == "done"
        elapsed = time.perf_counter() - started
        for tagger in taggers:
            tagger.communicate()
        return elapsed

    return 2 * timed(1) / timed(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--identifiers", default="warn", choices=["warn", "redact", "ignore"])
    parser.add_argument("--repeats", type=int, default=None,
                        help="fresh-process runs per setting, median reported (default: 7 up to 10k rows, 3 up to 100k, then 1)")
    args = parser.parse_args()

    if 1 in args.jobs and 2 in args.jobs:
        factors = parallel_ceiling(7)
        print(f"this machine's ceiling: 2 processes did {' '.join(f'{f:.2f}' for f in factors)} x the pure-Python "
              f"work per second of 1 (median {statistics.median(factors):.2f})", flush=True)

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
            runs: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
            ceilings: list[float] = []  # the machine's two-process factors, measured right after each pair
            taggers: list[float] = []
            repeats = args.repeats or (7 if size <= 10_000 else 3 if size <= 100_000 else 1)
            for repeat in range(repeats):  # 1 and 2 jobs alternate, so a slow spell of the machine hits both
                for jobs in args.jobs:
                    out = Path(folder) / f"out_{size}_{jobs}.csv"
                    started = time.perf_counter()
                    done = subprocess.run([sys.executable, "-c", RUN, str(source), str(out), str(jobs), args.identifiers],
                                          check=True, capture_output=True, text=True)
                    wall = time.perf_counter() - started
                    figures = json.loads(done.stdout.strip().splitlines()[-1])
                    rate = figures["rows"] / figures["seconds"]
                    runs[jobs].append(rate)
                    print(f"{size:>9,} rows, {jobs} job(s), run {repeat + 1}/{repeats}: tag_file {rate:8,.0f} reflections/s "
                          f"in {figures['seconds']:6.1f} s (+ start-up {figures['startup']:.1f} s; whole process {wall:6.1f} s "
                          f"= {size / wall:7,.0f}/s), peak memory main {figures['main_mb']:.0f} MB, largest worker "
                          f"{figures['worker_mb']:.0f} MB", flush=True)
                    out.unlink()
                if repeats > 1 and 1 in args.jobs and 2 in args.jobs:
                    ceilings.extend(parallel_ceiling(1))
                    taggers.append(tagging_ceiling(source, Path(folder)))
            for jobs in args.jobs:
                rates[(size, jobs)] = float(np.median(runs[jobs]))
                if repeats > 1:
                    print(f"{size:>9,} rows, {jobs} job(s): median of {repeats} runs {rates[(size, jobs)]:8,.0f} reflections/s")
            if repeats > 1 and 1 in args.jobs and 2 in args.jobs:  # each pair ran back to back: the spread shows the noise
                paired = [two / one for one, two in zip(runs[1], runs[2])]
                print(f"{size:>9,} rows: 2 jobs / 1 job, run by run: {' '.join(f'{r:.2f}' for r in paired)} "
                      f"(median {np.median(paired):.2f}); the machine's ceiling right after each pair: "
                      f"{' '.join(f'{c:.2f}' for c in ceilings)} (median {np.median(ceilings):.2f}); "
                      f"two warm taggers right after each pair: {' '.join(f'{c:.2f}' for c in taggers)} "
                      f"(median {np.median(taggers):.2f})")
            source.unlink()
        first, last = min(args.sizes), max(args.sizes)
        for jobs in args.jobs:
            print(f"{jobs} job(s): tag_file throughput at {last:,} is {rates[(last, jobs)] / rates[(first, jobs)]:.2f} x that at {first:,}")
        if 1 in args.jobs and 2 in args.jobs:
            for size in args.sizes:
                print(f"{size:,} rows: 2 jobs = {rates[(size, 2)] / rates[(size, 1)]:.2f} x 1 job")


if __name__ == "__main__":
    main()

"""Tagging throughput of the built-in models against a bare TF-IDF + logistic regression baseline.

Run:  python benchmarks/bench_tagging.py [--n 20000] [--accurate-n 2000] [--cold-runs 5]

Prints reflections per second for each, on the same texts in the same run, and the
cold-start time of loading "fast" and tagging 500 reflections in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np


def _rate(function, texts, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--accurate-n", type=int, default=2_000)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from yalomfactors import load_corpus, load_model
    from yalomfactors.embeddings import encoder_available
    from yalomfactors.model import labels_to_matrix

    corpus = load_corpus()
    rng = np.random.default_rng(0)
    texts = corpus["text"].to_numpy()[rng.integers(0, len(corpus), args.n)].tolist()
    train = load_corpus("train")

    vectorizer = TfidfVectorizer()
    baseline = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(
        vectorizer.fit_transform(train["text"]), labels_to_matrix(train["labels"]))
    baseline_rate = _rate(lambda t: baseline.predict_proba(vectorizer.transform(t)), texts)
    print(f"baseline word TF-IDF + logistic regression: {baseline_rate:,.0f} reflections/s (n={len(texts)})")

    from yalomfactors import text as text_module

    fast = load_model("fast")
    fast.predict_proba(texts[:100])  # spaCy pipeline built outside the timing

    def first_pass(batch):
        # Forget every tokenized word, as for texts the process has never seen (spaCy's own
        # vocabulary keeps the words, which a long run would also have).
        text_module._CHUNK_CACHE.clear()
        text_module._TOKEN_CACHE.clear()
        return fast.predict_proba(batch)

    unique = list(dict.fromkeys(corpus["text"]))
    cold_rate = _rate(first_pass, unique)
    print(f"fast predict_proba, texts not seen before (n={len(unique)} distinct): {cold_rate:,.0f} reflections/s; "
          f"{cold_rate / baseline_rate:.2f} x baseline")
    fast_rate = _rate(fast.predict_proba, texts)
    print(f"fast predict_proba, words already seen in this process: {fast_rate:,.0f} reflections/s; "
          f"{fast_rate / baseline_rate:.2f} x baseline")
    fast.set_params(n_jobs=2)
    fast.predict_proba(texts)  # start the two worker processes outside the timing
    parallel_rate = _rate(fast.predict_proba, texts)
    print(f"fast predict_proba, n_jobs=2 (both cores): {parallel_rate:,.0f} reflections/s; "
          f"{parallel_rate / baseline_rate:.2f} x baseline")
    fast.set_params(n_jobs=None)
    tag_rate = _rate(fast.tag, texts, repeats=1)
    print(f"fast tag() (tidy table, statuses, identifier screening): {tag_rate:,.0f} reflections/s")

    code = ("import time; t=time.perf_counter(); import yalomfactors as y; m=y.load_model('fast'); "
            "d=y.load_corpus()['text'].head(500).tolist(); m.tag(d); print(time.perf_counter()-t)")
    colds = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  env={**os.environ}).stdout.strip()) for _ in range(args.cold_runs)]
    print(f"cold start: import, load 'fast' and tag 500 reflections: {', '.join(f'{c:.2f}' for c in colds)} s "
          f"({args.cold_runs} fresh processes; median {float(np.median(colds)):.2f} s, slowest {max(colds):.2f} s)")

    if encoder_available():
        accurate = load_model("accurate")
        sample = texts[: args.accurate_n]
        accurate.predict_proba(sample[:64])
        import torch

        print(f"accurate predict_proba: {_rate(accurate.predict_proba, sample, repeats=1):,.0f} reflections/s "
              f"(n={len(sample)}, torch threads={torch.get_num_threads()})")
    else:
        print("accurate: not installed (pip install 'yalomfactors[embeddings]')")


if __name__ == "__main__":
    main()

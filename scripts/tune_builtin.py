"""Choose the built-in models' settings by cross-validation on the train split only.

    python scripts/tune_builtin.py [--splits 4]

Folds are grouped by writer, so no writer's texts sit on both sides; the held-out test split is
never read. Sentence embeddings of the train texts are computed once and reused across settings.
Prints, per setting, the mean over folds of the core-four macro F1, core-four mean kappa and
all-twelve macro F1.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=int, default=4)
    parser.add_argument("--accurate", action="store_true", help="also tune the embedding block")
    parser.add_argument("--only-accurate", action="store_true", help="skip the lexical grid")
    args = parser.parse_args()

    from yalomfactors import FactorTagger, load_corpus
    from yalomfactors.evaluation import cross_validate

    train = load_corpus("train")
    texts, labels, writers = train["text"].tolist(), train["labels"], train["writer"].tolist()

    def report(name: str, params: dict) -> float:
        started = time.perf_counter()
        table = cross_validate(FactorTagger(**params), texts, labels, writers, n_splits=args.splits)
        summary = table.groupby("factor")[["f1", "kappa"]].mean()
        core = summary.loc["macro_core"]
        print(f"{name:55s} core F1 {core['f1']:.3f}  core kappa {core['kappa']:.3f}  "
              f"all-12 F1 {summary.loc['macro', 'f1']:.3f}  ({time.perf_counter() - started:.0f} s)", flush=True)
        return float(core["f1"])

    for C, min_df, ngrams in itertools.product((2.0, 4.0, 8.0), (3, 5), ((1, 3),)) if not args.only_accurate else ():
        report(f"fast C={C} min_df={min_df} word_ngrams={ngrams}", {"C": C, "min_df": min_df, "word_ngrams": ngrams})

    if args.accurate or args.only_accurate:
        from yalomfactors import embeddings

        vectors = dict(zip(texts, embeddings.encode(texts)))
        embeddings.encode = lambda batch, **_: np.stack([vectors[text] for text in batch])  # type: ignore[assignment]
        for C, embedding_C in ((4.0, 2.0), (4.0, 8.0), (4.0, 32.0), (8.0, 8.0)):
            report(f"accurate C={C} embedding_C={embedding_C}", {"embeddings": True, "C": C, "embedding_C": embedding_C})


if __name__ == "__main__":
    main()

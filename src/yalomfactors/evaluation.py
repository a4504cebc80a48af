"""Measuring a tagger: per-factor metrics, agreement, grouped cross-validation, baselines.

Examples
--------
>>> from yalomfactors import evaluate, load_corpus, load_model
>>> test = load_corpus(split="test")
>>> table = evaluate(load_model("fast"), test["text"], test["labels"])
>>> table.loc[table["factor"] == "macro_core", "f1"].round(2).item() > 0.5
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from . import codebook
from .exceptions import SchemaError
from .model import labels_to_matrix

__all__ = [
    "evaluate",
    "metrics_table",
    "agreement_table",
    "expected_calibration_error",
    "cross_validate",
    "KeywordBaseline",
    "TfidfBaseline",
    "compare_models",
]

METRIC_COLUMNS = ["factor", "core", "support", "predicted", "precision", "recall", "f1", "kappa", "brier", "ece"]


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of one factor: mean |observed rate - mean probability| over equal-width bins, weighted by bin size."""
    y_true = np.asarray(y_true, dtype=float)
    proba = np.asarray(proba, dtype=float)
    if proba.size == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(y_true[mask].mean() - proba[mask].mean())
    return float(error)


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    if np.array_equal(a, b):
        return 1.0
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return float("nan")
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def metrics_table(y_true: Any, y_pred: Any, proba: np.ndarray | None = None) -> pd.DataFrame:
    """Per-factor precision, recall, F1, support, Cohen's kappa, Brier score and calibration error.

    Parameters
    ----------
    y_true, y_pred : array-like
        Gold and predicted labels, as 0/1 matrices in codebook order or lists of factor ids.
    proba : ndarray, optional
        Predicted probabilities; without them ``brier`` and ``ece`` are NaN.

    Returns
    -------
    DataFrame
        One row per factor in codebook order, then ``macro_core`` (mean over the core four),
        ``macro`` (mean over all twelve) and ``micro`` (pooled counts). Columns ``factor``,
        ``core``, ``support``, ``predicted``, ``precision``, ``recall``, ``f1``, ``kappa``,
        ``brier``, ``ece``.
    """
    classes = list(codebook.factor_ids())
    truth = labels_to_matrix(y_true, classes)
    predicted = labels_to_matrix(y_pred, classes)
    if truth.shape != predicted.shape:
        raise SchemaError(f"y_true has shape {truth.shape} but y_pred has {predicted.shape}")
    rows = []
    for j, factor in enumerate(classes):
        t, p = truth[:, j], predicted[:, j]
        tp = int(np.sum((t == 1) & (p == 1)))
        precision = tp / p.sum() if p.sum() else 0.0
        recall = tp / t.sum() if t.sum() else float("nan")
        f1 = 2 * tp / (p.sum() + t.sum()) if (p.sum() + t.sum()) else float("nan")
        rows.append({
            "factor": factor, "core": codebook.get_factor(factor).core, "support": int(t.sum()),
            "predicted": int(p.sum()), "precision": precision, "recall": recall, "f1": f1,
            "kappa": _kappa(t, p),
            "brier": float(np.mean((proba[:, j] - t) ** 2)) if proba is not None else float("nan"),
            "ece": expected_calibration_error(t, proba[:, j]) if proba is not None else float("nan"),
        })
    table = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    numeric = ["precision", "recall", "f1", "kappa", "brier", "ece"]
    core = table[table["core"]]
    summary = []
    for name, part in (("macro_core", core), ("macro", table)):
        row = {"factor": name, "core": name == "macro_core", "support": int(part["support"].sum()),
               "predicted": int(part["predicted"].sum())}
        row.update(part[numeric].mean().to_dict())
        summary.append(row)
    tp = int(np.sum((truth == 1) & (predicted == 1)))
    summary.append({
        "factor": "micro", "core": False, "support": int(truth.sum()), "predicted": int(predicted.sum()),
        "precision": tp / predicted.sum() if predicted.sum() else 0.0,
        "recall": tp / truth.sum() if truth.sum() else float("nan"),
        "f1": 2 * tp / (predicted.sum() + truth.sum()) if (predicted.sum() + truth.sum()) else float("nan"),
        "kappa": _kappa(truth.ravel(), predicted.ravel()),
        "brier": float(np.mean((proba - truth) ** 2)) if proba is not None else float("nan"),
        "ece": expected_calibration_error(truth.ravel(), proba.ravel()) if proba is not None else float("nan"),
    })
    return pd.concat([table, pd.DataFrame(summary, columns=METRIC_COLUMNS)], ignore_index=True)


def evaluate(model: Any, texts: Sequence[str], y: Any) -> pd.DataFrame:
    """Evaluate a fitted tagger on coded reflections.

    Parameters
    ----------
    model : FactorTagger or any estimator with ``predict`` (and ideally ``predict_proba``)
    texts : sequence of str
    y : array-like
        Gold labels (0/1 matrix in codebook order or lists of factor ids).

    Returns
    -------
    DataFrame
        See :func:`metrics_table`.
    """
    texts = list(texts)
    truth = labels_to_matrix(y)
    if len(texts) != len(truth):
        raise SchemaError(f"{len(texts)} texts but {len(truth)} label rows; they must match")
    proba = model.predict_proba(texts) if hasattr(model, "predict_proba") else None
    if proba is not None and hasattr(model, "thresholds"):
        predicted = (proba >= model.thresholds()).astype(int)
    else:
        predicted = np.asarray(model.predict(texts))
    return metrics_table(truth, predicted, proba)


def agreement_table(labels_a: Any, labels_b: Any) -> pd.DataFrame:
    """Per-factor agreement between two coders: Cohen's kappa, percent agreement, positives of each."""
    a, b = labels_to_matrix(labels_a), labels_to_matrix(labels_b)
    rows = []
    for j, factor in enumerate(codebook.factor_ids()):
        rows.append({"factor": factor, "core": codebook.get_factor(factor).core,
                     "positives_a": int(a[:, j].sum()), "positives_b": int(b[:, j].sum()),
                     "agreement": float(np.mean(a[:, j] == b[:, j])), "kappa": _kappa(a[:, j], b[:, j])})
    return pd.DataFrame(rows)


def cross_validate(
    model: Any, texts: Sequence[str], y: Any, groups: Sequence[Any], n_splits: int = 5
) -> pd.DataFrame:
    """Cross-validate with folds grouped by writer (or member), so no group sits on both sides.

    Returns
    -------
    DataFrame
        The :func:`metrics_table` of every fold stacked, with a ``fold`` column.
    """
    text_array = np.asarray(list(texts), dtype=object)
    truth = labels_to_matrix(y)
    group_array = np.asarray(list(groups))
    if len(np.unique(group_array)) < n_splits:
        raise SchemaError(f"groups has {len(np.unique(group_array))} distinct values; need at least n_splits={n_splits}")
    tables = []
    from sklearn.model_selection import GroupKFold

    for fold, (train, held) in enumerate(GroupKFold(n_splits=n_splits).split(text_array, groups=group_array)):
        fitted = clone(model)
        try:
            fitted.fit(list(text_array[train]), truth[train], groups=group_array[train])
        except TypeError:
            fitted.fit(list(text_array[train]), truth[train])
        table = evaluate(fitted, list(text_array[held]), truth[held])
        table.insert(0, "fold", fold)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


# Key phrases a naive reader would look for; the baseline shows what a lexicon alone gets.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "universality": ("not the only one", "same boat", "not alone", "relate", "me too", "same thing", "others feel", "same way"),
    "hope": ("hope", "hopeful", "get better", "possible", "can do it", "recover", "progress", "future"),
    "interpersonal_learning": ("feedback", "told me i", "how i come across", "said i", "asked for help", "set a boundary", "disagreed"),
    "corrective_emotional_experience": ("expected", "braced", "thought they would", "instead they", "didn't judge", "they stayed", "nobody laughed"),
    "altruism": ("helped", "help someone", "useful", "support her", "support him", "gave advice", "thanked me"),
    "imparting_information": ("learned", "handout", "explained", "tip", "technique", "advice", "information", "skill"),
    "group_cohesiveness": ("belong", "safe", "accepted", "trust", "welcome", "family", "part of"),
    "catharsis": ("cried", "let it out", "relief", "lighter", "got it off", "vent", "finally said"),
    "existential_factors": ("death", "die", "meaning", "responsib", "unfair", "mortal", "alone in the end", "my choice"),
    "family_reenactment": ("my dad", "my mom", "my mother", "my father", "sibling", "like my parents", "brother", "sister"),
    "socializing_techniques": ("eye contact", "small talk", "conversation", "listen", "speak up", "social"),
    "imitative_behavior": ("try that", "like her", "like him", "copy", "the way she", "the way he", "role model"),
}


class KeywordBaseline(ClassifierMixin, BaseEstimator):
    """A keyword-lexicon tagger: a factor is tagged when any of its key phrases appears.

    It learns nothing; ``fit`` only records the classes. It is the comparison point that shows
    what reading for the obvious words gets, and where it fails (negation, topic, sarcasm).
    """

    def fit(self, X: Any, y: Any = None) -> KeywordBaseline:
        self.classes_ = np.array(codebook.factor_ids(), dtype=object)
        self.patterns_ = {
            factor: re.compile("|".join(re.escape(k) for k in keys)) for factor, keys in _KEYWORDS.items()
        }
        return self

    def predict(self, X: Any) -> np.ndarray:
        texts = [str(text).lower() for text in X]
        return np.array([[int(bool(self.patterns_[f].search(t))) for f in self.classes_] for t in texts], dtype=int)


class TfidfBaseline(ClassifierMixin, BaseEstimator):
    """Plain word TF-IDF plus one logistic regression per factor, fixed 0.5 threshold.

    The common first attempt; used as a comparison point and as the throughput baseline.
    """

    def __init__(self, C: float = 1.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, X: Any, y: Any) -> TfidfBaseline:
        Y = labels_to_matrix(y)
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer_ = TfidfVectorizer(min_df=self.min_df, sublinear_tf=True)
        matrix = self.vectorizer_.fit_transform(list(X))
        self.models_ = [LogisticRegression(C=self.C, max_iter=1000).fit(matrix, Y[:, j]) for j in range(Y.shape[1])]
        self.classes_ = np.array(codebook.factor_ids(), dtype=object)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        matrix = self.vectorizer_.transform(list(X))
        return np.column_stack([m.predict_proba(matrix)[:, 1] for m in self.models_])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)


def compare_models(models: dict[str, Any], texts: Sequence[str], y: Any) -> pd.DataFrame:
    """Evaluate several fitted models on the same texts; one summary row per model.

    Returns
    -------
    DataFrame
        ``model``, core-four macro F1 and kappa, all-twelve macro F1 and kappa, micro F1,
        mean Brier score.
    """
    rows = []
    for name, model in models.items():
        table = evaluate(model, texts, y).set_index("factor")
        rows.append({
            "model": name,
            "core_macro_f1": table.loc["macro_core", "f1"],
            "core_mean_kappa": table.loc["macro_core", "kappa"],
            "macro_f1": table.loc["macro", "f1"],
            "mean_kappa": table.loc["macro", "kappa"],
            "micro_f1": table.loc["micro", "f1"],
            "mean_brier": table.loc["macro", "brier"],
        })
    return pd.DataFrame(rows)

"""Bundled data: the double-coded corpus and the sample clinic export.

Both travel inside the installed package, so the built-in model can be
retrained, or extended with a user's own coded reflections, after a plain
``pip install``.

Examples
--------
>>> from yalomfactors import load_corpus, load_sample
>>> corpus = load_corpus()
>>> sorted(corpus["split"].unique())
['test', 'train']
>>> sample = load_sample()
>>> sample.columns[:3].tolist()
['reflection_id', 'group_id', 'group_type']
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

from .exceptions import SchemaError

__all__ = ["load_corpus", "load_sample", "load_sample_gold", "corpus_path", "corpus_sha256", "data_path"]

_CORPUS = "corpus/corpus.csv"
_SAMPLE = "sample/clinic_reflections.csv"
_SAMPLE_GOLD = "sample/gold_labels.csv"


def data_path(relative: str) -> Path:
    """Path of a bundled data file inside the installed package."""
    return Path(str(resources.files("yalomfactors") / "data" / relative))


def corpus_path() -> Path:
    """Path of the bundled corpus CSV."""
    return data_path(_CORPUS)


def corpus_sha256() -> str:
    """SHA-256 of the bundled corpus file, recorded in every built-in model card."""
    return hashlib.sha256(corpus_path().read_bytes()).hexdigest()


def load_corpus(split: Literal["train", "test"] | None = None) -> pd.DataFrame:
    """Load the double-coded corpus of post-session reflections.

    Parameters
    ----------
    split : {"train", "test"}, optional
        Return one split only. The test split is held out: never train, tune or choose
        thresholds on it.

    Returns
    -------
    DataFrame
        Columns ``text_id``, ``text``, ``labels`` (adjudicated gold ids joined by ``";"``, empty
        for none), ``group_type``, ``split``, ``writer``, ``hard_case``, ``hard_target``,
        ``writer_labels``, ``coder2_labels``, ``adjudicated``.
    """
    frame = pd.read_csv(corpus_path(), dtype=str, keep_default_na=False, encoding="utf-8")
    frame["adjudicated"] = frame["adjudicated"].eq("True")
    if split is not None:
        if split not in ("train", "test"):
            raise SchemaError(f"split must be 'train', 'test' or None; got {split!r}")
        frame = frame[frame["split"] == split].reset_index(drop=True)
    return frame


def load_sample() -> pd.DataFrame:
    """Load the sample clinic export: five groups, one reflection per attending member per session.

    Returns
    -------
    DataFrame
        Columns ``reflection_id``, ``group_id``, ``group_type``, ``session_date`` (datetime),
        ``session_number``, ``member_id``, ``text`` (a few blank or "n/a", as in real exports).
    """
    frame = pd.read_csv(data_path(_SAMPLE), dtype={"text": str}, keep_default_na=False, encoding="utf-8")
    frame["session_date"] = pd.to_datetime(frame["session_date"])
    return frame


def load_sample_gold() -> pd.DataFrame:
    """Gold labels of the sample export, one row per reflection (see ``data/sample/README.md``).

    Returns
    -------
    DataFrame
        ``reflection_id``, ``labels`` (ids joined by ``";"``) and one 0/1 column per factor.
    """
    from .codebook import factor_ids

    gold = pd.read_csv(data_path(_SAMPLE_GOLD), dtype=str, keep_default_na=False, encoding="utf-8")
    for factor in factor_ids():
        gold[factor] = gold["labels"].str.split(";").apply(lambda labels, f=factor: int(f in labels))
    return gold

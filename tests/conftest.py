"""Shared fixtures. Heavy objects (models, tagged sample) are built once per session."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yalomfactors import codebook


@pytest.fixture(scope="session")
def planned_sample() -> pd.DataFrame:
    """The sample export's ids joined with its gold labels, as a tagged table (0/1 per factor)."""
    from yalomfactors.datasets import load_sample, load_sample_gold

    sample = load_sample()
    gold = load_sample_gold()
    frame = sample.merge(gold, on="reflection_id", how="left", validate="one_to_one")
    frame["status"] = np.where(frame["text"].str.strip().str.lower().isin(["", "n/a", "-", "nothing", "na", "none"]), "empty", "ok")
    for factor in codebook.factor_ids():
        frame[factor] = frame[factor].astype(bool)
    return frame


@pytest.fixture(scope="session")
def fast_model():
    from yalomfactors import load_model

    return load_model("fast")

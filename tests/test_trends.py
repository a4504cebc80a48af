import json

import numpy as np
import pandas as pd
import pytest

from yalomfactors import codebook
from yalomfactors.datasets import data_path
from yalomfactors.exceptions import InsufficientDataError, SchemaError
from yalomfactors.trends import (
    compare_group_types,
    factor_profile,
    member_timeline,
    phase_summary,
    pooled_trends,
    summarize_trends,
    trend_tests,
    wilson_interval,
)

PLANTED = {k: v for k, v in json.loads(data_path("sample/planted_trends.json").read_text()).items() if not k.startswith("_")}


def _toy() -> pd.DataFrame:
    rows = []
    for session in (1, 2, 4, 5):  # session 3 has no reflections
        for member in ("a", "b", "c"):
            rows.append({"group_id": "G", "session_number": session, "member_id": member, "status": "ok",
                         "hope": session >= 4 and member != "c", "p_hope": 0.2 * session})
    rows.append({"group_id": "G", "session_number": 2, "member_id": "d", "status": "empty", "hope": pd.NA, "p_hope": np.nan})
    return pd.DataFrame(rows)


def test_summary_counts_and_keeps_empty_sessions_as_missing():
    table = summarize_trends(_toy())
    assert table["session_number"].tolist() == [1, 2, 3, 4, 5]
    session3 = table[table["session_number"] == 3].iloc[0]
    assert session3["n_reflections"] == 0 and np.isnan(session3["prevalence"])
    session2 = table[table["session_number"] == 2].iloc[0]
    assert session2["n_reflections"] == 3 and session2["n_untagged"] == 1
    session4 = table[table["session_number"] == 4].iloc[0]
    assert session4["n_tagged"] == 2 and session4["prevalence"] == pytest.approx(2 / 3)
    assert session4["ci_low"] < 2 / 3 < session4["ci_high"]
    assert session4["mean_probability"] == pytest.approx(0.8)
    assert session4["n_members"] == 3 and session3["n_members"] == 0


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    low, high = wilson_interval(np.array([0, 3, 10]), np.array([10, 7, 10]))
    for i, (k, n) in enumerate([(0, 10), (3, 7), (10, 10)]):
        expected = proportion_confint(k, n, method="wilson")
        assert (low[i], high[i]) == pytest.approx(expected, abs=1e-9)


def test_missing_columns_are_named():
    with pytest.raises(SchemaError, match="member_id"):
        trend_tests(_toy().drop(columns="member_id"))


def test_too_little_data_is_said_not_estimated():
    table = trend_tests(_toy())
    assert table.loc[0, "direction"] == "too little data"
    assert "needs at least" in table.loc[0, "note"]


def test_phases_split_into_thirds_or_cuts():
    phases = phase_summary(_toy())
    assert phases["phase"].tolist() == ["early", "middle", "late"]
    cut = phase_summary(_toy(), cuts=[4])
    assert cut["phase"].tolist() == ["phase 1", "phase 2"]
    assert cut.loc[1, "prevalence"] == pytest.approx(4 / 6)


def test_member_timeline_marks_untagged_rows():
    timeline = member_timeline(_toy())
    assert len(timeline) == len(_toy())
    assert timeline[timeline["member_id"] == "d"]["factors"].isna().all()
    assert timeline[(timeline["member_id"] == "a") & (timeline["session_number"] == 5)]["factors"].item() == "Hope"
    assert str(timeline["n_factors"].dtype) == "Int64"  # a count: written as 1, not 1.0
    assert timeline[timeline["member_id"] == "d"]["n_factors"].isna().all()
    assert timeline[(timeline["member_id"] == "a") & (timeline["session_number"] == 5)]["n_factors"].item() == 1


def test_pooled_needs_two_groups():
    with pytest.raises(InsufficientDataError):
        pooled_trends(_toy())


def _expect_planted(tests: pd.DataFrame, phases: pd.DataFrame, source: str) -> list[str]:
    misses = []
    for group, spec in PLANTED.items():
        rows = tests[tests["group_id"] == group].set_index("factor")
        for direction in ("rising", "falling"):
            for factor in spec[direction]:
                if rows.loc[factor, "direction"] != direction:
                    misses.append(f"{source} {group} {factor}: planted {direction}, found {rows.loc[factor, 'direction']}")
        for factor in spec["flat"]:
            if rows.loc[factor, "direction"] in ("rising", "falling"):
                misses.append(f"{source} {group} {factor}: planted flat, found {rows.loc[factor, 'direction']}")
        for factor in spec["dip"]:
            part = phases[(phases["group_id"] == group) & (phases["factor"] == factor)].set_index("phase")["prevalence"]
            if not (part["middle"] < part["early"] and part["middle"] < part["late"]):
                misses.append(f"{source} {group} {factor}: planted dip, phases {part.round(2).to_dict()}")
    return misses


def test_planted_trajectories_found_on_gold_labels(planned_sample):
    tests = trend_tests(planned_sample)
    misses = _expect_planted(tests, phase_summary(planned_sample), "gold")
    assert not misses, misses


# Planted trends the built-in models do not recover, measured and reported in data/sample/README.md.
# A model that misses more fails here; one that misses fewer should shrink this list.
KNOWN_MODEL_MISSES = {
    "fast": {"G2 hope", "G4 hope", "G5 imitative_behavior"},
    "accurate": {"G5 imitative_behavior"},
}


@pytest.mark.parametrize("name", ["fast", pytest.param("accurate", marks=pytest.mark.embeddings)])
def test_planted_trajectories_found_on_model_tags(name):
    from yalomfactors import load_model, load_sample
    from yalomfactors.embeddings import encoder_available

    if name == "accurate" and not encoder_available():
        pytest.skip("needs yalomfactors[embeddings]")
    tagged = load_model(name).tag(load_sample())
    misses = _expect_planted(trend_tests(tagged), phase_summary(tagged), name)
    missed = {" ".join(m.split(":")[0].split()[1:3]) for m in misses}
    assert missed <= KNOWN_MODEL_MISSES[name], misses
    assert not [m for m in misses if "planted flat" in m], "a flat factor was called rising or falling"


def test_probability_outcome_and_pooled(planned_sample):
    frame = planned_sample.copy()
    for factor in codebook.factor_ids():
        frame[f"p_{factor}"] = np.where(frame[factor], 0.8, 0.1)
    by_probability = trend_tests(frame, factors=["universality"], outcome="probability")
    assert set(by_probability["direction"]) <= {"rising", "falling", "no clear change", "too little data"}
    pooled = pooled_trends(planned_sample, factors=["universality", "hope"])
    assert pooled.set_index("factor").loc["universality", "direction"] == "falling"
    assert pooled.set_index("factor").loc["hope", "direction"] == "rising"
    with pytest.warns(UserWarning, match="fewer than about 10 clusters"):
        by_group = pooled_trends(planned_sample, factors=["hope"], cluster="group")
    assert by_group["cluster"].item() == "group" and np.isfinite(by_group["odds_ratio"].item())


def test_profiles_and_group_type_comparison(planned_sample):
    profile = factor_profile(planned_sample)
    assert set(profile["group_id"]) == set(PLANTED)
    assert profile["prevalence"].between(0, 1).all()
    comparison = compare_group_types(planned_sample)
    assert len(comparison) == 12 and "p_value" in comparison

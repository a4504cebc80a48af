"""The sample clinic export and its planted, documented trajectories."""

import json
from pathlib import Path

import pandas as pd

from yalomfactors import codebook, load_sample, load_sample_gold
from yalomfactors.datasets import data_path

ROOT = Path(__file__).resolve().parents[1]


def test_columns_and_size():
    sample = load_sample()
    for column in ("group_id", "group_type", "session_date", "session_number", "member_id", "text"):
        assert column in sample.columns
    assert 400 <= len(sample) <= 700
    assert str(sample["session_date"].dtype).startswith("datetime64")


def test_groups_sessions_members():
    sample = load_sample()
    groups = sample.groupby("group_id")
    assert groups.ngroups >= 4
    assert sample.groupby("group_id")["group_type"].first().nunique() == groups.ngroups
    for group_id, part in groups:
        sessions = part["session_number"].nunique()
        members = part["member_id"].nunique()
        assert 10 <= sessions <= 16, group_id
        assert 5 <= members <= 9, group_id
        assert not part.duplicated(["session_number", "member_id"]).any(), "one reflection per member per session"
        first = part.groupby("member_id")["session_number"].min()
        last = part.groupby("member_id")["session_number"].max()
        assert (first > 1).any(), f"{group_id}: no late joiner"
        assert (last < part["session_number"].max() - 2).any(), f"{group_id}: no dropout"
        attended = part.groupby("member_id").size()
        assert (attended < (last - first + 1)).any(), f"{group_id}: no ordinary absences"
        dates = part.groupby("session_number")["session_date"].first().sort_index()
        assert dates.is_monotonic_increasing and (dates.diff().dropna().dt.days >= 7).all()


def test_a_few_blank_answers():
    text = load_sample()["text"].str.strip().str.lower()
    blank = text.isin(["", "n/a", "na", "-", "nothing", "none", "n.a."])
    assert 1 <= blank.sum() <= 25


def test_gold_labels_cover_every_reflection():
    sample, gold = load_sample(), load_sample_gold()
    assert set(gold["reflection_id"]) == set(sample["reflection_id"])
    assert gold["reflection_id"].is_unique
    for labels in gold["labels"]:
        for label in filter(None, labels.split(";")):
            codebook.get_factor(label)


def test_readme_documents_every_planted_trajectory():
    readme = (ROOT / "data" / "sample" / "README.md").read_text()
    planted = json.loads(data_path("sample/planted_trends.json").read_text())
    for group, spec in planted.items():
        if group.startswith("_"):
            continue
        assert f"**{group}**" in readme
        for kind in ("rising", "falling", "flat", "dip"):
            for factor in spec[kind]:
                assert f"{group} | {factor} | {kind}" in readme, (group, factor, kind)


def test_plan_and_export_agree():
    plan = pd.read_csv(data_path("sample/design/plan.csv"), keep_default_na=False, dtype=str)
    gold = load_sample_gold()
    merged = plan.merge(gold, on="reflection_id", validate="one_to_one")
    assert (merged["gold_labels"] == merged["labels"]).all()

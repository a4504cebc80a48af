"""Write the three notebooks in notebooks/ (unexecuted; CI runs them with nbmake).

    python scripts/make_notebooks.py
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks"


def notebook(cells):
    nb = new_notebook(cells=[new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c.strip()) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


GROUP_REVIEW = [
    """md:# Reviewing a group's therapeutic factors

This notebook reads your group's post-session reflections, tags each one with Yalom's therapeutic
factors, and shows how the factors moved over the group's sessions, with the reflections behind each tag.

**Only the cell below needs editing**: the path to your export and, if they are not detected, the names
of your columns. It starts with the sample export that ships with yalomfactors.

*yalomfactors is a research and reflection aid for trained clinicians, not a clinical assessment.*""",
    """
from yalomfactors.datasets import data_path

INPUT_FILE = data_path("sample/clinic_reflections.csv")   # your .csv, .xlsx, .parquet or .jsonl
TEXT_COLUMN = None      # e.g. "What was most important today?"; None = detect
GROUP_COLUMN = None
SESSION_COLUMN = None
MEMBER_COLUMN = None
DATE_COLUMN = None
GROUP = "G3"            # the group to review
REPORT_FOLDER = "report_out"
""",
    """md:## 1. Read the reflections

The lines printed below say which of your columns is used for what. Check them.""",
    """
import yalomfactors as yf

reflections = yf.read_reflections(
    INPUT_FILE, text_column=TEXT_COLUMN, group_column=GROUP_COLUMN, session_column=SESSION_COLUMN,
    member_column=MEMBER_COLUMN, date_column=DATE_COLUMN,
    required=("text", "group_id", "session_number", "member_id"),
)
reflections.groupby("group_id").agg(sessions=("session_number", "nunique"), members=("member_id", "nunique"),
                                    reflections=("text", "size"))
""",
    """md:## 2. Tag every reflection

Each reflection gets a probability for each of the twelve factors and a yes/no decision. Blank answers
("n/a") are kept, with status `empty`, and not tagged.""",
    """
model = yf.load_model()          # the best built-in model installed here
tagged = model.tag(reflections)
print(model.model_version_)
tagged["status"].value_counts()
""",
    """md:## 3. How the factors moved in this group

Each panel shows the share of the session's reflections that showed the factor, with a 95% interval
(the band). Small groups give wide bands: read the shape, not single sessions.""",
    """
from yalomfactors.trends import summarize_trends, trend_tests, phase_summary, member_timeline
from yalomfactors.plots import plot_prevalence, plot_phases, plot_member_timeline

group = tagged[tagged["group_id"] == GROUP]
trends = summarize_trends(group)
plot_prevalence(trends, factors=yf.core_factor_ids() + ("group_cohesiveness", "catharsis"));
""",
    """md:Early, middle and late thirds of the group side by side:""",
    """
plot_phases(phase_summary(group));
""",
    """md:## 4. Which changes are clear?

For each factor, a model that allows for members writing many reflections says whether it rose, fell,
or showed no clear change over the sessions.""",
    """
from yalomfactors.report import plain_language

for _, row in trend_tests(group).iterrows():
    if row["direction"] != "too little data":
        print(plain_language(row))
""",
    """md:## 5. The evidence for a tag

The reflections that showed a factor most clearly, and the words that weighed most in the decision.""",
    """
FACTOR = "interpersonal_learning"
top = group[group[FACTOR].fillna(False).astype(bool)].sort_values(f"p_{FACTOR}", ascending=False).head(3)
for reflection_id in top["reflection_id"]:
    text = reflections.loc[reflections["reflection_id"] == reflection_id, "text"].item()
    print(reflection_id, "|", text)
    print(model.explain(text, factors=[FACTOR])[["phrase", "weight"]].round(2).to_string(index=False), "\\n")
""",
    """md:## 6. Member timelines

Which factors each member reported, session by session (members are pseudonymous ids).""",
    """
plot_member_timeline(member_timeline(group), group);
""",
    """md:## 7. The report for supervision

One self-contained HTML file per group (open it in any browser), plus the tables as CSV. For anything
that leaves the clinic, use `shareable=True`: no reflection text, no member rows, small counts hidden.""",
    """
from yalomfactors.report import write_reports

paths = write_reports(tagged.merge(reflections[["reflection_id", "text"]], on="reflection_id"), REPORT_FOLDER,
                      model=model, groups=[GROUP])
shareable = write_reports(tagged, REPORT_FOLDER + "_shareable", shareable=True, groups=[GROUP])
paths + shareable
""",
]

BATCH = [
    """md:# Batch analysis across groups

For researchers: tag every group, compare factor profiles across kinds of group, estimate pooled
trends, and state the classifier's uncertainty. Every table here is a tidy DataFrame, ready to save.""",
    """
import pandas as pd
import yalomfactors as yf
from yalomfactors.trends import (compare_group_types, factor_profile, phase_summary, pooled_trends,
                                 summarize_trends, trend_tests)

reflections = yf.load_sample()
model = yf.load_model()
tagged = model.tag(reflections)
print(len(tagged), "reflections,", tagged["group_id"].nunique(), "groups,", model.model_version_)
""",
    """md:## Factor profiles by group and by kind of group""",
    """
profile = factor_profile(tagged)
profile.pivot(index="factor", columns="group_id", values="prevalence").round(2)
""",
    """
from yalomfactors.plots import plot_profiles
plot_profiles(profile, factors=yf.core_factor_ids());
""",
    """
compare_group_types(tagged).round(3)
""",
    """md:## Trends per group and pooled across groups

`trend_tests` fits a GEE logistic regression per group and factor, clustered on member. `pooled_trends`
fits one model per factor across groups, with a baseline per group and clusters of member within
group; the session is rescaled to each group's course, so the odds ratio is first to last session.""",
    """
per_group = trend_tests(tagged)
per_group[per_group["direction"].isin(["rising", "falling"])].round(3)
""",
    """
pooled = pooled_trends(tagged)
pooled.round(3)
""",
    """md:## Model uncertainty

The tags are a model's decisions, not facts. Two ways to see how much that matters:

1. Refit the trends on the calibrated **probabilities** instead of the yes/no decisions (a quasi-binomial
   fit that carries the classifier's uncertainty into the estimate).
2. Read the model card's held-out precision and recall per factor: a factor tagged with low precision
   inflates its prevalence.""",
    """
by_probability = pooled_trends(tagged, outcome="probability")
comparison = pooled[["factor", "odds_ratio", "direction"]].merge(
    by_probability[["factor", "odds_ratio", "direction"]], on="factor", suffixes=("_decisions", "_probabilities"))
comparison.round(3)
""",
    """
from yalomfactors.builtin import model_card_data, default_model_name

card = pd.DataFrame(model_card_data(default_model_name())["test_metrics"])
card[["factor", "support", "precision", "recall", "f1", "kappa", "brier", "ece"]].round(3)
""",
    """md:## Tables for a paper

Save the tables as CSV (or Excel, Parquet) for the manuscript's supplement.""",
    """
from pathlib import Path

out = Path("batch_tables")
out.mkdir(exist_ok=True)
for name, table in {"profile": profile, "trend_tests": per_group, "pooled_trends": pooled,
                    "phases": phase_summary(tagged), "trends": summarize_trends(tagged)}.items():
    yf.write_table(table, out / f"{name}.csv")
sorted(p.name for p in out.iterdir())
""",
]

TRAIN = [
    """md:# Training and evaluating a model on your own coding

If your team has hand-coded reflections (labels as factor ids joined by `;`, empty for none; see
`yalomfactors codebook`), you can train a tagger on them, compare it with the built-in model on
reflections neither has seen, and save it safely.

Here the bundled corpus stands in for "your coding": its train split plays your coded data and its
held-out test split plays your validation set.""",
    """
import yalomfactors as yf
from yalomfactors import FactorTagger, evaluate, load_corpus

coded = load_corpus("train")
held_out = load_corpus("test")
coded[["text", "labels", "writer"]].head()
""",
    """md:## Train

`groups=` keeps each coder's (or writer's, or member's) texts on one side of the internal folds that tune
the thresholds and calibration, so the model is not rewarded for learning one person's style. The
default settings are those of the built-in "fast" model; training takes well under a minute.""",
    """
mine = FactorTagger().fit(coded["text"], coded["labels"], groups=coded["writer"])
dict(zip(mine.classes_, mine.thresholds_.round(2)))
""",
    """md:## Agreement with held-out coding, against the built-in model""",
    """
from yalomfactors.evaluation import compare_models

compare_models({"my model": mine, "built-in fast": yf.load_model("fast")}, held_out["text"], held_out["labels"]).round(3)
""",
    """
evaluate(mine, held_out["text"], held_out["labels"]).round(3)
""",
    """md:## Grouped cross-validation on your own data

When you have no separate validation set, cross-validate with folds grouped by coder or member:""",
    """
from yalomfactors import cross_validate

subset = coded.groupby("writer").head(250)   # a smaller set keeps this example quick
folds = cross_validate(FactorTagger(cv=3), subset["text"], subset["labels"], groups=subset["writer"], n_splits=3)
folds.groupby("factor", sort=False)[["f1", "kappa"]].mean().round(3).loc[["macro_core", "macro", "micro"]]
""",
    """md:## Save and reload safely

Models are saved with skops, never pickle. Loading checks every stored type against an allow-list and
the codebook version, so a tampered or foreign file is refused instead of run.""",
    """
yf.save_model(mine, "my_model.skops")
reloaded = yf.load_model("my_model.skops")
reloaded.tag(["I finally asked the group for help instead of pretending I was fine."])[
    ["status", "p_interpersonal_learning", "interpersonal_learning"]]
""",
]

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, cells in (("01_group_review", GROUP_REVIEW), ("02_batch_analysis", BATCH), ("03_train_on_your_own_coding", TRAIN)):
        nbformat.write(notebook(cells), OUT / f"{name}.ipynb")
        print("wrote", name)

"""Draw the README's trend figure from the sample export tagged by the fast built-in model.

    python scripts/make_readme_figure.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import yalomfactors as yf  # noqa: E402
from yalomfactors.plots import plot_prevalence  # noqa: E402
from yalomfactors.trends import summarize_trends  # noqa: E402

tagged = yf.load_model("fast").tag(yf.load_sample())
trends = summarize_trends(tagged[tagged["group_id"] == "G3"])
figure = plot_prevalence(trends, factors=list(yf.core_factor_ids()) + ["group_cohesiveness", "catharsis"], ncols=3)
out = Path(__file__).resolve().parents[1] / "docs" / "trends_G3.png"
figure.savefig(out, dpi=100, bbox_inches="tight")
print("wrote", out)

"""Self-contained HTML reports, one per group, plus the tables as CSV.

Images are embedded as base64 PNG and the page loads nothing from the network,
so a report can be opened offline and attached to supervision notes.

``shareable=True`` is for anything that leaves the clinic: no reflection text, no
member-level rows or plots, and every count from 1 to ``min_cell - 1`` hidden,
with secondary suppression so hidden counts cannot be recovered from totals.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import codebook
from .exceptions import SchemaError
from .privacy import suppress_small_cells
from .schema import GROUP, GROUP_TYPE, MEMBER, SESSION, require_columns
from .trends import factor_profile, member_timeline, phase_summary, summarize_trends, trend_tests

__all__ = ["write_reports", "render_group_report", "shareable_tables", "plain_language"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left}
th{background:#f4f4f4}td.num{text-align:right}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.6em 1em}
img{max-width:100%;height:auto;display:block;margin:.6em 0}.muted{color:#666;font-size:.9em}
blockquote{margin:.4em 0 .8em 0;padding:.4em .8em;border-left:3px solid #bbb;background:#fafafa}
"""


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(fig: Any, alt: str) -> str:
    return f'<img src="{_png(fig)}" alt="{html.escape(alt)}">'


def _name(factor: str) -> str:
    return codebook.get_factor(factor).name


def plain_language(row: pd.Series) -> str:
    """One sentence describing a row of :func:`~yalomfactors.trends.trend_tests`."""
    name = _name(row["factor"])
    if row["direction"] == "too little data":
        return f"{name}: too little data to say ({row['note']})."
    ratio = row["odds_ratio_per_session"]
    p = row["p_value"]
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    interval = f"95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f}"
    if row["direction"] == "no clear change":
        return f"{name}: no clear change over sessions (odds x{ratio:.2f} per session, {interval}, {p_text})."
    verb = "rising" if row["direction"] == "rising" else "falling"
    return f"{name}: {verb} over sessions; the odds change x{ratio:.2f} per session ({interval}, {p_text})."


_HEADERS = {
    "factor": "Factor", "phase": "Phase", "n_reflections": "Reflections", "n_tagged": "Showing the factor",
    "prevalence": "Share", "ci_low": "95% interval from", "ci_high": "to",
}


def _table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{html.escape(_HEADERS.get(str(c), str(c)))}</th>" for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append('<td class="num">&mdash;</td>')
            elif column in formats:
                cells.append(f'<td class="num">{formats[column].format(value)}</td>')
            elif isinstance(value, (int, float, np.integer, np.floating)):
                cells.append(f'<td class="num">{value}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def shareable_tables(tagged: pd.DataFrame, min_cell: int = 11) -> dict[str, pd.DataFrame]:
    """The tables of a shareable report: no text, no member rows, small cells suppressed.

    Returns
    -------
    dict
        ``trends`` (per session), ``phases`` and ``profile``, each passed through
        :func:`~yalomfactors.privacy.suppress_small_cells` with ``n_reflections`` as the total and
        ``n_tagged`` as the count; ``trend_tests`` (model estimates only, no counts below
        ``min_cell``).
    """
    derived = ["prevalence", "ci_low", "ci_high", "mean_probability"]
    trends = summarize_trends(tagged).drop(columns=["n_untagged", "n_members"])
    phases = phase_summary(tagged)
    profile = factor_profile(tagged)
    tables = {
        "trends": suppress_small_cells(trends, ["n_tagged"], min_cell, "n_reflections", by=["group_id", "factor"], derived_columns=derived),
        "phases": suppress_small_cells(phases, ["n_tagged"], min_cell, "n_reflections", by=["group_id", "factor"], derived_columns=derived),
        "profile": suppress_small_cells(profile, ["n_tagged"], min_cell, "n_reflections", by=["factor"], derived_columns=derived),
    }
    tests = trend_tests(tagged)
    small = tests["n_tagged"].between(1, min_cell - 1) | (tests["n_reflections"] - tests["n_tagged"]).between(1, min_cell - 1)
    tests["n_tagged"] = tests["n_tagged"].astype("Int64")
    tests.loc[small, "n_tagged"] = pd.NA
    tests = tests.drop(columns=["n_members"])
    small_total = tests["n_reflections"].between(1, min_cell - 1)
    tests["n_reflections"] = tests["n_reflections"].astype("Int64")
    tests.loc[small_total, "n_reflections"] = pd.NA
    tables["trend_tests"] = tests
    return tables


def _evidence_section(tagged: pd.DataFrame, model: Any, per_factor: int = 3) -> str:
    parts = ["<h2>Evidence: reflections that showed each factor most clearly</h2>",
             '<p class="muted">The reflections with the highest probability for each tagged factor, with the '
             "phrases that weighed most. Check them against your own reading.</p>"]
    has_text = "text" in tagged.columns
    for factor in codebook.factor_ids():
        if factor not in tagged.columns:
            continue
        shown = tagged[tagged[factor].fillna(False).astype(bool)]
        if shown.empty or not has_text:
            continue
        if f"p_{factor}" in shown.columns:
            shown = shown.sort_values(f"p_{factor}", ascending=False)
        parts.append(f"<h3>{html.escape(_name(factor))} ({len(shown)} reflections)</h3>")
        for _, row in shown.head(per_factor).iterrows():
            who = f"session {row[SESSION]}, member {row[MEMBER]}" if MEMBER in row else f"session {row[SESSION]}"
            phrases = ""
            if model is not None:
                explanation = model.explain(str(row["text"]), factors=[factor])
                if len(explanation):
                    phrases = "; key phrases: " + ", ".join(f"&lsquo;{html.escape(p)}&rsquo;" for p in explanation["phrase"])
            probability = f", p = {row[f'p_{factor}']:.2f}" if f"p_{factor}" in row else ""
            parts.append(f"<blockquote>{html.escape(str(row['text']))}<br><span class=\"muted\">{html.escape(who)}"
                         f"{probability}{phrases}</span></blockquote>")
    return "\n".join(parts)


def render_group_report(
    tagged: pd.DataFrame,
    group: str,
    shareable: bool = False,
    min_cell: int = 11,
    model: Any = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> str:
    """Render one group's report as a self-contained HTML string."""
    from .plots import plot_heatmap, plot_member_timeline, plot_phases, plot_prevalence

    part = tagged[tagged[GROUP] == group]
    if part.empty:
        raise SchemaError(f"group {group!r} is not in the table")
    kind = str(part[GROUP_TYPE].iloc[0]) if GROUP_TYPE in part.columns else "group"
    title = f"Therapeutic factors report: group {group} ({kind})"
    sessions = part[SESSION].nunique()
    sections = [f"<h1>{html.escape(title)}</h1>",
                f'<p class="muted">yalomfactors, codebook version {codebook.CODEBOOK_VERSION}'
                + (f", model {html.escape(str(part['model_version'].iloc[0]))}" if "model_version" in part.columns else "")
                + (" &middot; <strong>shareable version</strong>: no reflection text, no member-level data, "
                   f"counts below {min_cell} hidden" if shareable else "") + "</p>",
                '<p class="note">A research and reflection aid for trained clinicians, not a clinical assessment. '
                "Tags are a model's suggestions: read the evidence, and weigh small numbers with care.</p>"]
    if shareable:
        tables = tables or shareable_tables(tagged, min_cell)
        phases = tables["phases"][tables["phases"]["group_id"] == group]
        profile = tables["profile"][tables["profile"]["group_id"] == group]
        tests = tables["trend_tests"][tables["trend_tests"]["group_id"] == group]
        sections.append(f"<h2>Overview</h2><p>{sessions} sessions.</p>")
        shown = profile.assign(factor=profile["factor"].map(_name))[["factor", "n_reflections", "n_tagged", "prevalence"]]
        sections.append(_table(shown, {"prevalence": "{:.0%}"}))
        sections.append("<h2>Phases</h2>" + _img(plot_phases(phases.astype({"prevalence": float, "ci_low": float, "ci_high": float})).figure,
                                                  "prevalence by phase"))
        shown = phases.assign(factor=phases["factor"].map(_name))[["phase", "factor", "n_reflections", "n_tagged", "prevalence"]]
        sections.append(_table(shown, {"prevalence": "{:.0%}"}))
    else:
        trends = summarize_trends(part)
        phases = phase_summary(part)
        tests = trend_tests(part)
        profile = factor_profile(part)
        members = part[MEMBER].nunique() if MEMBER in part.columns else 0
        untagged = int((part["status"].astype(str) != "ok").sum()) if "status" in part.columns else 0
        sections.append(f"<h2>Overview</h2><p>{sessions} sessions, {members} members, {len(part)} reflections "
                        f"({untagged} blank or not tagged).</p>")
        shown = profile.assign(factor=profile["factor"].map(_name))[["factor", "n_reflections", "n_tagged", "prevalence", "ci_low", "ci_high"]]
        sections.append(_table(shown, {"prevalence": "{:.0%}", "ci_low": "{:.0%}", "ci_high": "{:.0%}"}))
        sections.append("<h2>Factors over sessions</h2>" + _img(plot_prevalence(trends), "prevalence over sessions"))
        sections.append(_img(plot_heatmap(trends).figure, "heatmap of prevalence by session"))
        sections.append("<h2>Phases</h2>" + _img(plot_phases(phases).figure, "prevalence by phase"))
    sections.append("<h2>Change over sessions</h2><p class=\"muted\">GEE logistic regression of each factor on session "
                    "number, clustered on member. Classifier error adds uncertainty that these intervals do not include; "
                    "see the model card.</p><ul>")
    sections += [f"<li>{html.escape(plain_language(row))}</li>" for _, row in tests.iterrows()]
    sections.append("</ul>")
    if not shareable:
        timeline = member_timeline(part)
        sections.append("<h2>Member timelines</h2>" + _img(plot_member_timeline(timeline, part).figure, "member timelines"))
        sections.append(_evidence_section(part, model))
    body = "\n".join(sections)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{_CSS}</style></head>"
            f"<body>{body}</body></html>")


def write_reports(
    tagged: pd.DataFrame,
    out: str | Path,
    shareable: bool = False,
    min_cell: int = 11,
    model: Any = None,
    groups: Sequence[str] | None = None,
    progress: bool = False,
) -> list[Path]:
    """Write one HTML report per group and the tables as CSV into ``out``.

    Parameters
    ----------
    tagged : DataFrame
        Output of :meth:`FactorTagger.tag` with group, session and member columns.
    out : path
        Folder; created if needed.
    shareable : bool, default False
        Leave out text and member-level data, and suppress counts below ``min_cell``.
    min_cell : int, default 11
    model : FactorTagger, optional
        Used for evidence phrases in the full report; the default built-in model when None.
    progress : bool, default False
        Show a progress bar over groups.

    Returns
    -------
    list of Path
        The HTML files written.
    """
    require_columns(tagged, [GROUP, SESSION, MEMBER], "the tagged table")
    if min_cell < 2:
        raise SchemaError("min_cell must be at least 2")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not shareable and model is None and "text" in tagged.columns:
        from .builtin import load_model

        model = load_model()
    paths = []
    if shareable:
        tables = shareable_tables(tagged, min_cell)
        for name, table in tables.items():
            table.to_csv(out / f"{name}.csv", index=False)
    else:
        tables = None
        summarize_trends(tagged).to_csv(out / "trends.csv", index=False)
        phase_summary(tagged).to_csv(out / "phases.csv", index=False)
        trend_tests(tagged).to_csv(out / "trend_tests.csv", index=False)
        factor_profile(tagged).to_csv(out / "profile.csv", index=False)
        member_timeline(tagged).to_csv(out / "member_timeline.csv", index=False)
    chosen = list(groups or sorted(tagged[GROUP].dropna().unique()))
    if progress:
        from tqdm import tqdm

        chosen = tqdm(chosen, desc="reports", unit="group")
    for group in chosen:
        path = out / f"report_{_safe(str(group))}.html"
        path.write_text(render_group_report(tagged, group, shareable, min_cell, model, tables), encoding="utf-8")
        paths.append(path)
    return paths


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)

"""Figures. Each takes a table from :mod:`yalomfactors.trends`, draws on ``ax`` when given, and
returns the Axes (or the Figure for small multiples). Nothing here calls ``show()`` or ``savefig()``.

Every factor has one fixed colour across all plots (:data:`FACTOR_COLOURS`), taken from Paul Tol's
colour-blind-safe "muted" scheme plus Okabe-Ito orange and blue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import codebook
from .exceptions import SchemaError
from .schema import require_columns

__all__ = ["FACTOR_COLOURS", "plot_prevalence", "plot_heatmap", "plot_phases", "plot_member_timeline", "plot_profiles"]

FACTOR_COLOURS: dict[str, str] = {
    "universality": "#332288",
    "hope": "#117733",
    "interpersonal_learning": "#44AA99",
    "corrective_emotional_experience": "#88CCEE",
    "altruism": "#DDCC77",
    "imparting_information": "#CC6677",
    "group_cohesiveness": "#AA4499",
    "catharsis": "#882255",
    "existential_factors": "#999933",
    "family_reenactment": "#E69F00",
    "socializing_techniques": "#0072B2",
    "imitative_behavior": "#555555",
}


def _pyplot() -> Any:
    # Imported lazily: matplotlib picks a headless backend by itself when there is no display.
    import matplotlib.pyplot as plt

    return plt


def _one_group(table: pd.DataFrame, group: str | None) -> tuple[pd.DataFrame, str]:
    require_columns(table, ["group_id"], "the trends table")
    groups = list(pd.unique(table["group_id"]))
    if group is None:
        if len(groups) != 1:
            raise SchemaError(f"the table holds {len(groups)} groups; pass group= one of {groups[:10]}")
        group = groups[0]
    elif group not in groups:
        raise SchemaError(f"group {group!r} is not in the table; groups are {groups[:10]}")
    return table[table["group_id"] == group], str(group)


def _factor_list(table: pd.DataFrame, factors: Sequence[str] | None) -> list[str]:
    present = list(pd.unique(table["factor"]))
    chosen = present if factors is None else [codebook.get_factor(f).id for f in factors]
    return [f for f in codebook.factor_ids() if f in chosen]


def plot_prevalence(
    trends: pd.DataFrame,
    group: str | None = None,
    factors: Sequence[str] | None = None,
    ax: Any = None,
    ncols: int = 4,
) -> Any:
    """Prevalence over sessions with 95% Wilson bands.

    With one factor and ``ax`` given, draws on ``ax`` and returns it; otherwise returns a Figure of
    small multiples, one panel per factor, sharing the y axis (0 to 100%).
    """
    require_columns(trends, ["group_id", "session_number", "factor", "prevalence", "ci_low", "ci_high"], "the trends table")
    part, group = _one_group(trends, group)
    factors = _factor_list(part, factors)
    plt = _pyplot()
    if ax is not None:
        if len(factors) != 1:
            raise SchemaError("with ax= give exactly one factor (factors=['hope']); omit ax for small multiples")
        _draw_prevalence(ax, part[part["factor"] == factors[0]], factors[0])
        return ax
    ncols = min(ncols, len(factors))
    nrows = int(np.ceil(len(factors) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.5 * nrows), sharex=True, sharey=True, squeeze=False)
    for panel, factor in zip(axes.flat, factors):
        _draw_prevalence(panel, part[part["factor"] == factor], factor)
    for panel in list(axes.flat)[len(factors):]:
        panel.set_visible(False)
    for panel in axes[-1]:
        panel.set_xlabel("session")
    fig.suptitle(f"Group {group}: share of reflections showing each factor (95% interval)", fontsize=11)
    fig.tight_layout()
    return fig


def _draw_prevalence(ax: Any, rows: pd.DataFrame, factor: str) -> None:
    colour = FACTOR_COLOURS[factor]
    rows = rows.sort_values("session_number")
    x = rows["session_number"].to_numpy(dtype=float)
    y = rows["prevalence"].to_numpy(dtype=float)
    ax.fill_between(x, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float), color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, y, marker="o", markersize=3, color=colour, linewidth=1.5)
    missing = x[np.isnan(y)]
    if missing.size:
        ax.plot(missing, np.zeros_like(missing), linestyle="none", marker="x", color="0.6", markersize=4)
    ax.set_title(codebook.get_factor(factor).short_name, fontsize=9, color=colour)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent())
    ax.grid(axis="y", alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def plot_heatmap(trends: pd.DataFrame, group: str | None = None, factors: Sequence[str] | None = None, ax: Any = None) -> Any:
    """Factor x session heatmap of prevalence; sessions without reflections are left blank."""
    part, group = _one_group(trends, group)
    factors = _factor_list(part, factors)
    grid = part.pivot_table(index="factor", columns="session_number", values="prevalence", dropna=False).reindex(factors)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.45 * grid.shape[1], 0.9 + 0.35 * len(factors)))
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_yticks(range(len(factors)), [codebook.get_factor(f).short_name for f in factors], fontsize=8)
    ax.set_xticks(range(grid.shape[1]), [str(s) for s in grid.columns], fontsize=8)
    ax.set_xlabel("session")
    ax.set_title(f"Group {group}: prevalence by session", fontsize=10)
    colourbar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    colourbar.ax.yaxis.set_major_formatter(_percent())
    return ax


def plot_phases(phases: pd.DataFrame, group: str | None = None, factors: Sequence[str] | None = None, ax: Any = None) -> Any:
    """Prevalence of each factor in each phase (grouped bars with 95% intervals)."""
    require_columns(phases, ["group_id", "phase", "factor", "prevalence", "ci_low", "ci_high"], "the phase table")
    part, group = _one_group(phases, group)
    factors = _factor_list(part, factors)
    phase_names = list(dict.fromkeys(part["phase"]))
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.8 * len(factors) * len(phase_names) / 2), 3.2))
    width = 0.8 / len(phase_names)
    shades = np.linspace(0.45, 1.0, len(phase_names))
    for i, phase in enumerate(phase_names):
        rows = part[part["phase"] == phase].set_index("factor").reindex(factors)
        x = np.arange(len(factors)) + (i - (len(phase_names) - 1) / 2) * width
        y = rows["prevalence"].to_numpy(dtype=float)
        errors = np.vstack([y - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - y])
        ax.bar(x, y, width, color=[FACTOR_COLOURS[f] for f in factors], alpha=float(shades[i]), label=phase,
               yerr=np.clip(np.nan_to_num(errors), 0, None), error_kw={"elinewidth": 0.7, "ecolor": "0.3"}, edgecolor="white")
    ax.set_xticks(range(len(factors)), [codebook.get_factor(f).short_name for f in factors], rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_title(f"Group {group}: phases ({', '.join(phase_names)}; lighter = earlier)", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_member_timeline(
    timeline: pd.DataFrame, tagged: pd.DataFrame, group: str | None = None, ax: Any = None
) -> Any:
    """Members x sessions: a coloured mark per factor reported, a grey dot for a reflection with none.

    ``timeline`` is :func:`~yalomfactors.trends.member_timeline`'s output; ``tagged`` gives the
    factor decisions behind it.
    """
    part, group = _one_group(timeline, group)
    rows = tagged[tagged["group_id"] == group]
    members = sorted(part["member_id"].unique())
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.9 + 0.4 * len(members)))
    factors = [f for f in codebook.factor_ids() if f in rows.columns]
    for y, member in enumerate(members):
        mine = rows[rows["member_id"] == member]
        for _, row in mine.iterrows():
            shown = [f for f in factors if bool(pd.notna(row[f]) and row[f])]
            x = float(row["session_number"])
            if not shown:
                ax.plot(x, y, marker="o", color="0.75", markersize=4, linestyle="none")
            for k, factor in enumerate(shown):
                offset = (k - (len(shown) - 1) / 2) * 0.14
                ax.plot(x + offset, y, marker="s", color=FACTOR_COLOURS[factor], markersize=5, linestyle="none")
    ax.set_yticks(range(len(members)), members, fontsize=8)
    ax.set_xlabel("session")
    ax.set_title(f"Group {group}: factors each member reported", fontsize=10)
    handles = [plt.Line2D([], [], marker="s", linestyle="none", color=FACTOR_COLOURS[f], label=codebook.get_factor(f).short_name)
               for f in factors]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return ax


def plot_profiles(profile: pd.DataFrame, factors: Sequence[str] | None = None, ax: Any = None) -> Any:
    """Factor profile of each group side by side (prevalence over all sessions)."""
    require_columns(profile, ["group_id", "factor", "prevalence"], "the profile table")
    factors = _factor_list(profile, factors)
    groups = list(pd.unique(profile["group_id"]))
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(1.5 + 0.55 * len(factors) * max(1, len(groups)) / 2, 3.2))
    width = 0.8 / len(groups)
    for i, group in enumerate(groups):
        rows = profile[profile["group_id"] == group].set_index("factor").reindex(factors)
        x = np.arange(len(factors)) + (i - (len(groups) - 1) / 2) * width
        ax.bar(x, rows["prevalence"].to_numpy(dtype=float), width, color=[FACTOR_COLOURS[f] for f in factors],
               edgecolor="black", linewidth=0.3, hatch=["", "//", "..", "xx", "\\\\", "++"][i % 6], label=str(group))
    ax.set_xticks(range(len(factors)), [codebook.get_factor(f).short_name for f in factors], rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent())
    ax.legend(title="group (hatch)", fontsize=7)
    ax.set_title("Factor profile by group", fontsize=10)
    return ax

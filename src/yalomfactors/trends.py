"""How factors move over a group's life: tables, phases, member timelines and trend statistics.

Every function takes a *tagged table*: one row per reflection with group,
session and member columns and, per factor, a boolean decision column named by
the factor id (as returned by :meth:`FactorTagger.tag`) and optionally a
``p_<factor>`` probability column. Gold labels in the same 0/1 shape work too.
Rows whose ``status`` is not ``ok`` or ``too_long_truncated`` are not counted as
reflections (they were not tagged); they are reported in ``n_untagged``.

Examples
--------
>>> from yalomfactors import load_sample, load_model
>>> from yalomfactors.trends import summarize_trends
>>> sample = load_sample()
>>> tagged = load_model("fast").tag(sample)
>>> table = summarize_trends(tagged)
>>> table.columns[:4].tolist()
['group_id', 'session_number', 'factor', 'n_reflections']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import codebook
from .exceptions import InsufficientDataError, SchemaError
from .schema import GROUP, GROUP_TYPE, MEMBER, SESSION, STATUS, require_columns

__all__ = [
    "summarize_trends",
    "session_counts",
    "trends_from_counts",
    "phase_summary",
    "factor_profile",
    "member_timeline",
    "trend_tests",
    "pooled_trends",
    "compare_group_types",
    "wilson_interval",
    "MIN_SESSIONS",
    "MIN_REFLECTIONS",
    "MIN_EVENTS",
]

#: Fewer distinct sessions than this and a trend is not estimated.
MIN_SESSIONS = 4
#: Fewer tagged reflections than this in a group and a trend is not estimated.
MIN_REFLECTIONS = 20
#: A factor seen fewer times than this (or missing from fewer reflections) gets no trend: robust
#: standard errors are unreliable with so few events and would call noise a trend.
MIN_EVENTS = 8
_TAGGED_STATUSES = ("ok", "too_long_truncated")


def wilson_interval(successes: np.ndarray, totals: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions; NaN where the total is 0."""
    from scipy.stats import norm

    successes = np.asarray(successes, dtype=float)
    totals = np.asarray(totals, dtype=float)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / totals
        denominator = 1 + z**2 / totals
        centre = (p + z**2 / (2 * totals)) / denominator
        half = z * np.sqrt(p * (1 - p) / totals + z**2 / (4 * totals**2)) / denominator
    low, high = centre - half, centre + half
    low[totals == 0] = np.nan
    high[totals == 0] = np.nan
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def _factors(tagged: pd.DataFrame, factors: Sequence[str] | None) -> list[str]:
    if factors is None:
        found = [f for f in codebook.factor_ids() if f in tagged.columns]
        if not found:
            raise SchemaError(
                "the table has no factor columns; pass the output of FactorTagger.tag() or add one 0/1 column per factor id"
            )
        return found
    return [codebook.get_factor(f).id for f in factors]


def _prepare(tagged: pd.DataFrame, group: str, session: str, extra: Sequence[str] = ()) -> pd.DataFrame:
    require_columns(tagged, [group, session, *extra], "the tagged table")
    frame = tagged.copy()
    if frame[session].isna().any():
        rows = np.flatnonzero(frame[session].isna().to_numpy())[:5].tolist()
        raise SchemaError(f"column {session!r} has missing session numbers, first at row(s) {rows}")
    if STATUS in frame.columns:
        frame["_tagged"] = frame[STATUS].astype(str).isin(_TAGGED_STATUSES)
    else:
        frame["_tagged"] = True
    return frame


def _decision(frame: pd.DataFrame, factor: str) -> pd.Series:
    return frame[factor].astype("Float64").fillna(0).astype(float)


def summarize_trends(
    tagged: pd.DataFrame,
    group: str = GROUP,
    session: str = SESSION,
    member: str | None = MEMBER,
    factors: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Prevalence of each factor per group and session, with Wilson intervals.

    Parameters
    ----------
    tagged : DataFrame
        Tagged reflections (see module docs).
    group, session : str
        Column names of the group id and session number.
    member : str or None, default "member_id"
        Column of member ids, used to count the members who reflected in each session; ignored
        when the column is absent or ``None``.
    factors : sequence of str, optional
        Factor ids; every factor column present by default.
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per group x session x factor, sessions from each group's first to last (a session
        with no tagged reflections has ``n_reflections`` 0 and NaN prevalence, not zero). Columns
        ``group_id``, ``session_number``, ``factor``, ``n_reflections``, ``n_untagged``, ``n_members``
        (distinct members with a tagged reflection; NaN without a member column), ``n_tagged``
        (reflections showing the factor), ``prevalence``, ``ci_low``, ``ci_high``,
        ``mean_probability`` (NaN without ``p_`` columns), ``session_date`` when present.
    """
    frame = _prepare(tagged, group, session)
    factors = _factors(frame, factors)
    counts = session_counts(frame, group, session, member, factors)
    table = trends_from_counts(counts, factors, level)
    if "session_date" in frame.columns and not table.empty:
        dates = frame.groupby([group, session])["session_date"].min().rename("session_date")
        dates.index = dates.index.set_names(["group_id", "session_number"])
        table = table.merge(dates, left_on=["group_id", "session_number"], right_index=True, how="left")
    return table


def session_counts(
    frame: pd.DataFrame, group: str, session: str, member: str | None, factors: Sequence[str]
) -> pd.DataFrame:
    """Per group and session: tagged and untagged reflections, members, and per-factor sums.

    The additive summary behind :func:`summarize_trends`; :mod:`yalomfactors.dask` computes the same
    table partition by partition. ``frame`` must carry the boolean ``_tagged`` column.
    """
    work = pd.DataFrame({"group_id": frame[group].to_numpy(), "session_number": frame[session].astype(int).to_numpy(),
                         "n_reflections": frame["_tagged"].astype(int).to_numpy(),
                         "n_untagged": (~frame["_tagged"]).astype(int).to_numpy()})
    for factor in factors:
        work[f"hits_{factor}"] = np.where(frame["_tagged"], _decision(frame, factor).to_numpy(), 0)
        if f"p_{factor}" in frame.columns:
            work[f"psum_{factor}"] = np.where(frame["_tagged"], frame[f"p_{factor}"].astype(float).fillna(0).to_numpy(), 0.0)
    counts = work.groupby(["group_id", "session_number"], sort=True).sum()
    if member is not None and member in frame.columns:
        tagged_rows = frame["_tagged"].to_numpy()
        members = pd.DataFrame({"group_id": frame[group].to_numpy()[tagged_rows],
                                "session_number": frame[session].astype(int).to_numpy()[tagged_rows],
                                "member": frame[member].to_numpy()[tagged_rows]})
        counts["n_members"] = members.groupby(["group_id", "session_number"])["member"].nunique()
        counts["n_members"] = counts["n_members"].fillna(0)
    return counts.reset_index()


def trends_from_counts(counts: pd.DataFrame, factors: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Finish :func:`session_counts` into the trends table: every session of each group's span,
    prevalence with Wilson interval, mean probability."""
    columns = ["group_id", "session_number", "factor", "n_reflections", "n_untagged", "n_members", "n_tagged",
               "prevalence", "ci_low", "ci_high", "mean_probability"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for group_id, part in counts.groupby("group_id", sort=True):
        part = part.set_index("session_number")
        span = range(int(part.index.min()), int(part.index.max()) + 1)
        part = part.reindex(span)
        for factor in factors:
            for number, row in part.iterrows():
                n = 0 if pd.isna(row["n_reflections"]) else int(row["n_reflections"])
                psum = row.get(f"psum_{factor}", np.nan)
                rows.append({
                    "group_id": group_id, "session_number": int(number), "factor": factor, "n_reflections": n,
                    "n_untagged": 0 if pd.isna(row["n_untagged"]) else int(row["n_untagged"]),
                    "n_members": (0 if pd.isna(row["n_members"]) else int(row["n_members"])) if "n_members" in part else np.nan,
                    "n_tagged": int(row[f"hits_{factor}"]) if n else 0,
                    "mean_probability": float(psum) / n if n and f"psum_{factor}" in part else np.nan,
                })
    table = pd.DataFrame(rows)
    n = table["n_reflections"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["prevalence"] = np.where(n > 0, table["n_tagged"] / np.maximum(n, 1), np.nan)
    table["ci_low"], table["ci_high"] = wilson_interval(table["n_tagged"].to_numpy(), n, level)
    return table[columns]


def _phase_labels(sessions: np.ndarray, cuts: Sequence[int] | None) -> dict[int, str]:
    unique = np.unique(sessions)
    if cuts is None:
        parts = np.array_split(unique, 3)
        names = ("early", "middle", "late")
        return {int(s): name for name, part in zip(names, parts) for s in part}
    edges = sorted(int(c) for c in cuts)
    labels = {}
    for s in unique:
        index = int(np.searchsorted(edges, s, side="right"))
        labels[int(s)] = f"phase {index + 1}"
    return labels


def phase_summary(
    tagged: pd.DataFrame,
    group: str = GROUP,
    session: str = SESSION,
    factors: Sequence[str] | None = None,
    cuts: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Prevalence per group, phase and factor.

    Phases are the early, middle and late thirds of each group's sessions, or, with ``cuts``,
    ``phase 1`` = sessions before the first cut, ``phase 2`` from it to before the next, and so on.

    Returns
    -------
    DataFrame
        ``group_id``, ``phase``, ``first_session``, ``last_session``, ``factor``, ``n_reflections``,
        ``n_tagged``, ``prevalence``, ``ci_low``, ``ci_high``, ``mean_probability``.
    """
    frame = _prepare(tagged, group, session)
    factors = _factors(frame, factors)
    rows = []
    for group_id, part in frame.groupby(group, sort=True, observed=True):
        labels = _phase_labels(part[session].astype(int).to_numpy(), cuts)
        phase = part[session].astype(int).map(labels)
        ok_mask = part["_tagged"].to_numpy()
        for name in dict.fromkeys(labels.values()):
            in_phase = (phase == name).to_numpy()
            members = part[in_phase & ok_mask]
            sessions = [s for s, label in labels.items() if label == name]
            for factor in factors:
                rows.append({
                    "group_id": group_id, "phase": name, "first_session": min(sessions), "last_session": max(sessions),
                    "factor": factor, "n_reflections": len(members), "n_tagged": int(_decision(members, factor).sum()),
                    "mean_probability": float(members[f"p_{factor}"].mean()) if f"p_{factor}" in members.columns and len(members) else np.nan,
                })
    table = pd.DataFrame(rows)
    n = table["n_reflections"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["prevalence"] = np.where(n > 0, table["n_tagged"] / np.maximum(n, 1), np.nan)
    table["ci_low"], table["ci_high"] = wilson_interval(table["n_tagged"].to_numpy(), n)
    return table[["group_id", "phase", "first_session", "last_session", "factor", "n_reflections", "n_tagged",
                  "prevalence", "ci_low", "ci_high", "mean_probability"]]


def factor_profile(
    tagged: pd.DataFrame, group: str = GROUP, factors: Sequence[str] | None = None
) -> pd.DataFrame:
    """Each group's factor profile over all its sessions.

    Returns
    -------
    DataFrame
        ``group_id``, ``group_type`` (when present), ``factor``, ``n_reflections``, ``n_tagged``,
        ``prevalence``, ``ci_low``, ``ci_high``, ``mean_probability``.
    """
    require_columns(tagged, [group], "the tagged table")
    frame = tagged.copy()
    frame["_session"] = 0
    table = phase_summary(frame, group=group, session="_session", factors=factors)
    table = table.drop(columns=["phase", "first_session", "last_session"])
    if GROUP_TYPE in tagged.columns:
        kinds = tagged.groupby(group, observed=True)[GROUP_TYPE].first().rename(GROUP_TYPE)
        table = table.merge(kinds, left_on="group_id", right_index=True, how="left")
        table.insert(1, GROUP_TYPE, table.pop(GROUP_TYPE))
    return table


def member_timeline(
    tagged: pd.DataFrame,
    group: str = GROUP,
    session: str = SESSION,
    member: str = MEMBER,
    factors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Which factors each (pseudonymous) member reported, session by session, for clinical review.

    Returns
    -------
    DataFrame
        One row per reflection: ``group_id``, ``member_id``, ``session_number``, ``status``,
        ``factors`` (display short names joined by ", "; empty for none; NaN when not tagged),
        ``n_factors`` (nullable integer, missing when not tagged); absences are simply absent rows.
    """
    frame = _prepare(tagged, group, session, extra=[member])
    factors = _factors(frame, factors)
    names = {f: codebook.get_factor(f).short_name for f in factors}
    decisions = np.column_stack([_decision(frame, f).to_numpy() for f in factors]).astype(bool)
    listed = [", ".join(names[f] for f, on in zip(factors, row) if on) for row in decisions]
    out = pd.DataFrame({
        "group_id": frame[group].to_numpy(), "member_id": frame[member].to_numpy(),
        "session_number": frame[session].astype(int).to_numpy(),
        "status": frame[STATUS].astype(str).to_numpy() if STATUS in frame.columns else "ok",
        "factors": listed,
    })
    untagged = ~frame["_tagged"].to_numpy()
    out.loc[untagged, "factors"] = np.nan
    # A count, missing where not tagged: a nullable integer (as tag()'s own n_factors), not a float.
    out["n_factors"] = pd.arrays.IntegerArray(decisions.sum(axis=1).astype("int64"), untagged.copy())
    return out.sort_values(["group_id", "member_id", "session_number"], kind="stable").reset_index(drop=True)


def _check_outcome(outcome: str) -> None:
    if outcome not in ("decision", "probability"):
        raise SchemaError(f"outcome must be 'decision' or 'probability'; got {outcome!r}")


def _outcome(frame: pd.DataFrame, factor: str, outcome: str) -> np.ndarray:
    """The response a trend model fits: 0/1 decisions or calibrated probabilities."""
    if outcome == "decision":
        return _decision(frame, factor).to_numpy()
    if f"p_{factor}" not in frame.columns:
        raise SchemaError(f"outcome='probability' needs a column 'p_{factor}'; tag with a model first")
    return frame[f"p_{factor}"].to_numpy(dtype=float)


def _direction(odds_ratio: float, p_value: float, alpha: float) -> str:
    if not np.isfinite(p_value) or p_value >= alpha:
        return "no clear change"
    return "rising" if odds_ratio > 1 else "falling"


def _gee(outcome: np.ndarray, design: pd.DataFrame, clusters: np.ndarray) -> tuple[float, float, float, float]:
    """Fit a GEE logistic model with exchangeable working correlation; return the session OR, CI and p."""
    import statsmodels.api as sm
    from statsmodels.genmod.cov_struct import Exchangeable, Independence

    for structure in (Exchangeable(), Independence()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = sm.GEE(outcome, design, groups=clusters, family=sm.families.Binomial(), cov_struct=structure).fit(cov_type="bias_reduced")
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
                continue
        beta = float(result.params["session"])
        se = float(result.bse["session"])
        if np.isfinite(beta) and np.isfinite(se) and se > 0:
            p = float(result.pvalues["session"])
            return float(np.exp(beta)), float(np.exp(beta - 1.96 * se)), float(np.exp(beta + 1.96 * se)), p
    return np.nan, np.nan, np.nan, np.nan


def trend_tests(
    tagged: pd.DataFrame,
    group: str = GROUP,
    session: str = SESSION,
    member: str = MEMBER,
    factors: Sequence[str] | None = None,
    outcome: str = "decision",
    alpha: float = 0.05,
    min_sessions: int = MIN_SESSIONS,
    min_reflections: int = MIN_REFLECTIONS,
) -> pd.DataFrame:
    """Direction and size of change over sessions, per group and factor.

    A GEE logistic regression of the factor on session number, clustered on member (an
    exchangeable working correlation, robust standard errors), so repeated reflections by the
    same member are not counted as independent.

    Parameters
    ----------
    outcome : {"decision", "probability"}
        Model the tagger's 0/1 decisions, or its calibrated probabilities (a quasi-binomial
        fit that carries the classifier's uncertainty into the estimate instead of hiding it).
    alpha : float, default 0.05
        Significance level behind the plain-language ``direction``.
    min_sessions, min_reflections : int
        Below these the trend is not estimated and ``direction`` says "too little data".

    Returns
    -------
    DataFrame
        ``group_id``, ``factor``, ``outcome``, ``n_reflections``, ``n_sessions``, ``n_members``,
        ``n_tagged``, ``odds_ratio_per_session``, ``ci_low``, ``ci_high``, ``p_value``, ``direction``
        ("rising", "falling", "no clear change" or "too little data"), ``note``.
    """
    _check_outcome(outcome)
    frame = _prepare(tagged, group, session, extra=[member])
    factors = _factors(frame, factors)
    rows = []
    for group_id, part in frame.groupby(group, sort=True, observed=True):
        ok = part[part["_tagged"]]
        n_sessions = int(ok[session].nunique())
        for factor in factors:
            row = {"group_id": group_id, "factor": factor, "outcome": outcome, "n_reflections": len(ok),
                   "n_sessions": n_sessions, "n_members": int(ok[member].nunique()),
                   "n_tagged": int(_decision(ok, factor).sum()), "odds_ratio_per_session": np.nan,
                   "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "direction": "too little data", "note": ""}
            y = _outcome(ok, factor, outcome)
            if n_sessions < min_sessions or len(ok) < min_reflections:
                row["note"] = f"needs at least {min_sessions} sessions and {min_reflections} tagged reflections"
            elif row["n_tagged"] < MIN_EVENTS and outcome == "decision":
                row["note"] = f"the factor was tagged fewer than {MIN_EVENTS} times; too rare to estimate a trend"
            elif len(ok) - row["n_tagged"] < MIN_EVENTS and outcome == "decision":
                row["note"] = "the factor was tagged in almost every reflection; no trend can be estimated"
            else:
                design = pd.DataFrame({"const": 1.0, "session": ok[session].astype(float).to_numpy()})
                odds_ratio, low, high, p = _gee(y, design, ok[member].astype(str).to_numpy())
                if np.isfinite(odds_ratio):
                    row.update(odds_ratio_per_session=odds_ratio, ci_low=low, ci_high=high, p_value=p,
                               direction=_direction(odds_ratio, p, alpha))
                else:
                    row["note"] = "the model did not converge (too little variation)"
            rows.append(row)
    return pd.DataFrame(rows)


def pooled_trends(
    tagged: pd.DataFrame,
    group: str = GROUP,
    session: str = SESSION,
    member: str = MEMBER,
    factors: Sequence[str] | None = None,
    outcome: str = "decision",
    alpha: float = 0.05,
    relative: bool = True,
    cluster: str = "member",
) -> pd.DataFrame:
    """One trend per factor across all groups, for researchers.

    A GEE logistic regression of the factor on session. With ``cluster="member"`` (default) each
    group gets its own baseline (a fixed effect) and reflections are clustered on member within
    group; with ``cluster="group"`` the groups themselves are the clusters (a population-average
    trend across groups, sound only with many groups: robust errors need tens of clusters). With
    ``relative=True`` the session is rescaled to the group's course (0 = first session, 1 = last),
    so groups of different length pool; the odds ratio is then from first to last session.

    Returns
    -------
    DataFrame
        ``factor``, ``outcome``, ``n_groups``, ``n_reflections``, ``odds_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``direction``, ``scale`` ("first to last session" or "per session").
    """
    _check_outcome(outcome)
    frame = _prepare(tagged, group, session, extra=[member])
    factors = _factors(frame, factors)
    ok = frame[frame["_tagged"]].copy()
    if ok[group].nunique() < 2:
        raise InsufficientDataError("pooled trends need at least two groups; use trend_tests() for one group")
    position = ok[session].astype(float)
    if relative:
        first = position.groupby(ok[group]).transform("min")
        last = position.groupby(ok[group]).transform("max")
        position = (position - first) / (last - first).replace(0, np.nan)
    if cluster not in ("member", "group"):
        raise SchemaError(f"cluster must be 'member' or 'group'; got {cluster!r}")
    if cluster == "member":
        design = pd.get_dummies(ok[group].astype(str), prefix="group", drop_first=False, dtype=float)
        clusters = (ok[group].astype(str) + "/" + ok[member].astype(str)).to_numpy()
    else:
        if ok[group].nunique() < 10:
            warnings.warn(f"cluster='group' with {ok[group].nunique()} groups: robust standard errors are unreliable "
                          "with fewer than about 10 clusters; prefer cluster='member'", UserWarning, stacklevel=2)
        design = pd.DataFrame({"const": np.ones(len(ok))}, index=ok.index)
        clusters = ok[group].astype(str).to_numpy()
    design["session"] = position.fillna(0).to_numpy()
    rows = []
    for factor in factors:
        y = _outcome(ok, factor, outcome)
        odds_ratio, low, high, p = _gee(y, design.reset_index(drop=True), clusters)
        rows.append({"factor": factor, "outcome": outcome, "cluster": cluster, "n_groups": int(ok[group].nunique()), "n_reflections": len(ok),
                     "odds_ratio": odds_ratio, "ci_low": low, "ci_high": high, "p_value": p,
                     "direction": _direction(odds_ratio, p, alpha) if np.isfinite(odds_ratio) else "too little data",
                     "scale": "first to last session" if relative else "per session"})
    return pd.DataFrame(rows)


def compare_group_types(
    tagged: pd.DataFrame, group_type: str = GROUP_TYPE, factors: Sequence[str] | None = None
) -> pd.DataFrame:
    """Compare factor prevalence across kinds of group.

    Returns
    -------
    DataFrame
        One row per factor: ``factor``, one prevalence column per group type, ``chi2``, ``p_value``
        (chi-square test of independence of factor and group type; NaN when a test is impossible).
    """
    from scipy.stats import chi2_contingency

    frame = _prepare(tagged.assign(_s=0), group_type, "_s")
    factors = _factors(frame, factors)
    ok = frame[frame["_tagged"]]
    rows = []
    for factor in factors:
        hits = _decision(ok, factor)
        table = pd.crosstab(ok[group_type], hits)
        row: dict[str, Any] = {"factor": factor}
        row.update({f"prevalence_{kind}": float(value) for kind, value in hits.groupby(ok[group_type], observed=True).mean().items()})
        if table.shape[0] >= 2 and table.shape[1] == 2:
            chi2, p, _, _ = chi2_contingency(table.to_numpy())
            row.update(chi2=float(chi2), p_value=float(p))
        else:
            row.update(chi2=np.nan, p_value=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)

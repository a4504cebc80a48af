"""Tagging and trend tables on a Dask DataFrame, for data beyond one machine.

Needs the ``dask`` extra: ``pip install 'yalomfactors[dask]'``.

:func:`tag` tags a Dask DataFrame partition by partition with a declared output
schema; each worker process loads the model once, from its skops file (a
built-in name or a path every worker can read). :func:`summarize_trends` adds up
per-session counts across partitions and finishes them exactly as
:func:`yalomfactors.trends.summarize_trends` does, so both give the same table.

Examples
--------
>>> import dask.dataframe as dd
>>> from yalomfactors import load_sample
>>> from yalomfactors import dask as yfd
>>> ddf = dd.from_pandas(load_sample(), npartitions=4)
>>> tagged = yfd.tag(ddf, model="fast")
>>> table = yfd.summarize_trends(tagged)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import MissingExtraError, SchemaError
from .privacy import check_policy
from .schema import GROUP, MEMBER, SESSION

__all__ = ["tag", "summarize_trends"]


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:
        raise MissingExtraError("Dask support needs the dask extra: pip install 'yalomfactors[dask]'") from None
    return dd


@lru_cache(maxsize=4)
def _worker_model(reference: str) -> Any:
    """One model per worker process and file: loaded on first use, then reused for every partition."""
    from .builtin import load_model

    return load_model(reference)


def _reference(model: str | Path | None) -> str:
    from .builtin import BUILTIN_MODELS, default_model_name

    if model is None:
        return default_model_name()
    if isinstance(model, str) and model in BUILTIN_MODELS:
        return model
    if isinstance(model, (str, Path)):
        path = Path(model).resolve()
        if not path.is_file():
            raise SchemaError(f"model file {str(path)!r} does not exist; give a built-in name or a .skops path every worker can read")
        return str(path)
    raise SchemaError("model must be a built-in name ('fast', 'accurate') or a path to a .skops file, so that each "
                      "worker loads it from disk; save a FactorTagger with save_model() first")


def _tag_partition(part: pd.DataFrame, reference: str, text_column: str, evidence: bool, identifiers: str) -> pd.DataFrame:
    out = _worker_model(reference).tag(part, text_column=text_column, evidence=evidence, identifiers=identifiers)
    out.index = part.index
    return out


def tag(
    ddf: Any, model: str | Path | None = None, text_column: str = "text", evidence: bool = False, identifiers: str = "warn"
) -> Any:
    """Tag every row of a Dask DataFrame; lazy, like any Dask operation.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Reflections, with ``text_column``.
    model : {"fast", "accurate"}, path or None
        Built-in name or a ``.skops`` path readable by every worker; default the best installed.
    text_column : str, default "text"
    evidence : bool, default False
    identifiers : {"warn", "redact", "raise", "ignore"}, default "warn"
        Identifier policy, applied on the workers to each partition (a warning cites row positions
        within the partition). Reflection ids are not checked for uniqueness across partitions.

    Returns
    -------
    dask.dataframe.DataFrame
        Same partitions and index as ``ddf``; columns as :meth:`FactorTagger.tag` (declared up front).
    """
    _dask()
    if text_column not in ddf.columns:
        raise SchemaError(f"no column {text_column!r}; found {list(map(str, ddf.columns))}; pass text_column=")
    reference = _reference(model)
    empty = ddf._meta.iloc[:0].copy()
    check_policy(identifiers)
    meta = _worker_model(reference).tag(empty, text_column=text_column, evidence=evidence, identifiers="ignore")
    return ddf.map_partitions(_tag_partition, reference, text_column, evidence, identifiers, meta=meta)


def summarize_trends(
    tagged: Any,
    group: str = GROUP,
    session: str = SESSION,
    member: str | None = MEMBER,
    factors: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """:func:`yalomfactors.trends.summarize_trends` for a tagged Dask DataFrame.

    Each partition is reduced to per-session sums, the sums are added across partitions, and only
    that small table is brought back and finished in pandas. Members seen in more than one
    partition are counted once.

    Returns
    -------
    pandas.DataFrame
        The same columns as the pandas version (without ``session_date``).
    """
    from .trends import _factors, _prepare, session_counts, trends_from_counts

    _dask()
    factors = _factors(tagged._meta, factors)
    keys = ["group_id", "session_number"]

    def partial(part: pd.DataFrame) -> pd.DataFrame:
        counts = session_counts(_prepare(part, group, session), group, session, None, factors)
        return counts

    meta = partial(tagged._meta.iloc[:0])
    sums = tagged.map_partitions(partial, meta=meta).groupby(keys).sum().compute()
    if member is not None and member in tagged.columns:
        def members(part: pd.DataFrame) -> pd.DataFrame:
            prepared = _prepare(part, group, session)
            rows = prepared[prepared["_tagged"]]
            return pd.DataFrame({"group_id": rows[group].to_numpy(), "session_number": rows[session].astype(int).to_numpy(),
                                 "member": rows[member].astype(str).to_numpy()})

        pairs = tagged.map_partitions(members, meta=pd.DataFrame({"group_id": pd.Series(dtype=object),
                                                                   "session_number": pd.Series(dtype=int),
                                                                   "member": pd.Series(dtype=object)}))
        distinct = pairs.drop_duplicates().groupby(keys)["member"].count().compute()
        sums["n_members"] = distinct.reindex(sums.index).fillna(0)
    return trends_from_counts(sums.reset_index(), factors, level)

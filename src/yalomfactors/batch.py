"""Tagging files larger than memory: chunked read, tag, write, with resume.

:func:`tag_file` reads CSV, Parquet or JSON Lines in chunks, tags each chunk and
writes it as a numbered part file next to the output (``OUTPUT.parts/``), each
part written to a temporary name and renamed when complete. When every chunk is
done the parts are joined, in order, into the output file and removed. An
interrupted run started again with ``resume=True`` skips the chunks whose parts
are complete, so no row is tagged twice, duplicated or lost. Memory stays
bounded by the chunk size, whatever the file's size (a CSV file of at most
:data:`READ_AT_ONCE_BYTES` is read once, whole, instead of twice).
"""

from __future__ import annotations

import codecs
import json
import shutil
import warnings
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import InputFileError, SchemaError
from .io import FORMATS, detect_columns, standardize, write_csv
from .privacy import apply_identifier_policy, check_identifiers, check_policy

__all__ = ["tag_file", "iter_chunks"]

_STATE = "progress.json"


def _encoding_and_delimiter(path: Path) -> tuple[str, str]:
    from .io import _sniff_delimiter, decode

    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise InputFileError(f"{path.name!r} is empty; export the reflections again")
    # a full sample may end inside a multi-byte character: leave out its last 3 bytes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a mixed-encoding head is reported once, for the whole file
        text, encoding = decode(head if len(head) < (1 << 16) else head[:-3])
    delimiter = _sniff_delimiter(text) or ("\t" if path.suffix.lower() == ".tsv" else ",")
    return encoding, delimiter


# Streamed CSV is read as UTF-8; a byte sequence that is not UTF-8 (a row pasted from a Windows-1252
# export) is read as cp1252 instead of failing the whole run, and counted for one warning at the end.
_FALLBACKS = {"count": 0}


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _FALLBACKS["count"] += 1
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("yalomfactors-cp1252", _cp1252_fallback)


def iter_chunks(
    path: str | Path, chunksize: int = 20_000, columns: list[str] | None = None
) -> Generator[pd.DataFrame, None, None]:
    """Yield a file's rows as DataFrames of at most ``chunksize`` rows, every column as text.

    ``columns`` reads only those columns (quicker for CSV and Parquet); all of them by default.

    Raises
    ------
    InputFileError
        Unknown format, empty or malformed file (the message cites the chunk, never content).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"input file {str(path)!r} does not exist; check the path")
    kind = FORMATS.get(path.suffix.lower())
    if kind == "csv":
        encoding, delimiter = _encoding_and_delimiter(path)
        encoding = "cp1252" if encoding == "cp1252" else "utf-8-sig"
        with pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, na_values=[""],
                         encoding=encoding, encoding_errors="yalomfactors-cp1252", chunksize=chunksize,
                         usecols=columns) as reader:
            yield from _guarded(reader, path)
    elif kind == "parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
        except Exception:  # pyarrow has many error types; name the file only
            raise InputFileError(f"could not read {path.name!r} as Parquet; the file may be truncated") from None
        for batch in parquet.iter_batches(batch_size=chunksize, columns=columns):
            yield batch.to_pandas()
    elif kind == "jsonl":
        with pd.read_json(path, lines=True, dtype=False, chunksize=chunksize) as reader:
            for chunk in _guarded(reader, path):
                yield chunk if columns is None else chunk[columns]
    else:
        raise InputFileError(f"streaming works on .csv, .parquet and .jsonl files; {path.name!r} is not one of them")


def _scan(path: Path, columns: Mapping[str, str | None] | None, chunksize: int, allow_duplicate_ids: bool,
          whole: pd.DataFrame | None = None) -> pd.Series | None:
    """Check the whole file's ids, session numbers and dates before any tagging; number the sessions.

    Reads only those columns, in large chunks (or takes them from ``whole``, the file already read
    at once), so that a long run does not stop half-way and each chunk's rows get what the whole
    file says, as when the file is read at once (:func:`yalomfactors.read_reflections`):

    - reflection ids must not repeat (unless ``allow_duplicate_ids``); ids are kept as 64-bit
      hashes (8 bytes a row), so memory stays small for millions of rows;
    - session numbers must be numbers and dates must be dates (errors cite row positions in the file);
    - sessions must be dated in order within each group, across the whole file;
    - with dates but no session numbers, sessions are numbered by date order within each group
      over the whole file. Returns that numbering (a Series indexed by group and date, or by date
      without a group column), else None.
    """
    import numpy as np

    from .io import (
        _check_session_dates,
        duplicate_id_error,
        not_dates_error,
        not_sessions_error,
        parse_dates,
        parse_sessions,
        sessions_from_dates,
        undated_warning,
    )
    from .schema import DATE, GROUP, REFLECTION_ID, SESSION

    if whole is None:
        reader = iter_chunks(path, 1)  # the first row, for the column names
        try:
            head = next(reader, None)
        finally:
            reader.close()
    else:
        head = whole.iloc[:1] if len(whole) else None
    if head is None:
        return None  # no rows: tag_file says so
    mapping, _ = detect_columns(head, columns)
    roles = [role for role in (REFLECTION_ID, GROUP, SESSION, DATE) if role in mapping]
    if allow_duplicate_ids and REFLECTION_ID in roles:
        roles.remove(REFLECTION_ID)
    if not set(roles) & {REFLECTION_ID, SESSION, DATE}:
        return None
    hashes: list[Any] = []
    rows: list[Any] = []
    bad: dict[str, list[Any]] = {SESSION: [], DATE: []}
    seen: list[pd.DataFrame] = []  # distinct (group, session, date) of each chunk
    undated: list[Any] = []
    offset = 0
    needed = list(dict.fromkeys(mapping[r] for r in roles))
    for chunk in iter_chunks(path, max(chunksize, 100_000), columns=needed) if whole is None else [whole[needed]]:
        if REFLECTION_ID in roles:
            ids = chunk[mapping[REFLECTION_ID]]
            present = ids.notna().to_numpy()  # a missing id repeats nothing
            hashes.append(pd.util.hash_pandas_object(ids[present].astype("string"), index=False).to_numpy())
            rows.append(offset + present.nonzero()[0])
        parts = {}
        if GROUP in roles and DATE in roles:
            parts[GROUP] = chunk[mapping[GROUP]].astype("string").to_numpy()
        if SESSION in roles:
            numbers, wrong = parse_sessions(chunk[mapping[SESSION]])
            bad[SESSION].append(offset + wrong.to_numpy().nonzero()[0])
            parts[SESSION] = numbers.to_numpy()
        if DATE in roles:  # session numbers and dates, for the checks across the whole file
            dates, wrong = parse_dates(chunk[mapping[DATE]])
            bad[DATE].append(offset + wrong.to_numpy().nonzero()[0])
            parts[DATE] = dates.to_numpy()
            if SESSION not in roles:
                undated.append(offset + dates.isna().to_numpy().nonzero()[0])
            seen.append(pd.DataFrame(parts).drop_duplicates())
        offset += len(chunk)
    for role, error in ((DATE, not_dates_error), (SESSION, not_sessions_error)):
        if bad[role] and (positions := np.concatenate(bad[role])).size:
            raise error(mapping[role], positions[:5].tolist(), int(positions.size))
    if hashes:
        values, positions = np.concatenate(hashes), np.concatenate(rows)
        _, first = np.unique(values, return_index=True)
        repeated = np.ones(len(values), dtype=bool)
        repeated[first] = False
        if repeated.any():
            raise duplicate_id_error(mapping[REFLECTION_ID], sorted(positions[repeated].tolist()), int(repeated.sum()))
    if not seen:
        return None
    sessions = pd.concat(seen, ignore_index=True).drop_duplicates()
    keys = [GROUP] if GROUP in sessions.columns else []
    if SESSION in sessions.columns:
        sessions[SESSION] = sessions[SESSION].astype("Int64")
        _check_session_dates(sessions, mapping)
        return None
    if undated and (positions := np.concatenate(undated)).size:
        warnings.warn(undated_warning(positions.tolist(), mapping[DATE]), UserWarning, stacklevel=3)
    dated = sessions.dropna(subset=keys + [DATE])[keys + [DATE]].drop_duplicates().reset_index(drop=True)
    numbers = sessions_from_dates(dated)  # the in-memory numbering, on the file's distinct (group, date) pairs
    return pd.Series(numbers.to_numpy(), index=pd.MultiIndex.from_frame(dated) if keys else pd.Index(dated[DATE]))


#: CSV files up to this size are read once, for the first pass and the chunks (a file's text takes
#: a few times its size in memory); larger ones are read twice, the first pass reading only the
#: columns it checks, so that memory stays bounded by the chunk size.
READ_AT_ONCE_BYTES = 16 << 20


def _read_if_small(path: Path) -> pd.DataFrame | None:
    """The whole file, every column as text, when it is a CSV file of at most
    :data:`READ_AT_ONCE_BYTES`; else None (it is streamed)."""
    if FORMATS.get(path.suffix.lower()) != "csv" or path.stat().st_size > READ_AT_ONCE_BYTES:
        return None
    frames = list(iter_chunks(path, 1 << 30))  # one chunk at most: the file has far fewer lines
    return frames[0] if frames else pd.DataFrame()


def _number_sessions(frame: pd.DataFrame, numbering: pd.Series) -> None:
    """Session numbers of a standardized chunk from the whole file's numbering (see :func:`_scan`)."""
    from .schema import DATE, GROUP, SESSION

    if GROUP in frame.columns and isinstance(numbering.index, pd.MultiIndex):
        keys = pd.MultiIndex.from_arrays([frame[GROUP].astype("string"), frame[DATE]])
    else:
        keys = pd.Index(frame[DATE])
    frame[SESSION] = pd.array(numbering.reindex(keys).to_numpy(), dtype="Int64")


def _guarded(reader: Any, path: Path) -> Iterator[pd.DataFrame]:
    number = 0
    try:
        for chunk in reader:
            yield chunk
            number += 1
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise InputFileError(
            f"{path.name!r} could not be read past chunk {number} ({type(error).__name__}); the file looks truncated "
            "or malformed (a quote never closed, a row with extra fields); re-export it"
        ) from None


def _write_part(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    if path.suffix == ".parquet":
        frame.to_parquet(temporary, index=False)
    else:
        write_csv(frame, temporary)
    temporary.replace(path)  # a part exists only once it is complete


def _join_parts(parts: list[Path], output: Path) -> None:
    temporary = output.with_name(output.name + ".tmp")
    if output.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        writer = None
        try:
            for part in parts:
                table = pq.read_table(part)
                if writer is None:
                    writer = pq.ParquetWriter(temporary, table.schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
    else:
        with temporary.open("wb") as out:
            for index, part in enumerate(parts):
                with part.open("rb") as handle:
                    header = handle.readline()
                    if index == 0:
                        out.write(header)
                    shutil.copyfileobj(handle, out)
    temporary.replace(output)


def tag_file(
    input_path: str | Path,
    output_path: str | Path,
    model: Any = None,
    columns: Mapping[str, str | None] | None = None,
    chunksize: int = 5_000,
    n_jobs: int | None = None,
    resume: bool = False,
    identifiers: str = "warn",
    allow_duplicate_ids: bool = False,
    progress: Callable[[int], None] | None = None,
    on_columns: Callable[[list[str]], None] | None = None,
    evidence: bool = False,
) -> dict[str, Any]:
    """Tag a CSV, Parquet or JSON Lines file chunk by chunk into a CSV or Parquet file.

    Parameters
    ----------
    input_path, output_path : path
        Input ``.csv``/``.parquet``/``.jsonl``; output ``.csv`` or ``.parquet``.
    model : FactorTagger, optional
        Default: the best built-in model installed.
    columns : mapping, optional
        Role to input column, as for :func:`yalomfactors.io.detect_columns`.
    chunksize : int, default 5000
        Rows per chunk, the unit of work of one process; memory grows with it, not with the file.
    n_jobs : int, optional
        Processes that tag (``-1``: every core): this one and ``n_jobs - 1`` workers. The output is
        identical for any value. This process always tags the file's last chunk, so a file of one
        chunk starts no worker.
    resume : bool, default False
        Continue an interrupted run with the same input, output and chunk size.
    identifiers : {"warn", "redact", "raise", "ignore"}
        Identifier policy, applied to every chunk; one warning is given for the whole file.
    allow_duplicate_ids : bool, default False
        Accept reflection ids that repeat. By default the id column (when there is one) is read
        first, and a repeated id raises :class:`~yalomfactors.exceptions.DuplicateIdError` before
        anything is tagged. In the same first pass, session numbers and dates are checked over the
        whole file (errors cite row positions in the file), and sessions given only by dates are
        numbered by date order over the whole file, so every chunk gets the numbers that
        :func:`~yalomfactors.read_reflections` gives when the file is read at once.
    progress : callable, optional
        Called with the number of rows of each chunk finished.
    on_columns : callable, optional
        Called once with the column-mapping messages.
    evidence : bool, default False
        Add the evidence column (slower).

    Returns
    -------
    dict
        ``rows`` written, ``chunks``, ``resumed_chunks`` (skipped because already done), and, for
        the chunks tagged in this run, ``status_counts`` and ``identifier_rows``.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    if output_path.suffix.lower() not in (".csv", ".parquet"):
        raise SchemaError(f"streamed output must be .csv or .parquet; got {output_path.name!r}")
    if chunksize < 1:
        raise SchemaError("chunksize must be a positive number of rows")
    if not input_path.is_file():
        raise InputFileError(f"input file {str(input_path)!r} does not exist; check the path")
    check_policy(identifiers)
    suffix = ".parquet" if output_path.suffix.lower() == ".parquet" else ".csv"
    with _workers(model, n_jobs, evidence, identifiers, suffix) as (model, pool):
        return _tag_file(input_path, output_path, model, pool, columns, chunksize, resume, identifiers,
                         allow_duplicate_ids, progress, on_columns, evidence, suffix)


def _tag_file(
    input_path: Path, output_path: Path, model: Any, pool: _Workers | None, columns: Mapping[str, str | None] | None,
    chunksize: int, resume: bool, identifiers: str, allow_duplicate_ids: bool, progress: Callable[[int], None] | None,
    on_columns: Callable[[list[str]], None] | None, evidence: bool, suffix: str,
) -> dict[str, Any]:
    from .builtin import load_model

    _FALLBACKS["count"] = 0
    whole = _read_if_small(input_path)
    numbering = _scan(input_path, columns, chunksize, allow_duplicate_ids, whole)
    model = load_model() if model is None else model
    parts_dir = output_path.with_name(output_path.name + ".parts")
    state_path = parts_dir / _STATE
    stat = input_path.stat() if input_path.is_file() else None
    state = {"input": str(input_path.resolve()), "size": stat.st_size if stat else None,
             "mtime_ns": stat.st_mtime_ns if stat else None, "chunksize": chunksize,
             "model_version": getattr(model, "model_version_", "custom"), "identifiers": identifiers}
    if parts_dir.exists():
        if not resume:
            raise SchemaError(
                f"{parts_dir.name!r} holds an unfinished run; pass resume (--resume) to continue it, or delete the folder"
            )
        previous = json.loads(state_path.read_text()) if state_path.is_file() else {}
        if previous != state:
            changed = sorted(k for k in state if previous.get(k) != state[k])
            raise SchemaError(f"cannot resume: {', '.join(changed)} changed since the interrupted run; delete {parts_dir.name!r} to start over")
    else:
        parts_dir.mkdir(parents=True)
        state_path.write_text(json.dumps(state))
    parts: list[Path] = []
    statuses: dict[str, int] = {}
    if whole is None:
        _FALLBACKS["count"] = 0  # counted again by the chunks, which read every column
        chunks = iter_chunks(input_path, chunksize)
    else:
        chunks = (whole.iloc[start:start + chunksize] for start in range(0, len(whole), chunksize))
    try:
        rows, resumed, mapping, flagged = _tag_chunks(
            chunks, model, pool, columns, parts_dir, suffix, parts, statuses, identifiers, evidence,
            progress, on_columns, numbering)
    except BaseException:
        if not any(part.exists() for part in parts):
            shutil.rmtree(parts_dir, ignore_errors=True)  # nothing to resume: leave no trace
        raise
    finally:
        chunks.close()  # release the file even when a chunk fails
    if mapping is None or rows == 0:
        shutil.rmtree(parts_dir, ignore_errors=True)
        raise InputFileError(f"{input_path.name!r} has no rows to tag (a header at most); export the reflections again")
    _join_parts(parts, output_path)
    shutil.rmtree(parts_dir)
    if _FALLBACKS["count"]:
        warnings.warn(f"the file mixes encodings: {_FALLBACKS['count']} byte sequence(s) were not UTF-8 and were read "
                      "as Windows-1252 (cp1252); check accented characters, or re-export the file as UTF-8",
                      UserWarning, stacklevel=2)
    if identifiers == "warn" and flagged:
        warnings.warn(f"likely identifiers found in {flagged} row(s); they are kept. Use identifiers='redact' "
                      "(--identifiers redact) to replace them, or run 'yalomfactors check' to list them.",
                      UserWarning, stacklevel=2)
    return {"rows": rows, "chunks": len(parts), "resumed_chunks": resumed, "status_counts": statuses,
            "identifier_rows": flagged}


_WORKER: dict[str, Any] = {}


def _init_worker(model: Any, inherited: dict[str, pd.DataFrame] | None = None) -> None:
    _WORKER["model"] = model
    _WORKER["inherited"] = {} if inherited is None else inherited


def _screen_tag_write(frame: pd.DataFrame | None, part: Path, evidence: bool, identifiers: str,
                      first_row: int) -> tuple[dict[str, int], int]:
    """One chunk: identifier policy, tagging, part file. Returns status counts and rows flagged.
    ``frame`` is None for a chunk that a forked worker inherited (see :class:`_Workers`)."""
    if frame is None:
        frame = _WORKER["inherited"].pop(part.name)
    flagged = 0
    if identifiers == "warn":  # counted here, one warning for the whole file at the end
        flagged = int(check_identifiers(frame, "text")["row"].nunique())
    elif identifiers != "ignore":
        frame = apply_identifier_policy(frame, "text", identifiers, row_offset=first_row)  # type: ignore[arg-type]
    tagged = _WORKER["model"].tag(frame, text_column="text", evidence=evidence, identifiers="ignore")  # screened above
    _write_part(tagged, part)
    return {str(k): int(v) for k, v in tagged["status"].value_counts().items()}, flagged


def _warm_up(model: Any, evidence: bool, identifiers: str, suffix: str) -> None:
    """Run one made-up row through the whole chunk path (screen, tag, write a part) in this process,
    so that forked workers inherit everything it builds or imports on first use (the tokenizer,
    vocabulary index and name list; pandas' and pyarrow's writers) instead of each paying for it."""
    import tempfile

    before = dict(_WORKER)
    _init_worker(model)
    try:
        with tempfile.TemporaryDirectory() as folder:
            _screen_tag_write(pd.DataFrame({"text": ["Warm up: nothing to tag here."]}), Path(folder) / f"warm-up{suffix}",
                              evidence, identifiers, 0)
    finally:
        _WORKER.clear()
        _WORKER.update(before)


class _Workers:
    """The ``count`` worker processes of one run, started when the first chunk is handed to them
    (a file of one chunk starts none).

    Before they are forked, the model is warmed up in this process (see :func:`_warm_up`) and what
    that built is frozen with the rest of the heap (when ``freeze``, see :func:`_workers`), so that
    every worker inherits it. Forked workers also find the first chunk in the memory they inherit
    (it is in the pool's initializer arguments, which fork does not pickle), so the first worker
    begins tagging without waiting for the chunk to be pickled, sent through a pipe and unpickled;
    later chunks are sent.
    """

    def __init__(self, count: int, model: Any, context: Any, warm_up: Callable[[], None], freeze: bool) -> None:
        self.count, self._model, self._context = count, model, context
        self._warm_up, self._freeze = warm_up, freeze
        self._pool: Any = None

    def submit(self, frame: pd.DataFrame, part: Path, *args: Any) -> Any:
        import gc
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            forked = self._context.get_start_method() == "fork"
            if forked:
                self._warm_up()
                if self._freeze:
                    gc.freeze()  # again: what the warm-up built
            inherited = {part.name: frame} if forked else {}
            self._pool = ProcessPoolExecutor(self.count, mp_context=self._context, initializer=_init_worker,
                                             initargs=(self._model, inherited))
            if inherited:
                return self._pool.submit(_screen_tag_write, None, part, *args)
        return self._pool.submit(_screen_tag_write, frame, part, *args)

    def shutdown(self) -> None:
        """Stop the workers: drop the chunks not started, wait for the running ones and for the
        processes to end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _workers(
    model: Any, n_jobs: int | None, evidence: bool, identifiers: str, suffix: str
) -> Iterator[tuple[Any, _Workers | None]]:
    """The model and the worker processes (None with one job) for one run of :func:`tag_file`:
    ``n_jobs - 1`` workers, which tag alongside this process.

    Everything built before the run (modules, the model, spaCy's tables) is moved out of the cyclic
    garbage collector's reach until the run ends (``gc.freeze``), as the gc module's documentation
    advises before forking: the full collections that tokenizing new chunks sets off then scan only
    what the run builds, and a worker's collections do not copy the pages it shares with this process.
    Not when the caller has frozen objects or paused the collector: that state is theirs.

    With several jobs the model is loaded here (the default one when ``model`` is None); the
    workers start at the first chunk handed to them, after the first pass over the file (started
    before it, they slowed it down: the pass then writes to pages shared with them). With one job
    the model is left to the caller, who loads it after the first pass, so a bad file is reported
    without waiting for a model to load.
    """
    import gc

    from .builtin import load_model
    from .text import process_context, resolve_jobs

    workers = resolve_jobs(n_jobs)
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    pool: _Workers | None = None
    try:
        if freeze:
            gc.freeze()
        if workers > 1:
            model = load_model() if model is None else model
            warm = partial(_warm_up, model, evidence, identifiers, suffix)
            pool = _Workers(workers - 1, model, process_context(), warm, freeze)
        yield model, pool
    finally:
        if pool is not None:
            pool.shutdown()
        if freeze:
            gc.unfreeze()
        _WORKER.clear()


class _Lookahead:
    """An iterator that can tell whether another item follows, reading it ahead when asked."""

    def __init__(self, items: Iterator[pd.DataFrame]) -> None:
        self._items = items
        self._next: list[pd.DataFrame] = []

    def __iter__(self) -> _Lookahead:
        return self

    def __next__(self) -> pd.DataFrame:
        return self._next.pop() if self._next else next(self._items)

    def more(self) -> bool:
        if not self._next:
            item = next(self._items, None)
            if item is not None:
                self._next.append(item)
        return bool(self._next)


def _tag_chunks(
    chunks: Iterator[pd.DataFrame], model: Any, pool: _Workers | None, columns: Mapping[str, str | None] | None, parts_dir: Path,
    suffix: str, parts: list[Path], statuses: dict[str, int], identifiers: str, evidence: bool,
    progress: Callable[[int], None] | None, on_columns: Callable[[list[str]], None] | None,
    numbering: pd.Series | None = None,
) -> tuple[int, int, dict[str, str] | None, int]:
    """Screen, tag and write each chunk, in this process or in one of the ``pool.count`` workers of
    ``pool`` (see :func:`_workers`).

    This process reads the file and keeps each worker busy with up to two chunks (one running, one
    waiting), and tags a chunk itself when every worker has two, and always the file's last chunk.
    So memory stays bounded (at most two chunks per process in flight), no core waits while chunks
    remain, the last chunk waits behind no other, and a file of one chunk starts no worker.
    """
    _init_worker(model)  # this process tags chunks too
    ahead = _Lookahead(chunks)
    pending: list[tuple[Any, int]] = []
    flagged = 0

    def finish(result: tuple[dict[str, int], int], size: int) -> None:
        nonlocal flagged
        counts, flagged_rows = result
        for status, count in counts.items():
            statuses[status] = statuses.get(status, 0) + count
        flagged += flagged_rows
        if progress is not None:
            progress(size)

    def collect(wait: bool) -> None:
        waiting = []
        for future, size in pending:
            if wait or future.done():
                finish(future.result(), size)
            else:
                waiting.append((future, size))
        pending[:] = waiting

    mapping: dict[str, str] | None = None
    rows = resumed = 0
    try:
        for number, chunk in enumerate(ahead):
            if mapping is None:
                mapping, messages = detect_columns(chunk, columns)
                if on_columns is not None:
                    on_columns(messages)
            part = parts_dir / f"part-{number:06d}{suffix}"
            parts.append(part)
            first_row = rows
            rows += len(chunk)
            if part.exists():
                resumed += 1
                if progress is not None:
                    progress(len(chunk))
                continue
            # Ids, session numbers and dates were checked over the whole file by _scan.
            frame = standardize(chunk, mapping, allow_duplicate_ids=True, number_sessions=numbering is None)
            frame = frame.reset_index(drop=True)
            if numbering is not None:
                _number_sessions(frame, numbering)  # by date order over the whole file, not this chunk
            if pool is not None:
                collect(wait=False)
                if len(pending) < 2 * pool.count and ahead.more():
                    future = pool.submit(frame, part, evidence, identifiers, first_row)
                    pending.append((future, len(chunk)))
                    continue
            finish(_screen_tag_write(frame, part, evidence, identifiers, first_row), len(chunk))
        collect(wait=True)
    finally:
        if pool is not None:  # done, or a chunk failed: wait for the running ones, drop the rest
            pool.shutdown()
    return rows, resumed, mapping, flagged

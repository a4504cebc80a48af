"""Reading and writing reflection tables: CSV, Excel, Parquet, JSON Lines.

CSV encoding (UTF-8, UTF-8 with BOM, cp1252) and delimiter (comma, semicolon,
tab, pipe) are detected; line endings may be LF or CRLF. Column names are mapped
to the library's schema by option or by recognising common names, and every
choice is reported back so the user can see it ("using column 'Reflection' as
text").
"""

from __future__ import annotations

import csv
import io as _io
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DuplicateIdError, InputFileError, SchemaError
from .schema import DATE, GROUP, MEMBER, REFLECTION_ID, SESSION, TEXT

__all__ = ["read_reflections", "read_table", "write_table", "detect_columns", "standardize", "FORMATS"]

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "jsonl", ".ndjson": "jsonl"}

#: Names recognised for each schema column, compared after lower-casing and dropping non-letters.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    TEXT: ("text", "reflection", "reflections", "response", "answer", "comment", "comments", "narrative", "entry",
           "ciq", "criticalincident", "mostimportant", "whatwasmostimportant", "feedback", "freetext", "journal"),
    GROUP: ("groupid", "group", "groupname", "groupcode", "cohort", "cohortid"),
    SESSION: ("sessionnumber", "session", "sessionno", "sessionnum", "sessionid", "week", "weeknumber", "meeting"),
    MEMBER: ("memberid", "member", "participant", "participantid", "clientid", "client", "pseudonym", "patientid",
             "subject", "subjectid", "respondent"),
    DATE: ("sessiondate", "date", "meetingdate", "datetime", "timestamp"),
    REFLECTION_ID: ("reflectionid", "responseid", "entryid", "recordid", "submissionid", "textid", "id"),
}


def _key(name: object) -> str:
    return re.sub(r"[^a-z]", "", str(name).lower())


def _detect_format(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            raise InputFileError(f"unknown format {fmt!r}; use one of {sorted(set(FORMATS.values()))}")
        return fmt
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputFileError(
            f"cannot tell the format of {path.name!r} from its extension; use .csv, .xlsx, .parquet or .jsonl"
        )
    return FORMATS[suffix]


def decode(raw: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), else cp1252; return (text, encoding).

    A file that mixes the two (rows pasted from different exports) is decoded line by line, each
    line in the encoding it is valid in, with a warning citing the line numbers read as cp1252;
    decoding it all as cp1252 would silently garble every UTF-8 accent.
    """
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    lines = raw.splitlines(keepends=True)
    utf8_accented = 0
    legacy: list[int] = []
    decoded: list[str] = []
    for number, line in enumerate(lines, 1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            utf8_accented += not line.isascii()
        except UnicodeDecodeError:
            legacy.append(number)
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                return raw.decode("latin-1"), "latin-1"  # every byte decodes; unusual 8-bit encodings only
        decoded.append(text)
    if utf8_accented:
        import warnings

        warnings.warn(
            f"the file mixes encodings: {len(legacy)} line(s) are not UTF-8 and were read as Windows-1252 "
            f"(cp1252), first at line(s) {legacy[:5]}; check their accented characters, or re-export the file as UTF-8",
            UserWarning,
            stacklevel=3,
        )
        return "".join(decoded), "mixed utf-8/cp1252"
    return raw.decode("cp1252"), "cp1252"


def _sniff_delimiter(sample: str) -> str | None:
    """The delimiter that splits the header into the most fields and the rows consistently with it.

    csv.Sniffer is easily fooled by commas and semicolons inside reflection text, so each
    candidate is scored on how many rows have the header's field count.
    """
    best, best_score = None, (0.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = [row for row in csv.reader(_io.StringIO(sample), delimiter=delimiter) if row][:-1] or [
                row for row in csv.reader(_io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        consistent = sum(len(row) == len(rows[0]) for row in rows) / len(rows)
        score = (consistent, len(rows[0]))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path.name!r} is empty; export the reflections again")
    text, _ = decode(raw)
    delimiter = _sniff_delimiter(text[:65536]) or ("\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        return pd.read_csv(_io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_values=[""],
                           engine="python" if delimiter not in ",;\t|" else "c")
    except pd.errors.ParserError as error:
        line = re.search(r"line (\d+)", str(error))
        where = f" near line {line.group(1)}" if line else ""
        raise InputFileError(
            f"{path.name!r} is not a well-formed CSV{where} (a row has the wrong number of fields, or a quote is "
            "not closed; the file may be truncated). Re-export it from the source."
        ) from None


def read_table(path: str | Path, fmt: str | None = None, sheet: str | int = 0) -> pd.DataFrame:
    """Read a reflections file as it is, every column as text (ids and dates are parsed later).

    Parameters
    ----------
    path : str or Path
        ``.csv`` (also ``.tsv``/``.txt``), ``.xlsx``, ``.parquet`` or ``.jsonl``.
    fmt : {"csv", "excel", "parquet", "jsonl"}, optional
        Overrides the format guessed from the extension.
    sheet : str or int, default 0
        Excel sheet.

    Raises
    ------
    InputFileError
        Missing, empty, truncated or unreadable file; the message says what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"input file {str(path)!r} does not exist; check the path")
    kind = _detect_format(path, fmt)
    try:
        if kind == "csv":
            frame = _read_csv(path)
        elif kind == "excel":
            frame = pd.read_excel(path, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""])
        elif kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_json(path, lines=True, dtype=False)
    except InputFileError:
        raise
    except Exception as error:  # each reader has its own exception types; name the file, never its content
        raise InputFileError(
            f"could not read {path.name!r} as {kind} ({type(error).__name__}); the file may be truncated or "
            "in another format"
        ) from None
    if frame.shape[1] == 0:
        raise InputFileError(f"{path.name!r} has no columns; export the reflections again with a header row")
    return frame


def detect_columns(
    frame: pd.DataFrame, given: Mapping[str, str | None] | None = None, required: tuple[str, ...] = (TEXT,)
) -> tuple[dict[str, str], list[str]]:
    """Find which input column plays each schema role.

    Parameters
    ----------
    frame : DataFrame
    given : mapping, optional
        Role (``"text"``, ``"group_id"``, ``"session_number"``, ``"member_id"``, ``"session_date"``,
        ``"reflection_id"``) to
        column name, as the user named them; these win over detection.
    required : tuple of str
        Roles that must be found.

    Returns
    -------
    mapping : dict
        Role to input column.
    messages : list of str
        One sentence per role, saying which column is used and whether it was given or detected.

    Raises
    ------
    SchemaError
        A given column does not exist, or a required role cannot be found.
    """
    given = {role: column for role, column in (given or {}).items() if column}
    columns = [str(c) for c in frame.columns]
    mapping: dict[str, str] = {}
    messages: list[str] = []
    for role, column in given.items():
        if column not in columns:
            raise SchemaError(f"column {column!r} (given for {role}) is not in the file; found columns {columns}")
        mapping[role] = column
        messages.append(f"using column {column!r} as {role} (as given)")
    for role, names in COMMON_NAMES.items():
        if role in mapping:
            continue
        taken = set(mapping.values())
        for name in names:
            match = next((c for c in columns if _key(c) == name and c not in taken), None)
            if match is not None:
                mapping[role] = match
                messages.append(f"using column {match!r} as {role}")
                break
    missing = [role for role in required if role not in mapping]
    if missing:
        flags = ", ".join(f"--{role.split('_')[0]}-column" for role in missing)
        raise SchemaError(
            f"could not find the {', '.join(missing)} column(s) among {columns}; name them with {flags}"
        )
    return mapping, messages


def duplicate_id_error(column: str, repeated_rows: list[int], n_repeated: int) -> DuplicateIdError:
    """The error for reflection ids that repeat, citing row positions only."""
    return DuplicateIdError(
        f"column {column!r} holds reflection ids, but {n_repeated} row(s) repeat the id of an earlier row, first at "
        f"row(s) {repeated_rows[:5]}. Each reflection needs its own id: remove the repeated rows (was the file "
        "exported twice?), or pass allow_duplicate_ids=True (--allow-duplicate-ids) to keep every row as it is."
    )


def sessions_from_dates(frame: pd.DataFrame) -> pd.Series:
    """Session numbers from parsed dates: dense date order within each group (or over all rows
    without a group column); rows without a date, or without a group, get none."""
    dates = frame[DATE]
    known = dates.notna()
    if GROUP in frame.columns:
        known &= frame[GROUP].notna()
        ranks = dates[known].groupby(frame[GROUP][known]).rank(method="dense")
    else:
        ranks = dates[known].rank(method="dense")
    return ranks.reindex(frame.index).astype("Int64")


def undated_warning(rows: list[int], column: str) -> str:
    return (f"{len(rows)} row(s) have no date in column {column!r}, so no session number, first at row(s) {rows[:5]}; "
            "they are kept and tagged, but session trends need every session number: fill in the dates, or add a "
            "session number column")


def standardize(
    frame: pd.DataFrame, mapping: Mapping[str, str], allow_duplicate_ids: bool = False, number_sessions: bool = True
) -> pd.DataFrame:
    """Rename mapped columns to schema names and parse ids and dates; other columns are kept.

    Session numbers become integers and dates become datetimes; a value that cannot be parsed raises
    :class:`SchemaError` citing the first row positions. When only dates are given, session numbers are
    derived from the date order within each group, whatever the order of the rows (rows without a
    date get none, with a warning; ``number_sessions=False`` leaves this to the caller); when both are given
    and a later session is dated before an earlier one, :class:`SchemaError` names the group. A
    reflection id column must hold unique ids (:class:`DuplicateIdError`) unless
    ``allow_duplicate_ids``.
    """
    renamed = frame.rename(columns={column: role for role, column in mapping.items() if column != role})
    clash = [role for role, column in mapping.items() if column != role and list(renamed.columns).count(role) > 1]
    if clash:
        raise SchemaError(f"the file already has a column named {clash[0]!r} besides the one mapped to it; rename one")
    if REFLECTION_ID in renamed.columns and not allow_duplicate_ids:
        ids = renamed[REFLECTION_ID]
        repeated = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
        if repeated.any():
            raise duplicate_id_error(mapping.get(REFLECTION_ID, REFLECTION_ID), repeated.nonzero()[0].tolist(), int(repeated.sum()))
    if DATE in renamed.columns:
        parsed, bad = parse_dates(renamed[DATE])
        if bad.any():
            raise not_dates_error(mapping.get(DATE, DATE), bad.to_numpy().nonzero()[0].tolist(), int(bad.sum()))
        renamed[DATE] = parsed
    if SESSION in renamed.columns:
        numbers, bad = parse_sessions(renamed[SESSION])
        if bad.any():
            raise not_sessions_error(mapping.get(SESSION, SESSION), bad.to_numpy().nonzero()[0].tolist(), int(bad.sum()))
        renamed[SESSION] = numbers.astype("Int64")
        if DATE in renamed.columns:
            _check_session_dates(renamed, mapping)
    elif DATE in renamed.columns and number_sessions:
        renamed[SESSION] = sessions_from_dates(renamed)
        undated = renamed[DATE].isna().to_numpy().nonzero()[0]
        if undated.size:
            warnings.warn(undated_warning(undated.tolist(), mapping.get(DATE, DATE)), UserWarning, stacklevel=2)
    for role in (GROUP, MEMBER):
        if role in renamed.columns:
            renamed[role] = renamed[role].astype("string")
    return renamed


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Session dates parsed (NaT when blank), and a mask of the values that are not dates.

    Each distinct value is parsed once (a file holds few distinct session dates), with the same
    result as parsing every row.
    """
    distinct = pd.unique(values.dropna())
    lookup = pd.Series(pd.to_datetime(pd.Series(distinct, dtype=object), errors="coerce", format="mixed").to_numpy(),
                       index=distinct)
    parsed = pd.Series(pd.to_datetime(values.map(lookup)), index=values.index)
    bad = values.notna() & (values.astype(str).str.strip() != "") & parsed.isna()
    return parsed, bad


def parse_sessions(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Session numbers as numbers, and a mask of the values that are not numbers."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers, values.notna() & numbers.isna()


def not_dates_error(column: str, rows: list[int], count: int) -> SchemaError:
    return SchemaError(f"column {column!r} has {count} value(s) that are not dates, first at row(s) {rows[:5]}; use YYYY-MM-DD")


def not_sessions_error(column: str, rows: list[int], count: int) -> SchemaError:
    return SchemaError(f"column {column!r} has {count} value(s) that are not session numbers, first at row(s) {rows[:5]}")


def _check_session_dates(frame: pd.DataFrame, mapping: Mapping[str, str]) -> None:
    """Session numbers and dates must tell the same order within each group.

    ``frame`` holds the rows, or (for a streamed file) each distinct (group, session, date) once.
    """
    keys = [GROUP] if GROUP in frame.columns else []
    dated = frame.dropna(subset=[SESSION, DATE])
    if dated.empty:
        return
    first = dated.groupby(keys + [SESSION], dropna=False)[DATE].min().reset_index()
    for key, part in first.groupby(keys, dropna=False) if keys else [("all rows", first)]:
        dates = part.sort_values(SESSION)[DATE].to_numpy()
        backwards = (dates[1:] < dates[:-1]).nonzero()[0]
        if backwards.size:
            sessions = part.sort_values(SESSION)[SESSION].to_numpy()
            where = f"group {key[0] if isinstance(key, tuple) else key!r}" if keys else "the file"
            raise SchemaError(
                f"in {where}, session {sessions[backwards[0] + 1]} is dated before session {sessions[backwards[0]]} "
                f"(columns {mapping.get(SESSION, SESSION)!r} and {mapping.get(DATE, DATE)!r} disagree); fix the dates "
                "or the session numbers, or leave one of the two columns out"
            )


def _written_as_str(dtype: Any) -> bool:
    """True for column types whose values pandas' CSV writer turns into text with ``str()``: integers,
    booleans, objects, float64 (written as numpy's ``str()``, the same text as Python's; tests/test_io.py
    checks edge values), and nullable integers, booleans, strings and categories of these. False for
    types pandas formats itself: dates, durations, periods, intervals, float32, nullable floats."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "biuO" or dtype == np.float64
    if isinstance(dtype, pd.CategoricalDtype):
        return _written_as_str(dtype.categories.dtype) and dtype.categories.dtype.kind != "f"
    if isinstance(dtype, (pd.ArrowDtype, pd.SparseDtype)):
        return False
    return isinstance(dtype, (pd.BooleanDtype, pd.StringDtype)) or pd.api.types.is_integer_dtype(dtype)


#: Suffixes pandas compresses a CSV file for (``compression="infer"``).
_COMPRESSED = frozenset({".gz", ".bz2", ".zip", ".xz", ".zst", ".tar"})
#: Fields turned into Python objects at a time by :func:`write_csv`: some tens of MB.
_FIELDS_PER_SLICE = 1_000_000


def write_csv(frame: pd.DataFrame, path: str | Path, sep: str = ",") -> None:
    """Write ``frame`` without its index as UTF-8 CSV: the same bytes as ``frame.to_csv(path,
    index=False, encoding="utf-8", sep=sep)``, in about two thirds of the time for tagged tables.

    pandas turns each float column into numpy strings, then every value into a Python object, and
    hands rows to the standard :mod:`csv` writer; here each column becomes Python values once
    (missing values empty fields, as pandas writes them) and the same writer turns them into text.
    Frames with other types of columns (dates, for instance), or with labels that are not unique
    strings, and paths with a compression suffix (``.gz``, ``.zip``...) are written by pandas itself.
    """
    labels = list(frame.columns)
    if (not labels or len(set(labels)) < len(labels) or not all(isinstance(label, str) for label in labels)
            or not all(_written_as_str(dtype) for dtype in frame.dtypes)
            or Path(path).suffix.lower() in _COMPRESSED):
        frame.to_csv(path, index=False, encoding="utf-8", sep=sep)
        return
    columns = [frame[label] for label in labels]
    rows = max(1, _FIELDS_PER_SLICE // len(labels))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator=os.linesep)  # otherwise pandas' defaults
        writer.writerow(labels)
        for start in range(0, len(frame), rows):
            fields = []
            for column in columns:
                part = column if len(frame) <= rows else column.iloc[start : start + rows]
                values = part.to_numpy(dtype=object)
                missing = part.isna().to_numpy()
                if missing.any():
                    if not values.flags.writeable:  # an object column's own array, shared with the frame
                        values = values.copy()
                    values[missing] = ""
                fields.append(values)
            writer.writerows(zip(*fields))


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write a table as CSV (UTF-8), Excel, Parquet or JSON Lines, chosen by extension."""
    path = Path(path)
    kind = _detect_format(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_csv(frame, path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
    elif kind == "excel":
        frame.to_excel(path, index=False)
    elif kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False)
    return path


def read_reflections(
    path: str | Path,
    text_column: str | None = None,
    group_column: str | None = None,
    session_column: str | None = None,
    member_column: str | None = None,
    date_column: str | None = None,
    required: tuple[str, ...] = (TEXT,),
    verbose: bool = True,
    identifiers: str = "warn",
    allow_duplicate_ids: bool = False,
) -> pd.DataFrame:
    """Read a reflections file and map its columns to the schema in one step.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX, Parquet or JSON Lines file.
    text_column, group_column, session_column, member_column, date_column : str, optional
        Input column names; detected by common names when not given.
    required : tuple of str
        Schema columns that must be found (``"text"`` by default; add ``"group_id"``,
        ``"session_number"``, ``"member_id"`` for trend analysis).
    verbose : bool, default True
        Print which column is used for what.
    identifiers : {"warn", "redact", "raise", "ignore"}, default "warn"
        Screen the text column for likely identifiers and act by this policy
        (:func:`yalomfactors.privacy.apply_identifier_policy`).
    allow_duplicate_ids : bool, default False
        Accept a reflection id column whose ids repeat (otherwise :class:`DuplicateIdError`).

    Returns
    -------
    DataFrame
        The file's rows in order, with mapped columns renamed to ``text``, ``group_id``,
        ``session_number``, ``member_id``, ``session_date``; other columns kept.

    Examples
    --------
    >>> from yalomfactors.io import read_reflections
    >>> from yalomfactors.datasets import data_path
    >>> frame = read_reflections(data_path("sample/clinic_reflections.csv"), verbose=False)
    >>> frame["session_number"].dtype
    Int64Dtype()
    """
    frame = read_table(path)
    given = {TEXT: text_column, GROUP: group_column, SESSION: session_column, MEMBER: member_column, DATE: date_column}
    mapping, messages = detect_columns(frame, given, required=required)
    if verbose:
        for message in messages:
            print(message)
    from .privacy import apply_identifier_policy

    out = standardize(frame, mapping, allow_duplicate_ids=allow_duplicate_ids)
    if TEXT not in out.columns:
        return out
    return apply_identifier_policy(out, TEXT, identifiers)  # type: ignore[arg-type]

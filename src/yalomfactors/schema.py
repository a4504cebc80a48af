"""One schema, defined once: the columns of reflection, tagged and trends tables.

A *reflections table* has one row per reflection and at least a text column.
Id columns (group, session, member, date) are optional for tagging and required
for trends. Every public entry point calls :func:`validate_reflections`.

Row statuses, in the ``status`` column of a tagged table:

``ok``
    tagged normally.
``empty``
    missing, NaN, blank, whitespace-only or a placeholder answer such as "n/a";
    not tagged (probabilities NaN, decisions missing).
``not_text``
    a number or other non-string value; not tagged.
``too_long_truncated``
    longer than ``max_chars``; the first ``max_chars`` characters were tagged.
``non_english``
    too few English words to tag reliably; not tagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .exceptions import SchemaError

__all__ = [
    "TEXT",
    "GROUP",
    "GROUP_TYPE",
    "SESSION",
    "DATE",
    "MEMBER",
    "REFLECTION_ID",
    "STATUS",
    "STATUSES",
    "MAX_CHARS",
    "text_status",
    "validate_reflections",
    "require_columns",
]

TEXT = "text"
GROUP = "group_id"
GROUP_TYPE = "group_type"
SESSION = "session_number"
DATE = "session_date"
MEMBER = "member_id"
REFLECTION_ID = "reflection_id"
STATUS = "status"
STATUSES = ("ok", "empty", "not_text", "too_long_truncated", "non_english")
#: Longer texts are truncated before tagging; post-session reflections are rarely over 2,000.
MAX_CHARS = 5_000

_EMPTY_ANSWERS = frozenset(
    {"", "n/a", "na", "n.a.", "none", "-", "--", ".", "nil", "no comment", "nothing", "x", "?"}
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH_HINTS = frozenset(
    "the a an and or but i me my we us our you it is was be been am are were to of in on at for "
    "with this that today group felt feel not no so just like about what when how really".split()
)


def text_status(value: object, max_chars: int = MAX_CHARS) -> str:
    """Return the row status a single text value will get (see module docs)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "empty"
    if not isinstance(value, str):
        return "not_text"
    stripped = value.strip()
    if stripped.lower() in _EMPTY_ANSWERS:
        return "empty"
    # Non-English: four or more words and not one common English word. The scan stops at the
    # first English word, which in English text is almost always among the first few.
    words = 0
    for match in _WORD.finditer(stripped[:max_chars]):
        if match.group().lower() in _ENGLISH_HINTS:
            break
        words += 1
    else:
        if words >= 4:
            return "non_english"
    if len(value) > max_chars:
        return "too_long_truncated"
    return "ok"


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`SchemaError` naming every required column missing from ``frame``."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{what} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{what} is missing column(s) {missing}; found columns {list(map(str, frame.columns))}. "
            "Rename your columns or pass the matching *_column argument."
        )


def validate_reflections(
    frame: pd.DataFrame,
    text_column: str = TEXT,
    id_columns: Sequence[str] = (),
    unique_column: str | None = None,
) -> pd.DataFrame:
    """Check a reflections table and return it unchanged.

    Parameters
    ----------
    frame : DataFrame
        One row per reflection.
    text_column : str, default "text"
        Column holding the reflection text. Non-string values are allowed; they get a status.
    id_columns : sequence of str
        Columns that must exist and hold no missing values.
    unique_column : str, optional
        Column whose values must be unique (for example a reflection id).

    Raises
    ------
    SchemaError
        If a column is missing, an id column has missing values, or ids repeat. The message
        cites row positions, never text.
    """
    require_columns(frame, [text_column, *id_columns], "the reflections table")
    for column in id_columns:
        missing = np.flatnonzero(frame[column].isna().to_numpy())
        if missing.size:
            raise SchemaError(
                f"column {column!r} has {missing.size} missing value(s), first at row(s) "
                f"{missing[:5].tolist()}; fill them in or drop those rows before analysis"
            )
    if unique_column is not None:
        require_columns(frame, [unique_column], "the reflections table")
        duplicated = np.flatnonzero(frame[unique_column].duplicated(keep=False).to_numpy())
        if duplicated.size:
            raise SchemaError(
                f"column {unique_column!r} must hold unique ids; {duplicated.size} rows share an "
                f"id, first at row(s) {duplicated[:5].tolist()}"
            )
    return frame

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
# Words as _WORD finds them: letters only, so contractions arrive in pieces ("didn", "t").
_ENGLISH_HINTS = frozenset(
    "the a an and or but i me my we us our you it is was be been am are were to of in on at for "
    "with this that today group felt feel not no so just like about what when how really "
    "he she they them his her their its will would can could do did have has had "
    "get got more less much than then there here from up out after before next week weeks time back said say "
    "try gonna going again still too very all some any one two talk talked talking much tonight last new "
    "good bad better worse tired everyone everybody someone people who which if as by".split()
)


# Function words of the languages most often met in English-speaking clinics' exports, minus any that
# are also English words ("me", "a", "no", "in"): a text that has more of these than English ones is
# not English, even when it shares a word or two with English.
_FOREIGN_HINTS = frozenset(
    # French
    "je tu il elle nous vous ils elles le les un une des du et est suis sont pas ne que qui pour dans avec "
    "sur ce cette mais ou très moins plus mon ma mes sa ses été être avoir comme aussi aujourd hui groupe "
    "beaucoup seul seule senti sentie "
    # Spanish
    "yo él ella nosotros ellos el los las una unos y es soy estoy fue del en con por para pero muy más menos "
    "mi mis su sus hoy sentí también como mucho sola solo grupo demás "
    # German
    "ich du er sie wir und ist bin sind nicht das der die den dem ein eine mit auf für aber sehr heute mich "
    "mir auch wie zu von gruppe allein "
    # Portuguese, Italian, Dutch
    "eu você ele nós os um uma é sou não em muito hoje também io lui lei noi lo gli sono non che di molto "
    "oggi anche ik jij hij zij wij het een niet dat voor maar heel vandaag ook van".split()
) - _ENGLISH_HINTS - frozenset("a in on is me he an as so do to be".split())


def text_status(value: object, max_chars: int = MAX_CHARS) -> str:
    """Return the row status a single text value will get (see module docs)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "empty"
    if not isinstance(value, str):
        return "not_text"
    stripped = value.strip()
    if stripped.lower() in _EMPTY_ANSWERS:
        return "empty"
    # Non-English, judged on the first 60 words: mostly non-Latin letters; or at least three function
    # words of other languages and more than twice as many as English ones; or ten words or more
    # without one common English word. Short English notes ("flare day. left early.") stay English.
    words = english = foreign = letters = latin = 0
    ascii_only = stripped.isascii()  # then every letter is Latin
    for match in _WORD.finditer(stripped[:max_chars]):
        word = match.group().lower()
        words += 1
        if word in _ENGLISH_HINTS:
            english += 1
        elif word in _FOREIGN_HINTS:
            foreign += 1
        if not ascii_only:
            letters += len(word)
            latin += sum(char < "\u0250" for char in word)
        if words >= 60 or (english >= 4 and foreign == 0):
            break
    if words and (
        latin < 0.5 * letters
        or (foreign >= 3 and foreign > 2 * english)
        or (words >= 10 and english == 0)
    ):
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

"""Privacy: identifier screening and redaction, and small-cell suppression for shared tables.

Nothing here ever returns or logs reflection text: screening returns row
positions and identifier kinds only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from .exceptions import IdentifierFoundError, SchemaError

__all__ = ["IDENTIFIER_KINDS", "check_identifiers", "redact", "apply_identifier_policy", "suppress_small_cells"]

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\w*,?\s+\d{4}"
    r"|" + _MONTHS + r"\w*\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)
_RECORD_CUES = (
    r"(?:mrn|nhs|ssn|social security|medical record|record|patient|chart|case|client|hospital|member|"
    r"insurance|policy|claim|rx|prescription|inmate|file|ref|reference|study|account|id|national insurance|ni)"
)
_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "url": re.compile(
        r"\b(?:https?://|www\.)\S+"
        r"|(?<![@\w.-])(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|info|health|uk|ca|au|us|nz|ie)\b(?:/\S*)?",
        re.I),
    "phone": re.compile(
        r"(?<![\w/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?|\d{2,5}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?![\w/-])"
        r"|(?<![\w/.-])\+\d{1,3}[\s.-]?\d{3,5}[\s.-]?\d{5,7}(?![\w/-])"
        r"|(?<![\w/.-])\d{10,11}(?![\w/-])"
        r"|(?<![\w/.-])555[\s.-]\d{4}(?![\w/-])"),
    "date_of_birth": re.compile(
        r"\b(?:d\.?o\.?b\.?|born|birth\s?day|birth\s?date|date of birth|b\.)\W{0,3}(?:\w+\W+){0,4}?" + _DATE, re.I),
    "record_number": re.compile(
        r"\b" + _RECORD_CUES + r"\.?(?:\s+(?:no\.?|number|num|#|id|ref|code))?(?:\s+(?:is|was|=))?\s*[:#]?\s*"
        r"(?=[\w-]*\d)[A-Z]{0,3}[-#]?\d[\dA-Z]*(?:[\s/-][\dA-Z]+){0,3}\b"
        r"|\b\d{3}-\d{2}-\d{4}\b|\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I),
    "street_address": re.compile(
        r"\b\d{1,5}[A-Z]?,?\s+(?:[A-Z][a-z']+\s){1,3}(?i:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|"
        r"court|ct|way|place|pl|terrace|close|gardens|row|crescent|square|sq|grove|park|walk|mews|hill|parade)\b\.?"),
    "social_handle": re.compile(r"(?<![\w@])@[A-Za-z_][A-Za-z0-9_.]{2,}"),
}
IDENTIFIER_KINDS = tuple(_PATTERNS) + ("person_name",)
_PLACEHOLDERS = {
    "email": "[EMAIL]", "url": "[URL]", "phone": "[PHONE]", "date_of_birth": "[DATE]", "record_number": "[ID]",
    "street_address": "[ADDRESS]", "social_handle": "[HANDLE]", "person_name": "[NAME]",
}


_TITLES = re.compile(r"\b(?:(?:Dr|Mr|Mrs|Ms|Mx|Prof|Rev)\.?|Miss|Pastor|Father|Sister) [A-Z][a-z]+(?: [A-Z][a-z]+)?")
_TITLE_WORD = re.compile(r"Dr|Mr|Ms|Mx|Prof|Rev|Miss|Pastor|Father|Sister").search
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}").findall
_NAME_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_AU", "es_MX", "es_ES", "fr_FR", "de_DE", "it_IT",
                 "pt_BR", "pl_PL", "nl_NL")


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Likely personal names.

    A capitalised word that is not at the start of a sentence and is in the first-name or surname
    lists of Faker's person providers (a snapshot shipped with the package; see
    :func:`build_name_list`), unless it is also an ordinary
    English word ("Hope", "Will", "Grace"); a run of capitalised words ("Mike Davis") is one name when
    any of its words is listed, even at a sentence start. A title followed by a capitalised word
    ("Dr. Patel") is always a name.
    """
    names = _name_list()
    # Every title match holds a title word: the literal search is far quicker than the pattern.
    spans = [m.span() for m in _TITLES.finditer(text)] if _TITLE_WORD(text) else []
    # Every word of a capitalised run is also found by _CAPITALISED (a quick scan with no word
    # boundaries, which finds those words and more): with none of them listed, no run is a name.
    if not any(word.lower() in names for word in _CAPITALISED(text)):
        return spans
    for match in _CAPITALISED_RUN.finditer(text):
        words = match.group(0).split()
        cursor = match.start() - 1
        while cursor >= 0 and text[cursor].isspace():
            cursor -= 1
        sentence_start = cursor < 0 or text[cursor] in ".!?\"'(:;"
        if sentence_start and len(words) == 1:
            continue  # a capitalised word opening a sentence says nothing on its own
        if any(word.lower() in names for word in words):
            spans.append(match.span())
    return spans


_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]{2,}(?:[ ][A-Z][a-z]{2,}){0,2}\b")


# Capitalised words that name lists include as surnames but reflections use otherwise.
_NOT_NAMES = frozenset(
    "english french spanish german italian polish dutch irish scottish welsh british american canadian mexican "
    "christian catholic baptist jewish muslim christmas easter sunday monday tuesday wednesday thursday friday "
    "saturday january february april june july august september october november december god jesus lord bible "
    "church chapel hall street road lane north south east west poland england holland ireland wales france "
    "jordan china india chad georgia parkinson alzheimer crohn hodgkin tourette asperger".split()
)


_NAMES_FILE = "person_names.txt"


@lru_cache(maxsize=1)
def _name_list() -> frozenset[str]:
    """Lower-case personal names screened for: the list shipped in ``data/person_names.txt``."""
    from importlib.resources import files

    text = (files("yalomfactors") / "data" / _NAMES_FILE).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def build_name_list() -> frozenset[str]:
    """Build the name list from Faker's person providers (``scripts/build_name_list.py``).

    First names and surnames of :data:`_NAME_LOCALES`, lower-cased, single words of three letters
    or more, minus every English word of the lemma table, spaCy's stop words and
    :data:`_NOT_NAMES`. Needs ``faker`` (a test dependency); tagging reads the shipped list.
    """
    import importlib

    from .text import _import_spacy, _lemma_table

    _import_spacy()  # first, so spaCy loads the way the text module loads it (no torch)
    from spacy.lang.en.stop_words import STOP_WORDS

    lemmas = _lemma_table()

    names: set[str] = set()
    for locale in _NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale this Faker version does not have
            continue
        for attribute in ("first_names", "last_names", "first_names_male", "first_names_female"):
            names.update(str(n).lower() for n in getattr(provider, attribute, ()) if " " not in str(n))
    english = {str(value).lower() for value in lemmas.values()} | set(STOP_WORDS) | _NOT_NAMES
    return frozenset(n for n in names if n not in english and len(n) > 2)


# A pattern runs only on texts that hold what every one of its matches needs (an "@", a digit, a web
# address ending): a necessary condition checked in one fast pass, so results are the same and most
# texts skip most patterns.
_DIGIT = re.compile(r"\d")
_TLDS = ("com", "org", "net", "edu", "gov", "io", "info", "health", "uk", "ca", "au", "us", "nz", "ie")
_WEBBY = re.compile(r"https?://|www\.|\.(?:" + "|".join(_TLDS) + r")\b", re.I)
# For ASCII texts the same conditions are substring tests on the lower-cased text, and digit counts:
# a phone number holds at least 7 digits, a date of birth at least 4 and one of its cue words.
_BIRTH_HINTS = ("dob", "d.o", "do.b", "born", "birth", "b.")
# The record pattern's cue words, matched case-sensitively on the lower-cased text (far quicker than
# the whole pattern, which ignores case).
_RECORD_CUE = re.compile(r"\b" + _RECORD_CUES).search


def _web_hint(lowered: str) -> bool:
    """Whether a lower-cased ASCII text holds "://", "www." or a dot followed by a web address ending:
    what every web address the url pattern matches holds (a test per dot, not per ending)."""
    if "://" in lowered or "www." in lowered:
        return True
    dot = lowered.find(".")
    while dot >= 0:
        if lowered.startswith(_TLDS, dot + 1):
            return True
        dot = lowered.find(".", dot + 1)
    return False


def _needs(text: str) -> dict[str, bool]:
    """Which patterns can match ``text`` at all: a necessary condition for each, checked cheaply."""
    if text.isascii():
        digits = sum(map(text.count, "0123456789"))
        lowered = text.lower()
        web = _web_hint(lowered)
        birth = digits >= 4 and any(hint in lowered for hint in _BIRTH_HINTS)
        # A record number follows a cue word, or is a 9-digit SSN or a 6-digit NI number.
        record = digits >= 6 or (digits >= 1 and _RECORD_CUE(lowered) is not None)
    else:  # \d and re.I reach beyond ASCII: keep to the patterns' own terms
        digits = len(_DIGIT.findall(text))
        web = _WEBBY.search(text) is not None
        birth = digits >= 4
        record = digits >= 1
    at = "@" in text
    return {"email": at, "social_handle": at, "url": web, "phone": digits >= 7, "date_of_birth": birth,
            "record_number": record, "street_address": digits >= 1}


def _find(text: str) -> list[tuple[str, int, int]]:
    found = []
    needs = _needs(text)
    for kind, pattern in _PATTERNS.items():
        if needs[kind]:
            found += [(kind, m.start(), m.end()) for m in pattern.finditer(text)]
    found += [("person_name", start, end) for start, end in _name_spans(text)]
    return found


def _texts(data: Any, text_column: str) -> list[Any]:
    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise SchemaError(f"no column {text_column!r}; found {list(map(str, data.columns))}; pass text_column=")
        return data[text_column].tolist()
    if isinstance(data, str):
        return [data]
    return list(data)


def check_identifiers(data: Any, text_column: str = "text") -> pd.DataFrame:
    """Screen texts for likely identifiers.

    Returns
    -------
    DataFrame
        One row per (row, identifier kind) found: ``row`` (position in the input), ``kind``,
        ``count``. Never the text or the matched identifier.
    """
    rows = []
    for position, value in enumerate(_texts(data, text_column)):
        if not isinstance(value, str):
            continue
        kinds: dict[str, int] = {}
        for kind, _, _ in _find(value):
            kinds[kind] = kinds.get(kind, 0) + 1
        rows += [{"row": position, "kind": kind, "count": count} for kind, count in kinds.items()]
    return pd.DataFrame(rows, columns=["row", "kind", "count"])


def redact(text: str) -> str:
    """Replace likely identifiers with placeholders such as ``[EMAIL]`` and ``[NAME]``."""
    spans = sorted(_find(text), key=lambda s: (s[1], -(s[2] - s[1])))
    out, cursor = [], 0
    for kind, start, end in spans:
        if start < cursor:
            continue
        out += [text[cursor:start], _PLACEHOLDERS[kind]]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def check_policy(policy: str) -> None:
    """Raise :class:`SchemaError` unless ``policy`` is "warn", "redact", "raise" or "ignore"."""
    if policy not in ("warn", "redact", "raise", "ignore"):
        raise SchemaError(f"identifier policy must be 'warn', 'redact', 'raise' or 'ignore'; got {policy!r}")


def apply_identifier_policy(
    frame: pd.DataFrame,
    text_column: str = "text",
    policy: Literal["warn", "redact", "raise", "ignore"] = "warn",
    row_offset: int = 0,
) -> pd.DataFrame:
    """Screen ``frame`` and act by policy: warn (default), redact, raise or ignore.

    The warning and the error cite row positions (plus ``row_offset``, for a chunk of a larger
    file) and kinds only.
    """
    check_policy(policy)
    if policy == "ignore":
        return frame
    found = check_identifiers(frame, text_column)
    if found.empty:
        return frame
    summary = ", ".join(f"{kind} in {n} row(s)" for kind, n in found.groupby("kind")["row"].nunique().items())
    first = [int(row) + row_offset for row in sorted(found["row"].unique())[:5]]
    if policy == "raise":
        raise IdentifierFoundError(
            f"likely identifiers found: {summary} (first rows {first}); remove them, or use policy 'redact'"
        )
    if policy == "warn":
        warnings.warn(
            f"likely identifiers found: {summary} (first rows {first}); they are kept. Use policy 'redact' to replace "
            "them with placeholders, or run 'yalomfactors check' to list them.",
            UserWarning,
            stacklevel=2,
        )
        return frame
    out = frame.copy()
    rows = found["row"].unique()
    column = out.columns.get_loc(text_column)
    for row in rows:
        out.iat[row, column] = redact(out.iat[row, column])
    return out


def suppress_small_cells(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    min_cell: int = 11,
    total_column: str | None = None,
    by: Sequence[str] = (),
    derived_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Hide counts from 1 to ``min_cell - 1``, with secondary suppression.

    Primary suppression blanks every count in ``count_columns`` (and ``total_column``) between 1 and
    ``min_cell - 1``. Secondary suppression then stops a hidden count from being recovered by
    subtraction: within each ``by`` block, a count and its complement (``total - count``) are hidden
    together, and if a block has exactly one hidden total, the next smallest total is hidden too.
    Columns in ``derived_columns`` (prevalence, intervals) are blanked wherever their count is.

    Returns
    -------
    DataFrame
        A copy with suppressed cells as ``pd.NA`` (nullable integer columns) and a boolean
        ``suppressed`` column marking rows that lost any value.
    """
    if min_cell < 2:
        raise SchemaError("min_cell must be at least 2")
    out = table.copy()
    small = lambda values: (values >= 1) & (values < min_cell)  # noqa: E731
    hidden = pd.DataFrame(False, index=out.index, columns=list(count_columns) + ([total_column] if total_column else []))
    for column in hidden.columns:
        hidden[column] = small(out[column].fillna(0).to_numpy())
    if total_column:
        total = out[total_column].fillna(0).to_numpy()
        # A visible total with one hidden part, or a hidden total, must not reveal the part by subtraction.
        for column in count_columns:
            complement = total - out[column].fillna(0).to_numpy()
            hidden[column] |= small(complement) | hidden[total_column]
        if by:
            for _, part in out.groupby(list(by), sort=False):
                index = part.index
                block = hidden.loc[index, total_column]
                if block.sum() == 1 and len(block) > 1:
                    candidates = out.loc[index][~block.to_numpy()]
                    candidates = candidates[candidates[total_column] > 0]
                    if len(candidates):
                        victim = candidates[total_column].idxmin()
                        hidden.loc[victim, total_column] = True
                        for column in count_columns:
                            hidden.loc[victim, column] = True
    for column in hidden.columns:
        out[column] = out[column].astype("Int64")
        out.loc[hidden[column].to_numpy(), column] = pd.NA
    for column in derived_columns:
        if column in out.columns:
            out[column] = out[column].astype("Float64")
            out.loc[hidden.any(axis=1).to_numpy(), column] = pd.NA
    out["suppressed"] = hidden.any(axis=1).to_numpy()
    return out


"""Text handling: the cached spaCy pipeline, normalisation, lemmas and negation scope.

The pipeline is ``spacy.blank("en")`` plus a lookup lemmatizer whose table comes
from the ``spacy-lookups-data`` package: nothing is downloaded at run time. It is
built once per process, lazily, and is never stored inside a fitted model.

:func:`analyze` turns each text into a string of space-separated features that a
plain :class:`~sklearn.feature_extraction.text.TfidfVectorizer` can count:
lower-cased lemmas, with tokens inside the scope of a negation prefixed ``neg_``
and tokens inside the scope of a wish prefixed ``wish_``. So "nobody understood
me" becomes ``nobody neg_understand neg_me`` and is not read as being understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["get_nlp", "normalize", "analyze", "analyze_one", "NEGATION_CUES"]

#: Tokens (lower-cased) that open a negation scope.
NEGATION_CUES = frozenset(
    {
        "not", "n't", "nt", "no", "never", "nobody", "nothing", "none", "noone", "neither", "nor",
        "without", "cannot", "hardly", "barely", "nowhere", "dont", "didnt", "doesnt", "isnt",
        "wasnt", "wont", "cant", "couldnt", "wouldnt", "aint", "havent", "hasnt", "arent",
        "werent", "shouldnt",
    }
)
#: Tokens that open an irrealis ("wished-for") scope.
WISH_CUES = frozenset({"wish", "wished", "wishing", "if_only"})
# A scope ends at clause punctuation, at a contrastive conjunction, or after a few tokens.
_SCOPE_BREAKS = frozenset(
    {".", ",", ";", ":", "!", "?", "-", "--", "—", "–", "(", ")", "but", "though", "although",
     "however", "yet", "until", "because", "cause", "so", "and", "then"}
)
_SCOPE_LENGTH = 6

_PLACEHOLDER = re.compile(r"\[\s*[A-Za-z_ ]{2,20}\s*\]|\b[Pp]\d{1,2}\b")
_REPEATS = re.compile(r"(.)\1{3,}")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """Return the shared spaCy pipeline, building it on first use.

    Returns
    -------
    spacy.language.Language
        ``spacy.blank("en")`` with a lookup lemmatizer.

    Raises
    ------
    ImportError
        If spaCy or ``spacy-lookups-data`` is not installed.
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def normalize(text: str) -> str:
    """Normalise one text before tokenising.

    Anonymisation placeholders (``[NAME]``, ``[MEMBER]``, ``P3``) become the single
    token ``personplaceholder`` so the model learns what they mean, not which kind
    a clinic used; runs of a repeated character are shortened ("soooo" -> "soo");
    whitespace is collapsed.
    """
    text = _PLACEHOLDER.sub(" personplaceholder ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()


def _features(tokens: Iterable[tuple[str, str]]) -> str:
    out: list[str] = []
    scope = ""
    remaining = 0
    previous = ""
    for lower, lemma in tokens:
        if lower in _SCOPE_BREAKS:
            scope, remaining = "", 0
            if lower not in {"but", "though", "although", "however", "yet", "and", "so", "then",
                             "until", "because", "cause"}:
                previous = lower
                continue
        if lower in NEGATION_CUES or (lower == "one" and previous == "no"):
            out.append("not" if lower in {"n't", "nt"} else lower)
            scope, remaining = "neg_", _SCOPE_LENGTH
            previous = lower
            continue
        if lower in WISH_CUES or (lower == "only" and previous == "if"):
            out.append("wish")
            scope, remaining = "wish_", _SCOPE_LENGTH + 2
            previous = lower
            continue
        if remaining > 0:
            out.append(scope + lemma)
            remaining -= 1
            if remaining == 0:
                scope = ""
        else:
            out.append(lemma)
        previous = lower
    return " ".join(out)


def _doc_tokens(doc: Any) -> list[tuple[str, str]]:
    tokens = []
    for token in doc:
        if token.is_space:
            continue
        lower = token.lower_
        lemma = token.lemma_.lower() if token.lemma_ else lower
        tokens.append((lower, lemma))
    return tokens


def analyze_one(text: str) -> str:
    """Return the feature string of one text (see :func:`analyze`)."""
    return analyze([text])[0]


def analyze(texts: Sequence[str], batch_size: int = 512) -> list[str]:
    """Turn texts into space-separated lemma features with negation and wish scope.

    Parameters
    ----------
    texts : sequence of str
        Raw reflections. Must already be strings.
    batch_size : int, default 512
        Batch size for :meth:`spacy.language.Language.pipe`.

    Returns
    -------
    list of str
        One feature string per text, in input order.
    """
    nlp = get_nlp()
    normalized = [normalize(text) for text in texts]
    return [_features(_doc_tokens(doc)) for doc in nlp.pipe(normalized, batch_size=batch_size)]

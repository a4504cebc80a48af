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


def _import_spacy() -> Any:
    """Import spaCy, without its torch bridge unless torch is already loaded.

    spaCy's array library thinc imports torch whenever it is installed (as with the
    ``embeddings`` extra), which takes about 2 seconds and is never used here: the pipeline is
    a tokenizer and a lookup table. So when neither spaCy nor torch has been imported yet, torch
    is hidden while spaCy loads. thinc then reports torch as absent for the rest of the process;
    if you use torch-based spaCy pipelines (spacy-transformers) in the same process, import spaCy
    or torch before yalomfactors tags anything, or set ``YALOMFACTORS_SPACY_TORCH=1``.
    """
    import os
    import sys

    hide = (
        "spacy" not in sys.modules
        and "thinc" not in sys.modules
        and "torch" not in sys.modules
        and os.environ.get("YALOMFACTORS_SPACY_TORCH", "") not in {"1", "true", "yes"}
    )
    from ._imports import import_spacy_without_cli

    if not hide:
        return import_spacy_without_cli()
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        spacy = import_spacy_without_cli()
    finally:
        del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=1)
def _blank() -> Any:
    """``spacy.blank("en")``: the tokenizer tagging uses; built once per process."""
    return _import_spacy().blank("en")


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """Return the shared spaCy pipeline, building it on first use.

    Tagging itself needs only the pipeline's tokenizer and the lemma table it loads, which
    :mod:`yalomfactors.text` reads directly (see :func:`_lemma_table`); this full pipeline serves
    :meth:`~yalomfactors.FactorTagger.explain` and anyone who wants spaCy documents.

    Returns
    -------
    spacy.language.Language
        ``spacy.blank("en")`` with a lookup lemmatizer.

    Raises
    ------
    ImportError
        If spaCy or ``spacy-lookups-data`` is not installed.
    """
    nlp = _blank()
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _placeholders(text: str) -> str:
    """Anonymisation placeholders replaced by `` personplaceholder ``."""
    return _PLACEHOLDER.sub(" personplaceholder ", text)


def _shorten(text: str) -> str:
    """Runs of a repeated character shortened to two ("soooo" -> "soo")."""
    return _REPEATS.sub(r"\1\1", text) if _REPEATS.search(text) else text


def normalize(text: str) -> str:
    """Normalise one text before tokenising.

    Anonymisation placeholders (``[NAME]``, ``[MEMBER]``, ``P3``) become the single
    token ``personplaceholder`` so the model learns what they mean, not which kind
    a clinic used; runs of a repeated character are shortened ("soooo" -> "soo");
    whitespace is collapsed.
    """
    return _SPACE.sub(" ", _shorten(_placeholders(text))).strip()


# Scope breaks that are words are kept as features; punctuation breaks are dropped.
_KEPT_BREAKS = frozenset({"but", "though", "although", "however", "yet", "and", "so", "then", "until", "because", "cause"})
_DROPPED = _SCOPE_BREAKS - _KEPT_BREAKS
# Tokens that can open a scope ("if" for "if only"; "no" is a negation cue, so "no one" is covered).
_OPENERS = NEGATION_CUES | WISH_CUES | {"if"}


def _features(tokens: Iterable[tuple[str, str]]) -> str:
    out: list[str] = []
    scope = ""
    remaining = 0
    previous = ""
    for lower, lemma in tokens:
        if lower in _SCOPE_BREAKS:
            scope, remaining = "", 0
            if lower not in _KEPT_BREAKS:
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


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    """English lemma lookup table of ``spacy-lookups-data``, word -> lemma.

    The same file spaCy's lookup lemmatizer loads (tests/test_text.py checks every entry against
    the pipeline's table), read directly as a plain dict, without spaCy: ten times quicker than
    initialising the lemmatizer, which hashes every key.
    """
    import gzip
    import json
    from importlib.resources import files

    data = files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    return dict(json.loads(gzip.decompress(data.read_bytes())))


# (lower, lemma) per token string: each distinct token is looked up once per process.
_TOKEN_CACHE: dict[str, tuple[str, str] | None] = {}
# Tokens of each whitespace-separated chunk. spaCy's tokenizer splits on whitespace first and then
# handles each chunk on its own (prefixes, suffixes, infixes, special cases), so a chunk always gives
# the same tokens and is tokenized once per process. tests/test_text.py checks the result against
# tokenizing whole texts.
# Each entry: the chunk's (lower, lemma) tokens, its features when no scope is open (lemmas without
# punctuation), and whether it holds a token that can open a scope. A text none of whose chunks can
# open a scope gets its features by joining the chunks' plain features, the same string _features
# would build token by token.
_Chunk = tuple[tuple[tuple[str, str], ...], str, bool]
_CHUNK_CACHE: dict[str, _Chunk] = {}
_CACHE_LIMIT = 500_000


# Chunks spaCy's English tokenizer leaves whole (letters only, or digits only) or splits into a word
# and one final punctuation mark, and chunks that are one of its special cases ("cannot" -> "can",
# "not"): their tokens are built here without a spaCy call. (A special case followed by a mark is
# left to spaCy, which may join the mark to the special case's last token: "whend." -> "when", "d.".)
# tests/test_text.py checks them against spaCy on the corpus, on every word of the lemma table and
# every special case with each mark, and on random strings. Plain means ASCII letters only or ASCII
# digits only, or ASCII letters ending in two lower-case ones and then one of these marks: tested with
# str methods, several times quicker than the equivalent regular expressions.
_MARKS = frozenset(",.!?;:")
# Joins the new chunks of a batch so that placeholders and repeats are handled in one pass over one
# string; not whitespace, not a word character, so no pattern reaches across it (see _pieces).
_SEPARATOR = "\x00"


@lru_cache(maxsize=1)
def _special_cases() -> dict[str, tuple[str, ...]]:
    """spaCy's tokenizer special cases (no whitespace in them): chunk -> its token strings."""
    rules = _blank().tokenizer.rules  # first: imports spaCy without torch (see _import_spacy)
    from spacy.attrs import ORTH

    return {chunk: tuple(token[ORTH] for token in tokens) for chunk, tokens in rules.items() if not any(c.isspace() for c in chunk)}


def _plain_tokens(part: str, special: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The token strings spaCy gives ``part``, when it is a plain word (with one final mark) or a
    special case; None otherwise."""
    found = special.get(part)
    if found is not None:
        return found
    if part.isascii():
        if part.isalpha() or part.isdigit():
            return (part,)
        word = part[:-1]
        if len(word) >= 2 and part[-1] in _MARKS and word.isalpha() and word[-2:].islower() and word not in special:
            return (word, part[-1])
    return None


def _pieces(chunks: Sequence[str]) -> list[list[str]]:
    """Each chunk's pieces: placeholders replaced (``P3,`` becomes ``personplaceholder``, ``,``),
    then runs of a repeated character shortened, as :func:`normalize` does to whole texts.

    Done on all chunks joined by :data:`_SEPARATOR`, when none holds it: the placeholder pattern's
    word boundaries and the repeat pattern see the separator as they see the end of a string."""
    joined = _SEPARATOR.join(chunks)
    if joined.count(_SEPARATOR) != len(chunks) - 1:  # a chunk holds it: one chunk at a time
        return [[_shorten(part) for part in _placeholders(chunk).split()] for chunk in chunks]
    if _MAY_HOLD_PLACEHOLDER(joined):
        joined = _placeholders(joined)
    return [piece.split() for piece in _shorten(joined).split(_SEPARATOR)]


def _tokenize_chunks(chunks: Sequence[str]) -> None:
    """Tokenize chunks not seen before and cache their tokens.

    Placeholders are replaced inside each chunk (``P3,`` becomes ``personplaceholder ,``; a
    bracketed placeholder with spaces inside was replaced in the whole text by :func:`_split`).
    Plain words are tokenized in Python; the rest go through one spaCy call, joined with newlines:
    spaCy keeps each newline as a token of its own, so no prefix, suffix or special case can reach
    from one piece into the next, and each piece gets the tokens it gets alone.
    """
    if not chunks:
        return
    special = _special_cases()  # first: _blank() imports spaCy without torch (see _import_spacy)
    pieces = _pieces(chunks)
    known: dict[str, tuple[str, ...]] = {}
    unknown: list[str] = []
    for parts in pieces:
        for part in parts:
            if part not in known:
                found = _plain_tokens(part, special)
                if found is None:
                    unknown.append(part)
                    known[part] = ()
                else:
                    known[part] = found
    if unknown:
        _spacy_tokens(unknown, known)
    room = _CACHE_LIMIT - len(_CHUNK_CACHE)
    for chunk, parts in zip(chunks, pieces):
        texts = known[parts[0]] if len(parts) == 1 else [text for part in parts for text in known[part]]
        value: _Chunk
        if len(texts) == 1:  # most chunks are one token: the same value, built without loops
            entry = _token_entry(texts[0])
            value = ((), "", False) if entry is None else ((entry,), "" if entry[0] in _DROPPED else entry[1], entry[0] in _OPENERS)
        else:
            entries = [entry for text in texts if (entry := _token_entry(text)) is not None]
            value = (
                tuple(entries),
                " ".join(lemma for lower, lemma in entries if lower not in _DROPPED),
                any(lower in _OPENERS for lower, _ in entries),
            )
        if room <= 0:
            _OVERFLOW[chunk] = value
        else:
            _CHUNK_CACHE[chunk] = value
            room -= 1


def _spacy_tokens(parts: list[str], known: dict[str, tuple[str, ...]]) -> None:
    """Fill ``known[part]`` with the token strings spaCy's tokenizer gives each part."""
    import numpy as np
    from spacy.attrs import IDX, ORTH

    starts = np.cumsum([0] + [len(part) + 1 for part in parts[:-1]])
    doc = _blank().tokenizer("\n".join(parts))
    columns = doc.to_array([IDX, ORTH])  # one array for the whole doc: no Token objects
    owner = np.searchsorted(starts, columns[:, 0], side="right") - 1
    strings = doc.vocab.strings
    found: list[list[str]] = [[] for _ in parts]
    for key, index in zip(columns[:, 1].tolist(), owner.tolist()):
        found[index].append(strings[key])
    for part, texts in zip(parts, found):
        known[part] = tuple(texts)


def _token_entry(text: str) -> tuple[str, str] | None:
    """(lower-case form, lemma) of one token; None for whitespace tokens."""
    entry = _TOKEN_CACHE.get(text, False)
    if entry is not False:
        return entry  # type: ignore[return-value]
    lower = text.lower()
    entry = None if lower.isspace() else (lower, _lemma_table().get(lower, lower).lower())
    if len(_TOKEN_CACHE) < _CACHE_LIMIT:
        _TOKEN_CACHE[text] = entry
    return entry


# Chunks met once the cache is full: kept only for the call that needed them.
_OVERFLOW: dict[str, _Chunk] = {}
_MAY_HOLD_PLACEHOLDER = re.compile(r"[\d\[]").search


def _split(text: str) -> list[str]:
    # A bracketed placeholder may hold spaces ("[ NAME ]"), so it is replaced in the whole text;
    # "P3" never does, and is replaced inside each chunk when the chunk is first tokenized.
    return (_placeholders(text) if "[" in text else text).split()


def _entries(chunks: list[str]) -> list[_Chunk]:
    get = _CHUNK_CACHE.get
    return [entry if (entry := get(chunk)) is not None else _OVERFLOW[chunk] for chunk in chunks]


def _chunked(texts: Sequence[str]) -> list[list[_Chunk]]:
    split = [_split(text) for text in texts]
    try:
        _tokenize_chunks(sorted(set().union(*split) - _CHUNK_CACHE.keys()))
        return [_entries(chunks) for chunks in split]
    finally:
        _OVERFLOW.clear()


def tokens(text: str) -> list[tuple[str, str]]:
    """(lower-case form, lemma) of each token of one text, after :func:`normalize`."""
    return [token for entry in _chunked([text])[0] for token in entry[0]]


def _text_features(entries: list[_Chunk]) -> str:
    # Up to the first chunk that can open a scope, no scope is open and "no"/"if" (themselves
    # openers) cannot precede it, so those chunks' plain features are what _features would build;
    # the token-by-token pass starts at that chunk.
    first = next((index for index, entry in enumerate(entries) if entry[2]), None)
    if first is None:
        return " ".join([entry[1] for entry in entries if entry[1]])
    rest = _features([token for entry in entries[first:] for token in entry[0]])
    return " ".join([entry[1] for entry in entries[:first] if entry[1]] + ([rest] if rest else []))


def analyze_one(text: str) -> str:
    """Return the feature string of one text (see :func:`analyze`)."""
    return analyze([text])[0]


def _analyze_serial(texts: Sequence[str]) -> list[str]:
    # spaCy's tokenizer runs once per batch on the whitespace chunks not seen before; lemmas come
    # from the lookup table of the pipeline's lemmatizer.
    return [_text_features(entries) for entries in _chunked(texts)]


#: Below this many texts, worker processes cost more than they save.
PARALLEL_MIN_TEXTS = 4_000


def process_context() -> Any:
    """The multiprocessing context for worker pools: fork starts workers with spaCy and the model
    already loaded; it is unsafe once torch threads exist, so spawn is used then."""
    import multiprocessing
    import sys

    fork = "fork" in multiprocessing.get_all_start_methods() and "torch" not in sys.modules
    return multiprocessing.get_context("fork" if fork else "spawn")


def _warm() -> None:
    """Build the tokenizer and load the lemma table (worker start-up)."""
    _special_cases()
    _lemma_table()


@lru_cache(maxsize=4)
def _pool(workers: int) -> Any:
    import atexit
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=process_context(), initializer=_warm)
    atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    return pool


def resolve_jobs(n_jobs: int | None) -> int:
    """Number of worker processes for ``n_jobs`` (None or 1: one; -1: every core)."""
    import os

    if n_jobs is None or n_jobs == 0:
        return 1
    cores = os.cpu_count() or 1
    return max(1, cores + 1 + n_jobs) if n_jobs < 0 else int(n_jobs)


def analyze(texts: Sequence[str], n_jobs: int | None = None) -> list[str]:
    """Turn texts into space-separated lemma features with negation and wish scope.

    Parameters
    ----------
    texts : sequence of str
        Raw reflections. Must already be strings.
    n_jobs : int, optional
        Worker processes for large inputs (``-1``: every core). Output is identical whatever the
        number; inputs under :data:`PARALLEL_MIN_TEXTS` texts are always handled in-process.

    Returns
    -------
    list of str
        One feature string per text, in input order.
    """
    workers = resolve_jobs(n_jobs)
    if workers == 1 or len(texts) < PARALLEL_MIN_TEXTS:
        return _analyze_serial(texts)
    texts = list(texts)
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    out: list[str] = []
    for part in _pool(workers).map(_analyze_serial, chunks):
        out.extend(part)
    return out

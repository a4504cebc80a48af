"""Fast TF-IDF transform for a fixed word n-gram vocabulary.

A fitted :class:`~sklearn.feature_extraction.text.TfidfVectorizer` builds every n-gram of every
text as a Python string and looks it up in a dict, which made vectorising the slowest step of
tagging. :class:`NgramTfidf` gives the same matrix for the settings the models use (tokens split on
whitespace, no lower-casing, word n-grams, sublinear tf, idf, l2 norm): each token becomes an
integer once, each n-gram becomes one integer key computed with numpy over the whole batch, and
keys are matched against the sorted vocabulary keys with ``searchsorted``.
``tests/test_model.py`` checks it against scikit-learn's own transform.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["NgramTfidf"]


class NgramTfidf:
    """``TfidfVectorizer.transform`` for a fixed vocabulary of space-joined word n-grams.

    Parameters
    ----------
    terms : sequence of str
        Vocabulary in column order; an n-gram is its tokens joined by one space.
    idf : ndarray
        Inverse document frequency per column.

    Raises
    ------
    ValueError
        If the vocabulary is too large for n-gram keys to fit in 64 bits (callers fall back
        to scikit-learn).
    """

    def __init__(self, terms: Sequence[str], idf: np.ndarray) -> None:
        # One flat list of words and a count per term (no list per term: building tens of thousands
        # of small lists set off full garbage collections over the whole process).
        flat = " ".join(terms).split(" ") if len(terms) else []
        lengths = np.fromiter((term.count(" ") + 1 for term in terms), dtype=np.int64, count=len(terms))
        # Word ids in order of first appearance; an n-gram's key is its word ids in base len(words) + 1.
        words = {word: index for index, word in enumerate(dict.fromkeys(flat))}
        ids = np.fromiter(map(words.__getitem__, flat), dtype=np.int64, count=len(flat))
        starts = np.cumsum(lengths) - lengths
        self.max_n = int(lengths.max()) if len(terms) else 1
        self.base = len(words) + 1
        if self.base ** self.max_n >= 2**62:
            raise ValueError("vocabulary too large for 64-bit n-gram keys")
        self.keys: dict[int, np.ndarray] = {}
        self.columns: dict[int, np.ndarray] = {}
        for order in np.unique(lengths).tolist():
            columns = np.flatnonzero(lengths == order)
            keys = np.zeros(len(columns), dtype=np.int64)
            for offset in range(order):
                keys = keys * self.base + ids[starts[columns] + offset]
            by_key = np.argsort(keys, kind="stable")
            self.keys[order] = keys[by_key]
            self.columns[order] = columns[by_key]
        self.words = words
        self.idf = np.asarray(idf, dtype=np.float64)
        self.n_features = len(terms)

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF matrix (float32 CSR, one row per document) of whitespace-tokenised documents."""
        lookup = self.words.get
        ids: list[int] = []
        lengths: list[int] = []
        for document in documents:
            tokens = document.split()
            lengths.append(len(tokens))
            ids.extend([lookup(token, -1) for token in tokens])
        token_ids = np.array(ids, dtype=np.int64)
        document_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        rows: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        for order, known in self.keys.items():
            count = len(token_ids) - order + 1
            if count <= 0:
                continue
            valid = document_of[:count] == document_of[order - 1 : order - 1 + count]
            key = np.zeros(count, dtype=np.int64)
            for offset in range(order):
                part = token_ids[offset : offset + count]
                valid &= part >= 0
                key = key * self.base + np.where(part >= 0, part, 0)
            key = key[valid]
            where = np.searchsorted(known, key)
            where[where == len(known)] = 0
            hit = known[where] == key
            rows.append(document_of[:count][valid][hit])
            columns.append(self.columns[order][where[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        # COO to CSR sums repeated (row, column) pairs: the counts.
        matrix = sp.csr_matrix(
            (np.ones(len(row), dtype=np.float64), (row, column)), shape=(len(lengths), self.n_features)
        )
        matrix.sum_duplicates()
        matrix.data = (np.log(matrix.data) + 1.0) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix.astype(np.float32)

"""``FactorTagger``: a scikit-learn estimator that tags reflections with Yalom factors.

One logistic regression per factor over lexical features (lemma 1-3-grams with
negation and wish scope; character n-grams optional) and, optionally, a second
one over sentence embeddings. Per factor, a logistic regression fitted on
out-of-fold scores calibrates the lexical score (Platt scaling) or stacks the
two, and each factor gets its own decision threshold, chosen to maximise F1 on
the same out-of-fold predictions. Everything is learned from the training data
passed to :meth:`FactorTagger.fit`; nothing from elsewhere.

Examples
--------
>>> from yalomfactors import FactorTagger, load_corpus
>>> corpus = load_corpus(split="train")
>>> tagger = FactorTagger().fit(corpus["text"], corpus["labels"], groups=corpus["writer"])
>>> tagger.predict(["I'm not the only one who feels this way"]).shape
(1, 12)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import codebook
from ._imports import import_sklearn_base
from .exceptions import NotFittedError, SchemaError, UnknownFactorError
from .features import NgramTfidf
from .schema import MAX_CHARS, STATUS, text_status
from .text import analyze, normalize

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.feature_extraction.text import TfidfVectorizer
else:
    _sklearn_base = import_sklearn_base()
    BaseEstimator, ClassifierMixin = _sklearn_base.BaseEstimator, _sklearn_base.ClassifierMixin

# scikit-learn's text, linear-model and model-selection modules are imported where they are used,
# in fit() and on the fallback path: tagging with a loaded model needs none of them, and leaving
# them out keeps start-up fast.

__all__ = ["FactorTagger", "labels_to_matrix", "matrix_to_labels"]


def labels_to_matrix(y: Any, classes: Sequence[str] | None = None) -> np.ndarray:
    """Turn labels into an (n, k) 0/1 matrix in codebook order.

    Parameters
    ----------
    y : array-like
        Either an (n, k) 0/1 matrix already in ``classes`` order, or a sequence whose items are
        lists of factor ids, or strings of ids joined by ``";"`` (empty string or NaN for none).
    classes : sequence of str, optional
        Column order; the codebook's factor ids by default.

    Raises
    ------
    UnknownFactorError
        If a label is not a factor id; the message cites the row position.
    SchemaError
        If a matrix has the wrong number of columns or values other than 0 and 1.
    """
    classes = list(codebook.factor_ids() if classes is None else classes)
    if isinstance(y, pd.DataFrame):
        y = y[classes].to_numpy() if set(classes) <= set(y.columns) else y.to_numpy()
    if isinstance(y, pd.Series):
        y = y.tolist()
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype != object:
        if y.shape[1] != len(classes):
            raise SchemaError(f"y has {y.shape[1]} columns; expected {len(classes)}, one per factor in codebook order")
        if not np.isin(y, (0, 1)).all():
            raise SchemaError("y must hold only 0 and 1 (or True and False)")
        return y.astype(np.int8)
    index = {factor: column for column, factor in enumerate(classes)}
    out = np.zeros((len(y), len(classes)), dtype=np.int8)
    for row, item in enumerate(y):
        if item is None or (isinstance(item, float) and np.isnan(item)):
            continue
        if isinstance(item, str):
            item = [part.strip() for part in item.split(";") if part.strip()]
        for label in item:
            if label not in index:
                # A misplaced text column would put reflection text here: quote only id-like values.
                shown = repr(label) if len(str(label)) <= 40 and " " not in str(label) else f"a {len(str(label))}-character value"
                raise UnknownFactorError(
                    f"row {row}: unknown factor id {shown}; expected ids from: {', '.join(classes)}"
                )
            out[row, index[label]] = 1
    return out


def matrix_to_labels(matrix: np.ndarray, classes: Sequence[str] | None = None) -> list[list[str]]:
    """Inverse of :func:`labels_to_matrix`: one list of factor ids per row."""
    classes = list(codebook.factor_ids() if classes is None else classes)
    return [[classes[j] for j in np.flatnonzero(row)] for row in np.asarray(matrix)]


def _texts(X: Any, max_chars: int) -> list[str]:
    """Texts to featurise: non-strings become ''; long texts are cut."""
    if isinstance(X, pd.DataFrame):
        raise SchemaError("pass the text column (a Series or list of strings), not a whole DataFrame; use tag() for tables")
    if isinstance(X, str):
        raise SchemaError("X must be a sequence of texts, not a single string; wrap it in a list")
    return [value[:max_chars] if isinstance(value, str) else "" for value in X]


def _as_texts(X: Any, max_chars: int) -> tuple[list[str], list[str]]:
    """Return (texts to featurise, statuses)."""
    values = X if isinstance(X, (pd.DataFrame, str)) else list(X)
    texts = _texts(values, max_chars)
    return texts, [text_status(value, max_chars) for value in values]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


class FactorTagger(ClassifierMixin, BaseEstimator):
    """Multi-label tagger of Yalom's therapeutic factors in post-session reflections.

    Parameters
    ----------
    word_ngrams : tuple of int, default (1, 3)
        Range of lemma n-grams (after negation and wish marking).
    char_ngrams : tuple of int or None, default None
        Range of character n-grams within word boundaries, e.g. ``(3, 5)``; off by default (in
        writer-grouped cross-validation on the corpus they did not help and they cost speed).
    min_df : int, default 5
        A term is kept only if it occurs in at least ``min_df`` training texts, so saved models
        hold no rare wording from any one reflection.
    C : float, default 4.0
        Inverse regularisation strength of every per-factor logistic regression.
    embeddings : bool, default False
        Add all-MiniLM-L6-v2 sentence embeddings (needs ``yalomfactors[embeddings]``).
    embedding_C : float, default 8.0
        Inverse regularisation strength of the per-factor models on the embeddings. With
        embeddings, each factor's probability is a calibrated stack of its lexical and embedding
        models, fitted on out-of-fold scores.
    threshold : None, float, sequence or mapping, default None
        Decision thresholds. ``None`` uses the per-factor thresholds tuned during ``fit``; a float
        applies to every factor; a mapping or sequence gives one per factor.
    cv : int, default 5
        Folds for out-of-fold calibration and threshold tuning (grouped when ``groups`` is given).
    max_chars : int, default 5000
        Texts are cut to this many characters before tagging.
    n_jobs : int, optional
        Processes for text analysis of large inputs (``-1``: every core); results are identical.
    random_state : int, default 0
        Seed of the fold split.
    verbose : int, default 0
        Above 0, ``fit`` shows a progress bar over its folds on standard error.

    Attributes
    ----------
    classes_ : ndarray of str
        Factor ids in column order.
    thresholds_ : ndarray of float
        Tuned per-factor thresholds.
    calibration_ : ndarray of shape (k, blocks + 1)
        Per factor, the weights of the lexical (and embedding) scores and an intercept, fitted on
        out-of-fold scores: Platt scaling, or a calibrated stack.
    codebook_version_ : str
        Codebook version the model was trained under.
    """

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 3),
        char_ngrams: tuple[int, int] | None = None,
        min_df: int = 5,
        C: float = 4.0,
        embeddings: bool = False,
        embedding_C: float = 8.0,
        threshold: float | Sequence[float] | Mapping[str, float] | None = None,
        cv: int = 5,
        max_chars: int = MAX_CHARS,
        n_jobs: int | None = None,
        random_state: int = 0,
        verbose: int = 0,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.C = C
        self.embeddings = embeddings
        self.embedding_C = embedding_C
        self.threshold = threshold
        self.cv = cv
        self.max_chars = max_chars
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- sklearn plumbing -------------------------------------------------------------------
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.classifier_tags.multi_label = True
        return tags

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("this FactorTagger is not fitted yet; call fit(texts, y) or use load_model()")

    # -- features ---------------------------------------------------------------------------
    def _vectorizers(self) -> list[TfidfVectorizer]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizers = [
            TfidfVectorizer(
                token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.word_ngrams),
                min_df=self.min_df, sublinear_tf=True, dtype=np.float32,
            )
        ]
        if self.char_ngrams is not None:
            vectorizers.append(
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=tuple(self.char_ngrams), min_df=self.min_df,
                    sublinear_tf=True, dtype=np.float32, max_features=60_000,
                )
            )
        return vectorizers

    def _inputs(self, texts: list[str]) -> dict[str, Any]:
        inputs: dict[str, Any] = {"lemmas": analyze(texts, n_jobs=self.n_jobs), "raw": texts}
        if self.char_ngrams is not None:
            inputs["chars"] = [normalize(text).lower() for text in texts]
        return inputs

    def _embed(self, inputs: dict[str, Any]) -> np.ndarray:
        if "dense" not in inputs:
            from .embeddings import encode

            inputs["dense"] = encode(inputs["raw"])
        return inputs["dense"]

    def _matrix(self, vectorizers: list[TfidfVectorizer], inputs: dict[str, Any], rows: Any = slice(None), fit: bool = False) -> sp.csr_matrix:
        blocks = []
        for vectorizer, key in zip(vectorizers, ("lemmas", "chars")):
            docs = inputs[key] if isinstance(rows, slice) else [inputs[key][i] for i in rows]
            blocks.append(vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _fit_linear(self, X: Any, Y: np.ndarray, C: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        coef = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float64)
        intercept = np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            positives = int(Y[:, j].sum())
            if positives == 0 or positives == len(Y):
                intercept[j] = -12.0 if positives == 0 else 12.0  # constant label: no model to fit
                continue
            model = LogisticRegression(C=self.C if C is None else C, class_weight="balanced", solver="liblinear", max_iter=1000)
            model.fit(X, Y[:, j])
            coef[j] = model.coef_[0]
            intercept[j] = model.intercept_[0]
        return coef, intercept

    # -- fit --------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, groups: Any = None) -> FactorTagger:
        """Fit on texts and labels.

        Parameters
        ----------
        X : sequence of str
            Reflection texts.
        y : array-like
            (n, 12) 0/1 matrix in codebook order, or per-text lists of factor ids (or ``";"``-joined
            strings).
        groups : array-like, optional
            Writer or member ids; out-of-fold folds keep each group on one side.

        Returns
        -------
        FactorTagger
            ``self``.
        """
        from sklearn.model_selection import GroupKFold, KFold

        texts, statuses = _as_texts(X, self.max_chars)
        classes = list(codebook.factor_ids())
        Y = labels_to_matrix(y, classes)
        if len(texts) != len(Y):
            raise SchemaError(f"X has {len(texts)} texts but y has {len(Y)} rows; they must match")
        # Placeholder answers such as "n/a" are legitimate no-factor examples; blanks are not.
        unusable = [i for i, (text, status) in enumerate(zip(texts, statuses)) if status == "not_text" or not text.strip()]
        if unusable:
            raise SchemaError(
                f"{len(unusable)} training text(s) are empty or not text, first at row(s) {unusable[:5]}; "
                "remove them or fill them in before training"
            )
        if len(texts) < 2 * self.cv:
            raise SchemaError(f"need at least {2 * self.cv} training texts for cv={self.cv}; got {len(texts)}")
        inputs = self._inputs(texts)

        # Out-of-fold scores on training data only: calibration and thresholds come from these.
        if groups is not None:
            groups = np.asarray(groups)
            if len(np.unique(groups)) < self.cv:
                raise SchemaError(f"groups has {len(np.unique(groups))} distinct values; need at least cv={self.cv}")
            splitter = GroupKFold(n_splits=self.cv)
            folds = list(splitter.split(texts, groups=groups))
        else:
            folds = list(KFold(self.cv, shuffle=True, random_state=self.random_state).split(texts))
        n_blocks = 2 if self.embeddings else 1
        oof = np.zeros((*Y.shape, n_blocks), dtype=np.float64)
        steps: Any = folds
        if self.verbose > 0:
            from tqdm import tqdm

            steps = tqdm(folds, desc="cross-validating", unit="fold")
        for train, held in steps:
            vectorizers = self._vectorizers()
            coef, intercept = self._fit_linear(self._matrix(vectorizers, inputs, train, fit=True), Y[train])
            oof[held, :, 0] = self._matrix(vectorizers, inputs, held) @ coef.T + intercept
            if self.embeddings:
                dense = self._embed(inputs)
                coef, intercept = self._fit_linear(dense[train], Y[train], C=self.embedding_C)
                oof[held, :, 1] = dense[held] @ coef.T + intercept
        # Per factor, a logistic regression on the out-of-fold scores: Platt calibration with one
        # block, a calibrated stack of the lexical and embedding models with two.
        self.calibration_ = np.array([self._calibrate(oof[:, j, :], Y[:, j]) for j in range(Y.shape[1])])
        calibrated = self._combine(oof)
        self.thresholds_ = np.array([self._best_threshold(calibrated[:, j], Y[:, j]) for j in range(Y.shape[1])])

        vectorizers = self._vectorizers()
        X_all = self._matrix(vectorizers, inputs, slice(None), fit=True)
        # Only the kept vocabulary (terms in at least min_df texts) and idf weights are stored, as one
        # string and one array per vectorizer: the pruned rare terms (sklearn's stop_words_) would
        # keep training wording, and a dict of n-grams makes the model file slow to load.
        self.lexicon_ = ["\n".join(v.get_feature_names_out()) for v in vectorizers]
        self.idf_ = [v.idf_.astype(np.float32) for v in vectorizers]
        self.__dict__.pop("_vectorizer_cache", None)
        self.__dict__.pop("_ngram_cache", None)
        coef, self.intercept_ = self._fit_linear(X_all, Y)
        self.coef_ = coef.astype(np.float32)
        if self.embeddings:
            dense_coef, self.dense_intercept_ = self._fit_linear(self._embed(inputs), Y, C=self.embedding_C)
            self.dense_coef_ = dense_coef.astype(np.float32)
        self.classes_ = np.array(classes)
        self.codebook_version_ = codebook.CODEBOOK_VERSION
        self.n_features_ = X_all.shape[1]
        return self

    @property
    def vectorizers_(self) -> list[TfidfVectorizer]:
        """The fitted vectorizers, rebuilt from ``lexicon_`` and ``idf_`` once per loaded model."""
        cached = self.__dict__.get("_vectorizer_cache")
        if cached is None:
            self._check_fitted()
            cached = []
            for vectorizer, terms, idf in zip(self._vectorizers(), self.lexicon_, self.idf_):
                vectorizer.set_params(vocabulary={term: i for i, term in enumerate(terms.split("\n"))}, min_df=1)
                vectorizer.idf_ = idf
                cached.append(vectorizer)
            self.__dict__["_vectorizer_cache"] = cached
        return cached

    def _ngram_index(self) -> NgramTfidf | None:
        """Fast transform of the word block (None when the vocabulary is too large for it)."""
        if "_ngram_cache" not in self.__dict__:
            self._check_fitted()
            try:
                index: NgramTfidf | None = NgramTfidf(self.lexicon_[0].split("\n"), self.idf_[0])
            except ValueError:
                index = None
            self.__dict__["_ngram_cache"] = index
        return self.__dict__["_ngram_cache"]

    def _lexical_matrix(self, inputs: dict[str, Any]) -> sp.csr_matrix:
        index = self._ngram_index()
        if index is None:
            return self._matrix(self.vectorizers_, inputs)
        word = index.transform(inputs["lemmas"])
        if self.char_ngrams is None:
            return word
        return sp.hstack([word, self.vectorizers_[1].transform(inputs["chars"])], format="csr", dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_vectorizer_cache", None)
        state.pop("_ngram_cache", None)
        return state

    def _combine(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from (n, k, blocks) base scores."""
        weights = self.calibration_[:, :-1]
        return _sigmoid(np.einsum("nkb,kb->nk", scores, weights) + self.calibration_[:, -1])

    @staticmethod
    def _calibrate(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
        if labels.min() == labels.max():
            return np.array([0.0] * scores.shape[1] + [-12.0 if labels.max() == 0 else 12.0])
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1e4, solver="lbfgs")
        model.fit(scores, labels)
        return np.concatenate([model.coef_[0], model.intercept_])

    @staticmethod
    def _best_threshold(proba: np.ndarray, labels: np.ndarray) -> float:
        if labels.sum() == 0:
            return 0.5
        best, best_f1 = 0.5, -1.0
        for threshold in np.round(np.arange(0.10, 0.91, 0.025), 3):
            predicted = proba >= threshold
            tp = float(np.sum(predicted & (labels == 1)))
            f1 = 2 * tp / (predicted.sum() + labels.sum()) if predicted.sum() + labels.sum() else 0.0
            if f1 > best_f1 + 1e-9:
                best, best_f1 = float(threshold), f1
        return best

    # -- predict ----------------------------------------------------------------------------
    def _scores(self, X: Any) -> np.ndarray:
        """Base-model scores, (n, k, blocks): lexical, then embeddings when used."""
        self._check_fitted()
        return self._text_scores(_texts(X, self.max_chars))

    def _text_scores(self, texts: list[str]) -> np.ndarray:
        inputs = self._inputs(texts)
        lexical = np.asarray(self._lexical_matrix(inputs) @ self.coef_.T) + self.intercept_
        if not self.embeddings:
            return lexical[:, :, None]
        dense = self._embed(inputs) @ self.dense_coef_.T + self.dense_intercept_
        return np.stack([lexical, dense], axis=2)

    def decision_function(self, X: Any) -> np.ndarray:
        """Calibrated log-odds of each factor, (n, k)."""
        scores = self._scores(X)
        return np.einsum("nkb,kb->nk", scores, self.calibration_[:, :-1]) + self.calibration_[:, -1]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probability of each factor, an (n, k) array in ``classes_`` order."""
        return self._combine(self._scores(X))

    def thresholds(self) -> np.ndarray:
        """The thresholds in force: the ``threshold`` parameter if set, else the tuned ones."""
        self._check_fitted()
        k = len(self.classes_)
        if self.threshold is None:
            return self.thresholds_.copy()
        if isinstance(self.threshold, Mapping):
            out = self.thresholds_.copy()
            for factor, value in self.threshold.items():
                if factor not in list(self.classes_):
                    raise UnknownFactorError(f"threshold given for unknown factor id {factor!r}")
                out[list(self.classes_).index(factor)] = float(value)
            values = out
        elif np.ndim(self.threshold) == 0:
            values = np.full(k, float(self.threshold))  # type: ignore[arg-type]
        else:
            values = np.asarray(self.threshold, dtype=float)
            if values.shape != (k,):
                raise SchemaError(f"threshold has {values.size} values; expected one per factor ({k})")
        if not np.all((values > 0) & (values < 1)):
            raise SchemaError("every threshold must lie strictly between 0 and 1")
        return values

    def predict(self, X: Any) -> np.ndarray:
        """0/1 decision for each factor, an (n, k) int array."""
        return (self.predict_proba(X) >= self.thresholds()).astype(int)

    # -- evidence ---------------------------------------------------------------------------
    def _word_contributions(self, lemma_string: str, factor_index: int) -> list[tuple[str, float]]:
        vectorizer = self.vectorizers_[0]
        row = vectorizer.transform([lemma_string])
        names = vectorizer.get_feature_names_out()
        weights = self.coef_[factor_index, : row.shape[1]]
        pairs = [(names[j], float(row[0, j] * weights[j])) for j in row.indices]
        return sorted(pairs, key=lambda pair: -pair[1])

    def explain(self, text: str, top_n: int = 5, factors: Sequence[str] | None = None) -> pd.DataFrame:
        """Words and phrases of ``text`` that pushed each tagged factor's decision most.

        Parameters
        ----------
        text : str
            One reflection.
        top_n : int, default 5
            Phrases per factor.
        factors : sequence of str, optional
            Factors to explain; by default those tagged.

        Returns
        -------
        DataFrame
            Columns ``factor``, ``probability``, ``phrase`` (the words as written in the text),
            ``weight`` (contribution to the factor's linear score; only lexical features are
            attributable, embedding contributions are not shown).
        """
        self._check_fitted()
        if not isinstance(text, str):
            raise SchemaError("explain() takes one text (a string)")
        proba = self.predict_proba([text])[0]
        classes = list(self.classes_)
        if factors is None:
            chosen = [j for j in range(len(classes)) if proba[j] >= self.thresholds()[j]]
        else:
            chosen = [classes.index(codebook.get_factor(factor).id) for factor in factors]
        lemma_string = analyze([text[: self.max_chars]])[0]
        surfaces = _surface_map(text[: self.max_chars], max(self.word_ngrams))
        rows: list[dict[str, Any]] = []
        for j in chosen:
            kept = 0
            for feature, weight in self._word_contributions(lemma_string, j):
                if kept >= top_n or weight <= 0:
                    break
                if _only_function_words(feature):
                    continue
                rows.append({"factor": classes[j], "probability": float(proba[j]),
                             "phrase": surfaces.get(feature, _strip_scope(feature)), "weight": weight})
                kept += 1
        return pd.DataFrame(rows, columns=["factor", "probability", "phrase", "weight"])

    # -- tidy tagging ---------------------------------------------------------------------------
    def tag(
        self,
        data: Any,
        text_column: str = "text",
        id_columns: Sequence[str] | None = None,
        evidence: bool = False,
        model_version: str | None = None,
        identifiers: str = "warn",
    ) -> pd.DataFrame:
        """Tag reflections and return a tidy table, one row per input row, in input order.

        Parameters
        ----------
        data : DataFrame or sequence of str
            Reflections. A DataFrame must have ``text_column``.
        text_column : str, default "text"
        id_columns : sequence of str, optional
            Columns copied to the output; by default every non-text column of ``data``.
        evidence : bool, default False
            Add an ``evidence`` column: for each tagged factor, its top phrases.
        model_version : str, optional
            Recorded in the output; defaults to the model's own ``model_version_`` if set.
        identifiers : {"warn", "redact", "raise", "ignore"}, default "warn"
            What to do with likely identifiers in the texts (see
            :func:`yalomfactors.privacy.apply_identifier_policy`): warn with row positions, replace
            them with placeholders before tagging (so evidence never quotes them), raise
            :class:`~yalomfactors.exceptions.IdentifierFoundError`, or skip the screening.

        Returns
        -------
        DataFrame
            The id columns, ``status``, ``p_<factor>`` (float, NaN when not tagged), ``<factor>``
            (nullable boolean), ``n_factors``, ``codebook_version`` and ``model_version``.
        """
        self._check_fitted()
        if isinstance(data, pd.DataFrame):
            if text_column not in data.columns:
                raise SchemaError(
                    f"no column {text_column!r} in the table; found {list(map(str, data.columns))}. "
                    "Pass text_column= to name the text column."
                )
            values = data[text_column].tolist()
            ids = data[[c for c in (id_columns if id_columns is not None else data.columns) if c != text_column]].reset_index(drop=True)
        else:
            if isinstance(data, str):
                data = [data]
            values = list(data)
            ids = pd.DataFrame(index=range(len(values)))
        if identifiers != "ignore":
            from .privacy import apply_identifier_policy

            values = apply_identifier_policy(pd.DataFrame({"text": values}), "text", identifiers)["text"].tolist()  # type: ignore[arg-type]
        texts, statuses = _as_texts(values, self.max_chars)  # statuses computed once, for both uses
        proba = self._combine(self._text_scores(texts)) if texts else np.zeros((0, len(self.classes_)))
        tagged = np.array([status in ("ok", "too_long_truncated") for status in statuses], dtype=bool)
        decisions = proba >= self.thresholds()
        # The new columns are built as arrays and joined to the id columns at once: inserting them one
        # by one cost about 20 ms a call, whatever the number of rows.
        missing = ~tagged
        columns: dict[str, Any] = {STATUS: pd.Categorical(statuses, categories=list(_STATUS_ORDER))}
        for j, factor in enumerate(self.classes_):
            columns[f"p_{factor}"] = np.where(tagged, proba[:, j], np.nan)
        for j, factor in enumerate(self.classes_):
            columns[factor] = pd.arrays.BooleanArray(decisions[:, j] & tagged, missing.copy())
        columns["n_factors"] = pd.arrays.IntegerArray(np.where(tagged, decisions.sum(axis=1), 0).astype("int64"), missing.copy())
        if evidence:
            columns["evidence"] = [
                _format_evidence(self.explain(str(value))) if ok else "" for value, ok in zip(values, tagged)
            ]
        columns["codebook_version"] = self.codebook_version_
        columns["model_version"] = model_version or getattr(self, "model_version_", "custom")
        return _join_columns(ids, columns)


_STATUS_ORDER = ("ok", "empty", "not_text", "too_long_truncated", "non_english")


def _join_columns(ids: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """``ids`` with ``columns`` added in order; a column ``ids`` already has is replaced in place."""
    added = pd.DataFrame({name: value for name, value in columns.items() if name not in ids.columns}, index=ids.index)
    out = pd.concat([ids, added], axis=1) if len(ids.columns) else added
    for name, value in columns.items():
        if name in ids.columns:
            out[name] = value
    return out


def _format_evidence(explanation: pd.DataFrame) -> str:
    parts = []
    for factor, rows in explanation.groupby("factor", sort=False):
        phrases = ", ".join(f"'{phrase}'" for phrase in rows["phrase"])
        parts.append(f"{factor}: {phrases}")
    return "; ".join(parts)


def _strip_scope(feature: str) -> str:
    return " ".join(part.removeprefix("neg_").removeprefix("wish_") for part in feature.split())


def _only_function_words(feature: str) -> bool:
    """True for features such as "i", "neg_me" or "it be" that say nothing to a reader."""
    from .text import get_nlp

    get_nlp()  # imports spaCy the way the text module does, without torch
    from spacy.lang.en.stop_words import STOP_WORDS

    return all(part in STOP_WORDS or part == "personplaceholder" for part in _strip_scope(feature).split())


def _surface_map(text: str, longest: int = 3) -> dict[str, str]:
    """Map each lemma-feature n-gram of ``text`` to the words as written."""
    from .text import _features, get_nlp

    doc = get_nlp()(normalize(text))
    tokens = [t for t in doc if not t.is_space]
    features = _features((t.lower_, (t.lemma_ or t.lower_).lower()) for t in tokens).split()
    # _features drops scope-breaking punctuation, so align by re-walking the tokens.
    surface = [t.text for t in tokens if t.lower_ not in {".", ",", ";", ":", "!", "?", "-", "--", "—", "–", "(", ")"}]
    if len(surface) != len(features):
        surface = features
    mapping: dict[str, str] = {}
    for n in range(1, longest + 1):
        for i in range(len(features) - n + 1):
            mapping.setdefault(" ".join(features[i : i + n]), " ".join(surface[i : i + n]).replace("personplaceholder", "[NAME]"))
    return mapping


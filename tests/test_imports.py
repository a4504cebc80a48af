"""Deferred SciPy modules and spaCy without its CLI: shorter start-up, same behaviour."""

import subprocess
import sys

import pytest

from yalomfactors._imports import defer


def _run(code, **env):
    import os

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, **env}).stdout.split()


_CHECK = (
    "import sys; import yalomfactors as y; y.load_model('fast').tag(['Not alone, same boat.']); "
    "print('norm' in vars(sys.modules['scipy.stats']), 'spacy.cli' in sys.modules); "
    "import scipy.stats, scipy.spatial.distance; from scipy.optimize import minimize; "
    "print(scipy.stats.norm.cdf(0.0) == 0.5, scipy.spatial.distance.euclidean([0, 0], [3, 4]) == 5.0, callable(minimize)); "
    "import spacy, spacy.cli; print(callable(spacy.info), callable(spacy.cli.info))"
)


def test_tagging_runs_without_scipy_stats_or_spacy_cli_and_both_work_afterwards():
    assert _run(_CHECK) == ["False", "False", "True", "True", "True", "True", "True"]


def test_eager_imports_switch_loads_everything_up_front():
    assert _run(_CHECK, YALOMFACTORS_EAGER_IMPORTS="1")[:2] == ["True", "True"]


def _package(tmp_path, body, sub="VALUE = 2\n"):
    root = tmp_path / "deferpkg_demo"
    root.mkdir()
    (root / "__init__.py").write_text(body)
    (root / "sub.py").write_text(sub)
    sys.path.insert(0, str(tmp_path))


def test_defer_runs_package_code_on_first_use_and_before_its_submodules(tmp_path):
    _package(tmp_path, "import sys\nsys.deferpkg_ran = True\nVALUE = 1\n", "import deferpkg_demo\nVALUE = deferpkg_demo.VALUE + 1\n")
    try:
        defer("deferpkg_demo")
        import deferpkg_demo

        assert not hasattr(sys, "deferpkg_ran")  # registered, not run
        import deferpkg_demo.sub  # the package's own code runs first, as in a normal import

        assert sys.deferpkg_ran and deferpkg_demo.VALUE == 1 and deferpkg_demo.sub.VALUE == 2
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("deferpkg_demo", "deferpkg_demo.sub"):
            sys.modules.pop(name, None)
        if hasattr(sys, "deferpkg_ran"):
            del sys.deferpkg_ran


def test_defer_failure_leaves_nothing_behind(tmp_path):
    _package(tmp_path, "raise RuntimeError('broken on purpose')\n")
    try:
        defer("deferpkg_demo")
        import deferpkg_demo

        with pytest.raises(RuntimeError, match="broken on purpose"):  # the module's own error comes through
            _ = deferpkg_demo.anything
        assert "deferpkg_demo" not in sys.modules  # as after a failed import
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("deferpkg_demo", None)

"""Reflection text never reaches an exception, a warning, a log line, a progress bar or a saved model;
public functions keep every row, in order, whatever text they get."""

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yalomfactors import FactorTagger, codebook
from yalomfactors.batch import tag_file
from yalomfactors.cli import main
from yalomfactors.exceptions import YalomFactorsError
from yalomfactors.io import detect_columns, read_table, standardize
from yalomfactors.model import labels_to_matrix
from yalomfactors.privacy import apply_identifier_policy, check_identifiers

MARKER = "Qzxvbmarkerword"
SECRET = f"I told them about {MARKER} and the night at jo.k@example.org"


def _error_paths(tmp_path, fast_model):
    """Callables that fail on input holding the marker, each in its own way."""
    frame = pd.DataFrame({"text": [SECRET, "fine"], "session": ["1", SECRET]})
    broken_csv = tmp_path / "broken.csv"
    broken_csv.write_text(f"text,group\n{SECRET},G1\n{SECRET},G1,{SECRET},extra\n")
    bad_dates = pd.DataFrame({"text": ["a"], "Date": [SECRET]})
    doubled = pd.DataFrame({"text": [SECRET, SECRET], "reflection_id": [SECRET, SECRET]})
    backwards = pd.DataFrame({"text": [SECRET, SECRET], "session_number": ["1", "2"],
                              "session_date": ["2026-02-01", "2026-01-01"]})
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text(f'reflection_id,text\nr1,"{SECRET}\n')
    streamed = tmp_path / "doubled.csv"
    doubled.to_csv(streamed, index=False)
    streamed_dates = tmp_path / "dates.csv"
    bad_dates.to_csv(streamed_dates, index=False)
    streamed_backwards = tmp_path / "backwards.csv"
    backwards.to_csv(streamed_backwards, index=False)
    return {
        "labels in the text column": lambda: labels_to_matrix([SECRET]),
        "fit with a blank text": lambda: FactorTagger(cv=2).fit([SECRET] * 4 + ["  "], [[]] * 5),
        "fit with mismatched labels": lambda: FactorTagger(cv=2).fit([SECRET] * 6, [[]] * 2),
        "tag without the text column": lambda: fast_model.tag(frame.rename(columns={"text": "body"})),
        "identifier policy raise": lambda: apply_identifier_policy(frame, policy="raise"),
        "unparseable session numbers": lambda: standardize(frame, {"text": "text", "session_number": "session"}),
        "unparseable dates": lambda: standardize(bad_dates, detect_columns(bad_dates)[0]),
        "truncated csv": lambda: read_table(broken_csv),
        "explain on a non-string": lambda: fast_model.explain([SECRET]),
        "duplicate ids": lambda: standardize(doubled, {"text": "text", "reflection_id": "reflection_id"}),
        "dates against session numbers": lambda: standardize(backwards, detect_columns(backwards)[0]),
        "unclosed quote": lambda: read_table(unclosed),
        "streamed duplicate ids": lambda: tag_file(streamed, tmp_path / "o.csv", model=fast_model, n_jobs=1),
        "streamed unparseable dates": lambda: tag_file(streamed_dates, tmp_path / "o.csv", model=fast_model, n_jobs=1),
        "streamed dates against session numbers": lambda: tag_file(streamed_backwards, tmp_path / "o.csv",
                                                                   model=fast_model, n_jobs=1),
    }


def test_no_text_in_exceptions_warnings_or_logs(tmp_path, fast_model, caplog):
    caplog.set_level(logging.DEBUG)
    for name, call in _error_paths(tmp_path, fast_model).items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises((YalomFactorsError, ValueError)) as error:
                call()
        assert MARKER not in str(error.value) and "example.org" not in str(error.value), name
        assert MARKER not in repr(error.value.args), name
        assert all(MARKER not in str(w.message) for w in caught), name
    assert MARKER not in caplog.text


def test_tagging_and_screening_warn_without_text(fast_model, caplog):
    caplog.set_level(logging.DEBUG)
    frame = pd.DataFrame({"text": [SECRET, "x " * 6000 + MARKER, MARKER]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast_model.tag(frame, evidence=True)
        apply_identifier_policy(frame, policy="warn")
    assert caught, "the identifier warning should fire"
    assert all(MARKER not in str(w.message) and "example.org" not in str(w.message) for w in caught)
    found = check_identifiers(frame)
    assert MARKER not in found.to_string()
    assert MARKER not in caplog.text


def test_cli_errors_and_progress_never_print_text(tmp_path, capsys):
    path, bad = tmp_path / "in.csv", tmp_path / "bad.csv"
    pd.DataFrame({"Reflection": [SECRET] * 3, "Week": ["1", "2", "3"]}).to_csv(path, index=False)
    pd.DataFrame({"Reflection": [SECRET] * 3, "Week": ["1", "x", SECRET]}).to_csv(bad, index=False)
    assert main(["tag", str(path), "--model", "fast", "--out", str(tmp_path / "o.csv")]) == 0
    assert main(["tag", str(bad), "--model", "fast", "--out", str(tmp_path / "o2.csv")]) == 1
    assert main(["trends", str(path), "--out", str(tmp_path / "t"), "--model", "fast"]) == 1
    assert main(["tag", str(path), "--model", "fast", "--identifiers", "raise", "--out", str(tmp_path / "p.csv")]) == 1
    assert main(["check", str(path)]) == 1
    captured = capsys.readouterr()
    assert MARKER not in captured.err and MARKER not in captured.out
    assert "example.org" not in captured.err + captured.out


texts = st.lists(st.one_of(st.text(max_size=300), st.none(), st.floats(allow_nan=True), st.integers()), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_tag_keeps_every_row_in_order_with_valid_probabilities(fast_model, values):
    frame = pd.DataFrame({"row": range(len(values)), "text": pd.Series(values, dtype=object)})
    out = fast_model.tag(frame)
    assert len(out) == len(values) and out["row"].tolist() == list(range(len(values)))
    probabilities = out[[f"p_{f}" for f in codebook.factor_ids()]].to_numpy(dtype=float)
    ok = out["status"].isin(["ok", "too_long_truncated"]).to_numpy()
    assert np.all((probabilities[ok] >= 0) & (probabilities[ok] <= 1))
    assert np.isnan(probabilities[~ok]).all()
    again = fast_model.tag(frame)  # deterministic: the same input gives the same table
    pd.testing.assert_frame_equal(out, again)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=200), st.none(), st.integers()), max_size=20))
def test_identifier_screening_on_arbitrary_text(values):
    from yalomfactors.privacy import IDENTIFIER_KINDS, redact

    found = check_identifiers(values)
    assert set(found.columns) == {"row", "kind", "count"}
    assert found["row"].between(0, max(len(values) - 1, 0)).all() and found["kind"].isin(IDENTIFIER_KINDS).all()
    pd.testing.assert_frame_equal(found, check_identifiers(values))
    redacted = apply_identifier_policy(pd.DataFrame({"text": pd.Series(values, dtype=object)}), policy="redact")
    assert len(redacted) == len(values)
    for before, after in zip(values, redacted["text"]):
        if isinstance(before, str):
            assert after == redact(before)
        else:
            assert after is before or (after != after and before != before)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(["group_id", "session_number", "member_id", "text", "extra"]), st.integers(0, 12))
def test_column_order_and_size_do_not_matter(fast_model, order, n):
    from yalomfactors.trends import summarize_trends

    rng = np.random.default_rng(n)
    frame = pd.DataFrame({
        "group_id": rng.choice(["A", "B"], n), "session_number": rng.integers(1, 5, n),
        "member_id": rng.choice(["m1", "m2", "m3"], n), "text": rng.choice(["felt less alone", "n/a", "we cried"], n),
        "extra": range(n),
    })[list(order)]
    out = fast_model.tag(frame)
    assert len(out) == n and out["extra"].tolist() == list(range(n))
    table = summarize_trends(out)
    assert table["n_reflections"].sum() == 12 * int(out["status"].eq("ok").sum()) or n == 0

"""Every kind of bad input named in the privacy-and-safety issue, in one place.

Each case ends either in a typed exception whose message says what is wrong and how to fix it,
or in a documented status value on the row; no row is dropped. Model-file cases (corrupted,
tampered, truncated, other codebook version, untrusted types) are in tests/test_builtin.py.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from yalomfactors.batch import tag_file
from yalomfactors.exceptions import DuplicateIdError, InputFileError, SchemaError
from yalomfactors.io import read_reflections, read_table

GOOD = pd.DataFrame({
    "reflection_id": ["r1", "r2", "r3", "r4"],
    "group_id": ["G", "G", "G", "G"],
    "session_number": ["1", "1", "2", "3"],
    "session_date": ["2026-01-05", "2026-01-05", "2026-01-12", "2026-01-19"],
    "member_id": ["a", "b", "a", "b"],
    "text": ["I felt less alone today.", "Same boat as everyone.", "Nothing much.", "I told P2 how I felt."],
})


def _csv(tmp_path, frame, name="in.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "value, status",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (np.nan, "empty"),
        (None, "empty"),
        ("n/a", "empty"),
        (42, "not_text"),
        (["a", "list"], "not_text"),
        ("I felt less alone when the others spoke. " * 2_500, "too_long_truncated"),
        ("Je me suis senti beaucoup moins seul aujourd'hui dans le groupe", "non_english"),
        ("Hoy me sentí mucho menos sola con las demás compañeras del grupo", "non_english"),
        ("I finally felt understood by the others.", "ok"),
    ],
)
def test_bad_texts_get_a_status_and_keep_their_row(fast_model, value, status):
    values = ["First row is fine.", value, "Last row is fine too."]
    tagged = fast_model.tag(pd.DataFrame({"reflection_id": [1, 2, 3], "text": values}), identifiers="ignore")
    assert len(tagged) == 3 and tagged["reflection_id"].tolist() == [1, 2, 3]
    assert tagged["status"].tolist() == ["ok", status, "ok"]
    tagged_ok = status in ("ok", "too_long_truncated")
    assert tagged.loc[1, "p_universality"] == tagged.loc[1, "p_universality"] if tagged_ok else np.isnan(tagged.loc[1, "p_universality"])


def test_missing_and_misnamed_columns(tmp_path):
    with pytest.raises(SchemaError, match="could not find the text"):
        read_reflections(_csv(tmp_path, GOOD.rename(columns={"text": "blah"})), verbose=False)
    with pytest.raises(SchemaError, match="'Notes' .* is not in the file"):
        read_reflections(_csv(tmp_path, GOOD), text_column="Notes", verbose=False)
    with pytest.raises(SchemaError, match="could not find the member_id"):
        read_reflections(_csv(tmp_path, GOOD.drop(columns="member_id")), required=("text", "member_id"), verbose=False)


def test_wrong_types_in_id_columns(tmp_path):
    with pytest.raises(SchemaError, match=r"not session numbers, first at row\(s\) \[2\]"):
        read_reflections(_csv(tmp_path, GOOD.assign(session_number=["1", "1", "second", "3"])), verbose=False)


def test_wrong_types_for_the_estimator(fast_model):
    with pytest.raises(SchemaError, match="not a whole DataFrame"):
        fast_model.predict_proba(GOOD)
    with pytest.raises(SchemaError, match="not a single string"):
        fast_model.predict_proba("one text")


def test_duplicate_ids_stop_with_the_rows_named(tmp_path, fast_model):
    doubled = pd.concat([GOOD, GOOD.iloc[[1, 2]]], ignore_index=True)
    path = _csv(tmp_path, doubled)
    with pytest.raises(DuplicateIdError, match=r"2 row\(s\) repeat .* first at row\(s\) \[4, 5\].*--allow-duplicate-ids"):
        read_reflections(path, verbose=False)
    with pytest.raises(DuplicateIdError, match=r"\[4, 5\]"):
        tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.parts").exists()
    # Allowed on request: every row kept, in order.
    assert len(read_reflections(path, verbose=False, allow_duplicate_ids=True)) == 6
    result = tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1, allow_duplicate_ids=True)
    assert result["rows"] == 6 and len(pd.read_csv(tmp_path / "out.csv")) == 6


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_streamed_duplicate_ids_are_found_in_every_format_and_a_named_column(tmp_path, fast_model, suffix):
    doubled = pd.concat([GOOD, GOOD.iloc[[1]]], ignore_index=True).rename(columns={"reflection_id": "Entry"})
    path = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        doubled.to_csv(path, index=False)
    elif suffix == ".parquet":
        doubled.astype(str).to_parquet(path, index=False)
    else:
        doubled.astype(str).to_json(path, orient="records", lines=True)
    with pytest.raises(DuplicateIdError, match=r"'Entry' holds reflection ids, but 1 row\(s\) repeat .* row\(s\) \[4\]"):
        tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1, columns={"reflection_id": "Entry"})
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.parts").exists()


def test_missing_ids_are_not_duplicates(tmp_path):
    frame = GOOD.assign(reflection_id=["r1", None, None, "r4"])
    assert len(read_reflections(_csv(tmp_path, frame), verbose=False)) == 4


def test_unparseable_dates(tmp_path):
    with pytest.raises(SchemaError, match=r"not dates, first at row\(s\) \[3\]; use YYYY-MM-DD"):
        read_reflections(_csv(tmp_path, GOOD.assign(session_date=["2026-01-05"] * 3 + ["the week after"])), verbose=False)


def test_rows_out_of_date_order_give_the_same_sessions(tmp_path):
    dated = GOOD.drop(columns="session_number")
    shuffled = dated.iloc[[3, 0, 2, 1]]
    a = read_reflections(_csv(tmp_path, dated, "a.csv"), verbose=False).set_index("reflection_id")["session_number"]
    b = read_reflections(_csv(tmp_path, shuffled, "b.csv"), verbose=False).set_index("reflection_id")["session_number"]
    assert a.sort_index().tolist() == b.sort_index().tolist() == [1, 1, 2, 3]


def test_rows_without_a_date_get_no_session_number_and_a_warning(tmp_path, fast_model):
    # Before, a blank date was numbered session 1 (pandas ranks NaT first within a group).
    dated = GOOD.drop(columns="session_number").assign(session_date=["2026-01-05", "", "2026-01-12", "2026-01-19"])
    path = _csv(tmp_path, dated)
    with pytest.warns(UserWarning, match=r"1 row\(s\) have no date in column 'session_date', so no session number, "
                                         r"first at row\(s\) \[1\]"):
        frame = read_reflections(path, verbose=False)
    assert frame["session_number"].tolist()[0] == 1 and frame["session_number"].isna().tolist() == [False, True, False, False]
    assert frame["session_number"].tolist()[2:] == [2, 3]
    with pytest.warns(UserWarning, match=r"first at row\(s\) \[1\]") as caught:
        tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1, chunksize=2, identifiers="ignore")
    assert sum("no date" in str(w.message) for w in caught) == 1  # once for the file, not once per chunk
    assert pd.read_csv(tmp_path / "out.csv")["session_number"].isna().tolist() == [False, True, False, False]


def test_dates_are_parsed_once_per_distinct_value_as_row_by_row():
    from yalomfactors.io import parse_dates

    values = pd.Series(["2026-01-05", "5 January 2026", "", None, "01/05/2026", "next week", "2026-01-05",
                        "Jan 12, 2026", "2026-01-12T10:00"], dtype=object)
    parsed, bad = parse_dates(values)
    expected = pd.to_datetime(values, errors="coerce", format="mixed")
    pd.testing.assert_series_equal(parsed, expected, check_dtype=False)
    assert bad.tolist() == [False] * 5 + [True] + [False] * 3


def test_dates_that_contradict_session_numbers(tmp_path):
    frame = GOOD.assign(session_date=["2026-01-05", "2026-01-05", "2026-01-26", "2026-01-19"])
    with pytest.raises(SchemaError, match="in group 'G', session 3 is dated before session 2"):
        read_reflections(_csv(tmp_path, frame), verbose=False)


def test_mixed_encodings_are_read_and_reported(tmp_path, fast_model):
    raw = "reflection_id,text\nr1,café felt less lonely\n".encode() + 'r2,"naïve, I know"\n'.encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    with pytest.warns(UserWarning, match=r"mixes encodings: 1 line\(s\) .* first at line\(s\) \[3\]") as caught:
        frame = read_table(path)
    assert frame["text"].tolist() == ["café felt less lonely", "naïve, I know"]
    assert all("café" not in str(w.message) and "naïve" not in str(w.message) for w in caught)
    with pytest.warns(UserWarning, match="mixes encodings"):
        tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1, identifiers="ignore")
    assert len(pd.read_csv(tmp_path / "out.csv")) == 2


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "is empty"),
        ("header_only.csv", b"reflection_id,text\n", "has no rows"),
        ("cut.csv", b'reflection_id,text\nr1,"I felt, less alone"\nr2,"and the gro', "truncated"),
        ("cut.parquet", b"PAR1\x00\x00\x01", "could not read"),
    ],
)
def test_empty_and_truncated_files(tmp_path, fast_model, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    if name.endswith(".csv"):  # streamed like 'yalomfactors tag' does for large CSV files
        with pytest.raises(InputFileError, match=message):
            tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1)
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.parts").exists()
    if name != "header_only.csv":
        with pytest.raises(InputFileError, match=message):
            read_table(path)


def test_cli_refuses_a_header_without_rows(tmp_path, capsys):
    from yalomfactors.cli import main

    path = tmp_path / "header_only.xlsx"
    GOOD.iloc[:0].to_excel(path, index=False)
    assert main(["tag", str(path), "--out", str(tmp_path / "out.xlsx"), "-q"]) == 1
    assert "has no rows" in capsys.readouterr().err


def test_a_bare_quote_inside_an_unquoted_field_is_read(tmp_path, fast_model):
    path = tmp_path / "inches.csv"
    path.write_bytes(b"reflection_id,text\nr1,I am 5'2\" and felt small\nr2,fine today\n")
    assert read_table(path)["text"].tolist() == ["I am 5'2\" and felt small", "fine today"]
    assert tag_file(path, tmp_path / "out.csv", model=fast_model, n_jobs=1)["rows"] == 2


def test_no_warning_for_clean_input(tmp_path, fast_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read_reflections(_csv(tmp_path, GOOD), verbose=False)
        assert len(fast_model.tag(frame)) == 4

import numpy as np
import pandas as pd
import pytest

from yalomfactors.exceptions import InputFileError, SchemaError
from yalomfactors.io import detect_columns, read_table, standardize, write_table

ROWS = pd.DataFrame({
    "Group": ["A", "A", "B"],
    "Week": ["1", "2", "1"],
    "Participant": ["a1", "a1", "b1"],
    "Reflection": ["Café talk, naïve me; felt less alone", "n/a", "same boat"],
})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_encodings_delimiters_and_line_endings(tmp_path, encoding, sep, newline):
    path = tmp_path / "in.csv"
    path.write_bytes(ROWS.to_csv(index=False, sep=sep, lineterminator=newline).encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == list(ROWS.columns)
    assert frame["Reflection"].tolist() == ROWS["Reflection"].tolist()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_round_trip_every_format(tmp_path, suffix):
    path = write_table(ROWS, tmp_path / f"out{suffix}")
    back = read_table(path)
    assert back.astype(str)["Reflection"].tolist() == ROWS["Reflection"].tolist()
    assert len(back) == len(ROWS)


def test_columns_are_detected_and_reported():
    mapping, messages = detect_columns(ROWS)
    assert mapping == {"text": "Reflection", "group_id": "Group", "session_number": "Week", "member_id": "Participant"}
    assert "using column 'Reflection' as text" in messages


def test_given_column_wins_and_missing_one_is_named():
    frame = ROWS.rename(columns={"Reflection": "Q1"})
    with pytest.raises(SchemaError, match="--text-column"):
        detect_columns(frame)
    mapping, messages = detect_columns(frame, {"text": "Q1"})
    assert mapping["text"] == "Q1" and "(as given)" in messages[0]
    with pytest.raises(SchemaError, match="'Nope' \\(given for text\\) is not in the file"):
        detect_columns(frame, {"text": "Nope"})


def test_standardize_parses_sessions_and_dates():
    frame = ROWS.assign(Date=["2026-01-05", "2026-01-12", "2026-01-05"]).drop(columns="Week")
    mapping, _ = detect_columns(frame)
    out = standardize(frame, mapping)
    assert str(out["session_date"].dtype).startswith("datetime64")
    assert out["session_number"].tolist() == [1, 2, 1]


def test_bad_dates_and_sessions_cite_rows():
    frame = ROWS.assign(Week=["1", "two", "3"])
    mapping, _ = detect_columns(frame)
    with pytest.raises(SchemaError, match=r"row\(s\) \[1\]"):
        standardize(frame, mapping)
    frame = ROWS.assign(Date=["2026-01-05", "last week", "2026-01-05"])
    mapping, _ = detect_columns(frame)
    with pytest.raises(SchemaError, match="not dates"):
        standardize(frame, mapping)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"   \n\n", "is empty"),
        ("trunc.parquet", b"PAR1\x00\x00", "could not read"),
        ("x.docx", b"hello", "cannot tell the format"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def _awkward_frame():
    """Every column type tagging writes, with missing values, and text that CSV must quote."""
    floats = [0.1, float("nan"), 1e-300, 5e-324, -0.0, 1e16, 123456789.125, 0.008247432692283401]
    n = len(floats)
    return pd.DataFrame({
        "reflection_id": pd.array(["r1", "r,2", 'say "hi"', "line\nbreak", "cr\rhere", "", None, "naïve ✓"], dtype="str"),
        "group_id": pd.array(["g", None, "g;2", " lead", "trail ", "tab\there", "x", "y"], dtype="string"),
        "session_number": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        "status": pd.Categorical(["ok", "empty", None, "ok", "ok", "too_long_truncated", "ok", "ok"]),
        "p_hope": floats,
        "hope": pd.array([True, None, False, True, False, True, None, False], dtype="boolean"),
        "count": range(n),
        "flag": [True, False] * (n // 2),
        "anything": [None, 1.5, "two", 3, float("nan"), "", [1, 2], "x"],
    })


@pytest.mark.parametrize("sep", [",", "\t"])
def test_csv_is_written_byte_for_byte_as_pandas_writes_it(tmp_path, sep):
    from yalomfactors.io import _written_as_str, write_csv

    frame = _awkward_frame()
    assert all(_written_as_str(dtype) for dtype in frame.dtypes)  # the quick path, not pandas' fallback
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8", sep=sep)
    write_csv(frame, tmp_path / "ours.csv", sep=sep)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    empty = frame.iloc[:0]
    empty.to_csv(tmp_path / "pandas_empty.csv", index=False, encoding="utf-8", sep=sep)
    write_csv(empty, tmp_path / "ours_empty.csv", sep=sep)
    assert (tmp_path / "ours_empty.csv").read_bytes() == (tmp_path / "pandas_empty.csv").read_bytes()


def test_csv_to_a_compressed_path_is_compressed_as_pandas_does(tmp_path):
    import gzip

    from yalomfactors.io import write_csv

    frame = _awkward_frame()
    write_csv(frame, tmp_path / "ours.csv.gz")
    assert gzip.decompress((tmp_path / "ours.csv.gz").read_bytes()) == frame.to_csv(index=False).encode("utf-8")


def test_csv_of_many_rows_is_written_in_slices_as_pandas_writes_it(tmp_path, monkeypatch):
    from yalomfactors import io

    monkeypatch.setattr(io, "_FIELDS_PER_SLICE", 1_000)  # 111 rows of 9 columns per slice

    rng = np.random.default_rng(0)
    frame = pd.concat([_awkward_frame()] * 500, ignore_index=True)  # 4,000 rows
    frame["p_hope"] = np.where(rng.random(len(frame)) < 0.1, np.nan, rng.beta(0.2, 3, len(frame)) * 10.0 ** rng.integers(-30, 3, len(frame)))
    io.write_csv(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_float64_text_is_the_same_from_numpy_and_python():
    """pandas writes float64 columns with numpy's str(); write_csv lets the csv module call Python's."""
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.random(20_000), 10.0 ** rng.uniform(-320, 20, 20_000),
                             [0.0, -0.0, 1.0, 1e-5, 1e-4, 1e15, 1e16, 5e-324, float("inf"), float(np.float32(0.1))]])
    assert values.astype(str).tolist() == [str(value) for value in values.tolist()]


@pytest.mark.parametrize("column", [
    pd.to_datetime(["2024-01-02", None]),
    pd.to_timedelta(["1D", None]),
    np.array([0.1, 0.2], dtype=np.float32),
    pd.array([0.1, None], dtype="Float64"),
])
def test_csv_columns_pandas_formats_itself_are_left_to_pandas(tmp_path, column):
    from yalomfactors.io import _written_as_str, write_csv

    frame = pd.DataFrame({"text": ["a", "b"], "other": column})
    assert not _written_as_str(frame["other"].dtype)
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8")
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()

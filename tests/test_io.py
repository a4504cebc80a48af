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

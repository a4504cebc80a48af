"""The command line, driven through main(argv)."""

import pandas as pd
import pytest

from yalomfactors import load_corpus
from yalomfactors.cli import main
from yalomfactors.datasets import data_path

SAMPLE = str(data_path("sample/clinic_reflections.csv"))
COMMANDS = ["tag", "trends", "report", "train", "evaluate", "codebook", "model-card", "check"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_subcommand_has_an_example(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "example" in out and "yalomfactors " + command in out


def test_no_command_and_bad_option_are_usage_errors(capsys):
    assert main([]) == 2
    assert main(["tag"]) == 2
    assert main(["tag", SAMPLE, "--no-such-option"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_codebook_and_model_card(capsys):
    assert main(["codebook"]) == 0
    assert "Instillation of hope" in capsys.readouterr().out
    assert main(["model-card", "--model", "fast"]) == 0
    assert "Held-out results" in capsys.readouterr().out


def test_tag_sample(tmp_path, capsys):
    out = tmp_path / "tagged.parquet"
    assert main(["tag", SAMPLE, "--out", str(out), "--model", "fast", "--quiet"]) == 0
    tagged = pd.read_parquet(out)
    source = pd.read_csv(SAMPLE)
    assert len(tagged) == len(source)
    assert tagged["reflection_id"].tolist() == source["reflection_id"].tolist()
    assert {"status", "p_hope", "hope", "model_version"} <= set(tagged.columns)
    assert capsys.readouterr().err == ""


def test_tag_reports_detected_columns(tmp_path, capsys):
    frame = pd.DataFrame({"Reflection": ["felt less alone", "n/a"], "Client": ["a", "b"]})
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    assert main(["tag", str(path), "--model", "fast", "--out", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert "using column 'Reflection' as text" in err and "using column 'Client' as member_id" in err


def test_large_file_options_say_when_a_file_is_tagged_whole(tmp_path, capsys):
    frame = pd.DataFrame({"Reflection": ["felt less alone", "n/a", "I hope to come back"], "Client": ["a", "b", "c"]})
    frame.to_excel(tmp_path / "in.xlsx", index=False)
    frame.to_csv(tmp_path / "in.csv", index=False)
    assert main(["tag", str(tmp_path / "in.xlsx"), "--model", "fast", "--out", str(tmp_path / "o.csv"), "--jobs", "2", "--resume"]) == 0
    err = capsys.readouterr().err
    assert "--jobs, --resume: for CSV, Parquet or JSON Lines files written as CSV or Parquet; 'in.xlsx' to 'o.csv' is tagged whole" in err
    assert len(pd.read_csv(tmp_path / "o.csv")) == 3
    assert main(["tag", str(tmp_path / "in.csv"), "--model", "fast", "--out", str(tmp_path / "o.xlsx"), "--chunksize", "0"]) == 0
    assert "--chunksize: for CSV" in capsys.readouterr().err
    # streamed: the options apply, nothing is said about them; a bad value is refused, not replaced
    assert main(["tag", str(tmp_path / "in.csv"), "--model", "fast", "--out", str(tmp_path / "s.csv"), "--jobs", "1", "--chunksize", "2"]) == 0
    err = capsys.readouterr().err
    assert "tagged whole" not in err and "in 2 chunk(s)" in err
    assert main(["tag", str(tmp_path / "in.csv"), "--model", "fast", "--out", str(tmp_path / "z.csv"), "--chunksize", "0"]) != 0
    assert "chunksize" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["tag", "/nonexistent/file.csv"], "does not exist"),
        (["tag", "{empty}"], "is empty"),
        (["tag", "{notext}"], "--text-column"),
        (["tag", "{notext}", "--text-column", "Nope"], "'Nope'"),
        (["trends", "{notext}", "--out", "{tmp}/t", "--text-column", "a"], "group_id"),
        (["model-card", "--model", "huge"], None),
    ],
)
def test_user_mistakes_give_one_line_and_exit_1(tmp_path, capsys, args, message):
    (tmp_path / "empty.csv").write_text("")
    pd.DataFrame({"a": ["x"], "b": ["y"]}).to_csv(tmp_path / "notext.csv", index=False)
    args = [a.format(empty=tmp_path / "empty.csv", notext=tmp_path / "notext.csv", tmp=tmp_path) for a in args]
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if message is None:
        assert code == 2
        return
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1


def test_check_finds_identifiers_without_printing_them(tmp_path, capsys):
    path = tmp_path / "x.csv"
    pd.DataFrame({"text": ["mail me at jo.k@example.org", "fine", "call 555-201-3344"]}).to_csv(path, index=False)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "email: 1 row(s)" in out and "phone: 1 row(s)" in out
    assert "example.org" not in out and "555" not in out
    clean = tmp_path / "clean.csv"
    pd.DataFrame({"text": ["fine", "[NAME] said hi"]}).to_csv(clean, index=False)
    assert main(["check", str(clean)]) == 0


def test_train_then_evaluate_own_model(tmp_path, capsys):
    train = load_corpus("train").groupby("writer").head(60)
    test = load_corpus("test").head(80)
    train_path, test_path = tmp_path / "coded.csv", tmp_path / "held.csv"
    train[["text", "labels", "writer"]].to_csv(train_path, index=False)
    test[["text", "labels"]].to_csv(test_path, index=False)
    model = tmp_path / "mine.skops"
    assert main(["train", str(train_path), "--out", str(model), "--groups-column", "writer", "-q"]) == 0
    assert main(["evaluate", str(test_path), "--model", str(model), "--out", str(tmp_path / "m.csv")]) == 0
    out = capsys.readouterr().out
    assert "macro_core" in out
    assert pd.read_csv(tmp_path / "m.csv")["factor"].tolist()[-3:] == ["macro_core", "macro", "micro"]


def test_trends_and_reports(tmp_path):
    assert main(["trends", SAMPLE, "--out", str(tmp_path / "trends"), "--model", "fast", "-q"]) == 0
    tests = pd.read_csv(tmp_path / "trends" / "trend_tests.csv")
    assert set(tests["group_id"]) == {"G1", "G2", "G3", "G4", "G5"}
    assert main(["report", SAMPLE, "--out", str(tmp_path / "full"), "--model", "fast", "-q"]) == 0
    assert main(["report", SAMPLE, "--out", str(tmp_path / "share"), "--model", "fast", "--shareable", "-q"]) == 0
    assert len(list((tmp_path / "full").glob("*.html"))) == 5
    assert "Evidence" in (tmp_path / "full" / "report_G1.html").read_text() and "<blockquote>" in (tmp_path / "full" / "report_G1.html").read_text()
    shared = "".join(p.read_text() for p in (tmp_path / "share").glob("*.html"))
    sample = pd.read_csv(SAMPLE, keep_default_na=False)
    long_texts = [t for t in sample["text"] if len(t) > 40]
    assert not any(t[:40] in shared for t in long_texts), "a shareable report contains reflection text"
    assert "-m0" not in shared, "a shareable report contains member ids"


def test_identifier_policy_on_every_command_that_reads_text(tmp_path, capsys):
    rows = pd.DataFrame({"reflection_id": ["a", "b", "c", "d"], "group_id": "G", "session_number": ["1", "1", "2", "2"],
                         "member_id": ["m1", "m2", "m1", "m2"],
                         "text": ["Call me on 07700 900123 any time.", "I felt less alone.", "Same boat.", "Hope."],
                         "labels": ["", "universality", "universality", "hope"]})
    path = tmp_path / "in.csv"
    rows.to_csv(path, index=False)
    commands = [
        ["tag", str(path), "--out", str(tmp_path / "t.xlsx")],
        ["trends", str(path), "--out", str(tmp_path / "tr")],
        ["report", str(path), "--out", str(tmp_path / "rep")],
        ["train", str(path), "--out", str(tmp_path / "m.skops")],
        ["evaluate", str(path)],
    ]
    for command in commands:
        assert main(command + ["--model", "fast"] * (command[0] not in ("train",)) + ["--identifiers", "raise", "-q"]) == 1, command
        assert "phone in 1 row(s)" in capsys.readouterr().err
    # redact: the number never reaches the output, the evidence included
    assert main(["tag", str(path), "--out", str(tmp_path / "r.xlsx"), "--model", "fast", "--evidence",
                 "--identifiers", "redact", "-q"]) == 0
    assert "07700" not in pd.read_excel(tmp_path / "r.xlsx").to_string()

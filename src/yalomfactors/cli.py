"""The ``yalomfactors`` command: a thin layer over the library.

Exit codes: 0 success, 1 bad input (one line on stderr saying what to fix), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from . import codebook
from .exceptions import InputFileError, YalomFactorsError
from .schema import require_columns

__all__ = ["main"]

_EPILOG_TAG = """example:
  yalomfactors tag reflections.csv --out tagged.csv
  yalomfactors tag export.xlsx --text-column "What stood out?" --member-column Client --evidence --out tagged.parquet

The input needs one column of reflection text; group, session, member and date columns are detected by
common names or named with the --*-column options. The output has one row per input row, in order, with a
status column, p_<factor> probabilities and <factor> true/false columns."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors: exit 2 with one line and the usage
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _column_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("columns (detected by common names when not given)")
    group.add_argument("--text-column", help="column holding the reflection text")
    group.add_argument("--group-column", help="column identifying the group")
    group.add_argument("--session-column", help="column with the session number")
    group.add_argument("--member-column", help="column with the (pseudonymous) member id")
    group.add_argument("--date-column", help="column with the session date")
    group.add_argument("--id-column", help="column with each reflection's own id (must be unique)")
    group.add_argument("--allow-duplicate-ids", action="store_true",
                       help="accept reflection ids that repeat (by default that stops with an error naming the rows)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors; no progress bar")


def _identifier_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--identifiers", choices=("warn", "redact", "raise"), default="warn",
                        help="likely identifiers in the text (emails, phones, names...): warn with row numbers "
                             "(default), redact them to placeholders before use, or stop with an error")


def _model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None,
                        help="'fast', 'accurate' or a path to a .skops file from 'yalomfactors train' (default: best installed)")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yalomfactors", description="Tag post-session group reflections with Yalom's therapeutic "
                     "factors and follow them over a group's life. A research and reflection aid, not a clinical assessment.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"yalomfactors {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("tag", help="tag every reflection of a file", epilog=_EPILOG_TAG, formatter_class=raw,
                       description="Tag each reflection with the twelve factors.")
    p.add_argument("input", help="CSV, XLSX, Parquet or JSONL file of reflections")
    p.add_argument("--out", help="output file (.csv, .xlsx, .parquet, .jsonl); default INPUT_tagged.csv")
    _model_option(p)
    p.add_argument("--evidence", action="store_true", help="add the phrases behind each tag")
    _identifier_option(p)
    big = p.add_argument_group("large files (CSV, Parquet or JSONL in; CSV or Parquet out: tagged in chunks)")
    big.add_argument("--jobs", type=int, default=None, help="processes tagging chunks, this one included (default -1: every core); output is identical for any number")
    big.add_argument("--chunksize", type=int, default=None, help="rows per chunk (default 5000)")
    big.add_argument("--resume", action="store_true", help="continue an interrupted run without re-tagging finished chunks")
    _column_options(p)
    _common(p)

    p = sub.add_parser("trends", help="trend tables and statistics per group", formatter_class=raw,
                       description="Prevalence per group and session, phases, and trend statistics.",
                       epilog="example:\n  yalomfactors trends reflections.csv --out trends/\n\n"
                              "The input is a reflections file (tagged first) or the output of 'yalomfactors tag'. "
                              "It needs group, session and member columns.")
    p.add_argument("input")
    p.add_argument("--out", required=True, help="folder for trends.csv, phases.csv, trend_tests.csv, pooled_trends.csv")
    _model_option(p)
    _identifier_option(p)
    _column_options(p)
    _common(p)

    p = sub.add_parser("report", help="HTML report per group, plus CSV tables", formatter_class=raw,
                       description="Write one self-contained HTML report per group and the tables as CSV.",
                       epilog="example:\n  yalomfactors report data/sample/clinic_reflections.csv --out report/\n"
                              "  yalomfactors report export.xlsx --out to_share/ --shareable\n\n"
                              "--shareable leaves out every reflection text and member-level row and hides small counts.")
    p.add_argument("input")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--shareable", action="store_true", help="no text, no member rows, small cells suppressed")
    p.add_argument("--min-cell", type=int, default=11, help="smallest count shown in --shareable mode (default 11)")
    _model_option(p)
    _identifier_option(p)
    _column_options(p)
    _common(p)

    p = sub.add_parser("train", help="train a model on your own coded reflections", formatter_class=raw,
                       description="Train a FactorTagger on coded reflections and save it as a .skops file.",
                       epilog="example:\n  yalomfactors train my_coding.csv --labels-column codes --out my_model.skops\n\n"
                              "Labels are factor ids joined by ';' (empty for none); see 'yalomfactors codebook'.")
    p.add_argument("input")
    p.add_argument("--out", required=True, help="model file to write (.skops)")
    p.add_argument("--labels-column", default="labels", help="column of ';'-joined factor ids (default: labels)")
    p.add_argument("--groups-column", help="column of coder/writer/member ids for grouped folds")
    p.add_argument("--embeddings", action="store_true", help="add sentence embeddings (needs yalomfactors[embeddings])")
    p.add_argument("--text-column")
    _identifier_option(p)
    _common(p)

    p = sub.add_parser("evaluate", help="evaluate a model on coded reflections", formatter_class=raw,
                       description="Per-factor precision, recall, F1, kappa and Brier score against your labels.",
                       epilog="example:\n  yalomfactors evaluate my_coding.csv --model fast --out metrics.csv")
    p.add_argument("input")
    p.add_argument("--labels-column", default="labels")
    p.add_argument("--text-column")
    p.add_argument("--out", help="write the table as CSV too")
    _model_option(p)
    _identifier_option(p)
    _common(p)

    p = sub.add_parser("codebook", help="print the codebook as Markdown",
                       description="Print the codebook (factors, definitions, examples) as Markdown.",
                       epilog="example:\n  yalomfactors codebook > codebook.md", formatter_class=raw)
    p.add_argument("--no-examples", action="store_true")

    p = sub.add_parser("model-card", help="print a built-in model's card",
                       description="Print the model card: training data, held-out results, intended use, limits.",
                       epilog="example:\n  yalomfactors model-card --model fast", formatter_class=raw)
    p.add_argument("--model", choices=("fast", "accurate"), default=None)

    p = sub.add_parser("check", help="validate a file and screen it for identifiers, without tagging", formatter_class=raw,
                       description="Check that a file can be read, which columns will be used, and where likely "
                                   "identifiers (emails, phones, URLs, addresses, dates of birth, ids, handles) are.",
                       epilog="example:\n  yalomfactors check export.csv\n\nExit code 0 when clean, 1 when identifiers were found.")
    p.add_argument("input")
    _column_options(p)
    _common(p)
    return parser


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr)


def _given(args: argparse.Namespace) -> dict[str, str | None]:
    return {"text": getattr(args, "text_column", None), "group_id": getattr(args, "group_column", None),
            "session_number": getattr(args, "session_column", None), "member_id": getattr(args, "member_column", None),
            "session_date": getattr(args, "date_column", None), "reflection_id": getattr(args, "id_column", None)}


def _load(args: argparse.Namespace, required: tuple[str, ...] = ("text",), screen: bool = True) -> pd.DataFrame:
    """Read the input, map and check its columns, and apply the identifier policy to its text."""
    from .io import detect_columns, read_table, standardize
    from .privacy import apply_identifier_policy

    frame = read_table(args.input)
    if frame.empty:
        raise InputFileError(f"{Path(args.input).name!r} has no rows (a header at most); export the reflections again")
    mapping, messages = detect_columns(frame, _given(args), required=required)
    for message in messages:
        _say(args, message)
    frame = standardize(frame, mapping, allow_duplicate_ids=getattr(args, "allow_duplicate_ids", False))
    return apply_identifier_policy(frame, "text", args.identifiers) if screen else frame


def _progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _tag(args: argparse.Namespace, frame: pd.DataFrame, evidence: bool = False) -> pd.DataFrame:
    from .builtin import load_model

    model = load_model(args.model)
    chunk = 2000
    starts = range(0, len(frame), chunk)
    if _progress(args) and len(frame) > chunk:
        from tqdm import tqdm

        starts = tqdm(starts, unit="chunk", desc="tagging", file=sys.stderr)
    parts = [model.tag(frame.iloc[start:start + chunk], text_column="text", evidence=evidence, identifiers="ignore")
             for start in starts]  # screened once for the whole table by _load
    if not parts:
        return model.tag(frame, text_column="text", identifiers="ignore")
    return pd.concat(parts, ignore_index=True)


def _cmd_tag(args: argparse.Namespace) -> int:
    from .io import write_table

    out = Path(args.out) if args.out else Path(args.input).with_name(Path(args.input).stem + "_tagged.csv")
    if Path(args.input).suffix.lower() in (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson") and \
            out.suffix.lower() in (".csv", ".parquet"):
        return _stream_tag(args, out)
    given = [option for option, value in (("--jobs", args.jobs), ("--chunksize", args.chunksize), ("--resume", args.resume))
             if value is not None and value is not False]
    if given:
        _say(args, f"{', '.join(given)}: for CSV, Parquet or JSON Lines files written as CSV or Parquet; "
                   f"{Path(args.input).name!r} to {out.name!r} is tagged whole, in this process")
    frame = _load(args)
    tagged = _tag(args, frame, evidence=args.evidence)
    write_table(tagged, out)
    counts = tagged["status"].value_counts()
    _say(args, f"tagged {int(counts.get('ok', 0) + counts.get('too_long_truncated', 0))} of {len(tagged)} rows "
               f"({', '.join(f'{k}: {v}' for k, v in counts.items() if v)}); wrote {out}")
    return 0


def _stream_tag(args: argparse.Namespace, out: Path) -> int:
    from .batch import tag_file
    from .builtin import load_model

    bar = None
    if _progress(args):
        from tqdm import tqdm

        bar = tqdm(unit="rows", desc="tagging", file=sys.stderr)

    def show(messages: list[str]) -> None:
        for message in messages:
            _say(args, message)

    try:
        chunksize = 5_000 if args.chunksize is None else args.chunksize
        jobs = -1 if args.jobs is None else args.jobs
        result = tag_file(args.input, out, model=load_model(args.model), columns=_given(args), chunksize=chunksize,
                          n_jobs=jobs, resume=args.resume, identifiers=args.identifiers,
                          allow_duplicate_ids=args.allow_duplicate_ids,
                          progress=bar.update if bar is not None else None, on_columns=show, evidence=args.evidence)
    finally:
        if bar is not None:
            bar.close()
    counts = ", ".join(f"{k}: {v}" for k, v in result["status_counts"].items() if v)
    resumed = f"; {result['resumed_chunks']} chunk(s) were already done" if result["resumed_chunks"] else ""
    _say(args, f"tagged {result['rows']} rows in {result['chunks']} chunk(s) ({counts}){resumed}; wrote {out}")
    return 0


def _tagged_or_tag(args: argparse.Namespace) -> pd.DataFrame:
    frame = _load(args, required=("text", "group_id", "session_number", "member_id"))
    if all(f in frame.columns for f in codebook.factor_ids()) and "status" in frame.columns:
        for factor in codebook.factor_ids():
            frame[factor] = frame[factor].map({"True": True, "False": False, True: True, False: False}).astype("boolean")
            if f"p_{factor}" in frame.columns:
                frame[f"p_{factor}"] = pd.to_numeric(frame[f"p_{factor}"], errors="coerce")
        _say(args, "input is already tagged; using its tags")
        return frame
    # tag() leaves the text out of its output; the full report quotes it as evidence.
    return _tag(args, frame).assign(text=frame["text"].to_numpy())


def _cmd_trends(args: argparse.Namespace) -> int:
    from .io import write_table
    from .trends import phase_summary, pooled_trends, summarize_trends, trend_tests

    tagged = _tagged_or_tag(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_table(summarize_trends(tagged), out / "trends.csv")
    write_table(phase_summary(tagged), out / "phases.csv")
    tests = trend_tests(tagged)
    write_table(tests, out / "trend_tests.csv")
    if tagged["group_id"].nunique() > 1:
        write_table(pooled_trends(tagged), out / "pooled_trends.csv")
    changes = tests[tests["direction"].isin(["rising", "falling"])]
    _say(args, f"{len(changes)} clear changes over sessions across {tagged['group_id'].nunique()} group(s); tables in {out}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .builtin import load_model
    from .report import write_reports

    tagged = _tagged_or_tag(args)
    if args.shareable:
        tagged = tagged.drop(columns=["text"], errors="ignore")
    model = None if args.shareable else load_model(args.model)
    paths = write_reports(tagged, args.out, shareable=args.shareable, min_cell=args.min_cell, model=model,
                          progress=_progress(args))
    _say(args, f"wrote {len(paths)} report(s) to {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .builtin import save_model
    from .io import read_table
    from .model import FactorTagger
    from .privacy import apply_identifier_policy

    frame = read_table(args.input)
    text_column = args.text_column or "text"
    require_columns(frame, [text_column, args.labels_column] + ([args.groups_column] if args.groups_column else []),
                    repr(Path(args.input).name))
    frame = apply_identifier_policy(frame, text_column, args.identifiers)
    labels = frame[args.labels_column].fillna("").astype(str)
    groups = frame[args.groups_column] if args.groups_column else None
    model = FactorTagger(embeddings=args.embeddings, verbose=int(_progress(args))).fit(
        frame[text_column].tolist(), labels, groups=groups)
    save_model(model, args.out)
    _say(args, f"trained on {len(frame)} reflections; saved {args.out}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .builtin import load_model
    from .evaluation import evaluate
    from .io import read_table, write_table
    from .privacy import apply_identifier_policy

    frame = read_table(args.input)
    text_column = args.text_column or "text"
    require_columns(frame, [text_column, args.labels_column], repr(Path(args.input).name))
    frame = apply_identifier_policy(frame, text_column, args.identifiers)
    table = evaluate(load_model(args.model), frame[text_column].tolist(), frame[args.labels_column].fillna("").astype(str))
    print(table.round(3).to_string(index=False))
    if args.out:
        write_table(table, args.out)
    return 0


def _cmd_codebook(args: argparse.Namespace) -> int:
    print(codebook.to_markdown(include_examples=not args.no_examples))
    return 0


def _cmd_model_card(args: argparse.Namespace) -> int:
    from .builtin import model_card

    print(model_card(args.model))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .privacy import check_identifiers
    from .schema import text_status

    frame = _load(args, screen=False)
    statuses = pd.Series([text_status(v) for v in frame["text"]]).value_counts()
    print(f"{len(frame)} rows; text status: {', '.join(f'{k}: {v}' for k, v in statuses.items())}")
    found = check_identifiers(frame, "text")
    if found.empty:
        print("no likely identifiers found")
        return 0
    for kind, part in found.groupby("kind"):
        rows = sorted(part["row"].unique())
        shown = ", ".join(str(r + 2) for r in rows[:20]) + (" ..." if len(rows) > 20 else "")
        print(f"{kind}: {len(rows)} row(s); file lines {shown}")
    print("likely identifiers found; remove them or tag with --identifiers redact")
    return 1


_COMMANDS: dict[str, Any] = {
    "tag": _cmd_tag, "trends": _cmd_trends, "report": _cmd_report, "train": _cmd_train, "evaluate": _cmd_evaluate,
    "codebook": _cmd_codebook, "model-card": _cmd_model_card, "check": _cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = _show_warning
            return int(_COMMANDS[args.command](args))
    except YalomFactorsError as error:
        print(f"yalomfactors {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    print(f"warning: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


"""Build the double-coded corpus from the writers' and coders' files.

The texts were written one at a time by eight writers (W01-W06 train, W07-W08
held-out test), each labeling their own texts. A second coder per writer then
labeled every text blind, from the codebook alone; an adjudicator settled each
disagreement against the codebook. This script only moves those files around:

    python scripts/corpus_tools.py packet W01 SRC_DIR    # ids + blind packet for the second coder
    python scripts/corpus_tools.py adjudication          # packets of the disagreements
    python scripts/corpus_tools.py assemble              # data/corpus/corpus.csv + kappa figures

Raw coding records are kept under data/coding/ (writer labels, second-coder
labels, adjudications) so that the agreement figures can be recomputed.
"""

from __future__ import annotations

import glob
import json
import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CODING = ROOT / "data" / "coding"
WORK = Path("/work/corpus_work/coding")
TEST_WRITERS = {"W07", "W08"}
FIELDS = ("text", "labels", "group_type", "hard_case", "hard_target")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def packet(writer: str, source: str) -> None:
    rows = []
    for file in sorted(glob.glob(f"{source}/*.jsonl")):
        for record in _jsonl(Path(file)):
            rows.append({"text_id": f"{writer}-{len(rows) + 1:04d}", **{k: record[k] for k in FIELDS}})
    _write_jsonl(CODING / f"writer_{writer}.jsonl", rows)
    blind = [{"text_id": r["text_id"], "text": r["text"]} for r in rows]
    random.Random(writer).shuffle(blind)
    _write_jsonl(WORK / f"packet_{writer}.jsonl", blind)
    print(f"{writer}: {len(rows)} texts; packet written")


def _coded(writer: str) -> dict[str, list[str]]:
    coded: dict[str, list[str]] = {}
    for file in sorted(WORK.glob(f"coded_{writer}*.jsonl")):
        for record in _jsonl(file):
            coded[record["text_id"]] = sorted(record["labels"])
    return coded


def adjudication() -> None:
    """Collect second-coder files into data/coding and write packets of the disagreements."""
    disputes = []
    for path in sorted(CODING.glob("writer_W*.jsonl")):
        writer = path.stem.split("_")[1]
        coded = _coded(writer)
        if not coded:
            continue
        _write_jsonl(CODING / f"coder2_{writer}.jsonl", [{"text_id": k, "labels": v} for k, v in sorted(coded.items())])
        for row in _jsonl(path):
            a, b = sorted(row["labels"]), coded.get(row["text_id"])
            if b is not None and a != b:
                # Coders are shown in random order, so the adjudicator cannot tell who wrote the text.
                pair = [a, b]
                random.Random(row["text_id"]).shuffle(pair)
                disputes.append({"text_id": row["text_id"], "text": row["text"], "coder_x": pair[0], "coder_y": pair[1]})
    random.Random(0).shuffle(disputes)
    chunks = np.array_split(np.arange(len(disputes)), max(1, -(-len(disputes) // 250)))
    for number, idx in enumerate(chunks, 1):
        _write_jsonl(WORK / f"disputes_{number:02d}.jsonl", [disputes[i] for i in idx])
    print(f"{len(disputes)} disagreements in {len(chunks)} packets")


def assemble() -> None:
    from yalomfactors.evaluation import agreement_table

    decided: dict[str, list[str]] = {}
    for file in sorted(WORK.glob("adjudicated_*.jsonl")):
        for record in _jsonl(file):
            decided[record["text_id"]] = sorted(record["labels"])
    if decided:
        _write_jsonl(CODING / "adjudicated.jsonl", [{"text_id": k, "labels": v} for k, v in sorted(decided.items())])
    rows = []
    for path in sorted(CODING.glob("writer_W*.jsonl")):
        writer = path.stem.split("_")[1]
        second = {r["text_id"]: r["labels"] for r in _jsonl(CODING / f"coder2_{writer}.jsonl")}
        for row in _jsonl(path):
            a, b = sorted(row["labels"]), sorted(second[row["text_id"]])
            if a == b:
                gold, adjudicated = a, False
            else:
                gold, adjudicated = decided[row["text_id"]], True
            rows.append({
                "text_id": row["text_id"], "text": row["text"], "labels": ";".join(_ordered(gold)),
                "group_type": row["group_type"], "split": "test" if writer in TEST_WRITERS else "train",
                "writer": writer, "hard_case": row["hard_case"], "hard_target": row["hard_target"] or "",
                "writer_labels": ";".join(_ordered(a)), "coder2_labels": ";".join(_ordered(b)),
                "adjudicated": adjudicated,
            })
    frame = pd.DataFrame(rows)
    out = ROOT / "data" / "corpus" / "corpus.csv"
    frame.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
    agreement = agreement_table(frame["writer_labels"], frame["coder2_labels"])
    agreement.to_csv(CODING / "agreement.csv", index=False)
    print(f"{len(frame)} texts -> {out}")
    print(agreement.round(3).to_string(index=False))


def _ordered(labels: list[str]) -> list[str]:
    from yalomfactors.codebook import factor_ids

    return [f for f in factor_ids() if f in set(labels)]


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "packet":
        packet(sys.argv[2], sys.argv[3])
    elif command == "adjudication":
        adjudication()
    elif command == "assemble":
        assemble()
    else:
        raise SystemExit(__doc__)

"""Assemble the sample clinic export from the plan and the hand-written texts.

    python scripts/build_sample.py /work/corpus_work/sample

Writes data/sample/clinic_reflections.csv (what a clinic would export) and
data/sample/gold_labels.csv (the planted labels, kept apart from the export).
"""

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def main(source: str) -> None:
    texts = {}
    for path in sorted(Path(source).glob("G*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts[record["reflection_id"]] = record["text"]
    plan = list(csv.DictReader((SAMPLE / "design" / "plan.csv").open(encoding="utf-8")))
    missing = [row["reflection_id"] for row in plan if row["reflection_id"] not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} planned reflections have no text, e.g. {missing[:5]}")
    columns = ["reflection_id", "group_id", "group_type", "session_date", "session_number", "member_id", "text"]
    with (SAMPLE / "clinic_reflections.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in plan:
            writer.writerow({**{c: row[c] for c in columns if c != "text"}, "text": texts[row["reflection_id"]]})
    with (SAMPLE / "gold_labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["reflection_id", "labels"])
        for row in plan:
            writer.writerow([row["reflection_id"], row["gold_labels"]])
    print(f"{len(plan)} reflections written")


if __name__ == "__main__":
    main(sys.argv[1])

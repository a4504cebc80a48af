"""Build the double-coded corpus from the writers' and coders' files.

The texts were written one at a time by forty-one writers (W01-W06 and W09-W41 train,
W07-W08 held-out test), each labeling their own texts. A second coder per writer then
labeled every text blind, from the codebook alone; an adjudicator settled each
disagreement against the codebook. This script only moves those files around:

    python scripts/corpus_tools.py packet W01 SRC_DIR    # ids + blind packet for the second coder
    python scripts/corpus_tools.py adjudication a W01,W02   # packets of the disagreements
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


def adjudication(writers: list[str], prefix: str) -> None:
    """Collect second-coder files into data/coding and write packets of the disagreements."""
    disputes = []
    for path in sorted(CODING.glob("writer_W*.jsonl")):
        writer = path.stem.split("_")[1]
        if writer not in writers:
            continue
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
        _write_jsonl(WORK / f"disputes_{prefix}{number:02d}.jsonl", [disputes[i] for i in idx])
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
    # A hard case the adjudicated gold contradicts is no longer that hard case; say so rather than keep a false tag.
    for index, row in frame.iterrows():
        if not row["hard_case"]:
            continue
        has_target = row["hard_target"] in row["labels"].split(";")
        if (row["hard_case"] == "implicit_positive") != has_target:
            frame.loc[index, ["hard_case", "hard_target"]] = ""
    out = ROOT / "data" / "corpus" / "corpus.csv"
    frame.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
    agreement = agreement_table(frame["writer_labels"], frame["coder2_labels"])
    agreement.to_csv(CODING / "agreement.csv", index=False)
    print(f"{len(frame)} texts -> {out}")
    print(agreement.round(3).to_string(index=False))
    write_datacard(frame, agreement)


def write_datacard(frame: pd.DataFrame, agreement: pd.DataFrame) -> None:
    from yalomfactors.codebook import CODEBOOK_VERSION, factor_ids, get_factor
    from yalomfactors.model import labels_to_matrix

    gold = labels_to_matrix(frame["labels"])
    n_labels = gold.sum(axis=1)
    lines = [
        "# Data card: yalomfactors corpus of post-session reflections",
        "",
        f"`corpus.csv` holds {len(frame)} reflections coded under codebook version {CODEBOOK_VERSION} "
        "(`../shared/codebook.md`; `yalomfactors codebook`). Train split: "
        f"{(frame['split'] == 'train').sum()} texts; held-out test split: {(frame['split'] == 'test').sum()} texts.",
        "",
        "## How it was made",
        "",
        "- **Writing.** Forty-one writers (`W01`-`W41`) each wrote their texts one at a time, by hand, as",
        "  post-session reflections in many voices (terse, rambling, misspelled, lower-case, formal, slang,",
        "  second-language English, teenagers, older adults) across many kinds of group, following a written",
        "  brief and the codebook. No templates, slot-filling, word swaps or generated paraphrases. Each writer",
        "  checked their own texts for near-duplicates (TF-IDF cosine >= 0.80) against every other writer's.",
        "  Writers W01-W06 wrote the train split; W07 and W08 wrote the test split, were told not to read the",
        "  other writers' files, and saw other texts only where the near-duplicate checker printed a matching pair.",
        "  A second round (W09-W14, train only) widened the voices where the first models were weakest: older",
        "  adults, veterans and faith groups; teens and young adults; second-language English; acute and",
        "  court-mandated settings; long narrative writers; structured clinic forms (most/least helpful,",
        "  critical-incident questions, lists). It added many hard negatives, above all for universality",
        "  (negated, wished, other people's, differences noticed). A third round (W15-W20, train only) added",
        "  reported speech and other people's experience, sarcasm and grudging voices, the least-covered group",
        "  types and online groups, very short and long multi-factor reflections, and the codebook's",
        "  do-not-confuse boundaries. A fourth round (W21-W26, train only) added the confusions that",
        "  writer-grouped cross-validation on the train split showed the models still made: sameness in other",
        "  senses (coincidences, logistics, shared complaints) and differences noticed, read as universality;",
        "  feedback given, rejected or wished for, advice and skills practice, read as interpersonal learning;",
        "  wishes, plans and other people's progress read as hope; catharsis and other members' risks read as",
        "  corrective emotional experience; each with true positives that use the same kinds of words.",
        "  A fifth round (W27-W31, train only) added ordinary short reflections (mostly 9 to 30 words, at most",
        "  a quarter of them hard cases), where cross-validation on the train split was weakest: a factor said",
        "  plainly or indirectly without its textbook phrase, above all corrective emotional experience,",
        "  universality, group cohesiveness, interpersonal learning and family reenactment, and ordinary texts",
        "  with no factor; in the voices of British and Irish older adults on paper forms, teenagers on phones,",
        "  grudging and court-mandated adults, dictating parents, and second-language writers.",
        "  A sixth round (W32-W36, train only) widened the settings and registers into ones the corpus had",
        "  barely covered, with fourteen new kinds of group: experiential groups of counselling and psychology",
        "  trainees and peer-support or Balint groups of clinicians and emergency workers (reflective-journal",
        "  registers that may name a factor without showing it); gambling, OCD, adult ADHD, long COVID,",
        "  pregnancy loss and infertility, and suicide bereavement groups; refugees and asylum seekers, prison",
        "  and re-entry, church and community groups written in Caribbean, African American, South African,",
        "  Singaporean, Malaysian, Filipino, Ghanaian, Kenyan, Scottish and Pacific Englishes; art, music and",
        "  drama therapy, psychodrama, mindfulness and structured CBT groups, and groups meeting by video or",
        "  text chat; and the moments of a group's life (first sessions, conflict, members joining, leaving or",
        "  dying, stand-in facilitators, long-running groups, endings), with more imitative behaviour.",
        "  A seventh round (W37-W41, train only), with the same aims and quotas, added twelve more kinds of",
        "  group and voices the corpus lacked: members after a stroke with aphasia, adults with a learning",
        "  disability, autistic adults, deaf members writing English as a second language to sign, and people",
        "  with early dementia (often short, sometimes scribed); school groups of 11 to 16 year olds and",
        "  university counselling groups; Indigenous talking circles and culturally rooted community groups;",
        "  burnout, unemployment, fathers' and men's groups; survivors of sexual abuse and bereaved parents.",
        "  The test split was not changed.",
        "  The writers are language-model instances working from the brief, not group members: the texts are",
        "  realistic but not real, and no real person's reflection is in the corpus.",
        "- **Hard cases.** Writers marked hard negatives (`hard_case` negation, wish, topic_only, other_person,",
        "  sarcasm, other_sense; the text does not carry `hard_target`) and hard positives (`implicit_positive`:",
        "  the factor without its obvious key phrases). A hard case that adjudication contradicted lost its mark.",
        "- **Double coding.** Every text was labeled by its writer (`writer_labels`) and, independently and blind",
        "  to those labels, by a second coder who had only the codebook and a shuffled packet of texts",
        "  (`coder2_labels`); one second coder per writer, none of them a writer.",
        "- **Adjudication.** Every text on which the two label sets differed went to an adjudicator, who saw",
        "  the text and the two label sets in random order (not which was the writer's) and decided the final",
        "  labels against the codebook, choosing among the labels either coder had given. The adjudicated",
        "  labels are the gold (`labels`); `adjudicated` marks the texts that needed it.",
        f"- Adjudicated texts: {int(frame['adjudicated'].sum())} of {len(frame)} "
        f"({frame['adjudicated'].mean():.1%}).",
        "- Raw coding records (writer labels, second-coder labels, adjudications) are in `data/coding/`;",
        "  `scripts/corpus_tools.py` rebuilds this file and this card from them.",
        "",
        "## Columns",
        "",
        "`text_id`, `text`, `labels` (gold ids joined by `;`, empty for none), `group_type`, `split`,",
        "`writer` (opaque writer id), `hard_case`, `hard_target`, `writer_labels`, `coder2_labels`, `adjudicated`.",
        "",
        "## Labels per split and agreement before adjudication",
        "",
        "Cohen's kappa between the writer's labels and the blind second coder's, per label, over all texts,",
        "before adjudication (recomputed by `tests/test_corpus.py`):",
        "",
        "| factor | core | train | test | total | writer positives | second-coder positives | agreement | kappa |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    train = (frame["split"] == "train").to_numpy()
    for j, factor in enumerate(factor_ids()):
        row = agreement.iloc[j]
        lines.append(
            f"| `{factor}` | {'yes' if get_factor(factor).core else ''} | {int(gold[train, j].sum())} | "
            f"{int(gold[~train, j].sum())} | {int(gold[:, j].sum())} | {row['positives_a']} | {row['positives_b']} | "
            f"{row['agreement']:.1%} | kappa {row['kappa']:.2f} |"
        )
    core_kappa = agreement[agreement["core"]]["kappa"].mean()
    lines += [
        "",
        f"Mean kappa: core four {core_kappa:.2f}; all twelve {agreement['kappa'].mean():.2f}.",
        "",
        "## Other counts",
        "",
        f"- Texts with no factor: {int((n_labels == 0).sum())} ({(n_labels == 0).mean():.1%}); with two or more: "
        f"{int((n_labels >= 2).sum())} ({(n_labels >= 2).mean():.1%}).",
        f"- Kinds of group: {frame['group_type'].nunique()} ({', '.join(sorted(frame['group_type'].unique()))}).",
        f"- Length in words: min {frame['text'].str.split().str.len().min()}, median "
        f"{int(frame['text'].str.split().str.len().median())}, max {frame['text'].str.split().str.len().max()}.",
        "",
        "| hard case | " + " | ".join(f"`{f}`" for f in factor_ids()[:4]) + " |",
        "|---|---|---|---|---|",
    ]
    for kind in ("negation", "wish", "topic_only", "other_person", "sarcasm", "other_sense", "implicit_positive"):
        counts = [int(((frame["hard_case"] == kind) & (frame["hard_target"] == f)).sum()) for f in factor_ids()[:4]]
        lines.append(f"| {kind} | " + " | ".join(str(c) for c in counts) + " |")
    lines += [
        "",
        "Held-out hard negatives per core factor (test split): "
        + ", ".join(
            f"{f} {int(((frame['split'] == 'test') & (frame['hard_target'] == f) & frame['hard_case'].isin(['negation', 'wish', 'topic_only', 'other_person', 'sarcasm', 'other_sense'])).sum())}"
            for f in factor_ids()[:4]) + ".",
        "",
        "## Known limits",
        "",
        "- Written for the project, not collected from real groups: the voices are varied on purpose, but real",
        "  reflections will differ in ways this corpus cannot show. Validate on your own coded data.",
        "- Forty-one writers and as many second coders, all language-model instances; their styles may still be",
        "  learnable, and they may share blind spots that human writers and coders would not. Cross-validation grouped by",
        "  writer, and the test split's separate writers, guard against reading that as skill.",
        "- English only; mostly North American and British usage, with some second-language English and, from",
        "  the sixth and seventh rounds, a little of several other Englishes.",
    ]
    (ROOT / "data" / "corpus" / "DATACARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ordered(labels: list[str]) -> list[str]:
    from yalomfactors.codebook import factor_ids

    return [f for f in factor_ids() if f in set(labels)]


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "packet":
        packet(sys.argv[2], sys.argv[3])
    elif command == "adjudication":
        adjudication(sys.argv[3].split(","), sys.argv[2])
    elif command == "assemble":
        assemble()
    else:
        raise SystemExit(__doc__)

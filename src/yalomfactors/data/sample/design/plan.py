"""Build the plan of the sample clinic export: who attended which session, and
which factors each reflection was written to carry (the planted gold labels).

The texts themselves were then written one at a time, by hand, for each row of
the plan (see ../README.md). This script only fixes attendance and labels, so
that the planted trajectories are exact and documented. Run from the repo root:

    python data/sample/design/plan.py
"""
import csv
import datetime as dt
import random
from pathlib import Path

OUT = Path(__file__).with_name("plan.csv")
rng = random.Random(20261124)

# group_id, group_type, n_sessions, n_members, first session date, skipped weeks,
# late joiner (member, first session), dropout (member, last session),
# planted trajectories {factor: (p_first, p_last)} or ("dip", p_edge, p_mid, mid_from, mid_to)
GROUPS = [
    ("G1", "grief", 12, 9, dt.date(2026, 1, 8), {7}, ("m08", 3), ("m05", 5), {
        "universality": (0.70, 0.05), "hope": (0.00, 0.65), "group_cohesiveness": (0.05, 0.60),
        "catharsis": (0.25, 0.25), "existential_factors": (0.20, 0.20)}),
    ("G2", "addiction_recovery", 14, 9, dt.date(2026, 1, 12), {10}, ("m09", 4), ("m04", 6), {
        "hope": (0.05, 0.70), "imparting_information": (0.65, 0.05), "altruism": (0.00, 0.50),
        "universality": (0.30, 0.30)}),
    ("G3", "trauma_ptsd", 16, 7, dt.date(2026, 2, 3), set(), ("m07", 2), ("m06", 9), {
        "interpersonal_learning": ("late", 6, 0.0, 0.50),
        "corrective_emotional_experience": ("late", 7, 0.0, 0.35),
        "group_cohesiveness": ("dip", 0.45, 0.05, 8, 10),
        "catharsis": (0.20, 0.20)}),
    ("G4", "postpartum", 10, 9, dt.date(2026, 3, 4), set(), ("m06", 2), ("m03", 7), {
        "universality": (0.75, 0.05), "hope": (0.05, 0.65), "imparting_information": (0.30, 0.30)}),
    ("G5", "social_anxiety", 12, 9, dt.date(2026, 2, 17), {5}, ("m08", 3), ("m02", 6), {
        "socializing_techniques": (0.00, 0.65), "imitative_behavior": (0.00, 0.40),
        "universality": (0.65, 0.00), "interpersonal_learning": (0.20, 0.20)}),
]
FACTORS = ["universality", "hope", "interpersonal_learning", "corrective_emotional_experience",
           "altruism", "imparting_information", "group_cohesiveness", "catharsis",
           "existential_factors", "family_reenactment", "socializing_techniques", "imitative_behavior"]
BACKGROUND = 0.04  # factors not planted in a group appear now and then, untested
BLANK_RATE = 0.07


def prevalence(spec, session, n_sessions):
    if spec[0] == "late":
        _, start, before, end = spec
        if session < start:
            return before
        return end * (session - start + 1) / (n_sessions - start + 1)
    if spec[0] == "dip":
        _, edge, mid, lo, hi = spec
        return mid if lo <= session <= hi else edge
    first, last = spec
    return first + (last - first) * (session - 1) / (n_sessions - 1)


rows = []
for gid, gtype, n_sessions, n_members, start, skipped, late, drop, planted in GROUPS:
    members = [f"{gid}-m{i:02d}" for i in range(1, n_members + 1)]
    week = 0
    for session in range(1, n_sessions + 1):
        while week in skipped:
            week += 1
        date = start + dt.timedelta(weeks=week)
        week += 1
        attending = []
        for m in members:
            short = m.split("-")[1]
            if short == late[0] and session < late[1]:
                continue
            if short == drop[0] and session > drop[1]:
                continue
            if session > 1 and rng.random() < 0.13:  # ordinary absences
                continue
            attending.append(m)
        labels = {m: set() for m in attending}
        for factor in FACTORS:
            if factor in planted:
                p = prevalence(planted[factor], session, n_sessions)
                k = round(p * len(attending))
            else:
                k = sum(rng.random() < BACKGROUND for _ in attending)
            # at most three factors per reflection, as in real answers
            room = [m for m in attending if len(labels[m]) < 3]
            for m in rng.sample(room, min(k, len(room))):
                labels[m].add(factor)
        for m in attending:
            blank = rng.random() < BLANK_RATE and not labels[m]
            rows.append({
                "reflection_id": f"{gid}-s{session:02d}-{m.split('-')[1]}",
                "group_id": gid, "group_type": gtype, "session_date": date.isoformat(),
                "session_number": session, "member_id": m,
                "gold_labels": ";".join(f for f in FACTORS if f in labels[m]),
                "blank": int(blank),
            })

with OUT.open("w", newline="", encoding="utf-8") as fh:
    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
print(f"{len(rows)} planned reflections -> {OUT}")

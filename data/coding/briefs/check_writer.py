"""Check one writer's JSONL batches: validity, quotas, near-duplicates.

Usage: /work/venv/bin/python /work/corpus_work/check_writer.py W01 [--test]
"""
import glob, json, re, sys
from collections import Counter

IDS = ["universality", "hope", "interpersonal_learning", "corrective_emotional_experience",
       "altruism", "imparting_information", "group_cohesiveness", "catharsis",
       "existential_factors", "family_reenactment", "socializing_techniques", "imitative_behavior"]
CORE = IDS[:4]
HARD = {"", "negation", "wish", "topic_only", "other_person", "sarcasm", "other_sense", "implicit_positive"}

w = sys.argv[1]
is_test = "--test" in sys.argv
round2 = "--round2" in sys.argv
round4 = "--round4" in sys.argv
round5 = "--round5" in sys.argv
round7 = "--round7" in sys.argv
round6 = "--round6" in sys.argv or round7
files = sorted(glob.glob(f"/work/corpus_work/{w}/*.jsonl"))
rows, errors = [], []
for f in files:
    for ln, line in enumerate(open(f, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except Exception as e:
            errors.append(f"{f}:{ln} bad JSON: {e}"); continue
        for k in ("text", "labels", "group_type", "hard_case", "hard_target"):
            if k not in r: errors.append(f"{f}:{ln} missing key {k}")
        bad = [l for l in r.get("labels", []) if l not in IDS]
        if bad: errors.append(f"{f}:{ln} unknown labels {bad}")
        if r.get("hard_case", "") not in HARD: errors.append(f"{f}:{ln} bad hard_case {r.get('hard_case')}")
        if r.get("hard_case") and r.get("hard_target") not in CORE + IDS: errors.append(f"{f}:{ln} hard_case needs hard_target factor id")
        if r.get("hard_case") and r["hard_case"] != "implicit_positive" and r.get("hard_target") in r.get("labels", []):
            errors.append(f"{f}:{ln} hard negative for {r['hard_target']} must not carry that label")
        if r.get("hard_case") == "implicit_positive" and r.get("hard_target") not in r.get("labels", []):
            errors.append(f"{f}:{ln} implicit_positive must carry its hard_target label")
        nw = len(str(r.get("text", "")).split())
        if nw < 2 or nw > 150: errors.append(f"{f}:{ln} length {nw} words outside 2..150")
        if re.search(r"@|https?://|www\.|\d{3}[-. ]\d{3}[-. ]\d{4}", str(r.get("text", ""))):
            errors.append(f"{f}:{ln} looks like an identifier (email/url/phone)")
        rows.append(r)
n = len(rows)
print(f"{w}: {n} texts in {len(files)} files")
lab = Counter(l for r in rows for l in r.get("labels", []))
none = sum(1 for r in rows if not r.get("labels"))
multi = sum(1 for r in rows if len(r.get("labels", [])) >= 2)
scale = 0.55 if is_test else 1.0
need_core, need_other = int(70 * scale), int(35 * scale)
need_hard = 6 if is_test else 12
if round2:
    need_core, need_other, need_hard = 35, 15, 12
if round4:
    need_core, need_other, need_hard = 25, 8, 12
R5 = {"universality": 20, "hope": 20, "interpersonal_learning": 20, "corrective_emotional_experience": 25,
      "group_cohesiveness": 15, "family_reenactment": 10}
R6 = {"universality": 18, "hope": 18, "interpersonal_learning": 18, "corrective_emotional_experience": 18,
      "group_cohesiveness": 12, "imitative_behavior": 10}
for i in IDS:
    need = need_core if i in CORE else need_other
    if round5:
        need = R5.get(i, 8)
    if round6:
        need = R6.get(i, 7)
    print(f"  {i:34s} {lab[i]:4d}  (need >= {need}){'  <-- SHORT' if lab[i] < need else ''}")
print(f"  none: {none} ({none/max(n,1):.0%}, need >= {20 if (round5 or round6) else 25}%)   two+: {multi} ({multi/max(n,1):.0%}, need >= {15 if round5 else 20 if (round4 or round6) else 25}%)")
hc = Counter((r["hard_target"]) for r in rows if r.get("hard_case") and r["hard_case"] != "implicit_positive")
hp = Counter((r["hard_target"]) for r in rows if r.get("hard_case") == "implicit_positive")
if round5:
    hard_all = sum(1 for r in rows if r.get("hard_case"))
    print(f"  hard cases (all kinds): {hard_all} ({hard_all/max(n,1):.0%}, must be <= 25%)")
    for c in CORE:
        print(f"  implicit positives for {c}: {hp[c]} (need >= 6)")
    lens5 = [len(str(r.get("text", "")).split()) for r in rows]
    share = lambda lo, hi: sum(lo <= l <= hi for l in lens5) / max(n, 1)
    print(f"  lengths: 3-8 {share(3,8):.0%} (about 10%), 9-30 {share(9,30):.0%} (about 70%), 31-50 {share(31,50):.0%} (about 15%), 51-80 {share(51,80):.0%} (about 5%), over 80: {sum(l > 80 for l in lens5)} (must be 0)")
    for k, l in enumerate(lens5):
        if l > 80: errors.append(f"text {k + 1} has {l} words; round 5 texts are at most 80")
    print(f"  texts: {n} (need >= 150)")
if round6:
    GROUPS = set("""grief addiction_recovery trauma_ptsd veterans eating_disorders postpartum chronic_illness_pain cancer
    caregivers parenting teens anger_management lgbtq_support faith_based dbt_skills psychosis_early_intervention
    social_anxiety depression divorce_separation domestic_violence_survivors bipolar older_adults mens_group
    inpatient_general training_process_group clinician_peer_support gambling ocd adhd_adults long_covid_fatigue
    pregnancy_loss_infertility suicide_bereavement refugees_asylum prison_reentry arts_therapy mindfulness cbt_skills
    online_support""".split())
    if round7:
        GROUPS |= set("""school_youth university_students stroke_aphasia learning_disability autism_adults deaf_hoh
        talking_circle work_burnout_unemployment fathers_group sexual_abuse_survivors dementia_early_stage
        bereaved_parents""".split())
    for k, r in enumerate(rows):
        if r.get("group_type") not in GROUPS:
            errors.append(f"text {k + 1}: group_type {r.get('group_type')!r} is not an allowed id")
    hard_all = sum(1 for r in rows if r.get("hard_case"))
    print(f"  hard cases (all kinds): {hard_all} ({hard_all/max(n,1):.0%}, must be <= 30%)")
    for c in CORE:
        print(f"  {c}: hard negatives {hc[c]} (need >= 4), implicit positives {hp[c]} (need >= 4)")
    lens6 = [len(str(r.get("text", "")).split()) for r in rows]
    share = lambda lo, hi: sum(lo <= l <= hi for l in lens6) / max(n, 1)
    print(f"  lengths: 3-8 {share(3,8):.0%} (about 10%), 9-30 {share(9,30):.0%} (about 45%), 31-70 {share(31,70):.0%} (about 35%), 71-120 {share(71,120):.0%} (about 10%), over 120: {sum(l > 120 for l in lens6)} (must be 0)")
    for k, l in enumerate(lens6):
        if l > 120: errors.append(f"text {k + 1} has {l} words; round 6 texts are at most 120")
    print(f"  texts: {n} (need >= 130)")
for c in ([] if (round5 or round6) else CORE):
    nh = 18 if (round2 and c == "universality") else need_hard
    if round4:
        nh = {"universality": 30, "interpersonal_learning": 20}.get(c, 12)
    npos = 8 if (round2 or round4) else max(need_hard//2,4)
    print(f"  hard negatives for {c}: {hc[c]} (need >= {nh}); hard positives: {hp[c]} (need >= {npos})")
if round2:
    other_h = sum(v for k, v in hc.items() if k not in CORE)
    print(f"  hard negatives for non-core factors: {other_h} (need >= 15)")
if round4:
    kinds = Counter(r["hard_case"] for r in rows if r.get("hard_target") == "universality")
    print(f"  universality other_sense: {kinds['other_sense']} (need >= 10); negation: {kinds['negation']} (need >= 10)")
    print(f"  texts: {n} (need >= 180)")
print("  group types:", dict(Counter(r.get("group_type") for r in rows)))
lens = sorted(len(str(r.get("text","")).split()) for r in rows)
if lens: print(f"  words: min {lens[0]}, median {lens[len(lens)//2]}, max {lens[-1]}; <=6 words: {sum(l<=6 for l in lens)}, >=80 words: {sum(l>=80 for l in lens)}")
# near duplicates, within this writer and against all other writers' files
try:
    from sklearn.feature_extraction.text import TfidfVectorizer
    others = []
    for f in glob.glob("/work/corpus_work/W*/*.jsonl"):
        if f"/{w}/" in f: continue
        for line in open(f, encoding="utf-8"):
            try: others.append(json.loads(line)["text"])
            except Exception: pass
    texts = [str(r.get("text", "")) for r in rows]
    allt = texts + others
    X = TfidfVectorizer(sublinear_tf=True).fit_transform(allt)
    S = (X[: len(texts)] @ X.T).toarray()
    for i in range(len(texts)):
        S[i, i] = 0
    hits = [(i, j, S[i, j]) for i in range(len(texts)) for j in range(S.shape[1]) if S[i, j] >= 0.80 and (j >= len(texts) or j > i)]
    for i, j, s in hits[:40]:
        other = allt[j]
        print(f"  NEAR-DUP {s:.2f}: [{texts[i][:70]}] ~ [{other[:70]}]")
    print(f"  near-duplicate pairs (cosine >= 0.80): {len(hits)}  (must be 0; rewrite one of each pair)")
except ImportError:
    print("  (sklearn not installed yet; near-duplicate check skipped)")
for e in errors[:50]: print("ERROR", e)
print(f"errors: {len(errors)}")

import csv, json, re, sys
plan = {r["reflection_id"]: r for r in csv.DictReader(open("/work/main/src/yalomfactors/data/sample/design/plan.csv"))}
groups = sys.argv[1:]
texts = {}
errors = []
for g in groups:
    try:
        lines = open(f"/work/corpus_work/sample/{g}.jsonl", encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        errors.append(f"{g}.jsonl missing"); continue
    for i, line in enumerate(lines, 1):
        if not line.strip(): continue
        try: r = json.loads(line)
        except Exception as e: errors.append(f"{g}:{i} bad JSON {e}"); continue
        rid = r.get("reflection_id")
        if rid not in plan: errors.append(f"{g}:{i} unknown id {rid}"); continue
        if rid in texts: errors.append(f"{g}:{i} duplicate id {rid}")
        texts[rid] = r.get("text", "")
        t = texts[rid]
        if plan[rid]["blank"] == "0" and len(t.split()) < 2: errors.append(f"{rid}: too short for a non-blank row")
        if len(t.split()) > 150: errors.append(f"{rid}: over 150 words")
        if re.search(r"@|https?://|www\.|\d{3}[-. ]\d{3}[-. ]\d{4}", t): errors.append(f"{rid}: identifier-like")
want = [k for k, r in plan.items() if r["group_id"] in groups]
missing = [k for k in want if k not in texts]
print(f"{len(texts)} texts for {len(want)} planned rows; missing: {len(missing)} {missing[:10]}")
try:
    from sklearn.feature_extraction.text import TfidfVectorizer
    ids = [k for k in texts if len(texts[k].split()) >= 4]
    X = TfidfVectorizer(sublinear_tf=True).fit_transform([texts[k] for k in ids])
    S = (X @ X.T).toarray()
    n = 0
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if S[i, j] >= 0.8:
                n += 1; print(f"NEAR-DUP {S[i,j]:.2f} {ids[i]} ~ {ids[j]}")
    print("near-duplicate pairs:", n)
except ImportError: pass
for e in errors: print("ERROR", e)
print("errors:", len(errors))

import glob, json, sys
IDS = {"universality", "hope", "interpersonal_learning", "corrective_emotional_experience", "altruism",
       "imparting_information", "group_cohesiveness", "catharsis", "existential_factors", "family_reenactment",
       "socializing_techniques", "imitative_behavior"}
w = sys.argv[1]
packet = [json.loads(l)["text_id"] for l in open(f"/work/corpus_work/coding/packet_{w}.jsonl") if l.strip()]
coded, errors = {}, []
for f in sorted(glob.glob(f"/work/corpus_work/coding/coded_{w}*.jsonl")):
    for i, l in enumerate(open(f), 1):
        if not l.strip(): continue
        try: r = json.loads(l)
        except Exception as e: errors.append(f"{f}:{i} bad JSON {e}"); continue
        tid = r.get("text_id")
        if tid in coded: errors.append(f"{f}:{i} {tid} coded twice")
        bad = [x for x in r.get("labels", []) if x not in IDS]
        if bad: errors.append(f"{f}:{i} unknown labels {bad}")
        coded[tid] = r.get("labels", [])
missing = [t for t in packet if t not in coded]
extra = [t for t in coded if t not in set(packet)]
print(f"{w}: packet {len(packet)}, coded {len(coded)}, missing {len(missing)} {missing[:10]}, unknown ids {len(extra)}")
from collections import Counter
print("label counts:", dict(Counter(x for v in coded.values() for x in v)), "none:", sum(1 for v in coded.values() if not v))
for e in errors[:30]: print("ERROR", e)
print("errors:", len(errors))

import glob, json, sys
nn = sys.argv[1]
packet = {json.loads(l)["text_id"]: json.loads(l) for l in open(f"/work/corpus_work/coding/disputes_{nn}.jsonl") if l.strip()}
done, errors = {}, []
for f in sorted(glob.glob(f"/work/corpus_work/coding/adjudicated_{nn}*.jsonl")):
    for i, l in enumerate(open(f), 1):
        if not l.strip(): continue
        try: r = json.loads(l)
        except Exception as e: errors.append(f"{f}:{i} bad JSON {e}"); continue
        t = r.get("text_id")
        if t not in packet: errors.append(f"{f}:{i} unknown id {t}"); continue
        if t in done: errors.append(f"{f}:{i} {t} twice")
        union = set(packet[t]["coder_x"]) | set(packet[t]["coder_y"])
        extra = set(r.get("labels", [])) - union
        if extra: errors.append(f"{f}:{i} {t}: labels {sorted(extra)} were given by neither coder")
        done[t] = r.get("labels", [])
missing = [t for t in packet if t not in done]
print(f"packet {len(packet)}, decided {len(done)}, missing {len(missing)} {missing[:10]}")
for e in errors[:30]: print("ERROR", e)
print("errors:", len(errors))

#!/usr/bin/env bash
# Manifest loading: gitopsd (load + validate + canonicalise) vs Python's yaml.CSafeLoader (parse only),
# on the same 2,000 objects in 500 files. Run from the repository root with release binaries built.
set -euo pipefail
bin=.build/release/gitopsd-bench
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" manifests --dir "$dir" --generate
swift_json=$("$bin" manifests --dir "$dir" --repeats 5)
py_json=$(python3 - "$dir" <<'PY'
import glob, json, os, sys, time, yaml
d = sys.argv[1]
files = sorted(glob.glob(os.path.join(d, "*.yaml")))
size = sum(os.path.getsize(f) for f in files)
best = float("inf"); count = 0
for _ in range(5):
    t = time.perf_counter(); count = 0
    for f in files:
        with open(f, "rb") as fh:
            count += sum(1 for doc in yaml.load_all(fh, Loader=yaml.CSafeLoader) if doc)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"objects": count, "files": len(files), "bytes": size, "seconds": best}))
PY
)
python3 - "$swift_json" "$py_json" <<'PY'
import json, sys
s, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def row(name, r):
    return f"| {name} | {r['objects']} | {r['files']} | {r['seconds']*1000:.1f} ms | {r['objects']/r['seconds']:,.0f} | {r['bytes']/r['seconds']/1e6:.1f} |"
print("## Manifest loading")
print()
print("Commands: `.build/release/gitopsd-bench manifests --dir DIR --repeats 5` (load + validate + canonicalise) and")
print("`yaml.load_all(f, Loader=yaml.CSafeLoader)` over the same files (parse only), best of 5, from `bash bench/manifests.sh`.")
print()
print("| reader | objects | files | time | objects/s | MB/s |")
print("|---|---|---|---|---|---|")
print(row("gitopsd (load + validate + canonicalise)", s))
print(row("Python yaml.CSafeLoader (parse only)", p))
print()
print(f"gitopsd is {p['seconds']/s['seconds']:.2f}x the speed of the Python parse.")
PY

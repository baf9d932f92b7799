#!/usr/bin/env bash
# GitSource benchmark: read 5,000 manifest blobs under a path at a commit through gitopsd (libgit2, tree walk
# plus blob reads from the object database) and through `git cat-file --batch` (the same blobs, ids given),
# in the same run, and print a Markdown section. Run from the repository root with release binaries built
# (scripts/bench.sh does both). Uses hyperfine when present, else best of N timed runs.
set -euo pipefail
bench=".build/release/gitopsd-bench"
[ -x "$bench" ] || { echo "missing $bench: run swift build -c release first" >&2; exit 1; }
bench="$(cd "$(dirname "$bench")" && pwd)/$(basename "$bench")"
files=5000
dirs=50
runs=20

work="$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-bench-gitsource.XXXXXX")"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"

# A repository shaped like a real manifest tree: 50 apps, 100 small YAML documents each, plus non-manifest
# noise, committed once and packed as a fetched mirror would be.
git init -q -b main "$repo"
python3 - "$repo" "$files" "$dirs" <<'PY'
import os, sys
repo, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = files // dirs
for d in range(dirs):
    base = os.path.join(repo, "manifests", f"app-{d:03d}")
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, "README.md"), "w") as f:
        f.write(f"# app {d}\n")
    for i in range(per):
        with open(os.path.join(base, f"object-{i:03d}.yaml"), "w") as f:
            f.write(f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{d:03d}-config-{i:03d}
  namespace: app-{d:03d}
  labels:
    app.kubernetes.io/name: app-{d:03d}
data:
  key: "value {d} {i}"
  other: "{'x' * (i % 17)}"
""")
PY
git -C "$repo" add -A
GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
    GIT_COMMITTER_EMAIL=bench@localhost git -C "$repo" commit -qm "5,000 manifests"
git -C "$repo" repack -adq
git -C "$repo" ls-tree -r HEAD manifests | awk '$4 ~ /\.(yaml|yml|json)$/ {print $3}' > "$work/blob-ids"
count="$(wc -l < "$work/blob-ids")"
bytes="$(git -C "$repo" cat-file --batch-check='%(objectsize)' < "$work/blob-ids" | awk '{s+=$1} END {print s}')"

ours="$bench gitsource --repo $repo --path manifests"
theirs="git -C $repo cat-file --batch < $work/blob-ids > /dev/null"

if command -v hyperfine >/dev/null 2>&1; then
    method="hyperfine --warmup 3 --runs $runs (mean ± σ over $runs runs, same shell for both)"
    hyperfine --style none --warmup 3 --runs "$runs" --export-json "$work/result.json" \
        -n gitopsd "$ours > /dev/null" -n git "$theirs" > /dev/null
    read -r ours_mean ours_sd ours_min theirs_mean theirs_sd theirs_min < <(python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
out = []
for name in ("gitopsd", "git"):
    x = r[name]
    out += [x["mean"] * 1000, (x.get("stddev") or 0) * 1000, x["min"] * 1000]
print(" ".join(f"{v:.1f}" for v in out))
PY
)
else
    method="best of $runs timed runs (no hyperfine)"
    best() {
        local best_ms=""
        for _ in $(seq "$runs"); do
            local start end ms
            start=$(date +%s%N); bash -c "$1" > /dev/null; end=$(date +%s%N)
            ms=$(( (end - start) / 1000 ))
            if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
        done
        awk -v us="$best_ms" 'BEGIN {printf "%.1f", us / 1000}'
    }
    ours_min="$(best "$ours")"; theirs_min="$(best "$theirs")"
    ours_mean="$ours_min"; theirs_mean="$theirs_min"; ours_sd="-"; theirs_sd="-"
fi
ratio="$(awk -v a="$ours_mean" -v b="$theirs_mean" 'BEGIN {printf "%.2f", a / b}')"
verdict="$(awk -v r="$ratio" 'BEGIN {print (r <= 1.0 ? "met" : "missed")}')"

echo "## GitSource: reading manifests from the object database"
echo
echo "A generated repository with $count manifest blobs ($bytes bytes) in $dirs directories, packed."
echo "gitopsd resolves \`main\`, walks the tree under \`manifests/\` and reads every manifest blob through"
echo "libgit2; \`git cat-file --batch\` reads the same blobs from a list of their ids (no tree walk)."
echo "Both include process start-up. Measured with $method by \`bench/gitsource.sh\`."
echo
echo "| reader | command | mean (ms) | σ (ms) | min (ms) |"
echo "|---|---|---:|---:|---:|"
echo "| gitopsd | \`gitopsd-bench gitsource --repo REPO --path manifests\` | $ours_mean | $ours_sd | $ours_min |"
echo "| git | \`git -C REPO cat-file --batch < blob-ids\` | $theirs_mean | $theirs_sd | $theirs_min |"
echo
echo "Ratio gitopsd / git (mean): **${ratio}×** — target ≤ 1.00× (no slower than the git CLI): $verdict."

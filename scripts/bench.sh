#!/usr/bin/env bash
# `make bench`: runs every benchmark in bench/ and rewrites BENCHMARKS.md from their reports.
set -euo pipefail
cd "$(dirname "$0")/.."
out=BENCHMARKS.md
{
    echo "# Benchmarks"
    echo
    echo "Produced by \`make bench\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB)."
    echo "Each section names the command that produced it; comparisons were measured in the same run."
    echo
    for b in bench/*.sh; do
        [ -e "$b" ] || continue
        echo "running $b" >&2
        bash "$b"
        echo
    done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"

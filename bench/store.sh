#!/usr/bin/env bash
# Object store benchmark: gitopsd's SQLite store against a single-node etcd on this machine, same run.
# Prints a Markdown section (scripts/bench.sh collects it into BENCHMARKS.md).
# Env: UPDATES (default 20000), WRITERS (concurrent writers, a list: "4 16"), SIZE (1500 bytes of JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATES="${UPDATES:-20000}"
WRITERS="${WRITERS:-4 16}"
SIZE="${SIZE:-1500}"
BIN=.build/release/gitopsd-bench
[ -x "$BIN" ] || swift build -c release --product gitopsd-bench >&2
if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends etcd-server etcd-client >&2
fi

load_start=$(cut -d" " -f1 /proc/loadavg)
work=$(mktemp -d)
etcd_pid=""
cleanup() { [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

results="$work/results.jsonl"
# gitopsd: temporary data directory on the same file system as etcd's.
for writers in $WRITERS; do
    "$BIN" store --updates "$UPDATES" --writers "$writers" --size "$SIZE" --watchers 0,1,10 >> "$results"
done

run_etcd() {
    rm -rf "$work/etcd"
    etcd --name bench --data-dir "$work/etcd" \
        --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
        --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
        --initial-cluster bench=http://127.0.0.1:23800 > "$work/etcd.log" 2>&1 &
    etcd_pid=$!
    for _ in $(seq 50); do
        ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:23790 endpoint health >/dev/null 2>&1 && break
        sleep 0.2
    done
}
for writers in $WRITERS; do
    for watchers in 0 1 10; do
        run_etcd
        python3 bench/store_etcd.py --endpoint http://127.0.0.1:23790 --updates "$UPDATES" --writers "$writers" \
            --size "$SIZE" --watchers "$watchers" >> "$results"
        kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || true; etcd_pid=""
    done
done

echo "## Object store: updates/s and write→watch latency"
echo
echo "\`bash bench/store.sh\` (UPDATES=$UPDATES WRITERS=\"$WRITERS\" SIZE=$SIZE; load average at start: $load_start):"
echo "\`$BIN store --updates $UPDATES --writers W --size $SIZE --watchers 0,1,10\` for each W"
echo "against etcd $(etcd --version | awk '/etcd Version/{print $3}') (single node, temp data dir, default fsync) driven by"
echo "\`python3 bench/store_etcd.py\` over the gRPC gateway (one keep-alive connection per writer process; one"
echo "watch stream per watcher process). Both: $UPDATES updates of ~$SIZE-byte JSON objects over 100 keys from"
echo "W concurrent writers, each waiting for its write to be durable before the next; latency is from"
echo "issuing the write to the watcher receiving the event (0 watchers: no latency measured)."
echo
echo "| system | watchers | writers | updates/s | write→watch p50 (ms) | write→watch p99 (ms) |"
echo "|---|---:|---:|---:|---:|---:|"
python3 - "$results" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    latency = ("—", "—") if r["watchers"] == 0 else (f'{r["p50_ms"]:.2f}', f'{r["p99_ms"]:.2f}')
    print(f'| {r["system"]} | {r["watchers"]} | {r["writers"]} | {r["updates_per_s"]} | {latency[0]} | {latency[1]} |')
PY

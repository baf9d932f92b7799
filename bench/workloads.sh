#!/usr/bin/env bash
# Workload benchmark: the embedded orchestrator starting many pods and rolling a wide Deployment.
# (a) DEPLOYMENTS single-replica Deployments of `sleep`, written at once with `gitopsd apply -f DIR` beside a
#     running `gitopsd serve` (orchestrator only, fresh data directory): time until all are available, and the
#     daemon's peak resident memory (VmHWM).
# (b) one Deployment of REPLICAS `sleep` pods (fresh daemon) rolled to a new template (an env value changed):
#     time until `gitopsd rollout status` returns, without a readiness probe and with an exec probe `[true]`.
# After each part the daemon gets SIGTERM and no process of the run may be left (they are killed and the run
# fails if some are). Prints a Markdown section; progress on stderr. Run from the repository root with
# release binaries (scripts/bench.sh does both).
# Env: DEPLOYMENTS (default 200), REPLICAS (default 50), TIMEOUT (seconds per wait, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
DEPLOYMENTS="${DEPLOYMENTS:-200}"
REPLICAS="${REPLICAS:-50}"
TIMEOUT="${TIMEOUT:-300}"
RUN_NAME=workloads RUN_PREFIX=wl
# shellcheck source=bench/daemon-run.sh
source bench/daemon-run.sh
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# start_daemon NAME: a fresh data directory, free loopback ports, orchestrator only.
start_daemon() {
    local ports api ingress
    ports="$(python3 "$POLL" free-ports 2)"
    api="$(echo "$ports" | sed -n 1p)"; ingress="$(echo "$ports" | sed -n 2p)"
    data="$work/$1-data"
    mkdir -p "$data"
    "$BIN" serve --data-dir "$data" --api-address "127.0.0.1:$api" --ingress-address "127.0.0.1:$ingress" \
        --log-level "${LOG_LEVEL:-warning}" 2> "$work/$1-daemon.log" &
    daemon_pid=$!
    python3 "$POLL" wait-http "http://127.0.0.1:$api/healthz" --timeout 30 \
        || { cat "$work/$1-daemon.log" >&2; exit 1; }
}

# stop_daemon NAME: SIGTERM, wait (bounded) for the daemon to exit, then look for processes of the run.
# Sets stop_seconds and left (the number of processes that had to be killed).
stop_daemon() {
    local t0 status=0
    t0="$(now)"
    kill -TERM "$daemon_pid"
    for _ in $(seq 600); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$daemon_pid" 2>/dev/null; then
        echo "daemon $1 still running 60 s after SIGTERM: killing it" >&2
        kill -KILL "$daemon_pid"; status=1
    fi
    wait "$daemon_pid" 2>/dev/null || status=$?
    stop_seconds="$(elapsed "$t0" "$(now)")"
    daemon_pid=""
    [ "$status" -eq 0 ] || echo "daemon $1 exited with status $status" >&2
    sleep 0.5  # processes that are exiting get the moment they need
    left="$(python3 "$POLL" leftovers "$token" --kill | tee "$work/$1-left" | wc -l)"
    if [ "$left" -ne 0 ]; then
        echo "FAILURE: $left processes of the run were left after the daemon stopped (killed):" >&2
        cat "$work/$1-left" >&2
        failures=$((failures + 1))
    fi
}
failures=0

# deployment NAME REPLICAS VERSION PROBE: one Deployment of `sleep` pods, marked with BENCH_RUN for the
# left-over check; PROBE is "none" or "exec".
deployment() {
    cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
  namespace: bench
spec:
  replicas: $2
  selector:
    matchLabels:
      app: $1
  template:
    metadata:
      labels:
        app: $1
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: main
          image: busybox
          command: [sh, -c, "exec sleep 100000"]
          env:
            - name: BENCH_RUN
              value: "$token"
            - name: VERSION
              value: "$3"
YAML
    if [ "$4" = exec ]; then
        cat <<YAML
          readinessProbe:
            exec:
              command: ["true"]
            periodSeconds: 1
YAML
    fi
    echo "---"
}
namespace() { printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n---\n'; }

# (a) many Deployments at once.
echo "workloads (a): $DEPLOYMENTS Deployments" >&2
mkdir -p "$work/many"
namespace > "$work/many/namespace.yaml"
for i in $(seq -w 1 "$DEPLOYMENTS"); do deployment "sleep-$i" 1 v1 none > "$work/many/sleep-$i.yaml"; done
start_daemon many
t0="$(now)"
"$BIN" apply -f "$work/many" --data-dir "$data" > /dev/null
apply_seconds="$(elapsed "$t0" "$(now)")"
read -r many_seconds many_polls < <(python3 "$POLL" wait-available --bin "$BIN" --data-dir "$data" \
    --count "$DEPLOYMENTS" --since "$t0" --timeout "$TIMEOUT")
many_mib="$(python3 "$POLL" vmhwm "$daemon_pid")"
many_pods="$(python3 "$POLL" leftovers "$token" | wc -l)"
stop_daemon many
many_stop="$stop_seconds"; many_left="$left"

# (b) a wide rollout, without and with a readiness probe.
roll() { # PROBE
    local name="roll-$1" dir="$work/roll-$1" t0
    echo "workloads (b): $REPLICAS replicas, probe $1" >&2
    mkdir -p "$dir"
    start_daemon "$name"
    { namespace; deployment roll "$REPLICAS" v1 "$1"; } > "$dir/roll.yaml"
    t0="$(now)"
    "$BIN" apply -f "$dir/roll.yaml" --data-dir "$data" > /dev/null
    "$BIN" rollout status deployment/roll -n bench --timeout "${TIMEOUT}s" --data-dir "$data" > /dev/null
    create_seconds="$(elapsed "$t0" "$(now)")"
    { namespace; deployment roll "$REPLICAS" v2 "$1"; } > "$dir/roll.yaml"
    t0="$(now)"
    "$BIN" apply -f "$dir/roll.yaml" --data-dir "$data" > /dev/null
    "$BIN" rollout status deployment/roll -n bench --timeout "${TIMEOUT}s" --data-dir "$data" > /dev/null
    roll_seconds="$(elapsed "$t0" "$(now)")"
    # The rollout really is complete: every replica updated and available, and no old pod is left running.
    "$BIN" get deployment roll -n bench -o json --data-dir "$data" | python3 -c '
import json, sys
status = json.load(sys.stdin)["status"]; want = int(sys.argv[1])
ok = all(status.get(k) == want for k in ("updatedReplicas", "availableReplicas", "readyReplicas", "replicas"))
sys.exit(0 if ok else f"rollout status returned before the rollout completed: {status}")' "$REPLICAS"
    roll_mib="$(python3 "$POLL" vmhwm "$daemon_pid")"
    stop_daemon "$name"
    roll_stop="$stop_seconds"; roll_left="$left"
}
roll none
none_create="$create_seconds"; none_roll="$roll_seconds"; none_mib="$roll_mib"; none_stop="$roll_stop"; none_left="$roll_left"
roll exec
exec_create="$create_seconds"; exec_roll="$roll_seconds"; exec_mib="$roll_mib"; exec_stop="$roll_stop"; exec_left="$roll_left"

verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v < t ? "met" : "**missed**")}'; }
load_end="$(uptime | sed 's/.*load average: //')"

echo "## Workloads: starting many pods, rolling a wide Deployment"
echo
echo "\`bash bench/workloads.sh\` (DEPLOYMENTS=$DEPLOYMENTS REPLICAS=$REPLICAS; load average 1/5/15 min at start:"
echo "$load_start, at end: $load_end — other work may share the $(nproc) cores). Each part runs its own"
echo "\`gitopsd serve --data-dir D --api-address 127.0.0.1:P --ingress-address 127.0.0.1:Q --log-level warning\`"
echo "(orchestrator only, fresh temporary data directory). Pods are \`[sh, -c, \"exec sleep 100000\"]\`."
echo
echo "- (a) $DEPLOYMENTS single-replica Deployments (one file each, plus the Namespace) written with"
echo "  \`gitopsd apply -f DIR\`; the clock starts before the apply and stops when"
echo "  \`gitopsd get deployments -A -o json\` (polled every 100 ms plus the command's own run time,"
echo "  $many_polls polls) counts $DEPLOYMENTS with \`status.availableReplicas == 1\`."
echo "- (b) a $REPLICAS-replica Deployment (default strategy: maxSurge 25%, maxUnavailable 25%) rolled to a new"
echo "  template by changing an env value and re-applying; the clock runs from the \`apply\` until"
echo "  \`gitopsd rollout status deployment/roll -n bench\` returns (then checked: all replicas updated and"
echo "  available). Without a readiness probe a pod is available once its process is started; the second row"
echo "  adds an exec readiness probe \`[\"true\"]\` (periodSeconds 1), so availability waits for a probe"
echo "  process to run and report. The exec probe, not an HTTP server, keeps the pods cheap: $REPLICAS"
echo "  \`python3 -m http.server\` start-ups would measure Python's start-up on 2 cores, not gitopsd."
echo "- Peak memory is the serve process's \`VmHWM\` (kernel high-water mark of resident memory, read from"
echo "  \`/proc/PID/status\` at the end of the part). Then SIGTERM; the daemon must stop its pods and exit, and"
echo "  no process of the run may be left (found through an env marker in \`/proc/*/environ\`)."
echo
echo "| part | measure | result | target |"
echo "|---|---|---:|---|"
echo "| (a) $DEPLOYMENTS Deployments × 1 | \`apply -f\` returns | ${apply_seconds} s | – |"
echo "| (a) $DEPLOYMENTS Deployments × 1 | apply → all available | **${many_seconds} s** | < 10 s: $(verdict "$many_seconds" 10) |"
echo "| (a) $DEPLOYMENTS Deployments × 1 | daemon peak RSS (VmHWM) | **${many_mib} MiB** | < 150 MiB: $(verdict "$many_mib" 150) |"
echo "| (a) $DEPLOYMENTS Deployments × 1 | pod processes running at the end / left after SIGTERM | $many_pods / $many_left | $DEPLOYMENTS / 0 |"
echo "| (a) $DEPLOYMENTS Deployments × 1 | SIGTERM → daemon exited | ${many_stop} s | – |"
echo "| (b) $REPLICAS replicas, no probe | apply → rolled out (first version) | ${none_create} s | – |"
echo "| (b) $REPLICAS replicas, no probe | **apply → \`rollout status\` done (new template)** | **${none_roll} s** | – |"
echo "| (b) $REPLICAS replicas, no probe | daemon peak RSS / left after SIGTERM | ${none_mib} MiB / $none_left | – / 0 |"
echo "| (b) $REPLICAS replicas, exec probe | apply → rolled out (first version) | ${exec_create} s | – |"
echo "| (b) $REPLICAS replicas, exec probe | **apply → \`rollout status\` done (new template)** | **${exec_roll} s** | – |"
echo "| (b) $REPLICAS replicas, exec probe | daemon peak RSS / left after SIGTERM | ${exec_mib} MiB / $exec_left | – / 0 |"
if [ "$failures" -ne 0 ]; then
    echo
    echo "**FAILURE**: processes of the run were left after SIGTERM (killed by the script; see stderr)."
    exit 1
fi

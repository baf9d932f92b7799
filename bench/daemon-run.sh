# Sourced (not run) by the benchmarks that start gitopsd daemons, from the repository root, with RUN_NAME (used
# in the work directory's name) and RUN_PREFIX (of the token) set. It builds the release binary when missing
# and sets BIN, POLL, load_start, token (put into every pod of the run, to find what is left over), work and
# daemon_pid. On exit it stops a daemon still running, kills processes of the run that are left, and removes
# the work directory.
BIN=.build/release/gitopsd
POLL=bench/gitopsd_poll.py
[ -x "$BIN" ] || swift build -c release --product gitopsd >&2
BIN="$(pwd)/$BIN"

load_start="$(uptime | sed 's/.*load average: //')"
token="$RUN_PREFIX$$-$(date +%s)"
work="$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-bench-$RUN_NAME.XXXXXX")"
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    python3 "$POLL" leftovers "$token" --kill > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

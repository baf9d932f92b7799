#!/usr/bin/env bash
# Ingress proxy throughput: wrk against (a) an nginx backend directly, (b) gitopsd's Ingress proxy in front of it,
# (c) nginx as a keep-alive reverse proxy in front of it. Prints a Markdown section on stdout; progress on stderr.
# Needs nginx and wrk (scripts/install-deps.sh bench) and a release build of gitopsd-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
# Rounds of the three measurements, interleaved; the table reports each target's median. On a shared 2-core
# machine one run of wrk swings by ±15%; interleaving and the median keep a passing neighbour from deciding it.
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
BACKEND_PORT=18081
NGINX_PROXY_PORT=18082
GITOPSD_PORT=18083
BENCH=.build/release/gitopsd-bench

for tool in nginx wrk; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh bench" >&2; exit 1; }
done
if [ ! -x "$BENCH" ]; then
    echo "building gitopsd-bench (release)" >&2
    swift build -c release --product gitopsd-bench >&2
fi

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers (user nobody when run as root) read the page
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/html" "$work/backend" "$work/proxy"
# A small static page, about the size of nginx's default index.html.
head -c 600 /dev/zero | tr '\0' 'x' > "$work/html/index.html"

nginx_conf() { # name, workers, server block
    cat <<CONF
worker_processes $2;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
    default_type text/html;
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path $work/$1/body;
    proxy_temp_path $work/$1/proxy;
    fastcgi_temp_path $work/$1/fastcgi;
    uwsgi_temp_path $work/$1/uwsgi;
    scgi_temp_path $work/$1/scgi;
$3
}
CONF
}

nginx_conf backend 1 "
    server {
        listen 127.0.0.1:$BACKEND_PORT;
        root $work/html;
    }" > "$work/backend/nginx.conf"

nginx_conf proxy auto "
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$host;
            proxy_buffering on;
        }
    }" > "$work/proxy/nginx.conf"

nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)
nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" -e "$work/proxy/error.log" &
pids+=($!)
"$BENCH" ingress --backend "127.0.0.1:$BACKEND_PORT" --listen "127.0.0.1:$GITOPSD_PORT" --duration 3600 \
    ${GITOPSD_THREADS:+--threads "$GITOPSD_THREADS"} >&2 &
pids+=($!)

wait_for() { # port
    for _ in $(seq 1 100); do
        if curl -sf -o /dev/null "http://127.0.0.1:$1/index.html" 2>/dev/null \
            || (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    exit 1
}
for port in $BACKEND_PORT $NGINX_PROXY_PORT $GITOPSD_PORT; do wait_for "$port"; done

to_ms() { # a wrk latency like 812.00us, 1.23ms, 1.02s
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "%s", v }'
}

measure() { # label, port -> "rps p50 p99"
    local url="http://127.0.0.1:$2/index.html"
    # A short warm-up fills connection pools and caches.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null 2>&1 || true
    local out
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")"
    echo "$1:" >&2
    echo "$out" >&2
    local rps p50 p99 errors
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
    echo "$rps $p50 $p99 ${errors:-none}"
}

rounds_file="$work/rounds"
for round in $(seq "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    echo "direct $(measure "backend direct" $BACKEND_PORT)" >> "$rounds_file"
    echo "gitopsd $(measure "gitopsd ingress" $GITOPSD_PORT)" >> "$rounds_file"
    echo "nginx $(measure "nginx proxy" $NGINX_PROXY_PORT)" >> "$rounds_file"
done
median() { # target, column (2 rps, 3 p50, 4 p99)
    awk -v t="$1" -v c="$2" '$1 == t {print $c}' "$rounds_file" | sort -g \
        | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
errors() { awk -v t="$1" '$1 == t {$1 = $2 = $3 = $4 = ""; print}' "$rounds_file" | tr -s ' ' | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//'; }
for target in direct gitopsd nginx; do
    printf -v "${target}_rps" '%s' "$(median $target 2)"
    printf -v "${target}_p50" '%s' "$(median $target 3)"
    printf -v "${target}_p99" '%s' "$(median $target 4)"
    printf -v "${target}_err" '%s' "$(errors $target)"
done
per_round="$(paste -d' ' <(awk '$1 == "gitopsd" {print $2, $4}' "$rounds_file") <(awk '$1 == "nginx" {print $2, $4}' "$rounds_file") \
    | awk '{printf "%s%.2f× / %.2f×", (NR > 1 ? ", " : ""), $1 / $3, $2 / $4}')"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

cat <<MD
## Ingress proxy (HTTP/1.1, keep-alive)

\`bench/ingress.sh\`: a 600-byte static file served by nginx (1 worker) on 127.0.0.1:$BACKEND_PORT, measured with
\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` (each after a 2 s warm-up) three ways, one after another, in
$ROUNDS interleaved rounds in one run; each figure is the median over the rounds:

- backend directly: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$BACKEND_PORT/index.html\`
- gitopsd's Ingress proxy (\`$BENCH ingress --backend 127.0.0.1:$BACKEND_PORT --listen 127.0.0.1:$GITOPSD_PORT\`,
  one event loop per core, pooled keep-alive upstream connections):
  \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$GITOPSD_PORT/index.html\`
- nginx as reverse proxy (\`worker_processes auto\`, \`upstream { keepalive 64; }\`, \`proxy_http_version 1.1\`, same
  X-Forwarded-* headers): \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$NGINX_PROXY_PORT/index.html\`

| target | requests/s | p50 (ms) | p99 (ms) | errors |
|---|---:|---:|---:|---|
| backend directly | $direct_rps | $direct_p50 | $direct_p99 | $direct_err |
| gitopsd Ingress proxy | $gitopsd_rps | $gitopsd_p50 | $gitopsd_p99 | $gitopsd_err |
| nginx reverse proxy | $nginx_rps | $nginx_p50 | $nginx_p99 | $nginx_err |

gitopsd / nginx: requests/s $(ratio "$gitopsd_rps" "$nginx_rps")×, p99 $(ratio "$gitopsd_p99" "$nginx_p99")× (targets: ≥ 0.9× and ≤ 1.5×).
Per round (requests/s / p99): $per_round.

Machine: $(nproc) cores. wrk, the proxy under test and the backend share them, so the proxied figures include
the cost of the load generator and the backend running on the same cores.
MD

#!/usr/bin/env python3
"""Helpers for bench/workloads.sh and bench/gitops.sh (python3 standard library only).

Subcommands (every loop is bounded by --timeout; a timeout exits 1 with a message on stderr):
  free-ports N                     print N free TCP ports on 127.0.0.1, one a line
  wait-http URL                    wait until URL answers 200
  wait-available                   wait until COUNT Deployments report status.availableReplicas == REPLICAS,
                                   polling `gitopsd get deployments -A -o json`; prints seconds since --since
  commit-latency                   commit to a local repository and measure the time until a ReplicaSet
                                   annotated gitopsd.io/commit = the new commit exists (`gitopsd get rs`);
                                   prints one JSON object with the latencies
  leftovers TOKEN [--kill]         list (and SIGKILL) processes whose environment holds BENCH_RUN=TOKEN
  vmhwm PID                        print the peak resident memory (VmHWM) of PID in MiB
"""
import argparse
import hashlib
import hmac
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def fail(message):
    print(f"gitopsd_poll: {message}", file=sys.stderr)
    sys.exit(1)


def free_ports(args):
    sockets = []
    for _ in range(args.count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    for s in sockets:
        print(s.getsockname()[1])
    for s in sockets:
        s.close()


def wait_http(args):
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(args.url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as error:  # not up yet
            last = error
        time.sleep(0.05)
    fail(f"{args.url} did not answer 200 within {args.timeout} s ({last})")


def get_json(binary, data_dir, *arguments):
    run = subprocess.run([binary, "get", *arguments, "-o", "json", "--data-dir", data_dir],
                         capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        return None, run.stderr.strip()
    return json.loads(run.stdout), None


def wait_available(args):
    deadline = time.monotonic() + args.timeout
    polls, available, error = 0, -1, None
    while time.monotonic() < deadline:
        listing, error = get_json(args.bin, args.data_dir, "deployments", "-A")
        polls += 1
        if listing is not None:
            available = sum(1 for d in listing.get("items", [])
                            if (d.get("status") or {}).get("availableReplicas", 0) == args.replicas)
            if available >= args.count:
                print(f"{time.time() - args.since:.2f} {polls}")
                return
        time.sleep(args.interval)
    fail(f"only {available} of {args.count} Deployments available after {args.timeout} s (last error: {error})")


def git(repo, *arguments):
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    return subprocess.run(["git", "-C", repo, *arguments], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def commit_latency(args):
    secret = open(args.secret_file, "rb").read().strip() if args.secret_file else None
    manifest = os.path.join(args.repo, args.file)
    latencies, polls = [], []
    rng = random.Random(args.seed)
    for n in range(args.commits):
        if args.spread > 0:
            # Commits land at a random phase of the poll timer, so polling latencies spread over the interval.
            time.sleep(rng.uniform(0, args.spread))
        text = open(manifest).read()
        text, changed = re.subn(r'value: "bench-[^"]*"', f'value: "bench-{os.getpid()}-{n}"', text)
        if changed != 1:
            fail(f"{manifest}: expected one env value to change")
        open(manifest, "w").write(text)
        git(args.repo, "add", args.file)
        start = time.time()
        git(args.repo, "commit", "-qm", f"bench commit {n}")
        sha = git(args.repo, "rev-parse", "HEAD")
        if args.webhook:
            body = json.dumps({"ref": "refs/heads/main", "after": sha}).encode()
            signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            request = urllib.request.Request(args.webhook, data=body, method="POST", headers={
                "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature})
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status // 100 != 2:
                    fail(f"webhook answered {response.status}")
        deadline = time.monotonic() + args.timeout
        count = 0
        while True:
            listing, _ = get_json(args.bin, args.data_dir, "rs", "-n", args.namespace)
            count += 1
            if listing is not None and any(
                    (rs["metadata"].get("annotations") or {}).get("gitopsd.io/commit") == sha
                    for rs in listing.get("items", [])):
                break
            if time.monotonic() > deadline:
                fail(f"no ReplicaSet for commit {sha} after {args.timeout} s")
            time.sleep(args.poll)
        latencies.append(time.time() - start)
        polls.append(count)
    print(json.dumps({"latencies": latencies, "polls": polls}))


def leftovers(args):
    needle = f"BENCH_RUN={args.token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    for pid in found:
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode().strip()
        except OSError:
            cmdline = "?"
        print(f"{pid} {cmdline}")
        if args.kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def vmhwm(args):
    for line in open(f"/proc/{args.pid}/status"):
        if line.startswith("VmHWM:"):
            print(f"{int(line.split()[1]) / 1024:.1f}")
            return
    fail(f"no VmHWM for {args.pid}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("free-ports"); p.add_argument("count", type=int); p.set_defaults(run=free_ports)
    p = sub.add_parser("wait-http"); p.add_argument("url"); p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(run=wait_http)
    p = sub.add_parser("wait-available")
    p.add_argument("--bin", required=True); p.add_argument("--data-dir", required=True)
    p.add_argument("--count", type=int, required=True); p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--since", type=float, required=True); p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--interval", type=float, default=0.1)
    p.set_defaults(run=wait_available)
    p = sub.add_parser("commit-latency")
    p.add_argument("--bin", required=True); p.add_argument("--data-dir", required=True)
    p.add_argument("--repo", required=True); p.add_argument("--file", required=True)
    p.add_argument("--namespace", required=True); p.add_argument("--commits", type=int, default=5)
    p.add_argument("--webhook"); p.add_argument("--secret-file")
    p.add_argument("--spread", type=float, default=0, help="random pause before each commit, 0..SPREAD s")
    p.add_argument("--poll", type=float, default=0.05); p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=commit_latency)
    p = sub.add_parser("leftovers"); p.add_argument("token"); p.add_argument("--kill", action="store_true")
    p.set_defaults(run=leftovers)
    p = sub.add_parser("vmhwm"); p.add_argument("pid"); p.set_defaults(run=vmhwm)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Installs what gitopsd needs to build and test and the machine lacks, from Debian's packages.
# Usage: scripts/install-deps.sh [build|test|bench]  (each level includes the ones before it)
set -euo pipefail
level="${1:-build}"

missing=()
need_pkgconfig() { pkg-config --exists "$1" 2>/dev/null || missing+=("$2"); }
need_command() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

need_command pkg-config pkg-config
need_command git git
need_command python3 python3
if command -v pkg-config >/dev/null 2>&1; then
    need_pkgconfig libgit2 libgit2-dev
    need_pkgconfig yaml-0.1 libyaml-dev
    need_pkgconfig sqlite3 libsqlite3-dev
    need_pkgconfig zlib zlib1g-dev
else
    missing+=(libgit2-dev libyaml-dev libsqlite3-dev zlib1g-dev)
fi
if [ "$level" = test ] || [ "$level" = bench ]; then
    need_command sqlite3 sqlite3
    [ -x /usr/lib/git-core/git-http-backend ] || missing+=(git)
    # GitSource tests fetch over SSH from an sshd they start on 127.0.0.1.
    [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
    need_command ssh-keygen openssh-client
    # Ingress TLS tests make their certificates with the openssl CLI.
    need_command openssl openssl
fi
if [ "$level" = bench ]; then
    need_command nginx nginx
    need_command wrk wrk
    need_command etcd etcd-server
    need_command etcdctl etcd-client
    need_command hyperfine hyperfine
    python3 -c 'import yaml; yaml.CSafeLoader' >/dev/null 2>&1 || missing+=(python3-yaml)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
# De-duplicate, then install in one apt transaction.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# `make run`: runs gitopsd on a git repository made from examples-repo/ (created on the first run under the
# data directory), so the example can be changed and committed like a real GitOps repository.
set -euo pipefail
bin="$1"
data="$2"
repo="$data/example-repo"

"$bin" validate examples-repo/manifests

if [ ! -d "$repo/.git" ]; then
    mkdir -p "$repo"
    cp -R examples-repo/. "$repo/"
    git -C "$repo" init -q -b main
    git -C "$repo" add -A
    git -C "$repo" -c user.name=gitopsd -c user.email=gitopsd@localhost commit -q -m "Initial shop"
    echo "created the example repository $repo (commit it like any git repository)"
fi

cat <<INFO

  gitopsd is starting on $repo (path manifests/).
  When the pods are ready:       curl http://127.0.0.1:8080/        curl http://127.0.0.1:8080/api
  Watch it:                      $bin get pods -n shop --data-dir $data
  Deploy a change:               edit $repo/manifests/web.yaml (VERSION), then git -C $repo commit -am "web v2"
  Follow the rollout:            $bin rollout status deployment/web -n shop --data-dir $data
  Roll back:                     git -C $repo revert --no-edit HEAD
  Stop:                          Ctrl-C

INFO
exec "$bin" serve --repo "$repo" --path manifests --data-dir "$data" --interval 2s

#!/usr/bin/env bash
# `make run`: what a newcomer sees first. Grows with the daemon; today it validates examples-repo/.
set -euo pipefail
bin="$1"
"$bin" validate examples-repo

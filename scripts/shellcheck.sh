#!/usr/bin/env bash
# Lints the runner set-up scripts, the release tag script (and this one) with shellcheck. CI installs it with
# `apt-get install -y shellcheck`; without it this check fails rather than passing unseen.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck: not installed; install it (apt-get install -y shellcheck) and run again" >&2
  exit 1
fi

shopt -s nullglob
scripts=(runner-setup/*.sh scripts/release-tag.sh scripts/shellcheck.sh)
shellcheck --severity=style "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} script(s) clean"

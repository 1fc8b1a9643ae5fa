#!/usr/bin/env bash
# Regenerate docs/report.png, the README's picture of the HTML report, with the same headless
# Chromium the tests use (Debian's chromium package).
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp --suffix=.html)
profile=$(mktemp -d)
trap 'rm -rf "$report" "$profile"' EXIT
cscomp stress-test plans/nrr_focus.yaml --format html --output "$report" --quiet
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1100,1500 --screenshot="$PWD/docs/report.png" "file://$report" >/dev/null 2>&1
echo "wrote docs/report.png"

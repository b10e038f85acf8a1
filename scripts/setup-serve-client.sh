#!/usr/bin/env bash
# Installs the official OpenAI Node client (the `openai` npm package, version pinned by
# tests/serve/package-lock.json) into a git-ignored folder, for the `rotary serve` test
# (tests/serve/serve_test.mjs). Idempotent: does nothing when DIR already holds the pinned version.
#   scripts/setup-serve-client.sh [DIR]     DIR defaults to .serve-client/ in the repository root
# Needs npm (scripts/setup.sh --tests installs it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.serve-client}"
pins="$root/tests/serve"
command -v npm >/dev/null || { echo "setup-serve-client: npm is missing; run scripts/setup.sh --tests" >&2; exit 1; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

stamp="$(cat "$pins/package.json" "$pins/package-lock.json" "$root/scripts/setup-serve-client.sh" | sha256sum | cut -d' ' -f1)"
if [[ -f "$dir/installed.stamp" && "$(cat "$dir/installed.stamp")" == "$stamp" && -f "$dir/node_modules/openai/package.json" ]]; then
  echo "setup-serve-client: present in $dir"
  exit 0
fi
echo "setup-serve-client: installing the openai client (pinned) into $dir"
rm -f "$dir/installed.stamp"
cp "$pins/package.json" "$pins/package-lock.json" "$dir/"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "$stamp" > "$dir/installed.stamp"
echo "setup-serve-client: openai $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dir/node_modules/openai/package.json" | head -1) ready in $dir"

#!/usr/bin/env bash
# Installs the llama.cpp oracle (prebuilt in the npm package node-llama-cpp, versions pinned by
# tests/oracle/package-lock.json) into a git-ignored folder, and extracts llama.cpp's public
# headers from the git bundle that the package ships, so that nothing from llama.cpp is committed.
#   scripts/setup-oracle.sh [DIR]     DIR defaults to .oracle/ in the repository root
# Then configure with -DROTARY_ORACLE_DIR=DIR. Idempotent: does nothing when DIR already holds
# exactly the pinned versions. Needs npm, git and tar (scripts/setup.sh --tests installs them).
#
# Layout of DIR:
#   node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/          libllama, libggml* (CPU)
#   node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan/   the same with Vulkan
#   llama.cpp/include/llama.h, llama.cpp/ggml/include/*.h            headers of that exact release
#   installed.stamp                                                  what was installed
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.oracle}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
pins="$root/tests/oracle"

for tool in npm git tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "setup-oracle: '$tool' is missing; run scripts/setup.sh --tests" >&2; exit 1; }
done

# The stamp names the lock file's hash and this script's own hash: a change to either reinstalls.
stamp="$(cat "$pins/package.json" "$pins/package-lock.json" "$root/scripts/setup-oracle.sh" | sha256sum | cut -d' ' -f1)"
cpu_lib="$dir/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libllama.v0.5.0.so"
if [[ -f "$dir/installed.stamp" && "$(head -n1 "$dir/installed.stamp")" == "$stamp" && -f "$cpu_lib" &&
      -f "$dir/llama.cpp/include/llama.h" ]]; then
  echo "setup-oracle: present in $dir"
  exit 0
fi

echo "setup-oracle: installing node-llama-cpp (pinned) into $dir"
rm -f "$dir/installed.stamp"
cp "$pins/package.json" "$pins/package-lock.json" "$dir/"
# --ignore-scripts: node-llama-cpp's postinstall would look for (and may try to download or build)
# binaries; the prebuilt ones come from the two @node-llama-cpp packages listed in package.json.
# --omit=optional skips the other 12 platform packages (about 570 MB).
(cd "$dir" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=optional --ignore-scripts --no-audit --no-fund \
   --loglevel=error >/dev/null)
[[ -f "$cpu_lib" ]] || { echo "setup-oracle: npm ci finished but $cpu_lib is missing" >&2; exit 1; }

echo "setup-oracle: extracting llama.cpp headers from gitRelease.bundle"
bundle="$dir/node_modules/node-llama-cpp/llama/gitRelease.bundle"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git init -q --bare "$tmp/repo.git"
git -C "$tmp/repo.git" fetch -q "$bundle" HEAD
commit="$(git -C "$tmp/repo.git" rev-parse FETCH_HEAD)"
rm -rf "$dir/llama.cpp"
mkdir -p "$dir/llama.cpp"
git -C "$tmp/repo.git" archive FETCH_HEAD include/llama.h ggml/include | tar -x -C "$dir/llama.cpp"

release="$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$dir/node_modules/node-llama-cpp/llama/llama.cpp.info.json")"
printf '%s\nllama.cpp %s (commit %s), node-llama-cpp 3.22.1\n' "$stamp" "$release" "$commit" > "$dir/installed.stamp"
echo "setup-oracle: llama.cpp $release ($commit) ready in $dir"

#!/usr/bin/env bash
# README's first command (scripts/quickstart.sh) as a new user runs it: on a machine without the
# test dependencies, here simulated by hiding every Vulkan layer from the loader (the CI machine
# installs the validation layer for the test suite). The loader then finds only lavapipe, named
# by its manifest, and no layer. A model made by an earlier run is not reused: the cache folder
# is fresh, so `rotary synth` runs too.
set -euo pipefail
cd "$(dirname "$0")/.."
empty="$(mktemp -d)"
trap 'rm -rf "$empty"' EXIT
bash scripts/setup.sh > /dev/null  # lavapipe's manifest must exist before it can be named
manifests=(/usr/share/vulkan/icd.d/lvp_icd.*.json)
[[ -f "${manifests[0]}" ]] || { echo "first_command: lavapipe's ICD manifest not found" >&2; exit 1; }
export VK_DRIVER_FILES="${manifests[0]}" VK_ICD_FILENAMES="${manifests[0]}"
export XDG_DATA_DIRS="$empty" XDG_CONFIG_DIRS="$empty" VK_LAYER_PATH="$empty" VK_ADD_LAYER_PATH=""
export VK_LOADER_LAYERS_DISABLE='*'
export XDG_CACHE_HOME="$empty/cache"
unset ROTARY_REQUIRE_GPU ROTARY_VALIDATION
start=$SECONDS
bash scripts/quickstart.sh
echo "first_command: scripts/quickstart.sh passed in $((SECONDS - start)) s"
# The layer was hidden indeed: asking for validation must fail, and say why.
set +e
out="$(./build/cli/rotary run --no-progress -m "$XDG_CACHE_HOME/rotary/tiny-qwen3moe-Q4_K_M.gguf" \
       --tokens 1,2 -n 1 --validation 2>&1)"
status=$?
set -e
if [[ $status == 0 ]] || ! grep -q "VK_LAYER_KHRONOS_validation" <<< "$out"; then
  echo "first_command: the validation layer was not hidden from the Vulkan loader ($status: $out)" >&2
  exit 1
fi

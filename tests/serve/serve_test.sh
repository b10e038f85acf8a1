#!/usr/bin/env bash
# `rotary serve` end to end with the official OpenAI Node client (tests/serve/serve_test.mjs) on a
# random-weight tiny-qwen3moe (rotary synth), served with tools_template.jinja (synth's template
# with a tool list). Needs a Vulkan device (lavapipe will do) and the
# client (scripts/setup-serve-client.sh): exits 77 (skipped) without them, unless
# ROTARY_REQUIRE_GPU=1.
#   serve_test.sh ROTARY CLIENT_DIR
set -euo pipefail
rotary="$1"
client="$2"
here="$(cd "$(dirname "$0")" && pwd)"
skip() {
  echo "serve_test: $*"
  [[ "${ROTARY_REQUIRE_GPU:-}" == 1 ]] && exit 1
  exit 77
}
"$rotary" devices --json | grep -q '"default_device":[0-9]' || skip "no usable Vulkan device"
[[ -f "$client/node_modules/openai/package.json" ]] || skip "the openai client is not installed: run scripts/setup-serve-client.sh"
command -v node >/dev/null || skip "node is missing: run scripts/setup.sh --tests"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$rotary" synth --preset tiny-qwen3moe --quant Q4_K_M -o "$dir/tiny.gguf" > /dev/null
validation=()
if [[ -f /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json ]]; then validation=(--validation); fi
# The client resolves `openai` from the script's folder: run a copy beside its node_modules.
cp "$here/serve_test.mjs" "$client/serve_test.mjs"
ROTARY="$rotary" MODEL="$dir/tiny.gguf" TEMPLATE="$here/tools_template.jinja" TMP="$dir" \
  VALIDATION="${validation[*]}" node "$client/serve_test.mjs"

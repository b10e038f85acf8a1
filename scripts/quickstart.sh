#!/usr/bin/env bash
# Sets up and builds rotary, then does its job on this machine: shows the Vulkan devices, makes a
# small random-weight model once (rotary synth, kept in the cache folder), shows what it holds,
# and generates text with it. The weights are random, so the text is meaningless: this shows that
# everything runs, and how fast, without downloading a model. README.md shows how to run a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh --target rotary   # only what this script runs
rotary=./build/cli/rotary

echo
echo "== rotary devices: the Vulkan devices rotary can use"
$rotary devices

cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rotary"
model="$cache/tiny-qwen3moe-Q4_K_M.gguf"
echo
if [[ -f "$model" ]]; then
  echo "== using $model (made earlier by rotary synth)"
else
  echo "== rotary synth: a small Qwen3-MoE-shaped model with random weights, into $cache"
  mkdir -p "$cache"
  $rotary synth --preset tiny-qwen3moe --quant Q4_K_M -o "$model"
fi

# A budget that holds only a third of the model's routed experts, so that they rotate through
# VRAM as they would for a real model larger than the GPU.
budget=16M
echo
echo "== rotary info: what the model holds, and its VRAM plan for a budget of $budget"
$rotary info "$model" --plan --vram-budget "$budget"

echo
echo "== rotary run: generate 64 tokens within that budget"
echo "   The weights are random, so the text below is meaningless; the statistics line after it"
echo "   (prompt and decode speed, peak VRAM, expert hit rate, uploads) is real."
echo
$rotary run -m "$model" -p "The quick brown fox" -n 64 --seed 1 --vram-budget "$budget"

echo
echo "Next: talk to it with  $rotary chat -m $model"
echo "      or run a real model: README.md, 'Run a real model'."

#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: unit, GPU (lavapipe when there is no GPU, with
# the validation layer), oracle (llama.cpp) and a short fuzz run. A GPU suite that finds no
# device fails here instead of skipping (ROTARY_REQUIRE_GPU=1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
bash scripts/build.sh
export ROTARY_REQUIRE_GPU=1
ctest --test-dir build --output-on-failure --timeout 900

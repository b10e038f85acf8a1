#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: unit, GPU (lavapipe when there is no GPU, with
# the validation layer), oracle (llama.cpp) and a short fuzz run. A GPU suite that finds no
# device fails here instead of skipping (ROTARY_REQUIRE_GPU=1); so does a missing oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests --plots   # gnuplot: the plot tests draw with it
bash scripts/setup-oracle.sh            # llama.cpp, pinned, into .oracle/ (cached)
bash scripts/setup-serve-client.sh      # the openai npm client, pinned, into .serve-client/
bash scripts/build.sh -DROTARY_ORACLE_DIR="$PWD/.oracle"
export ROTARY_REQUIRE_GPU=1
ctest --test-dir build --output-on-failure --timeout 900

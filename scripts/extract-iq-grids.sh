#!/usr/bin/env bash
# Regenerates shaders/quant/grids/*.inc (the IQ quant types' lookup tables) from llama.cpp's own
# dequantisation in the oracle (docs/quantization.md). Needs a build configured with
# -DROTARY_ORACLE_DIR. The files are committed; tests/oracle/iq_grids_test.cpp checks them.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target rotary-extract-iq-grids
build/tests/oracle/rotary-extract-iq-grids shaders/quant/grids

#!/usr/bin/env bash
# Configures and builds rotary into build/ (Release with debug info, warnings as errors).
# Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTARY_WERROR=ON "$@" >/dev/null
cmake --build build -j"$(nproc)"

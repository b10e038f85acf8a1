#!/usr/bin/env bash
# Configures and builds rotary into build/ (Release with debug info, warnings as errors).
#   scripts/build.sh [--target NAME]... [cmake configure arguments]
# --target builds only those targets (scripts/quickstart.sh builds only `rotary`); without it,
# everything. Other arguments go to cmake's configure step. ccache is used when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=() configure=()
while (( $# )); do
  if [[ "$1" == --target ]]; then
    (( $# >= 2 )) || { echo "build: --target needs a name" >&2; exit 2; }
    targets+=(--target "$2")
    shift 2
  else
    configure+=("$1")
    shift
  fi
done
if command -v ccache > /dev/null; then
  configure=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache "${configure[@]}")
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTARY_WERROR=ON "${configure[@]}" >/dev/null
cmake --build build -j"$(nproc)" "${targets[@]}"

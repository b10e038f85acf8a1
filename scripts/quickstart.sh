#!/usr/bin/env bash
# Sets up and builds rotary, then shows what it sees: the Vulkan devices on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
./build/cli/rotary devices

#!/usr/bin/env bash
# Installs what rotary needs from Debian 12's packages, idempotently (root, or sudo).
#   scripts/setup.sh           build dependencies and lavapipe (to run rotary anywhere)
#   scripts/setup.sh --tests   also the test dependencies: validation layers, clang (fuzzing),
#                              Node.js and npm (the llama.cpp oracle), Python's Jinja2 (the
#                              chat-template reference)
#   scripts/setup.sh --plots   also gnuplot (gnuplot-nox), which `rotary bench --plots` draws with
#   (the flags combine: scripts/setup.sh --tests --plots)
set -euo pipefail

packages=(build-essential cmake ninja-build git ca-certificates
          libvulkan-dev libvulkan-volk-dev glslang-tools libcli11-dev doctest-dev pkg-config
          nlohmann-json3-dev libcpp-httplib-dev
          libvulkan1 mesa-vulkan-drivers)
for flag in "$@"; do
  case "$flag" in
    --tests) packages+=(vulkan-validationlayers vulkan-tools clang libclang-rt-14-dev nodejs npm
                           python3-jinja2) ;;
    --plots) packages+=(gnuplot-nox) ;;
    *) echo "setup: unknown flag '$flag' (--tests, --plots)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian (nodesource, nvm): a working `npm` is enough.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs/}")
  missing=("${missing[@]/npm/}")
fi
read -r -a missing <<< "${missing[*]}"

if (( ${#missing[@]} )); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: dependencies present"

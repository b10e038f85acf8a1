#!/usr/bin/env bash
# Builds a fuzzer (clang, libFuzzer + AddressSanitizer + UBSan) in its own build tree and runs it
# over its committed seed corpus for a while. Fails on any crash, sanitizer report or broken
# property; the failing input is left in BUILD/artifacts/.
#   scripts/fuzz.sh [--target gguf|jinja|json] [--seconds N] [--build-dir DIR] [-- extra libFuzzer flags]
# gguf (the default): the GGUF reader, seeds in tests/fuzz/corpus/gguf.
# jinja: the chat-template engine (parse + render), seeds are the real templates of
#        tests/templates/corpus.
# json: what rotary serve reads (request bodies through base/json.h and the OpenAI fields, tool
#       calls in model output), seeds in tests/fuzz/corpus/json.
# New inputs the fuzzer finds go to BUILD/corpus/TARGET (never into the committed corpus).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=60
build="$root/build/fuzz"
target=gguf
extra=()
while (( $# )); do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "fuzz: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for tool in clang clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (run scripts/setup.sh --tests)" >&2; exit 1; }
done

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTARY_FUZZ=ON \
      -DROTARY_WERROR=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
case "$target" in
  gguf) binary=gguf_reader_fuzz; seeds="$root/tests/fuzz/corpus/gguf" ;;
  jinja) binary=jinja_fuzz; seeds="$root/tests/templates/corpus" ;;
  json) binary=serve_json_fuzz; seeds="$root/tests/fuzz/corpus/json" ;;
  *) echo "fuzz: unknown target '$target' (gguf, jinja, json)" >&2; exit 2 ;;
esac
cmake --build "$build" -j"$(nproc)" --target "$binary"

work="$build/corpus/$target"
mkdir -p "$work" "$build/artifacts"
# -max_len: the seeds are at most a few KB (templates up to ~20 KB); 64 KiB leaves room for growth.
# -timeout: one input taking seconds is a bug (a hang), not slowness.
exec "$build/tests/fuzz/$binary" "$work" "$seeds" \
     -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
     -artifact_prefix="$build/artifacts/" -print_final_stats=1 "${extra[@]}"

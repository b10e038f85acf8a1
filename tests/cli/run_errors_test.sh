#!/usr/bin/env bash
# `rotary run` on bad input: corrupt and unsupported files, impossible budgets and devices, empty
# and out-of-range prompts, a context that fills, an unwritable output. Each must end with a clear
# message and its exit code (2 bad input, 3 unsupported, 4 device or memory, 1 other: cli/main.cpp),
# never a crash (a signal gives 128 + N, which no expected code matches).
#   run_errors_test.sh ROTARY MAKE_RUN_INPUTS
set -euo pipefail
rotary="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

fail() { echo "run_errors_test: $*" >&2; exit 1; }
expect() {  # expect TEXT OUTPUT: OUTPUT contains TEXT
  grep -qF -- "$1" <<< "$2" || fail "missing '$1' in: $2"
}
# A Vulkan device is needed for most cases: skip (77) without one, unless CI requires it.
if ! "$rotary" devices > /dev/null 2>&1; then
  [[ "${ROTARY_REQUIRE_GPU:-}" == 1 ]] && fail "no Vulkan device (ROTARY_REQUIRE_GPU=1)"
  echo "run_errors_test: skipped, no Vulkan device"
  exit 77
fi

"$2" "$dir" > /dev/null
"$rotary" synth --preset tiny-qwen3moe --quant Q8_0 --seed 1 -o "$dir/model.gguf" > /dev/null
model="$dir/model.gguf"
size=$(stat -c %s "$model")
head -c $((size / 2)) "$model" > "$dir/truncated.gguf"
head -c 1000 "$model" > "$dir/header_cut.gguf"
printf 'not a model\n' > "$dir/text.gguf"
: > "$dir/empty.gguf"

run_status=0 run_err=""
run() {  # run ARGS...: runs `rotary run`, keeps its exit code and stderr
  set +e
  run_err="$(timeout "${limit:-300}" "$rotary" run --no-progress "$@" 2>&1 >/dev/null)"
  run_status=$?
  set -e
}
check() {  # check CODE TEXT ARGS...
  local code="$1" text="$2"
  shift 2
  run "$@"
  [[ $run_status == "$code" ]] || fail "rotary run $*: exit code $run_status, expected $code ($run_err)"
  expect "$text" "$run_err"
}

# Files.
check 2 "run past the end of the" -m "$dir/truncated.gguf" --tokens 1,2
check 2 "cannot fit in the 976 bytes left" -m "$dir/header_cut.gguf" --tokens 1,2
check 2 "not a GGUF file" -m "$dir/text.gguf" --tokens 1,2
check 2 "file is 0 bytes, too short to be a GGUF file" -m "$dir/empty.gguf" --tokens 1,2
check 2 "cannot open" -m "$dir/missing.gguf" --tokens 1,2
mkfifo "$dir/fifo.gguf"  # opening it for reading blocked forever: timeout gives 124
check 2 "is a FIFO (named pipe), not a regular file" -m "$dir/fifo.gguf" --tokens 1,2
check 2 "is a directory, not a regular file" -m "$dir" --tokens 1,2
check 2 "is a character device, not a regular file" -m /dev/zero --tokens 1,2
check 2 "is a FIFO (named pipe), not a regular file; give the path of a routing trace" -m "$model" --tokens 1,2 \
  --routing-trace "$dir/fifo.gguf"
check 3 "model architecture 'qwen2moe'" -m "$dir/qwen2moe.gguf" --tokens 1,2
check 3 "token_embd.weight is q8_1, a type rotary has no kernels for (15 more tensors are in such types: rotary info lists them); rotary runs f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q2_K, q3_K, q4_K, q5_K, q6_K, iq4_xs, mxfp4, iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m" -m "$dir/q8_1.gguf" --tokens 1,2
# rotary info says so up front, prints the whole report, then fails as run does (exit 3).
set +e
info="$("$rotary" info "$dir/q8_1.gguf" 2>/dev/null)"
code=$?
set -e
[[ $code == 3 ]] || fail "info q8_1.gguf: exit code $code, expected 3"
expect "rotary cannot run this file: 16 tensors are in types it has no kernels for: token_embd.weight (q8_1), output.weight (q8_1)" "$info"
expect "experts:         q8_1 6 (unsupported)" "$info"
info="$("$rotary" info "$dir/q4_1.gguf" --json)"
expect '"unsupported_tensors":[]' "$info"
expect '"experts":{"q4_1":6}' "$info"
expect '"router":{"f32":2}' "$info"

# Non-finite weights: the router (or, after the last layer, the logits) says where the activations
# stopped being finite, as bad input (exit 2); before, this was "internal error: router chose
# expert 4294967295".
check 2 "the activations became non-finite (NaN or infinity) at layer 0, token position 0" \
  -m "$dir/nan_attn_norm.gguf" --tokens 1,2,3 -n 2 --temp 0
expect "blk.0.ffn_gate_inp.weight" "$run_err"
check 2 "the activations became non-finite (NaN or infinity) at layer 1" -m "$dir/inf_ffn_norm.gguf" --tokens 1 -n 2
for temp in 0 0.8; do
  check 2 "the output logits are non-finite" -m "$dir/nan_output_norm.gguf" --tokens 1,2 -n 2 --temp $temp
done

# Budget and device.
check 4 "the VRAM budget of 1.00 MiB cannot hold" -m "$model" --tokens 1,2 --vram-budget 1M
for part in "dense weights" "KV cache" "activations" "one layer's experts" "Raise --vram-budget to at least" \
            "lower --ctx"; do
  expect "$part" "$run_err"
done
# Sizes in closed form: a huge context and prefill chunk are refused at once (the attention
# scratch bound looped once per chunk token: minutes), never wrap, never loop per token.
limit=30  # the old code took 40 s for the second and minutes for the first
check 4 "the VRAM budget of" -m "$model" --tokens 1,2 --ctx 2147483647 --prefill-chunk 2147483647
check 4 "the VRAM budget of" -m "$model" --tokens 1,2 --ctx 100000000 --prefill-chunk 100000000
limit=300
check 4 "--device 99 does not exist" -m "$model" --tokens 1,2 --device 99
check 2 "cannot read size" -m "$model" --tokens 1,2 --vram-budget lots

# Prompts.
check 2 "the prompt (-p) is empty" -m "$model" -p ""
check 2 "--tokens is empty" -m "$model" --tokens ""
check 2 "give exactly one of -p TEXT and --tokens IDS" -m "$model"
check 2 "'-3' is not a token id" -m "$model" --tokens 1,-3
check 2 "token id 1000 is outside the vocabulary (0..999)" -m "$model" --tokens 5,1000

# A context that fills: with the prompt, an error; during generation, the end of the run (what
# was generated is printed: run_stop_test.sh).
check 1 "the context of 16 tokens is full (0 used, 20 more asked for)" -m "$model" --ctx 16 \
  --tokens 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20
check 0 "the context of 16 tokens is full: generation stopped after 14 tokens" -m "$model" --ctx 16 \
  --tokens 1,2,3 -n 30 --ignore-eos --temp 0

# Outputs.
check 2 "cannot write $dir/no/such/dir/logits.npy" -m "$model" --tokens 1,2 -n 2 --logits-out "$dir/no/such/dir/logits.npy"
check 2 "cannot write routing trace" -m "$model" --tokens 1,2 -n 2 --record-routing "$dir/no/such/dir/trace"

# Edge cases that must simply work.
check 0 "prompt 2 tokens" -m "$model" --tokens 1,2 -n 0
check 0 "decode 3 tokens" -m "$model" --tokens 1,2 -n 3 --temp 0 --ignore-eos
check 0 "ops matched their CPU references" -m "$model" --tokens 1,2,3 -n 2 --check-ops
echo "run_errors_test: ok"

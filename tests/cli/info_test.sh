#!/usr/bin/env bash
# `rotary info` on the tiny models and near-valid files of the fuzz corpus generator: the text
# and JSON reports, and the exit codes of malformed (2) and unsupported (3) files.
#   info_test.sh ROTARY MAKE_GGUF_CORPUS
set -euo pipefail
rotary="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$2" "$dir" >/dev/null

fail() { echo "info_test: $*" >&2; exit 1; }
expect() {  # expect TEXT OUTPUT: OUTPUT contains TEXT
  grep -qF -- "$1" <<< "$2" || fail "missing '$1' in: $2"
}

out="$("$rotary" info "$dir/qwen3moe")"
expect "architecture: qwen3moe" "$out"
expect "blocks 1 (+0 MTP), embedding 8, vocab 4, context 256" "$out"
expect "attention: 2 heads, 1 KV heads, head dim 4/4, rope 4 dims" "$out"
expect "tensors by type: f32 6 (192 B) f16 9 (896 B)" "$out"
# gate + up {8, 4} F16 and down {4, 8} F16: 3 x 64 bytes per expert.
expect "block 0: 192 B" "$out"
expect "tokenizer: gpt2, pre qwen2, 4 tokens, 1 merges, bos 3, eos 3" "$out"

json="$("$rotary" info "$dir/qwen35moe" --json)"
expect '"architecture":"qwen35moe"' "$json"
expect '"rms_eps":1e-06' "$json"
expect '"ssm":{"conv_kernel":2,"state_size":4,"group_count":1,"time_step_rank":2,"inner_size":8}' "$json"
expect '"recurrent_layers":[0]' "$json"
expect '"expert_bytes_per_layer":[192,192]' "$json"
expect '"chat_template":true' "$json"

json="$("$rotary" info "$dir/qwen3next_mtp_tied" --json)"
expect '"n_layer":1,"n_nextn":1' "$json"

# --plan on the first Vulkan device (lavapipe in CI): the slot pool, or none when experts are read
# in place; a budget under the fixed part is refused with the breakdown.
plan="$("$rotary" info "$dir/qwen3moe" --plan --vram-budget 64M --ctx 256)"
expect "VRAM plan for a budget of 64.0 MiB:" "$plan"
expect "slots of 192 B = 100.0% of 2 experts (at least 1)" "$plan"
json="$("$rotary" info "$dir/qwen3moe" --plan --vram-budget 64M --ctx 256 --residency copy --json)"
expect '"residency":"copy"' "$json"
plan="$("$rotary" info "$dir/qwen3moe" --plan --vram-budget 64M --ctx 256 --residency in-place)"
expect "none: the 2 experts are read in place from the model file" "$plan"
json="$("$rotary" info "$dir/qwen3moe" --plan --vram-budget 64M --ctx 256 --residency in-place --json)"
expect '"slots":0,"pool":0' "$json"
expect '"staging_host":0' "$json"
expect '"residency":"in-place"' "$json"
set +e
err="$("$rotary" info "$dir/qwen3moe" --plan --vram-budget 1K --ctx 256 2>&1 >/dev/null)"
code=$?
set -e
[[ $code == 4 ]] || fail "--plan --vram-budget 1K: exit code $code, expected 4 ($err)"
expect "dense weights" "$err"

check_exit() {  # check_exit FILE CODE TEXT
  set +e
  err="$("$rotary" info "$dir/$1" 2>&1 >/dev/null)"
  code=$?
  set -e
  [[ $code == "$2" ]] || fail "$1: exit code $code, expected $2 ($err)"
  expect "$3" "$err"
}
check_exit truncated 2 "truncated: tensor 7 of 15"
check_exit misaligned 2 "is not a multiple of the alignment 64"
check_exit every_value_type 2 "'general.architecture': is missing"
check_exit version1 3 "unsupported GGUF version 1"
check_exit big_endian 3 "big-endian"
check_exit missing 2 "cannot open"
echo "info_test: ok"

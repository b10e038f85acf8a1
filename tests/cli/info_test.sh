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
# Sizes in closed form: a context and chunk of 2^31 - 1 tokens are refused at once (the attention
# scratch bound looped once per chunk token: over a minute).
set +e
err="$(timeout 30 "$rotary" info "$dir/qwen3moe" --plan --ctx 2147483647 --prefill-chunk 2147483647 2>&1 >/dev/null)"
code=$?
set -e
[[ $code == 4 ]] || fail "--plan --ctx 2147483647: exit code $code, expected 4 ($err)"
expect "KV cache" "$err"
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
# One check for info and run (loader/model_check.h): broken values and kernel limits, naming the key.
check_exit rope_freq_inf 2 "metadata key 'qwen3moe.rope.freq_base'"
expect "is inf; it must be a positive finite number" "$err"
check_exit head_dim_80 3 "metadata key 'qwen3moe.attention.key_length' is 80: the attention head size; rotary's attention kernels run head sizes 4, 8, 16, 32, 64, 128, 256"
check_exit mtp_without_tensors 2 "'qwen35moe.nextn_predict_layers'"
expect "is 1, which makes block 1 an MTP block, but it has no MTP tensors" "$err"
check_exit ssm_inner_mismatch 2 "'qwen35moe.ssm.inner_size'"
expect "is 9; it must be ssm.time_step_rank x ssm.state_size = 2 x 4 = 8" "$err"
check_exit rope_dims_zero 2 "'qwen35moe.rope.dimension_count'"
expect "is 0; it must be even, at least 2" "$err"
# Strings from the file reach the terminal escaped and cut (base/printable.h); JSON keeps them whole.
out="$("$rotary" info "$dir/hostile_strings")"
expect 'name: tiny\x1b[2J\x07\x00after-nul' "$out"
expect 'pre qwen2\x1b]0;title\x07,' "$out"
[[ "$out" != *$'\e'* && "$out" != *$'\a'* ]] || fail "raw control characters in: $out"
json="$("$rotary" info "$dir/hostile_strings" --json)"
expect '"pre":"qwen2\u001b]0;title\u0007"' "$json"
check_exit long_architecture 3 "model architecture 'xxxxxxxx"
expect "... (1004 bytes in all)' is not supported" "$err"
(( ${#err} < 600 )) || fail "a 1004-byte architecture name printed whole: ${#err} bytes"
# Paths that are not regular files: refused before they are opened for reading (opening a FIFO
# blocked forever; `timeout` turns a hang into exit 124, which no expected code matches).
mkfifo "$dir/fifo"
mkdir "$dir/folder"
check_not_regular() {  # check_not_regular PATH TEXT
  set +e
  err="$(timeout 20 "$rotary" info "$1" 2>&1 >/dev/null)"
  code=$?
  set -e
  [[ $code == 2 ]] || fail "info $1: exit code $code, expected 2 ($err)"
  expect "$2" "$err"
}
check_not_regular "$dir/fifo" "fifo: is a FIFO (named pipe), not a regular file"
check_not_regular "$dir/folder" "folder: is a directory, not a regular file"
check_not_regular /dev/zero "/dev/zero: is a character device, not a regular file"
echo "info_test: ok"

#!/usr/bin/env bash
# One rule for every flag value and environment variable (docs/cli.md, "Values"): a value that is
# malformed, not finite or out of its range is bad input, exit 2, with a message that names the
# flag or variable and the value; checked before anything is loaded, so no Vulkan device is needed.
# Command-line parse errors exit 2 too. Plus standard output: a write that fails (a full device, a
# closed descriptor) fails the command instead of exiting 0.
#   values_test.sh ROTARY MAKE_RUN_INPUTS
set -euo pipefail
rotary="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$2" "$dir" > /dev/null
model="$dir/no_byte_tokens.gguf"  # a valid tiny model (for info); run and chat never load it here

fail() { echo "values_test: $*" >&2; exit 1; }
status=0 err=""
vars=()  # VAR=VALUE for the next check (check_env)
run_rotary() {  # run_rotary ARGS...: keeps the exit code and stderr; stdout is dropped
  set +e
  err="$(env "${vars[@]}" "$rotary" "$@" 2>&1 >/dev/null)"
  status=$?
  set -e
}
check() {  # check CODE TEXT ARGS...
  local code="$1" text="$2"
  shift 2
  run_rotary "$@"
  [[ $status == "$code" ]] || fail "rotary $*: exit code $status, expected $code ($err)"
  grep -qF -- "$text" <<< "$err" || fail "${vars[*]} rotary $*: missing '$text' in: $err"
}
check_env() {  # check_env CODE TEXT VAR=VALUE ARGS...
  local code="$1" text="$2"
  vars=("$3")
  shift 3
  check "$code" "$text" "$@"
  vars=()
}

# Sampling flags, in run and chat alike, checked before the model is opened (the path is missing).
for cmd in run chat; do
  p=(); [[ $cmd == run ]] && p=(-p hi)
  check 2 "--temp -1: must be a number >= 0" $cmd -m "$dir/missing.gguf" "${p[@]}" --temp -1
  check 2 "--temp nan: must be" $cmd -m "$dir/missing.gguf" "${p[@]}" --temp nan
  check 2 "--temp inf: must be" $cmd -m "$dir/missing.gguf" "${p[@]}" --temp inf
  check 2 "--top-p 2: must be above 0 and at most 1" $cmd -m "$dir/missing.gguf" "${p[@]}" --top-p 2
  check 2 "--top-p -1: must be above 0 and at most 1" $cmd -m "$dir/missing.gguf" "${p[@]}" --top-p -1
  check 2 "--top-p 0: must be" $cmd -m "$dir/missing.gguf" "${p[@]}" --top-p 0
  check 2 "--min-p 2: must be at least 0 and below 1" $cmd -m "$dir/missing.gguf" "${p[@]}" --min-p 2
  check 2 "--min-p -0.5: must be" $cmd -m "$dir/missing.gguf" "${p[@]}" --min-p -0.5
  check 2 "--top-k -1: must be an integer >= 0" $cmd -m "$dir/missing.gguf" "${p[@]}" --top-k -1
  check 2 "--repeat-penalty 0: must be a number above 0" $cmd -m "$dir/missing.gguf" "${p[@]}" --repeat-penalty 0
  check 2 "--repeat-penalty nan: must be" $cmd -m "$dir/missing.gguf" "${p[@]}" --repeat-penalty nan
  # Values at the ends of their ranges pass the check (and then fail on the missing file).
  check 2 "cannot open" $cmd -m "$dir/missing.gguf" "${p[@]}" --temp 0 --top-p 1 --min-p 0 --top-k 0
done

# The device and the budget: the flag and its environment variable, in run and info --plan alike.
check 2 "--device 'zz': not a device index" run -m "$dir/missing.gguf" -p hi --device zz
check 2 "--device '-1': not a device index" run -m "$dir/missing.gguf" -p hi --device -1
check_env 2 "ROTARY_DEVICE=zz: not a device index" ROTARY_DEVICE=zz run -m "$dir/missing.gguf" -p hi
check_env 2 "ROTARY_DEVICE=1x: not a device index" ROTARY_DEVICE=1x info "$model" --plan
check 2 "--device 'zz': not a device index" info "$model" --plan --device zz
check_env 2 "ROTARY_DEVICE=zz: not a device index" ROTARY_DEVICE=zz bench -m "$model" -p 1 -n 0
for cmd in "run -m $dir/missing.gguf -p hi" "info $model --plan" "chat -m $dir/missing.gguf"; do
  # shellcheck disable=SC2086
  check 2 "--vram-budget '0': a budget must be above 0 bytes" $cmd --vram-budget 0
  # shellcheck disable=SC2086
  check_env 2 "ROTARY_VRAM_BUDGET=0: a budget must be above 0 bytes" ROTARY_VRAM_BUDGET=0 $cmd
  # shellcheck disable=SC2086
  check 2 "--vram-budget 'lots': cannot read size" $cmd --vram-budget lots
done
check_env 2 "ROTARY_VALIDATION=yes: give 1 (validation on) or 0 (off)" ROTARY_VALIDATION=yes \
  run -m "$dir/missing.gguf" -p hi
check 2 "--matvec-path 'fast': not a matvec path; give auto, u32, u16 or dot" \
  run -m "$dir/missing.gguf" -p hi --matvec-path fast
check_env 2 "ROTARY_MATVEC_PATH=u8: not a matvec path" ROTARY_MATVEC_PATH=u8 run -m "$dir/missing.gguf" -p hi
# An empty variable counts as unset; the flag wins over the variable.
check_env 2 "cannot open" ROTARY_DEVICE= run -m "$dir/missing.gguf" -p hi
check_env 2 "cannot open" ROTARY_DEVICE=zz run -m "$dir/missing.gguf" -p hi --device 0
check 2 "--ctx must be at least 1" run -m "$dir/missing.gguf" -p hi --ctx 0
check 2 "--prefill-chunk must be at least 1" run -m "$dir/missing.gguf" -p hi --prefill-chunk 0

# synth --quant: a type rotary runs but does not write is named as such (files in it come from
# llama.cpp's quantiser); an unknown name lists what synth writes.
check 2 "--quant IQ2_XS: rotary runs iq2_xs files but does not write them" synth --preset tiny-qwen3moe \
  --quant IQ2_XS -o "$dir/never.gguf"
check 2 "--quant q3_k: rotary runs q3_K files but does not write them" synth --preset tiny-qwen3moe \
  --quant q3_k -o "$dir/never.gguf"
check 2 "unknown --quant 'Q9_9'; synth writes F32, F16, BF16" synth --preset tiny-qwen3moe --quant Q9_9 \
  -o "$dir/never.gguf"
[[ ! -e "$dir/never.gguf" ]] || fail "synth wrote a file for a type it refuses"

# Command-line parse errors (CLI11): exit 2, as every bad input.
check 2 "not expected: --bogus" run -m "$dir/missing.gguf" -p hi --bogus
check 2 "Could not convert: --n-predict = abc" run -m "$dir/missing.gguf" -p hi -n abc
check 2 "Could not convert: --n-predict = -1" run -m "$dir/missing.gguf" -p hi -n -1
check 2 "Could not convert: --ctx = -5" info "$model" --plan --ctx -5
check 2 "--seed '-2': not a seed" run -m "$dir/missing.gguf" -p hi --seed -2
check 2 "--seed '1.5': not a seed" chat -m "$dir/missing.gguf" --seed 1.5
check 2 "cannot open" run -m "$dir/missing.gguf" -p hi --seed -1  # -1: random, as llama.cpp
check 2 "cannot open" run -m "$dir/missing.gguf" -p hi --seed 18446744073709551615
check 2 "model" info
check 2 "A subcommand is required" ""

# Standard output that cannot be written: a full device and a closed descriptor, for every command
# that writes results there without a device.
for out in full closed; do
  for cmd in "info $model" "info $model --json" "synth --list-presets" "--help" "run --help" "--version"; do
    set +e
    # shellcheck disable=SC2086
    if [[ $out == full ]]; then err="$("$rotary" $cmd 2>&1 >/dev/full)"; else err="$("$rotary" $cmd 2>&1 >&-)"; fi
    status=$?
    set -e
    [[ $status == 2 ]] || fail "rotary $cmd with stdout $out: exit code $status, expected 2 ($err)"
    grep -qF "cannot write the output to standard output" <<< "$err" || fail "rotary $cmd, stdout $out: $err"
  done
done
set +e
err="$("$rotary" info "$model" 2>&1 >&-)"
set -e
grep -qF "standard output: it is closed" <<< "$err" || fail "closed stdout not named: $err"
echo "values_test: ok"

#!/usr/bin/env bash
# How `rotary run` ends, and that it always reports what it generated: Ctrl-C (exit 130, the text or
# the JSON with "interrupted": true, the statistics line), a full context (the tokens so far with
# stop_reason "context_full"), one generated token (no decode rate), standard output that cannot
# be written (exit 2), a vocabulary that cannot encode the prompt (says what it lacks).
#   run_stop_test.sh ROTARY MAKE_RUN_INPUTS
set -euo pipefail
rotary="$1"
dir="$(mktemp -d)"
pid=""
trap '[[ -n $pid ]] && kill -KILL $pid 2> /dev/null; rm -rf "$dir"' EXIT

fail() { echo "run_stop_test: $*" >&2; exit 1; }
expect() {  # expect TEXT OUTPUT: OUTPUT contains TEXT
  grep -qF -- "$1" <<< "$2" || fail "missing '$1' in: $2"
}
if ! "$rotary" devices > /dev/null 2>&1; then
  [[ "${ROTARY_REQUIRE_GPU:-}" == 1 ]] && fail "no Vulkan device (ROTARY_REQUIRE_GPU=1)"
  echo "run_stop_test: skipped, no Vulkan device"
  exit 77
fi
"$2" "$dir" > /dev/null
"$rotary" synth --preset tiny-qwen3moe --quant Q8_0 --seed 1 -o "$dir/model.gguf" > /dev/null
model="$dir/model.gguf"
run=("$rotary" run --no-progress -m "$model" --temp 0 --ignore-eos)

status=0
run_to() {  # run_to OUT ERR ARGS...: rotary run's stdout and stderr into files, exit code in $status
  local out="$1" err="$2"
  shift 2
  set +e
  "${run[@]}" "$@" > "$out" 2> "$err"
  status=$?
  set -e
}
tokens_of() {  # the number of ids in the "tokens" array of a run --json object
  local list
  list="$(grep -o '"tokens":\[[0-9,]*\]' "$1" | head -1 | sed 's/.*\[//; s/\]//')"
  [[ -z $list ]] && { echo 0; return; }
  tr ',' '\n' <<< "$list" | wc -l
}

# Ctrl-C. The run asks for 4000 tokens (minutes on lavapipe); SIGINT is sent once it has shown
# that it is generating: text on stdout, or for --json rows of logits in --logits-out (written
# from the prompt on, while the interrupt handler is installed). Nothing depends on timing but
# that 4000 tokens take longer than the few milliseconds between the two.
wait_for_size() {  # wait_for_size FILE BYTES: until FILE holds more than BYTES (at most 300 s)
  for _ in $(seq 3000); do
    [[ -f $1 && $(stat -c %s "$1") -gt $2 ]] && return 0
    kill -0 "$pid" 2> /dev/null || fail "rotary run ended before it was interrupted: $(cat "$dir/err")"
    sleep 0.1
  done
  fail "rotary run wrote nothing to $1 in 300 s"
}
interrupt() {  # interrupt FILE BYTES ARGS...: start a run, SIGINT once FILE holds more than BYTES
  local file="$1" bytes="$2"
  shift 2
  # Job control on: a background job then keeps SIGINT's default action, as a program started
  # from a terminal has it (without it, bash starts background jobs with SIGINT ignored).
  set -m
  "${run[@]}" --tokens 1,2,3 -n 4000 "$@" > "$dir/out" 2> "$dir/err" &
  pid=$!
  set +m
  wait_for_size "$file" "$bytes"
  kill -INT "$pid"
  set +e
  wait "$pid"
  status=$?
  set -e
  pid=""
}
interrupt "$dir/out" 0
[[ $status == 130 ]] || fail "interrupted run: exit code $status, expected 130 ($(cat "$dir/err"))"
expect "interrupted (Ctrl-C) after" "$(cat "$dir/err")"
expect "| decode " "$(cat "$dir/err")"
[[ $(tail -c 1 "$dir/out" | od -An -c | tr -d ' ') == '\n' ]] || fail "interrupted text does not end with a newline"

# 128 bytes of .npy header and 4000 bytes per row (vocabulary 1000): past the prompt's 3 rows.
interrupt "$dir/logits.npy" $((128 + 4000 * 4)) --json --logits-out "$dir/logits.npy"
[[ $status == 130 ]] || fail "interrupted --json run: exit code $status, expected 130 ($(cat "$dir/err"))"
json="$(cat "$dir/out")"
expect '"interrupted":true' "$json"
expect '"stop_reason":"interrupted"' "$json"
expect '"stats":{' "$json"
n=$(tokens_of "$dir/out")
(( n >= 1 && n < 4000 )) || fail "interrupted --json run: $n tokens in: $json"
expect "| decode $n tokens" "$(cat "$dir/err")"

# A full context: the tokens generated until then, the reason, exit 0. A context of 16 with a
# prompt of 3 evaluates 13 generated tokens and chooses a 14th from the last logits.
run_to "$dir/out" "$dir/err" --ctx 16 --tokens 1,2,3 -n 30 --json
[[ $status == 0 ]] || fail "full context --json: exit code $status ($(cat "$dir/err"))"
expect '"stop_reason":"context_full"' "$(cat "$dir/out")"
expect '"interrupted":false' "$(cat "$dir/out")"
[[ $(tokens_of "$dir/out") == 14 ]] || fail "full context: $(tokens_of "$dir/out") tokens, expected 14"
expect "the context of 16 tokens is full: generation stopped after 14 tokens" "$(cat "$dir/err")"
run_to "$dir/out" "$dir/err" --ctx 16 --tokens 1,2,3 -n 30
[[ $status == 0 ]] || fail "full context: exit code $status ($(cat "$dir/err"))"
expect "decode 14 tokens" "$(cat "$dir/err")"
[[ -s "$dir/out" ]] || fail "full context: no text"
# Other reasons: the length asked for (-n).
run_to "$dir/out" "$dir/err" --tokens 1,2,3 -n 5 --json
expect '"stop_reason":"length"' "$(cat "$dir/out")"

# One generated token is no decode step: no rate (it used to report thousands of tok/s).
run_to "$dir/out" "$dir/err" --tokens 1,2 -n 1 --json
[[ $status == 0 ]] || fail "-n 1: exit code $status"
expect '"generate_tps":null' "$(cat "$dir/out")"
expect '"decode_steps":0' "$(cat "$dir/out")"
expect "decode 1 tokens (no rate: too few tokens)" "$(cat "$dir/err")"
run_to "$dir/out" "$dir/err" --tokens 1,2 -n 3 --json
expect '"decode_steps":2' "$(cat "$dir/out")"
grep -q '"generate_tps":[0-9]' "$dir/out" || fail "-n 3: no decode rate in $(cat "$dir/out")"

# Standard output that cannot be written, text and JSON: exit 2 with a message, never 0.
for args in "-n 3" "-n 3 --json"; do
  set +e
  # shellcheck disable=SC2086
  err="$("${run[@]}" --tokens 1,2 $args 2>&1 > /dev/full)"
  s1=$?
  # shellcheck disable=SC2086
  err2="$("${run[@]}" --tokens 1,2 $args 2>&1 >&-)"
  s2=$?
  set -e
  [[ $s1 == 2 && $s2 == 2 ]] || fail "run $args to /dev/full / closed stdout: exit codes $s1 $s2 ($err / $err2)"
  expect "cannot write the output to standard output" "$err"
  expect "cannot write the output to standard output: it is closed" "$err2"
done
for cmd in devices "devices --json"; do
  set +e
  # shellcheck disable=SC2086
  err="$("$rotary" $cmd 2>&1 > /dev/full)"
  s1=$?
  set -e
  [[ $s1 == 2 ]] || fail "$cmd > /dev/full: exit code $s1 ($err)"
done
"$rotary" bench -m "$model" -p 4 -n 2 -r 1 --check-tokens 2 --no-progress --save "$dir/bench.json" > /dev/null
set +e
err="$("$rotary" bench --merge "$dir/bench.json" 2>&1 > /dev/full)"
s1=$?
set -e
[[ $s1 == 2 ]] || fail "bench --merge > /dev/full: exit code $s1 ($err)"

# A vocabulary without byte tokens ("a".."g" only): the characters it cannot spell are named,
# whether none of the prompt can be encoded or only part of it (which used to be dropped silently).
run=("$rotary" run --no-progress -m "$dir/no_byte_tokens.gguf")
run_to "$dir/out" "$dir/err" -p hi
[[ $status == 2 ]] || fail "-p hi without byte tokens: exit code $status ($(cat "$dir/err"))"
expect "no token for 2 of the prompt's characters: 'h' (0x68), 'i' (0x69)" "$(cat "$dir/err")"
run_to "$dir/out" "$dir/err" -p "ahb"
[[ $status == 2 ]] || fail "-p ahb without byte tokens: exit code $status ($(cat "$dir/err"))"
expect "no token for 1 of the prompt's characters: 'h' (0x68)" "$(cat "$dir/err")"
echo "run_stop_test: ok"

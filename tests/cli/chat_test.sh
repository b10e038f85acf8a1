#!/usr/bin/env bash
# `rotary chat` end to end on a random-weight tiny-qwen3moe (rotary synth; its template is ChatML
# with Qwen3's thinking switch): two turns from a pipe, each feeding only what is new; Ctrl-C
# during answers and at the prompt; a context that fills, /reset, EOF. Then real templates: a
# tiny qwen35moe carrying Qwen3.5's and a tiny qwen3moe carrying Qwen3's (each turn's feed checked
# against `rotary template`, which template_test.sh checks against Jinja2), and templates that
# fail. Needs a Vulkan device (lavapipe will do): exits 77 (skipped) without one, unless
# ROTARY_REQUIRE_GPU=1. Uses python3 to read the JSON Lines.
#   chat_test.sh ROTARY QWEN35_TEMPLATE QWEN3_TEMPLATE GPT_OSS_TEMPLATE
set -euo pipefail
rotary="$1"
qwen35_template="$2"
qwen3_template="$3"
gpt_oss_template="$4"
dir="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

fail() { echo "chat_test: $*" >&2; exit 1; }
expect() {  # expect TEXT OUTPUT: OUTPUT contains TEXT
  grep -qF -- "$1" <<< "$2" || fail "missing '$1' in: $2"
}
field() {  # field NAME JSON_LINE: a number or a short string field of one transcript line
  grep -oE "\"$1\":(\"[^\"]*\"|[0-9]+)" <<< "$2" | head -1 | sed -E "s/^\"$1\"://; s/\"//g"
}
wait_for() {  # wait_for WHAT COMMAND...: polls for up to 120 s
  local what="$1"; shift
  for _ in $(seq 1200); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || fail "rotary chat ended while waiting for $what"
    sleep 0.1
  done
  fail "timed out waiting for $what"
}
lines() { if [[ -f "$1" ]]; then wc -l < "$1"; else echo 0; fi; }
has_lines() { [[ $(lines "$1") -ge $2 ]]; }  # has_lines FILE N

if ! "$rotary" devices --json | grep -q '"default_device":[0-9]'; then
  echo "chat_test: no usable Vulkan device"
  [[ "${ROTARY_REQUIRE_GPU:-}" == 1 ]] && exit 1
  exit 77
fi
model="$dir/tiny.gguf"
"$rotary" synth --preset tiny-qwen3moe --quant Q4_K_M -o "$model" > /dev/null
validation=()
if [[ -f /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json ]]; then validation=(--validation); fi
after_user() {  # what the template writes from the end of an answer to the next generation prompt
  printf '<|im_end|>\\n<|im_start|>user\\n%s<|im_end|>\\n<|im_start|>assistant\\n' "$1"
}

# --- Two turns from a pipe: the second evaluates only the close of the first answer and the new
# question (the answer's last token was never evaluated, so it leads the feed).
printf 'Hello there\nWhat next?\n' |
  "$rotary" chat -m "$model" "${validation[@]}" --no-progress --system "Be brief." --temp 0 -n 8 \
    --transcript "$dir/a.jsonl" > "$dir/a.out" 2> "$dir/a.err" || fail "two turns: exit $? ($(cat "$dir/a.err"))"
err="$(cat "$dir/a.err")"
! grep -q "validation" <<< "$err" || fail "the validation layer reported: $err"
[[ $(grep -c "tok/s" <<< "$err") == 2 ]] || fail "two turns: expected two statistics lines: $err"
[[ $(lines "$dir/a.jsonl") == 2 ]] || fail "two turns: expected two transcript lines"
t1="$(sed -n 1p "$dir/a.jsonl")"
t2="$(sed -n 2p "$dir/a.jsonl")"
expect '"fed_text":"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n"' "$t1"
expect '"kept":0,"rewound":0' "$t1"
expect '"stop":"length"' "$t1"
[[ "$(field position "$t1")" == "$(field kept "$t2")" ]] || fail "turn 2 did not keep turn 1's cache: $t1 / $t2"
expect '"rewound":0' "$t2"
expect "$(after_user 'What next?')\",\"tokens\"" "$t2"
# The feed is the answer's last token and the template's text: `rotary run` counts the tokens of
# that text on its own. Anything more would be earlier turns evaluated again.
fed="$(grep -oE '"fed":\[[0-9,]*\]' <<< "$t2" | tr -cd ',' | wc -c)"
fed=$((fed + 1))
added="$("$rotary" run -m "$model" --no-progress -n 1 --json \
  -p $'<|im_end|>\n<|im_start|>user\nWhat next?<|im_end|>\n<|im_start|>assistant\n')"
added="$(grep -oE '"prompt_tokens":\[[0-9,]*\]' <<< "$added" | tr -cd ',' | wc -c)"
[[ $fed == $((added + 2)) ]] || fail "turn 2 fed $fed tokens, expected 1 + $((added + 1)): $t2"
prompt2="$(grep "tok/s" <<< "$err" | sed -n 2p | grep -oE '^prompt [0-9]+' | cut -d' ' -f2)"
[[ "$prompt2" == "$fed" ]] || fail "turn 2's statistics say $prompt2 prompt tokens, the feed has $fed"
[[ $(wc -l < "$dir/a.out") -ge 2 ]] || fail "two turns: expected two answers on stdout: $(cat "$dir/a.out")"

# --- --no-think: the generation prompt carries the empty think block, which the template drops
# from the answered turn (the cache is rewound to the answer and takes it again).
printf 'Hi\nMore\n' | "$rotary" chat -m "$model" --no-progress --no-think --temp 0 -n 4 --json > "$dir/n.jsonl" 2> /dev/null
expect 'assistant\n<think>\n\n</think>\n\n","tokens"' "$(sed -n 1p "$dir/n.jsonl")"
n2="$(sed -n 2p "$dir/n.jsonl")"
[[ "$(field rewound "$n2")" -gt 0 ]] || fail "--no-think: the think block was not dropped: $n2"
expect "$(after_user More)<think>\n\n</think>\n\n\",\"tokens\"" "$n2"

# --- Ctrl-C: during two answers (each stops, stays in the history and is closed as the template
# closes a turn), then at the prompt (a clean exit).
mkfifo "$dir/in"
"$rotary" chat -m "$model" --no-progress --temp 0 -n 0 --ignore-eos --transcript "$dir/b.jsonl" \
  < "$dir/in" > "$dir/b.out" 2> "$dir/b.err" &
pid=$!
exec 3> "$dir/in"
grown() { [[ $(stat -c %s "$dir/b.out") -gt $1 ]]; }  # grown SIZE: stdout is larger
echo "Tell me a story" >&3
wait_for "the first answer" test -s "$dir/b.out"
kill -INT "$pid"
wait_for "the first answer to stop" has_lines "$dir/b.jsonl" 1
size="$(stat -c %s "$dir/b.out")"
echo "And then?" >&3
wait_for "the second answer" grown "$size"
kill -INT "$pid"
wait_for "the second answer to stop" has_lines "$dir/b.jsonl" 2
kill -INT "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=""
exec 3>&-
[[ $code == 0 ]] || fail "Ctrl-C at the prompt: exit code $code ($(cat "$dir/b.err"))"
err="$(cat "$dir/b.err")"
[[ $(grep -c "stopped by Ctrl-C" <<< "$err") == 2 ]] || fail "Ctrl-C: expected two stopped answers: $err"
b1="$(sed -n 1p "$dir/b.jsonl")"
b2="$(sed -n 2p "$dir/b.jsonl")"
expect '"stop":"interrupted"' "$b1"
expect '"stop":"interrupted"' "$b2"
[[ "$(field position "$b1")" == "$(field kept "$b2")" ]] || fail "Ctrl-C lost the history: $b1 / $b2"
expect "$(after_user 'And then?')\",\"tokens\"" "$b2"

# --- A context that fills: the answer is cut with a message, the next message is refused with
# one, /reset starts again (the same greedy answer as the first time), /stats, EOF ends.
printf 'Hi\nMore\n/stats\n/nonsense\n/reset\nHi\n' |
  "$rotary" chat -m "$model" --no-progress --ctx 40 --temp 0 -n 0 --ignore-eos --json > "$dir/c.jsonl" 2> "$dir/c.err" ||
  fail "full context: exit $? ($(cat "$dir/c.err"))"
err="$(cat "$dir/c.err")"
expect "the context is full (40 tokens): the answer was cut here. /reset starts a new conversation" "$err"
expect "the context is full: this message needs" "$err"
expect "context: 40 of 40 tokens used; answers: 1" "$err"
expect "unknown command '/nonsense'" "$err"
expect "(conversation cleared)" "$err"
[[ $(lines "$dir/c.jsonl") == 2 ]] || fail "full context: expected two answers: $(cat "$dir/c.jsonl")"
c1="$(sed -n 1p "$dir/c.jsonl")"
c2="$(sed -n 2p "$dir/c.jsonl")"
expect '"stop":"context"' "$c1"
expect '"kept":0,"rewound":0' "$c2"
tokens() { grep -oE '"tokens":\[[0-9,]*\]' <<< "$1"; }
[[ "$(tokens "$c1")" == "$(tokens "$c2")" ]] || fail "after /reset the answer differs: $c1 / $c2"
[[ "$(field position "$c1")" == 40 ]] || fail "full context: position $(field position "$c1")"

# --- Real templates. jfield FILE N NAME: field NAME of line N of a JSON Lines file, as it is.
jfield() {
  python3 -c 'import json, sys
record = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[int(sys.argv[2]) - 1])
value = record.get(sys.argv[3])
sys.stdout.write("<absent>" if value is None else str(value))' "$@"
}
same() {  # same WHAT FILE_A FILE_B
  cmp -s "$2" "$3" || fail "$1: $(cat "$2") != $(cat "$3")"
}
ends_with() {  # ends_with FILE TEXT: FILE's last bytes are TEXT (newlines included)
  cmp -s <(tail -c "$(printf '%s' "$2" | wc -c)" "$1") <(printf '%s' "$2")
}
messages() {  # messages FILE JSON: a --messages file
  printf '%s' "$2" > "$1"
}

# Qwen3.5's template on qwen35moe (recurrent state: no rewind). With --think the generation prompt
# opens the think block, so the answer is reasoning; the next turn renders that answer without it
# (before the last query), the cache cannot rewind, and the whole conversation is fed again.
q35="$dir/q35.gguf"
"$rotary" synth --preset tiny-qwen35moe --quant Q8_0 --chat-template-file "$qwen35_template" -o "$q35" > /dev/null
printf 'Hello there\nWhat next?\n' |
  "$rotary" chat -m "$q35" --no-progress --system "Be brief." --think --temp 0 -n 6 \
    --transcript "$dir/q35.jsonl" > /dev/null 2> "$dir/q35.err" || fail "qwen3.5 chat: exit $? ($(cat "$dir/q35.err"))"
messages "$dir/m1.json" '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]'
"$rotary" template -m "$q35" --messages "$dir/m1.json" --think > "$dir/want1"
jfield "$dir/q35.jsonl" 1 fed_text > "$dir/got1"
same "qwen3.5 turn 1" "$dir/got1" "$dir/want1"
ends_with "$dir/want1" $'<|im_start|>assistant\n<think>\n' || fail "qwen3.5 --think: the prompt does not open the think block"
[[ "$(jfield "$dir/q35.jsonl" 1 reasoning)" != "<absent>" ]] || fail "qwen3.5: the answer's reasoning was not kept apart"
[[ "$(jfield "$dir/q35.jsonl" 2 kept)" == 0 ]] || fail "qwen3.5 turn 2 kept tokens of a state that cannot rewind"
[[ "$(jfield "$dir/q35.jsonl" 2 rewound)" == "$(jfield "$dir/q35.jsonl" 1 position)" ]] || fail "qwen3.5 turn 2: rewound"
jfield "$dir/q35.jsonl" 2 fed_text > "$dir/got2"
"$rotary" template -m "$q35" --messages "$dir/m1.json" --no-generation-prompt > "$dir/head"
# The reasoning is gone (the answer comes before the last query); what follows is the new turn.
python3 - "$dir/got2" "$dir/head" "$(jfield "$dir/q35.jsonl" 1 answer)" <<'EOF' || fail "qwen3.5 turn 2 feed: $(cat "$dir/got2")"
import sys
got, head, answer = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
want = (head + "<|im_start|>assistant\n" + answer.strip() + "<|im_end|>\n" +
        "<|im_start|>user\nWhat next?<|im_end|>\n<|im_start|>assistant\n<think>\n")
sys.exit(0 if got == want else 1)
EOF
# Thinking off (Qwen3.5's default): the prompt closes an empty think block.
printf 'Hi\n' | "$rotary" chat -m "$q35" --no-progress --temp 0 -n 2 --json > "$dir/q35b.jsonl" 2> /dev/null
jfield "$dir/q35b.jsonl" 1 fed_text > "$dir/got"
ends_with "$dir/got" $'<|im_start|>assistant\n<think>\n\n</think>\n\n' || fail "qwen3.5 default: $(cat "$dir/got")"

# Qwen3's template on qwen3moe (can rewind), thinking off through --chat-template-kwargs: turn 2
# rewinds only the empty think block that the template drops from the answered turn.
q3="$dir/q3.gguf"
"$rotary" synth --preset tiny-qwen3moe --quant Q8_0 --chat-template-file "$qwen3_template" -o "$q3" > /dev/null
printf 'Hi\nMore\n' | "$rotary" chat -m "$q3" --no-progress --temp 0 -n 4 \
  --chat-template-kwargs '{"enable_thinking": false}' --transcript "$dir/q3.jsonl" > /dev/null 2> "$dir/q3.err" ||
  fail "qwen3 chat: exit $? ($(cat "$dir/q3.err"))"
messages "$dir/m3.json" '[{"role": "user", "content": "Hi"}]'
"$rotary" template -m "$q3" --messages "$dir/m3.json" --chat-template-kwargs '{"enable_thinking": false}' > "$dir/want3"
jfield "$dir/q3.jsonl" 1 fed_text > "$dir/got3"
same "qwen3 turn 1" "$dir/got3" "$dir/want3"
block="$("$rotary" run -m "$q3" --no-progress -n 1 --json -p $'<think>\n\n</think>\n\n')"
block="$(grep -oE '"prompt_tokens":\[[0-9,]*\]' <<< "$block" | tr -cd ',' | wc -c)"
fed1="$(jfield "$dir/q3.jsonl" 1 fed | tr -cd ',' | wc -c)"
[[ "$(jfield "$dir/q3.jsonl" 2 kept)" == $((fed1 - block)) ]] ||
  fail "qwen3 turn 2 kept $(jfield "$dir/q3.jsonl" 2 kept) tokens, expected turn 1's $((fed1 + 1)) but the think block's $((block + 1))"
jfield "$dir/q3.jsonl" 2 fed_text > "$dir/got"
ends_with "$dir/got" $'<|im_end|>\n<|im_start|>user\nMore<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n' ||
  fail "qwen3 turn 2: $(cat "$dir/got")"

# gpt-oss's harmony template on a tiny gpt-oss (its sliding-window layers keep a ring, which
# cannot rewind): turn 1 feeds what `rotary template` renders (template_test.sh checks that
# against Jinja2), turn 2 the whole conversation again.
go="$dir/go.gguf"
"$rotary" synth --preset tiny-gpt-oss --quant Q8_0 --chat-template-file "$gpt_oss_template" -o "$go" > /dev/null
printf 'Hello there\nWhat next?\n' |
  "$rotary" chat -m "$go" --no-progress --system "Be brief." --temp 0 -n 6 \
    --transcript "$dir/go.jsonl" > /dev/null 2> "$dir/go.err" || fail "gpt-oss chat: exit $? ($(cat "$dir/go.err"))"
messages "$dir/g1.json" '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]'
"$rotary" template -m "$go" --messages "$dir/g1.json" > "$dir/gwant1"
jfield "$dir/go.jsonl" 1 fed_text > "$dir/ggot1"
same "gpt-oss turn 1" "$dir/ggot1" "$dir/gwant1"
ends_with "$dir/gwant1" '<|start|>assistant' || fail "gpt-oss: the prompt does not open the assistant's message"
[[ "$(jfield "$dir/go.jsonl" 2 kept)" == 0 ]] || fail "gpt-oss turn 2 kept tokens of a ring that cannot rewind"
go_ids() { "$rotary" run -m "$go" --no-progress -n 1 --temp 0 --json "$@" 2> /dev/null | grep -oE '"prompt_tokens":\[[0-9,]*\]'; }
messages "$dir/g2.json" '[{"role": "user", "content": "Hi"}]'
"$rotary" template -m "$go" --messages "$dir/g2.json" > "$dir/gwant2"
gwant2="$(cat "$dir/gwant2"; printf x)"
[[ "$(go_ids -cnv -p Hi)" == "$(go_ids -p "${gwant2%x}")" ]] || fail "gpt-oss run -cnv: not the template's prompt"

# `rotary run` sends -p through the template only when asked (-sys, -cnv, a template flag): the
# same prompt tokens as the rendered text given raw.
prompt_ids() { "$rotary" run -m "$q3" --no-progress -n 1 --temp 0 --json "$@" 2> /dev/null | grep -oE '"prompt_tokens":\[[0-9,]*\]'; }
messages "$dir/m4.json" '[{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}]'
"$rotary" template -m "$q3" --messages "$dir/m4.json" --no-think > "$dir/want4"
want4="$(cat "$dir/want4"; printf x)"  # the x keeps the trailing newlines
[[ "$(prompt_ids -sys S -p Hi --no-think)" == "$(prompt_ids -p "${want4%x}")" ]] || fail "run -sys: not the template's prompt"
"$rotary" template -m "$q3" --messages "$dir/m3.json" > "$dir/want5"
want5="$(cat "$dir/want5"; printf x)"
[[ "$(prompt_ids -cnv -p Hi)" == "$(prompt_ids -p "${want5%x}")" ]] || fail "run -cnv: not the template's prompt"
[[ "$(prompt_ids -p Hi)" != "$(prompt_ids -cnv -p Hi)" ]] || fail "run -p without a template flag went through the template"

# --- Templates that fail, and flags that contradict each other: each refused before the model
# is loaded, with the template's words.
refused() {  # refused CODE TEXT ARGS...: rotary chat ARGS exits CODE saying TEXT
  local want="$1" text="$2"; shift 2
  set +e
  err="$("$rotary" chat -m "$model" --no-progress "$@" < /dev/null 2>&1)"
  code=$?
  set -e
  [[ $code == "$want" ]] || fail "chat $*: exit code $code, expected $want ($err)"
  expect "$text" "$err"
}
printf 'ok\n{%% if messages %%}\n{{ messages[0].content\n' > "$dir/bad.jinja"
refused 2 "--chat-template-file $dir/bad.jinja: chat template: line 3" --chat-template-file "$dir/bad.jinja"
printf "{{ raise_exception('This template takes no system message.') }}" > "$dir/raise.jinja"
refused 2 "This template takes no system message." --chat-template-file "$dir/raise.jinja"
refused 2 "--chat-template-kwargs is not valid JSON" --chat-template-kwargs '{"enable_thinking": fals}'
refused 2 "--chat-template-kwargs must be a JSON object" --chat-template-kwargs '[1]'
refused 2 "cannot read" --chat-template-file "$dir/missing.jinja"
refused 2 "at most one of --think and --no-think" --think --no-think
set +e
err="$("$rotary" run -m "$model" --no-progress --tokens 1,2 -sys S 2>&1)"
code=$?
set -e
[[ $code == 2 ]] || fail "run --tokens -sys: exit $code ($err)"
expect "the chat template flags need -p TEXT" "$err"
echo "chat_test: ok"

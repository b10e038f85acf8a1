#!/usr/bin/env bash
# `rotary template` end to end: the text it writes is byte for byte what Python's Jinja2 writes in
# Hugging Face's environment (tests/templates/reference_render.py) for real templates over the
# conversations of tests/templates/conversations, through every way in: --chat-template-file, -m
# (the model's template and BOS/EOS texts), --tools, --no-generation-prompt, --chat-template-kwargs,
# --think, --bos-token/--eos-token. Then bad input: clear messages and exit codes, never a crash.
# Needs no GPU. Needs python3 with Jinja2 (python3-jinja2).
#   template_test.sh ROTARY TEMPLATES_DIR
set -euo pipefail
rotary="$1"
templates="$2"
reference="$templates/reference_render.py"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "template_test: $*" >&2; exit 1; }
python3 -c 'import jinja2' 2>/dev/null || fail "Python's Jinja2 is missing (scripts/setup.sh --tests installs python3-jinja2)"

# split_conversation CONVERSATION: $dir/messages.json, $dir/tools.json (when it has tools), $dir/extra.json.
split_conversation() {
  rm -f "$dir/tools.json"
  python3 - "$1" "$dir" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
json.dump(c["messages"], open(out + "/messages.json", "w", encoding="utf-8"), ensure_ascii=False)
if "tools" in c:
    json.dump(c["tools"], open(out + "/tools.json", "w", encoding="utf-8"), ensure_ascii=False)
extra = {k: v for k, v in c.items() if k not in ("messages", "tools")}
json.dump(extra, open(out + "/extra.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
}

# case NAME TEMPLATE GEN BOS EOS KWARGS -- ARGS...: runs `rotary template ARGS` now and records
# what Jinja2 must be given for the same rendering (the variables apply_chat_template gives the
# template, as rotary gives them: tools none when there are none, the kwargs over
# bos_token/eos_token); check_cases renders them all with Jinja2 in one process and compares.
n=0
: > "$dir/cases.tsv"
case_() {
  local name="$1" tmpl="$2" gen="$3" bos="$4" eos="$5" kwargs="$6" code=0; shift 7
  n=$((n + 1))
  "$rotary" template "$@" > "$dir/got.$n" 2> "$dir/err.$n" || code=$?
  cp "$dir/messages.json" "$dir/messages.$n"
  if [[ -f "$dir/tools.json" ]]; then cp "$dir/tools.json" "$dir/tools.$n"; else echo null > "$dir/tools.$n"; fi
  printf '%s\t' "$name" "$tmpl" "$gen" "$bos" "$eos" "$kwargs" "$code" >> "$dir/cases.tsv"
  echo "$n" >> "$dir/cases.tsv"
}
check_cases() {
  python3 - "$reference" "$dir" <<'PY'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("reference_render", sys.argv[1])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
env = ref.make_environment()
failures = 0
d = sys.argv[2]
fields = ["name", "template", "gen", "bos", "eos", "kwargs", "code", "n"]
cases = [dict(zip(fields, line.rstrip("\n").split("\t"))) for line in open(d + "/cases.tsv", encoding="utf-8")]
for c in cases:
    n = c["n"]
    context = {"messages": json.load(open(f"{d}/messages.{n}", encoding="utf-8")),
               "tools": json.load(open(f"{d}/tools.{n}", encoding="utf-8")),
               "add_generation_prompt": c["gen"] == "1", "bos_token": c["bos"], "eos_token": c["eos"]}
    context.update(json.loads(c["kwargs"]))
    want = ref.render(env, ref.read_text(c["template"]), context)
    got = open(f"{d}/got.{n}", "rb").read()
    err = open(f"{d}/err.{n}", encoding="utf-8", errors="replace").read()
    if "output" in want:
        ok = c["code"] == "0" and got == want["output"].encode("utf-8")
        why = f"Jinja2 {want['output'][:300]!r}, rotary (exit {c['code']}) {got[:300]!r} {err}"
    else:  # Jinja2 fails: rotary refuses, with the template's message when it raised one
        ok = c["code"] == "2" and not got and (not want["raised"] or want["error"] in err)
        why = f"Jinja2 fails ({want['error']}), rotary exit {c['code']}: {err}"
    if not ok:
        failures += 1
        print(f"template_test: {c['name']}: {why}", file=sys.stderr)
print(f"template_test: {len(cases)} renderings compared with Jinja2, {failures} differ", file=sys.stderr)
sys.exit(1 if failures else 0)
PY
}

tools_flag() { if [[ -f "$dir/tools.json" ]]; then echo --tools "$dir/tools.json"; fi; }

# --- Templates from files over every conversation; the generation prompt on and off, thinking
# unset, on (--think) and off (--chat-template-kwargs), and another variable.
qwen35="$templates/corpus/qwen3.5.jinja"
for t in "$qwen35" "$templates/corpus/Qwen3.jinja" "$templates/corpus/gpt-oss.jinja" \
         "$templates/corpus/meta-llama-Llama-3.3-70B-Instruct.jinja"; do
  for c in "$templates"/conversations/*.json; do
    split_conversation "$c"
    [[ "$(cat "$dir/extra.json")" == "{}" ]] || continue  # conversations that set variables: the engine's test
    name="$(basename "$t") over $(basename "$c")"
    case_ "$name" "$t" 1 "<s>" "</s>" '{}' -- \
      --chat-template-file "$t" --messages "$dir/messages.json" $(tools_flag) --bos-token "<s>" --eos-token "</s>"
    kwargs='{"enable_thinking": false, "reasoning_effort": "low"}'
    case_ "$name, no generation prompt, kwargs" "$t" 0 "<s>" "</s>" "$kwargs" -- --chat-template-file "$t" \
      --messages "$dir/messages.json" $(tools_flag) --no-generation-prompt --bos-token "<s>" --eos-token "</s>" --chat-template-kwargs "$kwargs"
    case_ "$name, --think" "$t" 1 "" "" '{"enable_thinking": true}' -- \
      --chat-template-file "$t" --messages "$dir/messages.json" $(tools_flag) --think
  done
done

# --- -m: the model's template and its BOS/EOS texts (synth's: <|endoftext|>, <|im_end|>); a file
# given with -m keeps the model's texts; the kwargs may replace them.
model="$dir/q35.gguf"
"$rotary" synth --preset tiny-qwen35moe --quant Q8_0 --chat-template-file "$qwen35" -o "$model" > /dev/null
split_conversation "$templates/conversations/tools_object_args.json"
case_ "-m" "$qwen35" 1 "<|endoftext|>" "<|im_end|>" '{}' -- -m "$model" --messages "$dir/messages.json" --tools "$dir/tools.json"
printf '{{ bos_token }}|{{ eos_token }}|{{ messages | length }}|{{ tools | length }}' > "$dir/tokens.jinja"
case_ "-m with a template file" "$dir/tokens.jinja" 1 "<|endoftext|>" "<|im_end|>" '{}' -- \
  -m "$model" --chat-template-file "$dir/tokens.jinja" --messages "$dir/messages.json" --tools "$dir/tools.json"
case_ "--bos-token and kwargs" "$dir/tokens.jinja" 1 "B" "<|im_end|>" '{"eos_token": "E"}' -- -m "$model" \
  --chat-template-file "$dir/tokens.jinja" --messages "$dir/messages.json" --tools "$dir/tools.json" --bos-token B \
  --chat-template-kwargs '{"eos_token": "E"}'
# The template's own errors: no messages, no user query (Qwen3.5 raises both).
echo '[]' > "$dir/messages.json"
rm -f "$dir/tools.json"
case_ "no messages" "$qwen35" 1 "<|endoftext|>" "<|im_end|>" '{}' -- -m "$model" --messages "$dir/messages.json"
echo '[{"role": "system", "content": "S"}]' > "$dir/messages.json"
case_ "no user query" "$qwen35" 1 "<|endoftext|>" "<|im_end|>" '{}' -- -m "$model" --messages "$dir/messages.json"
check_cases

# --- Bad input: exit code and message.
refused() {  # refused CODE TEXT ARGS...
  local want="$1" text="$2" code=0; shift 2
  "$rotary" template "$@" > "$dir/out" 2> "$dir/err" || code=$?
  [[ $code == "$want" ]] || fail "template $*: exit $code, expected $want ($(cat "$dir/err"))"
  grep -qF -- "$text" "$dir/err" || fail "template $*: expected '$text' in: $(cat "$dir/err")"
  [[ ! -s "$dir/out" ]] || fail "template $*: wrote to stdout on failure"
}
m="$dir/messages.json"
echo '[{"role": "user", "content": "Hi"}]' > "$m"
printf '[{"role": "user", "content": "Hi"},]' > "$dir/bad.json"
refused 2 "--messages $dir/bad.json is not valid JSON: parse error at line 1, column 36" -m "$model" --messages "$dir/bad.json"
echo '{"role": "user"}' > "$dir/object.json"
refused 2 "expected a JSON array of messages" -m "$model" --messages "$dir/object.json"
refused 2 "expected a JSON array of tools" -m "$model" --messages "$m" --tools "$dir/object.json"
refused 2 "every message must be a JSON object" -m "$model" --messages <(echo '["Hi"]')
refused 2 "--chat-template-kwargs is not valid JSON" -m "$model" --messages "$m" --chat-template-kwargs '{enable_thinking: true}'
refused 2 "--chat-template-kwargs must be a JSON object" -m "$model" --messages "$m" --chat-template-kwargs '"x"'
refused 2 "'add_generation_prompt' cannot be set" -m "$model" --messages "$m" --chat-template-kwargs '{"add_generation_prompt": false}'
refused 2 "cannot read $dir/none.json" -m "$model" --messages "$dir/none.json"
refused 2 "give the template" --messages "$m"
printf 'a\n{%% for m in messages %%}{{ m.content }\n' > "$dir/syntax.jinja"
refused 2 "--chat-template-file $dir/syntax.jinja: chat template: line 2:" --chat-template-file "$dir/syntax.jinja" --messages "$m"
refused 2 "at most one of --think and --no-think" -m "$model" --messages "$m" --think --no-think
echo "template_test: ok"

#!/usr/bin/env python3
"""Renders chat templates with Python's Jinja2 set up as Hugging Face's apply_chat_template sets
it up: the reference rotary's Jinja engine (loader/jinja) is compared against.

  reference_render.py TEMPLATE CONTEXT.json
      prints the rendering exactly (nothing appended); on a template error prints
      "error: MESSAGE" to stderr and exits 1 (3 when the template raised it with raise_exception).
  reference_render.py --cases CORPUS_DIR CONVERSATIONS_DIR OUT.json
      renders every template of CORPUS_DIR (*.jinja) over every conversation of CONVERSATIONS_DIR
      (*.json: messages, optional tools and extra variables), each with and without the generation
      prompt and with enable_thinking unset, true and false, in one process; writes the cases
      (template, context) with Jinja2's result for `rotary_render_template --compare OUT.json`.
"""
import json
import os
import sys
from datetime import datetime

import jinja2
import jinja2.ext
import jinja2.sandbox


class TemplateRaised(Exception):
    """raise_exception(message) in a template."""


def make_environment():
    def raise_exception(message):
        raise TemplateRaised(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, context):
    """Returns {"output": text} or {"error": message, "raised": bool}."""
    try:
        template = source if isinstance(source, jinja2.Template) else env.from_string(source)
        return {"output": template.render(**context)}
    except TemplateRaised as e:
        return {"error": str(e), "raised": True}
    except Exception as e:  # any template error: rotary must refuse too
        return {"error": f"{type(e).__name__}: {e}", "raised": False}


def read_text(path):
    # Bytes as they are (newline="" keeps CRLF: Jinja2 normalises it itself).
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


BOS_EOS = {"bos_token": "<s>", "eos_token": "</s>"}


def contexts(conversation):
    base = dict(BOS_EOS)
    base.update({k: v for k, v in conversation.items()})
    for add_generation_prompt in (False, True):
        for thinking in (None, True, False):
            ctx = dict(base)
            ctx["add_generation_prompt"] = add_generation_prompt
            if thinking is not None:
                ctx["enable_thinking"] = thinking
            yield ctx


def build_cases(corpus_dir, conversations_dir):
    env = make_environment()
    cases = []
    templates = sorted(f for f in os.listdir(corpus_dir) if f.endswith(".jinja"))
    conversations = sorted(f for f in os.listdir(conversations_dir) if f.endswith(".json"))
    for t in templates:
        source = read_text(os.path.join(corpus_dir, t))
        try:
            source = env.from_string(source)  # compiled once, rendered for every case
        except Exception:
            pass  # rendered (and failing) per case, as a syntax error must be
        for c in conversations:
            with open(os.path.join(conversations_dir, c), encoding="utf-8") as f:
                conversation = json.load(f)
            for ctx in contexts(conversation):
                case = {"template": os.path.join(corpus_dir, t), "conversation": c, "context": ctx}
                case.update(render(env, source, ctx))
                cases.append(case)
    return cases


def main(argv):
    if len(argv) == 5 and argv[1] == "--cases":
        cases = build_cases(argv[2], argv[3])
        with open(argv[4], "w", encoding="utf-8") as f:
            json.dump(cases, f, ensure_ascii=False)
        print(f"reference_render: {len(cases)} cases", file=sys.stderr)
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        context = json.load(f)
    result = render(make_environment(), read_text(argv[1]), context)
    if "output" in result:
        sys.stdout.write(result["output"])
        return 0
    print(f"error: {result['error']}", file=sys.stderr)
    return 3 if result["raised"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

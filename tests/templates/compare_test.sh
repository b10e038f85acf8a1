#!/usr/bin/env bash
# Renders every template of corpus/ over every conversation of conversations/ with Python's Jinja2
# (one process, reference_render.py --cases) and with rotary (rotary_render_template --compare):
# the outputs must be byte for byte the same, and where Jinja2 fails rotary must fail (with the
# template's own message when it called raise_exception).
#   compare_test.sh ROTARY_RENDER_TEMPLATE WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="$1"
work="$2"
mkdir -p "$work"
python3 -c 'import jinja2' 2>/dev/null || {
  echo "templates: Python's Jinja2 is missing (scripts/setup.sh --tests installs python3-jinja2)" >&2
  exit 1
}
python3 "$here/reference_render.py" --cases "$here/corpus" "$here/conversations" "$work/cases.json"
"$tool" --compare "$work/cases.json"

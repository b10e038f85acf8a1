// The Jinja language as chat templates use it: whitespace control, loops, scoping, macros,
// expressions, tests and methods. Expected strings are Jinja2's (see jinja_test_util.h).
#include <doctest/doctest.h>

#include "tests/unit/jinja_test_util.h"

using rotary::jinja::TemplateError;
using rotary::jinja::test::render;

TEST_CASE("jinja: whitespace control as Hugging Face sets it (trim_blocks, lstrip_blocks)") {
  CHECK(render("  {% if true %}\n  x\n  {% endif %}\nend", "{}") == "  x\nend");
  CHECK(render("a  {%- if true -%}  b  {%- endif -%}  c", "{}") == "abc");
  CHECK(render("a\n  {%+ if true %}b{% endif %}\n", "{}") == "a\n  b");
  CHECK(render("a {{- ' x ' -}} b\n{{ 'y' }}\n", "{}") == "a x b\ny");
  CHECK(render("line\n\t {# comment #}\nnext {# c2 #}  tail\n", "{}") == "line\nnext   tail");
  CHECK(render("{% raw %}{{ not evaluated }}{% endraw %}\n  {%- raw -%}  x  {%- endraw %}\nz", "{}") == "{{ not evaluated }}xz");
  CHECK(render("a\r\nb\r\n{% if true %}\r\nc\r\n{% endif %}\r\n", "{}") == "a\nb\nc\n");
  CHECK(render("x {% if true %}y{% endif %} z\n   {{ 1 }}\n", "{}") == "x y z\n   1");
  CHECK(render("{% for i in [1,2] %}\n  {{ i }}\n{% endfor %}\n\n", "{}") == "  1\n  2\n");
}

TEST_CASE("jinja: for loops: loop variables, else, filters, unpacking, break and continue") {
  CHECK(render("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", "{\"xs\": [\"a\", \"b\", \"c\"]}") == "1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|");
  CHECK(render("{% for x in xs %}[{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }}]{{ loop.cycle('o','e') }}{% endfor %}", "{\"xs\": [1, 2, 3]}") == "[<1>2]o[1<2>3]e[2<3>]o");
  CHECK(render("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{\"xs\": []}") == "empty");
  CHECK(render("{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }},{% else %}none{% endfor %}", "{}") == "15,35,55,75,95,");
  CHECK(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}", "{\"d\": {\"b\": 1, \"a\": [1, 2]}}") == "b=1;a=[1, 2];ba");
  CHECK(render("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "{}") == "0134");
  CHECK(render("{% for a in [1,2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }};{% endfor %}", "{}") == "11x 21y 1;12x 22y 2;");
  CHECK(render("{% for (a, b) in [(1, 2), [3, 4]] %}{{ a + b }}{% endfor %}", "{}") == "37");
  CHECK(render("{% for c in 'h\xc3\xa9""llo' %}{{ c }}.{% endfor %}", "{}") == "h.\xc3\xa9"".l.l.o.");
  CHECK(render("{% for x in undefined_thing %}x{% else %}else{% endfor %}", "{}") == "else");
}

TEST_CASE("jinja: scoping: set, namespaces, set blocks") {
  CHECK(render("{% set x = 0 %}{% for i in range(3) %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}", "{}") == "0001020");
  CHECK(render("{% set ns = namespace(n=0, items=[]) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "{}") == "6");
  CHECK(render("{% if true %}{% set y = 5 %}{% endif %}{{ y }}", "{}") == "5");
  CHECK(render("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, %}{{ t }}", "{}") == "12(1,)");
  CHECK(render("{% set block %}  Hello {{ 'World' }}  {% endset %}[{{ block }}]{% set up | upper | trim %} shout {% endset %}[{{ up }}]", "{}") == "[  Hello World  ][SHOUT]");
  CHECK(render("{% set ns = namespace(d) %}{{ ns.a }}{% set ns.a = 'changed' %}{{ ns.a }}{{ d.a }}", "{\"d\": {\"a\": \"orig\"}}") == "origchangedorig");
}

TEST_CASE("jinja: macros and call blocks") {
  CHECK(render("{% macro m(a, b=2, c='x') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 3) }} {{ m(1, c='y') }} {{ m(a=0) }}", "{}") == "1-2-x 1-3-x 1-2-y 0-2-x");
  CHECK(render("{% macro outer() %}<{{ caller() }}>{% endmacro %}{% call outer() %}inside{% endcall %}", "{}") == "<inside>");
  CHECK(render("{% macro list(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) list([1, 2]) %}({{ x * 10 }}){% endcall %}", "{}") == "(10)(20)");
  CHECK(render("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}", "{}") == "54321");
  CHECK(render("{% set g = 'global' %}{% macro m() %}{{ g }}{% endmacro %}{% set g = 'later' %}{{ m() }}", "{}") == "later");
  CHECK(render("{% macro m(x) %}{{ x is defined }}{% endmacro %}{{ m() }}", "{}") == "False");
  CHECK(render("{% filter upper %}shout {{ 'this' }}{% endfilter %}", "{}") == "SHOUT THIS");
  // Jinja2: TypeError: macro 'm' takes not more than 1 argument(s)
  CHECK_THROWS_AS(render("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "{}"), TemplateError);
}

TEST_CASE("jinja: expressions and operators") {
  CHECK(render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 / 2 }} {{ 4 / 2 }} {{ 7.5 // 2 }} {{ 2 ** 3 ** 2 }}", "{}") == "3 -4 -2 2 1024 0.5 0.5 2.0 3.0 64");
  CHECK(render("{{ 1 + 2 * 3 - 4 }} {{ (1 + 2) * 3 }} {{ 'a' ~ 1 ~ none ~ true }} {{ 'ab' * 3 }} {{ [1] * 2 + [3] }} {{ -1|abs }} {{ - 2 ** 2 }}", "{}") == "3 9 a1NoneTrue ababab [1, 1, 3] 1 4");
  CHECK(render("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ (1, 2) == [1, 2] }}", "{}") == "True False True True True True False");
  CHECK(render("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in 'abc' }} {{ not 'x' in 'abc' }} {{ not x is defined }}", "{}") == "True True True True True True");
  CHECK(render("{{ 'yes' if true }}|{{ 'yes' if false }}|{{ 'a' if false else 'b' if false else 'c' }}", "{}") == "yes||c");
  CHECK(render("{{ s[::-1] }} {{ s[1:3] }} {{ s[-2:] }} {{ s[:-2] }} {{ s[::2] }} {{ s[10:] }} {{ l[::-1] }} {{ l[1:] }} {{ l[-1] }} {{ s[0] }} {{ s[-1] }}", "{\"s\": \"h\xc3\xa9""\xf0\x9f\x8c\x8d""llo\", \"l\": [1, 2, 3]}") == "oll\xf0\x9f\x8c\x8d""\xc3\xa9""h \xc3\xa9""\xf0\x9f\x8c\x8d"" lo h\xc3\xa9""\xf0\x9f\x8c\x8d""l h\xf0\x9f\x8c\x8d""l  [3, 2, 1] [2, 3] 3 h o");
  CHECK(render("{{ d.a }} {{ d['a'] }} {{ d.b.c }} {{ d['b']['c'] }} {{ l.0 }} {{ d.missing }}|{{ d['missing'] }}|{{ l[5] }}|{{ none_value.x }}", "{\"d\": {\"a\": 1, \"b\": {\"c\": 2}}, \"l\": [10], \"none_value\": null}") == "1 1 2 2 10 |||");
  CHECK(render("{{ x or 'default' }} {{ 0 and 1 }} {{ [] or [1] }} {{ '' or none }} {{ 1 and 'last' }}", "{}") == "default 0 [1] None last");
  CHECK(render("{{ [1, 'a', none, true, 1.0, 1e-05, {'k': (1,)}, (), 'it\\'s', \"q\\\"\"] }}", "{}") == "[1, 'a', None, True, 1.0, 1e-05, {'k': (1,)}, (), \"it's\", 'q\"']");
  CHECK(render("{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 123456789.125 }} {{ 1.5e-7 }} {{ 1e300 * 1e10 }} {{ -0.0 }} {{ 3.0 }} {{ 2.5e-4 }} {{ 100.0 }}", "{}") == "0.30000000000000004 1e+16 1000000000000000.0 123456789.125 1.5e-07 inf -0.0 3.0 0.00025 100.0");
  CHECK(render("{{ {'a': 1, 'b': [1, 2]} }} {{ {} }} {{ [] }} {{ 'tab\\there' }} {{ ['tab\\there', 'nl\\n', '\xc3\xbc""'] }}", "{}") == "{'a': 1, 'b': [1, 2]} {} [] tab\there ['tab\\there', 'nl\\n', '\xc3\xbc""']");
  CHECK(render("{{ 'a' 'b' }} {{ \"x\\ny\" }} {{ '\\u00e9\\x41' }} {{ 1_000 }} {{ True }} {{ None }}", "{}") == "ab x\ny \xc3\xa9""A 1000 True None");
  CHECK(render("{{ x }}|{{ x|default('d') }}|{{ ''|default('d') }}|{{ ''|default('d', true) }}|{{ none|default('d') }}|{{ x|d('short') }}", "{}") == "|d||d|None|short");
}

TEST_CASE("jinja: tests (is ...)") {
  CHECK(render("{{ 1 is number }}{{ 1.5 is number }}{{ true is number }}{{ 1 is integer }}{{ true is integer }}{{ 1.0 is float }}{{ 'a' is string }}{{ none is none }}{{ true is boolean }}{{ false is false }}{{ true is true }}", "{}") == "TrueTrueTrueTrueFalseTrueTrueTrueTrueTrueTrue");
  CHECK(render("{{ {} is mapping }}{{ [] is mapping }}{{ [] is iterable }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ 'a' is sequence }}{{ {} is sequence }}{{ x is undefined }}{{ x is defined }}", "{}") == "TrueFalseTrueTrueFalseTrueTrueTrueFalse");
  CHECK(render("{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(4) }}{{ 1 is eq 1 }}{{ 1 is equalto(2) }}{{ 1 is ne 2 }}{{ 1 is lt 2 }}{{ 2 is gt 1 }}{{ 2 is le 2 }}{{ 2 is ge 3 }}{{ 'a' is in 'abc' }}{{ none is sameas none }}", "{}") == "TrueTrueTrueFalseTrueFalseTrueTrueTrueTrueFalseTrueTrue");
  CHECK(render("{{ range is callable }}{{ 'x'.upper is callable }}{{ 'x' is callable }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 'upper' is filter }}{{ 'odd' is test }}{{ 1 is not string }}", "{}") == "TrueTrueFalseTrueTrueTrueTrueTrue");
  CHECK(render("{% for m in ms %}{% if m.content is string %}S{% elif m.content is iterable %}I{% endif %}{% endfor %}", "{\"ms\": [{\"content\": \"a\"}, {\"content\": [{\"type\": \"text\"}]}]}") == "SI");
}

TEST_CASE("jinja: methods of strings, dicts and lists") {
  CHECK(render("{{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  x '.lstrip() }}|{{ ' x  '.rstrip() }}|{{ '\\n\\tx\\n'.strip() }}|{{ 'abcba'.rstrip('ab') }}", "{}") == "x|a|x | x|x|abc");
  CHECK(render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a-b-c'.rsplit('-', 1) }} {{ 'x'.split('y') }} {{ ''.split() }}", "{}") == "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a-b', 'c'] ['x'] []");
  CHECK(render("{{ 'hello'.startswith('he') }}{{ 'hello'.endswith(('x', 'lo')) }}{{ 'hello'.startswith(('a', 'b')) }}{{ '<tool_response>x'.startswith('<tool_response>') }}", "{}") == "TrueTrueFalseTrue");
  CHECK(render("{{ 'a-b-c'.replace('-', '+') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ '{} and {}'.format(1, 'two') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{x}!'.format(x=3) }}", "{}") == "a+b+c bba 1 and two aba 3!");
  CHECK(render("{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }} {{ 'banana'.find('an') }} {{ 'banana'.rfind('an') }} {{ 'banana'.count('a') }} {{ 'x'.find('y') }} {{ '-'.join(['a', 'b']) }}", "{}") == "Hello World Hello ABab 1 3 3 -1 a-b");
  CHECK(render("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ l.index(2) }} {{ l.count(1) }}", "{\"d\": {\"a\": 1, \"b\": 2}, \"l\": [1, 2, 1]}") == "1 None 0 ['a', 'b'] [1, 2] [('a', 1), ('b', 2)] 1 2");
  CHECK(render("{{ 'a\\nb\\r\\nc'.splitlines() }} {{ '42'.isdigit() }} {{ 'a1'.isalpha() }} {{ 'x'.removeprefix('x') }}|{{ 'ab'.center(6, '*') }}|{{ '7'.zfill(3) }}", "{}") == "['a', 'b', 'c'] True False |**ab**|007");
}

TEST_CASE("jinja: more awkward cases") {
  CHECK(render("{{ '%s-%d' % ('a', 3) }} {{ '%5.2f|%-4s|%03d' % (3.14159, 'ab', 7) }} {{ '%s' % 'x' }} {{ '%r' % 'q' }} {{ '100%%' % () }} {{ '%x' % 255 }}", "{}") == "a-3  3.14|ab  |007 x 'q' 100% ff");
  CHECK(render("{%\n  if true\n%}multi-line tag{%\n  endif\n%}\nafter", "{}") == "multi-line tagafter");
  CHECK(render("{{ '\xc3\x89""COLE'|lower }} {{ '\xc3\xa9""lan vital'|title }} {{ '\xd0\xbf""\xd1\x80""\xd0\xb8""\xd0\xb2""\xd0\xb5""\xd1\x82""'|upper }} {{ '\xc3\x80""\xc3\x89""'.lower() }} {{ '\xc3\xa9""a'.capitalize() }} {{ '\xcf\x89""mega'.title() }}", "{}") == "\xc3\xa9""cole \xc3\x89""lan Vital \xd0\x9f""\xd0\xa0""\xd0\x98""\xd0\x92""\xd0\x95""\xd0\xa2"" \xc3\xa0""\xc3\xa9"" \xc3\x89""a \xce\xa9""mega");
  CHECK(render("{% for m in messages %}{{ m.content[:3] }}{{ m['content'][-2:] }}|{% endfor %}", "{\"messages\": [{\"content\": \"h\xc3\xa9""llo w\xc3\xb6""rld\"}, {\"content\": \"ab\"}]}") == "h\xc3\xa9""lld|abab|");
  CHECK(render("{{ none }} {{ true }} {{ [none, true] }} {{ (1, 'a') }} {{ {'k': none} }} {{ 1.0 }} {{ 1.5e300 * 1.0 }}", "{}") == "None True [None, True] (1, 'a') {'k': None} 1.0 1.5e+300");
  CHECK(render("{% set ns = namespace(found=false) %}{% for m in ms %}{% if m.role == 'tool' and not ns.found %}{% set ns.found = true %}{{ loop.index }}{% endif %}{% endfor %}{{ ns.found }}", "{\"ms\": [{\"role\": \"user\"}, {\"role\": \"tool\"}, {\"role\": \"tool\"}]}") == "2True");
  CHECK(render("{{ (ms|selectattr('role', 'eq', 'user')|list|last).content }} {{ ms|map(attribute='role')|unique|join(',') }} {{ ms|length is even }}", "{\"ms\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\"}, {\"role\": \"user\", \"content\": \"b\"}, {\"role\": \"tool\"}]}") == "b user,assistant,tool True");
  CHECK(render("{{ x.content if x.content is string else x.content|map(attribute='text')|join('') }}", "{\"x\": {\"content\": [{\"type\": \"text\", \"text\": \"a\"}, {\"type\": \"text\", \"text\": \"b\"}]}}") == "ab");
  CHECK(render("{{ 10 / 4 }} {{ 10 // 4 }} {{ 2 * 0.5 }} {{ 1e3 }} {{ 7 % 2.5 }} {{ -1.5 // 1 }} {{ 1 + true }} {{ 0.1 * 3 }} {{ 1 / 3 }}", "{}") == "2.5 2 1.0 1000.0 2.0 -2.0 2 0.30000000000000004 0.3333333333333333");
  CHECK(render("{% for a, b in [[1, 2], [3, 4]] %}{% set total = a + b %}{{ total }}{% endfor %}{{ total is defined }}", "{}") == "37False");
  CHECK(render("{% macro tag(name) -%}\n  <{{ name }}>{{ caller() if caller is defined else '' }}</{{ name }}>\n{%- endmacro %}{{ tag('a') }}{% call tag('b') %}x{% endcall %}", "{}") == "<a></a><b>x</b>");
  CHECK(render("{{ [3, 1, 2]|sort|first }} {{ 'a,b'.split(',')|reverse|join }} {{ {'b': 1, 'a': 2}|dictsort|first|last }} {{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }}", "{}") == "1 ba 2 [0, 1, 2] [1, 4, 7] [5, 3, 1]");
  CHECK(render("{{ 'abc' < 'abd' }} {{ '\xc3\xa9""' > 'z' }} {{ [1, 'a'] == [1, 'a'] }} {{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }} {{ 1 != '1' }} {{ none == none }} {{ undefined_a == undefined_b }}", "{}") == "True True True True True True True");
}


// Filters, Hugging Face's tojson included. Expected strings are Jinja2's (see jinja_test_util.h).
#include <doctest/doctest.h>

#include "tests/unit/jinja_test_util.h"

using rotary::jinja::TemplateError;
using rotary::jinja::test::render;

TEST_CASE("jinja: filters: strings and numbers") {
  CHECK(render("{{ '  x  '|trim }}|{{ 'xxyxx'|trim('x') }}|{{ 'h\xc3\xa9""llo'|length }}|{{ [1,2]|count }}|{{ {'a':1}|length }}|{{ x|length }}|{{ 'Hello World'|upper }}|{{ '\xc3\x80""B'|lower }}", "{}") == "x|y|5|2|1|0|HELLO WORLD|\xc3\xa0""b");
  CHECK(render("{{ 'hello big-world (of) [x] <y>'|title }}|{{ 'hELLO wORLD'|capitalize }}|{{ 'aaa'|replace('a', 'b') }}|{{ 'aaa'|replace('a', 'b', 1) }}|{{ 'ab'|replace('', '-') }}", "{}") == "Hello Big-World (Of) [X] <Y>|Hello world|bbb|baa|-a-b-");
  CHECK(render("{{ '42'|int }} {{ '42.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '0x1A'|int(0, 16) }} {{ ' 12 '|int }} {{ '1e3'|int }} {{ true|int }}", "{}") == "42 42 0 7 3 26 12 1000 1");
  CHECK(render("{{ '3.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ '1e-3'|float }} {{ -3|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }} {{ 5|round }}", "{}") == "3.5 0.0 2.0 0.001 3 2.5 2.0 4.0 2.67 3.0 2.0 5");
  CHECK(render("{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('>> ') }}|{{ ''|indent(first=true) }}", "{}") == "a\n    b\n\n    c|  a\n  b|a\n  \n  b|a\n>> b|    ");
  CHECK(render("{{ 1|string }} {{ [1, 'a']|string }} {{ none|string }} {{ '<b>'|safe }} {{ '<a href=\"x\">&'|e }} {{ 'x'|center(5) }}| {{ 'one two, three'|wordcount }}", "{}") == "1 [1, 'a'] None <b> &lt;a href=&#34;x&#34;&gt;&amp;   x  | 3");
  CHECK(render("{{ '%s is %d'|format('x', 3) }} {{ 'abc'|attr('upper') is callable }}", "{}") == "x is 3 True");
}

TEST_CASE("jinja: filters: tojson as Hugging Face defines it") {
  CHECK(render("{{ v|tojson }}", "{\"v\": {\"s\": \"\xc3\xa9""\\\"\\\\\\n\\t\\u0001/<>&\", \"i\": 1, \"f\": 1.5, \"g\": 1e-07, \"big\": 1e+22, \"t\": true, \"n\": null, \"l\": [1, [2, {}], []], \"e\": {}}}") == "{\"s\": \"\xc3\xa9""\\\"\\\\\\n\\t\\u0001/<>&\", \"i\": 1, \"f\": 1.5, \"g\": 1e-07, \"big\": 1e+22, \"t\": true, \"n\": null, \"l\": [1, [2, {}], []], \"e\": {}}");
  CHECK(render("{{ v|tojson(indent=2) }}", "{\"v\": {\"a\": [1, {\"b\": \"c\"}], \"d\": {}, \"e\": []}}") == "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"c\"\n    }\n  ],\n  \"d\": {},\n  \"e\": []\n}");
  CHECK(render("{{ v|tojson(indent=4, sort_keys=true) }}|{{ v|tojson(separators=(',', ':')) }}|{{ v|tojson(ensure_ascii=true) }}", "{\"v\": {\"z\": \"\xc3\xbc""\xf0\x9f\x98\x80""\", \"a\": 1}}") == "{\n    \"a\": 1,\n    \"z\": \"\xc3\xbc""\xf0\x9f\x98\x80""\"\n}|{\"z\":\"\xc3\xbc""\xf0\x9f\x98\x80""\",\"a\":1}|{\"z\": \"\\u00fc\\ud83d\\ude00\", \"a\": 1}");
  CHECK(render("{{ {1: 'a', none: 2, true: 3}|tojson }} {{ (1, 2)|tojson }} {{ 'str'|tojson }} {{ 3.0|tojson }} {{ 10000000000000000.0|tojson }}", "{}") == "{\"1\": 3, \"null\": 2} [1, 2] \"str\" 3.0 1e+16");
  // Jinja2: TypeError: Object of type Undefined is not JSON serializable
  CHECK_THROWS_AS(render("{{ x|tojson }}", "{}"), TemplateError);
  CHECK(render("{{ {'a': 1}|tojson(indent='\\t') }}", "{}") == "{\n\t\"a\": 1\n}");
}

TEST_CASE("jinja: filters: sequences") {
  CHECK(render("{{ [1, 2, 3]|join(', ') }}|{{ users|join(',', attribute='name') }}|{{ ['a', 1, none]|join }}|{{ 'abc'|join('-') }}", "{\"users\": [{\"name\": \"ann\"}, {\"name\": \"bob\"}]}") == "1, 2, 3|ann,bob|a1None|a-b-c");
  CHECK(render("{{ [3, 1]|first }} {{ [3, 1]|last }} {{ 'xyz'|first }} {{ []|first }}| {{ {'k': 1}|first }} {{ 'abc'|list }} {{ {'a': 1, 'b': 2}|list }} {{ x|list }}", "{}") == "3 1 x | k ['a', 'b', 'c'] ['a', 'b'] []");
  CHECK(render("{{ users|map(attribute='name')|list }} {{ ['a', 'b']|map('upper')|list }} {{ users|map(attribute='age', default=0)|list }} {{ [' a ']|map('trim')|join }} {{ users|map(attribute='name')|map('replace', 'a', 'A')|list }}", "{\"users\": [{\"name\": \"ann\", \"age\": 3}, {\"name\": \"bob\"}]}") == "['ann', 'bob'] ['A', 'B'] [3, 0] a ['Ann', 'bob']");
  CHECK(render("{{ [0, 1, 2, 3]|select|list }} {{ [0, 1, 2, 3]|reject('odd')|list }} {{ [1, 5, 10]|select('gt', 2)|list }} {{ ms|selectattr('role', 'equalto', 'user')|list|length }} {{ ms|rejectattr('role', 'eq', 'user')|map(attribute='role')|list }} {{ ms|selectattr('x')|list }}", "{\"ms\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"x\": 1}, {\"role\": \"user\"}]}") == "[1, 2, 3] [0, 2] [5, 10] 2 ['assistant'] [{'role': 'assistant', 'x': 1}]");
  CHECK(render("{{ ['b', 'A', 'a', 'B']|unique|list }} {{ ['b', 'A', 'a']|unique(case_sensitive=true)|list }} {{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }}", "{}") == "['b', 'A'] ['b', 'A', 'a'] [1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] ['A', 'b', 'c']");
  CHECK(render("{{ users|sort(attribute='age')|map(attribute='name')|join }} {{ users|sort(attribute='name', reverse=true)|map(attribute='name')|join }}", "{\"users\": [{\"name\": \"ann\", \"age\": 30}, {\"name\": \"bob\", \"age\": 20}, {\"name\": \"cid\", \"age\": 30}]}") == "bobanncid cidbobann");
  CHECK(render("{{ d|dictsort }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }} {{ d|items|list }} {% for k, v in d|dictsort %}{{ k }}{{ v }}{% endfor %}", "{\"d\": {\"b\": 1, \"A\": 3, \"c\": 2}}") == "[('A', 3), ('b', 1), ('c', 2)] [('b', 1), ('c', 2), ('A', 3)] [('c', 2), ('b', 1), ('A', 3)] [('b', 1), ('A', 3), ('c', 2)] A3b1c2");
  CHECK(render("{{ [1, 2]|reverse|list }} {{ 'abc'|reverse }} {{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ ['b', 'A']|min }} {{ []|max }}| {{ [1, 2, 3]|sum }} {{ users|sum(attribute='age') }} {{ [0.5, 1]|sum(start=1) }}", "{\"users\": [{\"age\": 3}, {\"age\": 4}]}") == "[2, 1] cba 1 3 A | 6 7 2.5");
  CHECK(render("{{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 0)|list }}", "{}") == "[[1, 2], [3, 4], [5]] [[1, 2], [3, 0]]");
}


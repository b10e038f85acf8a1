// Template errors: they name line:column, raise_exception carries the template's own message, the
// sandbox refuses mutation, and a hostile template hits a limit (steps, output, depth) instead of
// hanging, exhausting memory or overflowing the stack.
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/jinja_test_util.h"

using rotary::ErrorKind;
using rotary::jinja::Limits;
using rotary::jinja::Template;
using rotary::jinja::TemplateError;
using rotary::jinja::test::render;

namespace {

// The error `source` raises (parse or render); fails the test when there is none.
TemplateError error_of(const std::string& source, const std::string& context = "{}",
                       const Limits& limits = {}) {
  try {
    render(source, context, limits);
  } catch (const TemplateError& e) {
    return e;
  }
  FAIL("no error from: " << source);
  return TemplateError(0, 0, "", false);
}

}  // namespace

TEST_CASE("jinja errors: raise_exception carries the template's message and position") {
  const auto e = error_of("{% for m in messages %}\n  {%- if m.role not in ['user', 'assistant'] %}\n"
                          "    {{- raise_exception('Only user and assistant roles are supported!') }}\n"
                          "  {%- endif %}\n{% endfor %}",
                          R"({"messages": [{"role": "user"}, {"role": "tool"}]})");
  CHECK(e.raised());
  CHECK(e.kind() == ErrorKind::InvalidArgument);
  CHECK(e.message() == "Only user and assistant roles are supported!");
  CHECK(e.template_line() == 3);
  CHECK(e.template_column() == 9);
  CHECK(std::string(e.what()) == "line 3:9: Only user and assistant roles are supported!");
}

TEST_CASE("jinja errors: undefined values fail where Jinja2's Undefined does") {
  auto e = error_of("ok\n{{ foo.bar }}");
  CHECK_FALSE(e.raised());
  CHECK(e.message() == "'foo' is undefined");
  CHECK(e.template_line() == 2);
  e = error_of("{{ d.a.b }}", R"({"d": {}})");
  CHECK(e.message() == "'dict object' has no attribute 'a'");
  CHECK(error_of("{{ x + 1 }}").message() == "'x' is undefined");
  CHECK(error_of("{{ x() }}").message() == "'x' is undefined");
  CHECK(error_of("{{ 'a' + 1 }}").message() == "can only concatenate str (not \"int\") to str");
  CHECK(error_of("{{ 1 / 0 }}").message() == "division by zero");
  CHECK(error_of("{{ x|nosuchfilter }}").message() == "No filter named 'nosuchfilter'.");
  CHECK(error_of("{{ 1 is nosuchtest }}").message() == "No test named 'nosuchtest'.");
  // What does not fail: printing, testing and iterating undefined values.
  CHECK(render("[{{ x }}{{ d.a }}{% for i in x %}{% endfor %}{{ x is defined }}]", R"({"d": {}})") ==
        "[False]");
}

TEST_CASE("jinja errors: syntax errors name line and column") {
  auto e = error_of("{% if x %}\nabc");
  CHECK(e.template_line() == 2);
  CHECK(e.message().rfind("Unexpected end of template.", 0) == 0);
  CHECK(e.message().find("'endif'") != std::string::npos);
  e = error_of("a\nb {{ 1 + }}");
  CHECK(e.template_line() == 2);
  CHECK(e.template_column() == 10);
  e = error_of("{% foo %}");
  CHECK(e.message() == "Encountered unknown tag 'foo'.");
  CHECK(e.template_column() == 4);
  CHECK(error_of("{{ 'abc }}").message() == "unexpected end of string literal");
  CHECK(error_of("x\n{# open").message() == "Missing end of comment tag");
  CHECK(error_of("{% for x in y %}{% endif %}").template_column() == 20);
  CHECK(error_of("{{ (1 }}").template_line() == 1);
  CHECK(error_of("{{ a b }}").message() == "expected end of print statement, got 'b'");
  CHECK(error_of("{% set x %}").message().find("endset") != std::string::npos);
  CHECK_THROWS_AS(Template::parse("{{ 1 }"), TemplateError);
  CHECK_THROWS_AS(Template::parse("{% macro m(a=1, b) %}{% endmacro %}"), TemplateError);
}

TEST_CASE("jinja errors: the sandbox refuses to mutate lists and dicts") {
  CHECK(error_of("{% set l = [] %}{{ l.append(1) }}").message() ==
        "access to attribute 'append' of 'list' object is unsafe.");
  CHECK(error_of("{{ d.pop('a') }}", R"({"d": {"a": 1}})").message() ==
        "access to attribute 'pop' of 'dict' object is unsafe.");
  CHECK(error_of("{{ d.update({}) }}", R"({"d": {}})").message().find("unsafe") != std::string::npos);
  CHECK(render("{{ ''.__class__ }}") == "");
  CHECK(error_of("{% set x = 1 %}{% set x.y = 2 %}").message() ==
        "cannot assign attribute on non-namespace object");
  CHECK(error_of("{{ range(100001)|length }}").message() ==
        "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
}

TEST_CASE("jinja errors: hostile templates hit a limit") {
  Limits small;
  small.max_steps = 100000;
  CHECK(error_of("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                 "{}", small).message().find("step limit") != std::string::npos);
  Limits tiny_output;
  tiny_output.max_output = 100;
  CHECK(error_of("{% for i in range(1000) %}xxxxxxxxxx{% endfor %}", "{}", tiny_output)
            .message().find("output limit") != std::string::npos);
  CHECK(error_of("{{ 'ab' * 10000 }}", "{}", tiny_output).message().find("output limit") !=
        std::string::npos);
  CHECK(error_of("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").message().find("depth limit") !=
        std::string::npos);
  // Doubling a string or a shared list each iteration: stopped by size or depth, not memory.
  CHECK_THROWS_AS(render("{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
                         "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
                  TemplateError);
  CHECK_THROWS_AS(render("{% set ns = namespace(l=[1]) %}{% for i in range(300) %}"
                         "{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}{{ ns.l|tojson }}"),
                  TemplateError);
  // Two such lists built apart: comparing them visits 2^60 leaves unless the step limit stops it.
  CHECK(error_of("{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}"
                 "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}"
                 "{{ ns.a == ns.b }}").message().find("step limit") != std::string::npos);
  CHECK(error_of("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}")
            .message().find("nests too deeply") != std::string::npos);
  CHECK(error_of(std::string(3000, '[') + "{{ " + std::string(3000, '[') + " }}").template_line() == 1);
  CHECK(error_of("{{ 2 ** 64 }}").message() == "integer overflow");
  // A namespace holding itself (a reference cycle) renders and is freed.
  CHECK(render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns.me.me is defined }}") == "True");
  CHECK_THROWS_AS(Template::parse("{{ x }}").render(nlohmann::ordered_json::array()), TemplateError);
}

TEST_CASE("jinja errors: deep values and long expressions are refused before they overflow the stack") {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  // Freeing or printing a list nested 100000 deep would recurse 100000 times.
  CHECK(error_of("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}"
                 "{% endfor %}").message().find("nested deeper") != std::string::npos);
  CHECK(error_of("{% set ns = namespace(d={}) %}{% for i in range(100000) %}{% set ns.d = {'k': ns.d} %}"
                 "{% endfor %}").message().find("nested deeper") != std::string::npos);
  CHECK(error_of("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l.copy] %}"
                 "{% endfor %}").message().find("nested deeper") != std::string::npos);
  // Long operator and filter chains build tall trees without nesting brackets.
  CHECK(error_of("{{ 1" + repeat(" + 1", 5000) + " }}").message().find("too long") != std::string::npos);
  CHECK(error_of("{{ 'x'" + repeat("|trim", 5000) + " }}").message().find("too long") != std::string::npos);
  CHECK(error_of("{{ x" + repeat(".a", 5000) + " }}").message().find("too long") != std::string::npos);
  CHECK(render("{{ x" + repeat(" is defined == true", 3000) + " }}") == "False");
  // A context nested deeper than the limit.
  CHECK_THROWS_AS(render("{{ x }}", "{\"x\": " + repeat("[", 2000) + repeat("]", 2000) + "}"),
                  TemplateError);
  // Below the limits, the same shapes render as Jinja2 renders them.
  CHECK(render("{{ 1" + repeat(" + 1", 100) + " }}") == "101");
  CHECK(render("{{ " + repeat("[", 50) + repeat("]", 50) + "|length }}") == "1");
}

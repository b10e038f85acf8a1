// rotary's JSON boundary (base/json.h) over nlohmann::json: compact text that is always valid
// JSON, parse errors naming the source, and limits that keep hostile text from overflowing the
// stack (nesting) or holding the parser for minutes (huge ordered objects).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "base/json.h"
#include "base/utf8.h"
#include "tests/support/check_error.h"

namespace rotary {
namespace {

std::string object_of(size_t members) {
  std::string text = "{";
  for (size_t i = 0; i < members; ++i)
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  return text + "\"last\":true}";
}

TEST_CASE("dump_json: compact, in insertion order, escaped by JSON's rules") {
  const Json j = {{"z", 1},
                  {"b", {"x\"y\n", true, nullptr}},
                  {"c", 0.5},
                  {"d", Json::object()},
                  {"e", "a\x1b[31m\t\\"}};
  CHECK(dump_json(j) == R"({"z":1,"b":["x\"y\n",true,null],"c":0.5,"d":{},"e":"a\u001b[31m\t\\"})");
  CHECK(dump_json(Json::array({std::nan(""), std::numeric_limits<double>::infinity()})) ==
        "[null,null]");
}

TEST_CASE("dump_json: strings are valid UTF-8 whatever the bytes") {
  // An invalid byte and a cut sequence each become one U+FFFD (Unicode's maximal subparts).
  const std::string out = dump_json(Json{{"t", "ok \xC3\xA9 bad \xFF cut \xE2\x82"}});
  CHECK(out == "{\"t\":\"ok \xC3\xA9 bad \xEF\xBF\xBD cut \xEF\xBF\xBD\"}");
  CHECK(valid_utf8(out) == out);
}

TEST_CASE("parse_json: values, escapes, and errors naming the source and the place") {
  const Json v =
      parse_json(R"({"a":[1,-2.5e3,true,null],"s":"caf\u00e9 \ud83d\ude00 \"q\"\n"})", "t");
  CHECK(v.at("a").size() == 4);
  CHECK(v.at("a")[1].get<double>() == -2500.0);
  CHECK(v.at("a")[2].get<bool>());
  CHECK(v.at("a")[3].is_null());
  CHECK(v.at("s").get<std::string>() == "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n");
  for (const char* bad : {"{\"a\":1,}", "[1 2]", "\"open", "{\"a\" 1}", "-", "01x", "[1]x",
                          "\"\\q\"", "", "\"\\ud800\""})
    CHECK_ROTARY_ERROR(parse_json(bad, "x.json"), ErrorKind::InvalidArgument,
                       "x.json is not valid JSON: parse error at line 1, column");
  CHECK(!try_parse_json("[1 2]").has_value());
  CHECK(try_parse_json("[1, 2]") == Json::array({1, 2}));
}

TEST_CASE("parse_json: deep nesting is refused while reading, not recursed into") {
  const std::string open(100000, '[');
  CHECK_ROTARY_ERROR(parse_json(open, "deep"), ErrorKind::InvalidArgument,
                     "deep nests deeper than 256 levels");
  CHECK_ROTARY_ERROR(parse_json(open + std::string(100000, ']'), "deep"),
                     ErrorKind::InvalidArgument, "nests deeper than 256 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  CHECK_ROTARY_ERROR(parse_json(objects, "deep"), ErrorKind::InvalidArgument, "nests deeper");
  CHECK(!try_parse_json(open).has_value());
  // The limit counts containers: 256 levels are read, 257 are not.
  CHECK(parse_json(std::string(256, '[') + std::string(256, ']'), "t").is_array());
  CHECK_ROTARY_ERROR(parse_json(std::string(257, '[') + std::string(257, ']'), "t"),
                     ErrorKind::InvalidArgument, "nests deeper than 256 levels");
  CHECK_ROTARY_ERROR(parse_json("[[[1]]]", "t", 2), ErrorKind::InvalidArgument,
                     "nests deeper than 2 levels");
}

TEST_CASE("parse_json: ordered objects keep their order, up to kJsonMaxMembers members") {
  const Json v = parse_json(object_of(kJsonMaxMembers - 1), "t");
  REQUIRE(v.size() == kJsonMaxMembers);
  CHECK(v.begin().key() == "k0");
  CHECK((++v.begin()).key() == "k1");
  CHECK(v.back() == true);
  CHECK_ROTARY_ERROR(parse_json(object_of(kJsonMaxMembers), "t"), ErrorKind::InvalidArgument,
                     "t has an object of more than 1024 members");
  // 200000 members would take an ordered object minutes to read: refused at member 1025.
  CHECK_ROTARY_ERROR(parse_json("[" + object_of(200000) + "]", "t"), ErrorKind::InvalidArgument,
                     "more than 1024 members");
  // Sorted objects have no limit (a tokenizer's vocabulary).
  const nlohmann::json sorted = parse_json_sorted(object_of(5000), "vocab");
  CHECK(sorted.size() == 5001);
  CHECK(sorted.at("k4999") == 4999);
}

TEST_CASE("reading members back: fallbacks, and errors naming the key") {
  const Json o = parse_json(R"({"n": 2.5, "s": "x", "b": true, "z": null, "a": [1]})", "t");
  CHECK(json_number_or(o, "n", 0) == 2.5);
  CHECK(json_number_or(o, "s", -1) == -1);  // another type
  CHECK(json_number_or(o, "z", -1) == -1);  // null
  CHECK(json_number_or(o, "missing", 7) == 7);
  CHECK(json_string_or(o, "s", "") == "x");
  CHECK(json_string_or(o, "n", "d") == "d");
  CHECK(json_bool_or(o, "b", false));
  CHECK(json_bool_or(Json::array(), "b", true));  // not an object
  CHECK(json_string(o, "s") == "x");
  CHECK(json_array(o, "a").size() == 1);
  CHECK(json_member(o, "n") == 2.5);
  CHECK_ROTARY_ERROR(json_string(o, "n"), ErrorKind::InvalidArgument,
                     "'n' is missing or not a string");
  CHECK_ROTARY_ERROR(json_array(o, "missing"), ErrorKind::InvalidArgument, "'missing'");
  CHECK_ROTARY_ERROR(json_member(o, "z"), ErrorKind::InvalidArgument, "'z'");
  CHECK_ROTARY_ERROR(json_number(o.at("s")), ErrorKind::InvalidArgument, "not a number");
}

}  // namespace
}  // namespace rotary

// Filters on sequences and mappings: join, first, last, list, items, dictsort, sort, unique,
// reverse, min, max, sum, map, select, reject, selectattr, rejectattr, batch.
#include <algorithm>

#include "loader/jinja/builtins.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

namespace {

Value attribute_or_self(Interpreter& in, const Value& item, const std::optional<std::string>& attr) {
  return attr ? get_attribute_path(in, item, *attr) : item;
}

Value f_join(Interpreter& in, const Value& v, Args& a) {
  a.check("join", 2, {"d", "attribute"});
  const std::string sep = arg_string(a, 0, "d").value_or("");
  const auto attr = arg_string(a, 1, "attribute");
  std::string out;
  bool first = true;
  for (const auto& item : items_of(v)) {
    if (!first) out += sep;
    first = false;
    append_str(out, attribute_or_self(in, item, attr), in.budget());
    in.budget().check_size(out.size());
  }
  return Value(std::move(out));
}

Value f_first(Interpreter&, const Value& v, Args&) {
  auto items = items_of(v);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value f_last(Interpreter&, const Value& v, Args&) {
  if (!v.is_list() && !v.is_string()) {
    require_defined(v);
    fail(std::string("'") + type_name(v) + "' object is not reversible");
  }
  auto items = items_of(v);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value f_list(Interpreter&, const Value& v, Args&) { return Value::list(items_of(v)); }

Value f_items(Interpreter&, const Value& v, Args&) {
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict()) fail("Can only get item pairs from a mapping.");
  std::vector<Value> out;
  for (const auto& [k, val] : v.dict_data().items) out.push_back(Value::list({k, val}, true));
  return Value::list(std::move(out));
}

Value f_reverse(Interpreter&, const Value& v, Args&) {
  if (v.is_string()) {
    auto chars = utf8_chars(v.str());
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
    return Value(std::move(out));
  }
  auto items = items_of(v);
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

void sort_values(Interpreter& in, std::vector<Value>& items, bool reverse, bool case_sensitive,
                 const std::optional<std::string>& attr) {
  std::vector<std::pair<Value, size_t>> keyed;
  keyed.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    keyed.emplace_back(fold_case(attribute_or_self(in, items[i], attr), case_sensitive), i);
  Budget& b = in.budget();
  // Python's sort is stable, also when reversed (equal keys keep their order).
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? less(y.first, x.first, b) : less(x.first, y.first, b);
  });
  std::vector<Value> out;
  out.reserve(items.size());
  for (const auto& k : keyed) out.push_back(items[k.second]);
  items = std::move(out);
}

Value f_sort(Interpreter& in, const Value& v, Args& a) {
  a.check("sort", 3, {"reverse", "case_sensitive", "attribute"});
  auto items = items_of(v);
  sort_values(in, items, arg_bool(a, 0, "reverse", false), arg_bool(a, 1, "case_sensitive", false),
              arg_string(a, 2, "attribute"));
  return Value::list(std::move(items));
}

Value f_dictsort(Interpreter& in, const Value& v, Args& a) {
  a.check("dictsort", 3, {"case_sensitive", "by", "reverse"});
  if (!v.is_dict()) fail("You can only sort by either 'key' or 'value'");
  const std::string by = arg_string(a, 1, "by").value_or("key");
  if (by != "key" && by != "value") fail("You can only sort by either 'key' or 'value'");
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.dict_data().items) pairs.push_back(Value::list({k, val}, true));
  sort_values(in, pairs, arg_bool(a, 2, "reverse", false), arg_bool(a, 0, "case_sensitive", false),
              std::string(by == "key" ? "0" : "1"));
  return Value::list(std::move(pairs));
}

Value f_unique(Interpreter& in, const Value& v, Args& a) {
  a.check("unique", 2, {"case_sensitive", "attribute"});
  const bool cs = arg_bool(a, 0, "case_sensitive", false);
  const auto attr = arg_string(a, 1, "attribute");
  std::vector<Value> out, seen;
  for (const auto& item : items_of(v)) {
    Value key = fold_case(attribute_or_self(in, item, attr), cs);
    bool dup = false;
    for (const auto& s : seen) dup = dup || equals(s, key, in.budget());
    in.budget().step(seen.size());
    if (dup) continue;
    seen.push_back(std::move(key));
    out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value min_max(Interpreter& in, const Value& v, Args& a, bool want_max) {
  a.check(want_max ? "max" : "min", 2, {"case_sensitive", "attribute"});
  const bool cs = arg_bool(a, 0, "case_sensitive", false);
  const auto attr = arg_string(a, 1, "attribute");
  auto items = items_of(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  size_t best = 0;
  Value best_key = fold_case(attribute_or_self(in, items[0], attr), cs);
  for (size_t i = 1; i < items.size(); ++i) {
    Value key = fold_case(attribute_or_self(in, items[i], attr), cs);
    if (want_max ? less(best_key, key, in.budget()) : less(key, best_key, in.budget())) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

Value f_min(Interpreter& in, const Value& v, Args& a) { return min_max(in, v, a, false); }
Value f_max(Interpreter& in, const Value& v, Args& a) { return min_max(in, v, a, true); }

Value f_sum(Interpreter& in, const Value& v, Args& a) {
  a.check("sum", 2, {"attribute", "start"});
  const auto attr = arg_string(a, 0, "attribute");
  Value total = arg_or(a, 1, "start", Value(int64_t{0}));
  for (const auto& item : items_of(v))
    total = binary_op(BinOp::Add, total, attribute_or_self(in, item, attr), in.budget());
  return total;
}

Value f_map(Interpreter& in, const Value& v, Args& a) {
  std::vector<Value> out;
  auto items = items_of(v);
  if (a.pos.empty()) {
    const auto attr = arg_string(a, 0, "attribute");
    if (!attr) fail("map() needs a filter name or attribute=");
    const Value* fallback = a.get(99, "default");
    for (const auto& item : items) {
      Value x = get_attribute_path(in, item, *attr);
      out.push_back(x.is_undefined() && fallback ? *fallback : x);
    }
    return Value::list(std::move(out));
  }
  if (!a.pos[0].is_string()) fail("map() filter name must be a string");
  const std::string name = a.pos[0].str();
  Args rest;
  rest.pos.assign(a.pos.begin() + 1, a.pos.end());
  rest.kw = a.kw;
  for (const auto& item : items) {
    Args copy = rest;
    out.push_back(in.filter(name, item, copy));
  }
  return Value::list(std::move(out));
}

// select/reject (by_attr false) and selectattr/rejectattr (true).
Value select_common(Interpreter& in, const Value& v, Args& a, bool by_attr, bool keep) {
  size_t next = 0;
  std::optional<std::string> attr;
  if (by_attr) {
    if (a.pos.empty() || !a.pos[0].is_string()) fail("selectattr() needs an attribute name");
    attr = a.pos[next++].str();
  }
  std::optional<std::string> test;
  if (next < a.pos.size()) {
    if (!a.pos[next].is_string()) fail("the test name must be a string");
    test = a.pos[next++].str();
  }
  Args rest;
  rest.pos.assign(a.pos.begin() + static_cast<std::ptrdiff_t>(next), a.pos.end());
  rest.kw = a.kw;
  std::vector<Value> out;
  for (const auto& item : items_of(v)) {
    const Value x = attribute_or_self(in, item, attr);
    Args copy = rest;
    const bool pass = test ? in.test(*test, x, copy) : x.truthy();
    if (pass == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value f_select(Interpreter& in, const Value& v, Args& a) { return select_common(in, v, a, false, true); }
Value f_reject(Interpreter& in, const Value& v, Args& a) { return select_common(in, v, a, false, false); }
Value f_selectattr(Interpreter& in, const Value& v, Args& a) { return select_common(in, v, a, true, true); }
Value f_rejectattr(Interpreter& in, const Value& v, Args& a) { return select_common(in, v, a, true, false); }

Value f_batch(Interpreter&, const Value& v, Args& a) {
  const int64_t n = arg_int(a, 0, "linecount", 1);
  if (n <= 0) fail("batch size must be positive");
  const Value* fill = a.get(1, "fill_with");
  std::vector<Value> out, cur;
  for (const auto& item : items_of(v)) {
    cur.push_back(item);
    if (static_cast<int64_t>(cur.size()) == n) out.push_back(Value::list(std::exchange(cur, {})));
  }
  if (!cur.empty()) {
    if (fill && !fill->is_none())
      while (static_cast<int64_t>(cur.size()) < n) cur.push_back(*fill);
    out.push_back(Value::list(std::move(cur)));
  }
  return Value::list(std::move(out));
}

const FilterEntry kSequenceFilters[] = {
    {"batch", f_batch},       {"dictsort", f_dictsort}, {"first", f_first},
    {"items", f_items},       {"join", f_join},         {"last", f_last},
    {"list", f_list},         {"map", f_map},           {"max", f_max},
    {"min", f_min},           {"reject", f_reject},     {"rejectattr", f_rejectattr},
    {"reverse", f_reverse},   {"select", f_select},     {"selectattr", f_selectattr},
    {"sort", f_sort},         {"sum", f_sum},           {"unique", f_unique},
};

}  // namespace

const FilterEntry* find_sequence_filter(std::string_view name) {
  for (const auto& f : kSequenceFilters)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace rotary::jinja

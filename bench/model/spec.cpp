#include "bench/model/spec.h"

#include <algorithm>
#include <cstdlib>

#include "base/error.h"
#include "base/units.h"

namespace rotary::bench {

std::string TestSpec::name() const {
  std::string n = (kind == TestKind::Prompt ? "pp" : "tg") + std::to_string(tokens);
  if (depth > 0) n += " @ d" + std::to_string(depth);
  return n;
}

std::vector<TestSpec> make_tests(const std::vector<uint32_t>& prompts,
                                 const std::vector<uint32_t>& gens,
                                 const std::vector<uint32_t>& depths) {
  std::vector<TestSpec> tests;
  const std::vector<uint32_t> d = depths.empty() ? std::vector<uint32_t>{0} : depths;
  for (uint32_t p : prompts)
    for (uint32_t depth : d)
      if (p > 0) tests.push_back({TestKind::Prompt, p, depth});
  for (uint32_t n : gens)
    for (uint32_t depth : d)
      if (n > 0) tests.push_back({TestKind::Generate, n, depth});
  return tests;
}

namespace {

bool parse_u32(const std::string& s, uint32_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9)
    return false;
  out = static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 10));
  return true;
}

std::vector<std::string> split_items(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      const size_t comma = item.find(',', start);
      const size_t end = comma == std::string::npos ? item.size() : comma;
      out.push_back(item.substr(start, end - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

TestSpec parse_test_name(const std::string& name) {
  const auto bad = [&] {
    return Error(ErrorKind::InvalidArgument,
                 "'" + name + "' is not a test name (ppN or tgN, optionally ' @ dD')");
  };
  if (name.size() < 3 || (name.compare(0, 2, "pp") != 0 && name.compare(0, 2, "tg") != 0))
    throw bad();
  TestSpec t;
  t.kind = name[0] == 'p' ? TestKind::Prompt : TestKind::Generate;
  const size_t at = name.find(" @ d");
  if (!parse_u32(name.substr(2, at == std::string::npos ? std::string::npos : at - 2), t.tokens))
    throw bad();
  if (at != std::string::npos && !parse_u32(name.substr(at + 4), t.depth)) throw bad();
  return t;
}

BudgetSpec parse_budget(const std::string& text) {
  BudgetSpec b;
  b.text = text;
  if (text == "device") return b;
  if (!text.empty() && text.back() == '%') {
    const std::string num = text.substr(0, text.size() - 1);
    char* end = nullptr;
    const double p = std::strtod(num.c_str(), &end);
    require(!num.empty() && end == num.c_str() + num.size() && p > 0 && p <= 100,
            ErrorKind::InvalidArgument,
            "--vram-budget '" + text + "': a percentage of experts resident must be in (0, 100]");
    b.kind = BudgetSpec::Kind::ExpertPercent;
    b.percent = p;
    return b;
  }
  b.kind = BudgetSpec::Kind::Bytes;
  b.bytes = parse_size(text);
  require(b.bytes > 0, ErrorKind::InvalidArgument, "--vram-budget '" + text + "' is zero");
  return b;
}

std::vector<BudgetSpec> parse_budgets(const std::vector<std::string>& items) {
  std::vector<BudgetSpec> out;
  for (const std::string& s : split_items(items)) out.push_back(parse_budget(s));
  if (out.empty()) out.push_back(parse_budget("device"));
  return out;
}

std::vector<PolicyKind> parse_policies(const std::vector<std::string>& items) {
  std::vector<PolicyKind> out;
  for (const std::string& s : split_items(items)) out.push_back(parse_policy(s));
  if (out.empty()) out.push_back(PolicyKind::LRU);
  return out;
}

std::vector<std::string> parse_llama_backends(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& s : split_items(items)) {
    require(s == "vulkan" || s == "cpu", ErrorKind::InvalidArgument,
            "--llama takes vulkan and/or cpu (llama.cpp's backends), not '" + s + "'");
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::vector<uint32_t> parse_counts(const std::vector<std::string>& items, const char* flag) {
  std::vector<uint32_t> out;
  for (const std::string& s : split_items(items)) {
    uint32_t v = 0;
    require(parse_u32(s, v), ErrorKind::InvalidArgument,
            std::string(flag) + " takes token counts, e.g. " + flag + " 512 or " + flag +
                " 128,512; not '" + s + "'");
    out.push_back(v);
  }
  return out;
}

}  // namespace rotary::bench

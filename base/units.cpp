#include "base/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "base/error.h"

namespace rotary {

uint64_t parse_size(std::string_view text) {
  const std::string s(text);
  auto bad = [&](const char* why) {
    return Error(ErrorKind::InvalidArgument,
                 "cannot read size '" + s + "': " + why + " (examples: 6.3G, 6300M, 6.3GiB, 6442450944)");
  };
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) throw bad("no number");
  double value = 0;
  try {
    size_t used = 0;
    value = std::stod(s.substr(0, i), &used);
    if (used != i) throw bad("malformed number");
  } catch (const std::logic_error&) {
    throw bad("malformed number");
  }
  std::string unit;
  for (size_t j = i; j < s.size(); ++j) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(s[j])));
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double scale = 1;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "KIB") scale = 1024.0;
  else if (unit == "M" || unit == "MIB") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GIB") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TIB") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "KB") scale = 1e3;
  else if (unit == "MB") scale = 1e6;
  else if (unit == "GB") scale = 1e9;
  else if (unit == "TB") scale = 1e12;
  else throw bad("unknown unit");
  const double bytes = value * scale;
  if (!std::isfinite(bytes) || bytes >= 1.8e19) throw bad("too large");
  return static_cast<uint64_t>(std::llround(bytes));
}

std::string format_bytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace rotary

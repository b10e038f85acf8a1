// CSV form of bench reports: one row per result, every identity field repeated, so that files
// from several machines concatenate (after their header lines) into one comparison. Columns are
// found by their header names when read back.
#include <algorithm>
#include <functional>
#include <map>
#include <sstream>

#include "base/error.h"
#include "bench/model/report.h"

namespace rotary::bench {

namespace {

double to_double(const std::string& s) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(!s.empty() && used == s.size(), ErrorKind::InvalidArgument,
          "'" + s + "' is not a number");
  return v;
}

// Values as CSV fields. Figures that may not apply are negative in a result and empty in a file.
std::string format_value(const std::string& v) {
  return v;
}
std::string format_value(uint32_t v) {
  return std::to_string(v);
}
std::string format_value(uint64_t v) {
  return std::to_string(v);
}
std::string format_value(int32_t v) {
  return v < 0 ? "" : std::to_string(v);
}
std::string format_value(double v) {
  if (v < 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}
void parse_value(const std::string& s, std::string& v) {
  v = s;
}
uint64_t to_u64(const std::string& s) {
  require(!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() <= 19,
          ErrorKind::InvalidArgument, "'" + s + "' is not a count");
  return std::stoull(s);
}
void parse_value(const std::string& s, uint32_t& v) {
  v = s.empty() ? 0 : static_cast<uint32_t>(to_u64(s));
}
void parse_value(const std::string& s, uint64_t& v) {
  v = s.empty() ? 0 : to_u64(s);
}
void parse_value(const std::string& s, int32_t& v) {
  v = s.empty() ? -1 : static_cast<int32_t>(to_u64(s));
}
void parse_value(const std::string& s, double& v) {
  v = s.empty() ? -1 : to_double(s);
}

struct Column {
  const char* name;
  bool identity;  // of the machine, model and run (not of the result)
  std::function<std::string(const BenchReport&, const BenchResult&)> get;
  std::function<void(BenchReport&, BenchResult&, const std::string&)> set;
};

// `field` is a generic lambda returning a reference to the member, for const and non-const use.
template <typename F>
Column of_report(const char* name, F field) {
  return {
      name, true,
      [field](const BenchReport& r, const BenchResult&) { return format_value(field(r)); },
      [field](BenchReport& r, BenchResult&, const std::string& v) { parse_value(v, field(r)); }};
}
template <typename F>
Column of_result(const char* name, F field) {
  return {
      name, false,
      [field](const BenchReport&, const BenchResult& x) { return format_value(field(x)); },
      [field](BenchReport&, BenchResult& x, const std::string& v) { parse_value(v, field(x)); }};
}

const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      of_report(
          "rotary_version", [](auto& r) -> auto& { return r.rotary_version; }),
      of_report(
          "date", [](auto& r) -> auto& { return r.date; }),
      of_report(
          "host_cpu", [](auto& r) -> auto& { return r.host_cpu; }),
      of_report(
          "device", [](auto& r) -> auto& { return r.device.name; }),
      of_report(
          "vendor", [](auto& r) -> auto& { return r.device.vendor; }),
      of_report(
          "vendor_id", [](auto& r) -> auto& { return r.device.vendor_id; }),
      of_report(
          "device_id", [](auto& r) -> auto& { return r.device.device_id; }),
      of_report(
          "device_type", [](auto& r) -> auto& { return r.device.type; }),
      of_report(
          "driver_name", [](auto& r) -> auto& { return r.device.driver_name; }),
      of_report(
          "driver_info", [](auto& r) -> auto& { return r.device.driver_info; }),
      of_report(
          "driver_version", [](auto& r) -> auto& { return r.device.driver_version; }),
      of_report(
          "api_version", [](auto& r) -> auto& { return r.device.api_version; }),
      of_report(
          "model", [](auto& r) -> auto& { return r.model.name; }),
      of_report(
          "arch", [](auto& r) -> auto& { return r.model.arch; }),
      of_report(
          "size_bytes", [](auto& r) -> auto& { return r.model.size_bytes; }),
      of_report(
          "params", [](auto& r) -> auto& { return r.model.params; }),
      of_result(
          "engine", [](auto& x) -> auto& { return x.engine; }),
      of_result(
          "backend", [](auto& x) -> auto& { return x.backend; }),
      of_result(
          "policy", [](auto& x) -> auto& { return x.policy; }),
      of_result(
          "budget", [](auto& x) -> auto& { return x.budget; }),
      of_result(
          "budget_bytes", [](auto& x) -> auto& { return x.budget_bytes; }),
      {"test", false, [](const BenchReport&, const BenchResult& x) { return x.test.name(); },
       [](BenchReport&, BenchResult& x, const std::string& v) { x.test = parse_test_name(v); }},
      of_result(
          "repetitions", [](auto& x) -> auto& { return x.tps.n; }),
      of_result(
          "tps", [](auto& x) -> auto& { return x.tps.mean; }),
      of_result(
          "tps_stddev", [](auto& x) -> auto& { return x.tps.stddev; }),
      of_result(
          "residency", [](auto& x) -> auto& { return x.residency; }),
      of_result(
          "slots", [](auto& x) -> auto& { return x.slots; }),
      of_result(
          "all_experts", [](auto& x) -> auto& { return x.all_experts; }),
      of_result(
          "hit_rate", [](auto& x) -> auto& { return x.hit_rate; }),
      of_result(
          "upload_bytes_per_token", [](auto& x) -> auto& { return x.upload_bytes_per_token; }),
      of_result(
          "upload_gbps", [](auto& x) -> auto& { return x.upload_gbps; }),
      of_result(
          "upload_wait_ms_per_token", [](auto& x) -> auto& { return x.upload_wait_ms_per_token; }),
      of_result(
          "upload_hidden", [](auto& x) -> auto& { return x.upload_hidden; }),
      of_result(
          "submits_per_token", [](auto& x) -> auto& { return x.submits_per_token; }),
      of_result(
          "host_waits_per_token", [](auto& x) -> auto& { return x.host_waits_per_token; }),
      of_result(
          "prefetch_precision", [](auto& x) -> auto& { return x.prefetch_precision; }),
      of_result(
          "prediction_recall", [](auto& x) -> auto& { return x.prediction_recall; }),
      of_result(
          "vram", [](auto& x) -> auto& { return x.vram; }),
      of_result(
          "driver_vram", [](auto& x) -> auto& { return x.driver_vram; }),
      of_result(
          "n_cpu_moe", [](auto& x) -> auto& { return x.n_cpu_moe; }),
      of_result(
          "check", [](auto& x) -> auto& { return x.check; }),
  };
  return c;
}

std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
class CsvParser {
 public:
  CsvParser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  std::vector<std::vector<std::string>> records() {
    for (i_ = 0; i_ < text_.size(); ++i_) {
      const char c = text_[i_];
      if (quoted_) {
        quoted_char(c);
      } else if (c == '"') {
        quoted_ = started_ = true;
      } else if (c == ',') {
        end_field();
      } else if (c == '\n' || c == '\r') {
        end_record(c);
      } else {
        field_ += c;
        started_ = true;
      }
    }
    require(!quoted_, ErrorKind::InvalidArgument, source_ + ": a quoted CSV field is not closed");
    end_record('\n');
    return std::move(rows_);
  }

 private:
  void quoted_char(char c) {
    if (c != '"') {
      field_ += c;
    } else if (i_ + 1 < text_.size() && text_[i_ + 1] == '"') {
      field_ += '"';
      ++i_;
    } else {
      quoted_ = false;
    }
  }
  void end_field() {
    row_.push_back(std::move(field_));
    field_.clear();
    started_ = true;
  }
  void end_record(char c) {
    if (c == '\r' && i_ + 1 < text_.size() && text_[i_ + 1] == '\n') ++i_;
    if (started_) end_field();
    if (!row_.empty()) rows_.push_back(std::move(row_));
    row_.clear();
    started_ = false;
  }

  const std::string& text_;
  const std::string& source_;
  size_t i_ = 0;
  bool quoted_ = false, started_ = false;
  std::string field_;
  std::vector<std::string> row_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

std::string to_csv(const std::vector<BenchReport>& reports) {
  std::ostringstream out;
  for (size_t i = 0; i < columns().size(); ++i) out << (i ? "," : "") << columns()[i].name;
  out << "\n";
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results) {
      for (size_t i = 0; i < columns().size(); ++i)
        out << (i ? "," : "") << quote(columns()[i].get(r, x));
      out << "\n";
    }
  return out.str();
}

std::vector<BenchReport> reports_from_csv(const std::string& text, const std::string& source) {
  const auto records = CsvParser(text, source).records();
  require(!records.empty() && records[0].size() == columns().size() &&
              records[0][0] == columns()[0].name,
          ErrorKind::InvalidArgument,
          source + " is not a rotary bench CSV (write one with rotary bench --csv)");
  std::vector<size_t> at;  // column i of the table is field at[i] of a row
  for (const Column& c : columns()) {
    const auto it = std::find(records[0].begin(), records[0].end(), c.name);
    require(it != records[0].end(), ErrorKind::InvalidArgument,
            source + " has no column " + c.name);
    at.push_back(static_cast<size_t>(it - records[0].begin()));
  }
  std::vector<BenchReport> reports;
  std::map<std::string, size_t> index;  // identity -> report
  for (size_t n = 1; n < records.size(); ++n) {
    const auto& f = records[n];
    if (f == records[0]) continue;  // the header of a concatenated file
    const std::string row = source + ": row " + std::to_string(n + 1);
    require(f.size() == records[0].size(), ErrorKind::InvalidArgument,
            row + " has " + std::to_string(f.size()) + " fields, not " +
                std::to_string(records[0].size()));
    BenchReport r;
    BenchResult x;
    std::string id;
    for (size_t i = 0; i < columns().size(); ++i) {
      try {
        columns()[i].set(r, x, f[at[i]]);
      } catch (const Error& e) {
        throw Error(ErrorKind::InvalidArgument,
                    row + ", column " + columns()[i].name + ": " + e.what());
      }
      if (columns()[i].identity) id += f[at[i]] + '\n';
    }
    auto [it, fresh] = index.emplace(id, reports.size());
    if (fresh) reports.push_back(std::move(r));
    reports[it->second].results.push_back(std::move(x));
  }
  return reports;
}

}  // namespace rotary::bench

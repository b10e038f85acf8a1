// CSV form of bench reports: one row per result, every identity field repeated, so that files
// from several machines concatenate (after their header lines) into one comparison.
#include <map>
#include <sstream>

#include "base/error.h"
#include "bench/model/report.h"

namespace rotary::bench {

namespace {

const char* const kColumns[] = {"rotary_version",
                                "date",
                                "host_cpu",
                                "device",
                                "vendor",
                                "vendor_id",
                                "device_id",
                                "device_type",
                                "driver_name",
                                "driver_info",
                                "driver_version",
                                "api_version",
                                "model",
                                "arch",
                                "size_bytes",
                                "params",
                                "engine",
                                "backend",
                                "policy",
                                "budget",
                                "budget_bytes",
                                "test",
                                "repetitions",
                                "tps",
                                "tps_stddev",
                                "slots",
                                "all_experts",
                                "hit_rate",
                                "upload_bytes_per_token",
                                "vram",
                                "driver_vram",
                                "n_cpu_moe",
                                "check"};
constexpr size_t kColumnCount = sizeof kColumns / sizeof kColumns[0];

std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::vector<std::string> row_of(const BenchReport& r, const BenchResult& x) {
  const DeviceIdentity& d = r.device;
  return {r.rotary_version,
          r.date,
          r.host_cpu,
          d.name,
          d.vendor,
          std::to_string(d.vendor_id),
          std::to_string(d.device_id),
          d.type,
          d.driver_name,
          d.driver_info,
          std::to_string(d.driver_version),
          d.api_version,
          r.model.name,
          r.model.arch,
          std::to_string(r.model.size_bytes),
          std::to_string(r.model.params),
          x.engine,
          x.backend,
          x.policy,
          x.budget,
          std::to_string(x.budget_bytes),
          x.test.name(),
          std::to_string(x.tps.n),
          num(x.tps.mean),
          num(x.tps.stddev),
          std::to_string(x.slots),
          std::to_string(x.all_experts),
          x.hit_rate < 0 ? "" : num(x.hit_rate),
          num(x.upload_bytes_per_token),
          std::to_string(x.vram),
          std::to_string(x.driver_vram),
          x.n_cpu_moe < 0 ? "" : std::to_string(x.n_cpu_moe),
          x.check};
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

double to_double(const std::string& s, const std::string& source) {
  if (s.empty()) return 0;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == s.size(), ErrorKind::InvalidArgument, source + ": '" + s + "' is not a number");
  return v;
}

}  // namespace

std::string to_csv(const std::vector<BenchReport>& reports) {
  std::ostringstream out;
  for (size_t i = 0; i < kColumnCount; ++i) out << (i ? "," : "") << kColumns[i];
  out << "\n";
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results) {
      const auto row = row_of(r, x);
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << quote(row[i]);
      out << "\n";
    }
  return out.str();
}

std::vector<BenchReport> reports_from_csv(const std::string& text, const std::string& source) {
  const auto records = CsvParser(text, source).records();
  require(!records.empty() && records[0].size() == kColumnCount && records[0][0] == kColumns[0],
          ErrorKind::InvalidArgument,
          source + " is not a rotary bench CSV (write one with rotary bench --csv)");
  std::vector<BenchReport> reports;
  std::map<std::string, size_t> index;  // identity -> report
  for (size_t n = 1; n < records.size(); ++n) {
    const auto& f = records[n];
    if (f == records[0]) continue;  // the header of a concatenated file
    require(f.size() == kColumnCount, ErrorKind::InvalidArgument,
            source + ": row " + std::to_string(n + 1) + " has " + std::to_string(f.size()) +
                " fields, not " + std::to_string(kColumnCount));
    const auto d = [&](size_t i) { return to_double(f[i], source); };
    const std::string id = f[0] + '\n' + f[1] + '\n' + f[3] + '\n' + f[9] + '\n' + f[12];
    auto [it, fresh] = index.emplace(id, reports.size());
    if (fresh) {
      BenchReport r;
      r.rotary_version = f[0];
      r.date = f[1];
      r.host_cpu = f[2];
      r.device = {f[3],
                  f[4],
                  static_cast<uint32_t>(d(5)),
                  static_cast<uint32_t>(d(6)),
                  f[7],
                  f[8],
                  f[9],
                  static_cast<uint32_t>(d(10)),
                  f[11],
                  0,
                  false};
      r.model.name = f[12];
      r.model.arch = f[13];
      r.model.size_bytes = static_cast<uint64_t>(d(14));
      r.model.params = static_cast<uint64_t>(d(15));
      reports.push_back(std::move(r));
    }
    BenchResult x;
    x.engine = f[16];
    x.backend = f[17];
    x.policy = f[18];
    x.budget = f[19];
    x.budget_bytes = static_cast<uint64_t>(d(20));
    x.test = parse_test_name(f[21]);
    x.tps = {d(23), d(24), static_cast<uint32_t>(d(22))};
    x.slots = static_cast<uint32_t>(d(25));
    x.all_experts = static_cast<uint32_t>(d(26));
    x.hit_rate = f[27].empty() ? -1 : d(27);
    x.upload_bytes_per_token = d(28);
    x.vram = static_cast<uint64_t>(d(29));
    x.driver_vram = static_cast<uint64_t>(d(30));
    x.n_cpu_moe = f[31].empty() ? -1 : static_cast<int32_t>(d(31));
    x.check = f[32];
    reports[it->second].results.push_back(std::move(x));
  }
  return reports;
}

}  // namespace rotary::bench

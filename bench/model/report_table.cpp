// The aligned tables `rotary bench` prints (llama-bench's markdown layout).
#include <algorithm>
#include <cstdio>

#include "base/units.h"
#include "bench/model/report.h"

namespace rotary::bench {

namespace {

// Display width: UTF-8 continuation bytes take no column ("±").
size_t display_width(const std::string& s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

class TextTable {
 public:
  // A column whose name starts with '>' is right-aligned (numbers).
  explicit TextTable(std::vector<std::string> columns) {
    for (std::string& c : columns) {
      right_.push_back(!c.empty() && c[0] == '>');
      if (right_.back()) c.erase(0, 1);
      width_.push_back(display_width(c));
    }
    rows_.push_back(std::move(columns));
  }
  void add(std::vector<std::string> row) {
    row.resize(width_.size());
    for (std::string& cell : row) std::replace(cell.begin(), cell.end(), '\n', ' ');
    for (size_t i = 0; i < row.size(); ++i) width_[i] = std::max(width_[i], display_width(row[i]));
    rows_.push_back(std::move(row));
  }
  std::string str() const {
    std::string out;
    for (size_t r = 0; r < rows_.size(); ++r) {
      line(out, rows_[r]);
      if (r == 0) {
        std::vector<std::string> rule;
        for (size_t i = 0; i < width_.size(); ++i)
          rule.push_back(std::string(width_[i] - (right_[i] ? 1 : 0), '-') +
                         (right_[i] ? ":" : ""));
        line(out, rule);
      }
    }
    return out;
  }
  size_t rows() const { return rows_.size() - 1; }

 private:
  void line(std::string& out, const std::vector<std::string>& row) const {
    out += "|";
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width_[i] - display_width(row[i]), ' ');
      out += " " + (right_[i] ? pad + row[i] : row[i] + pad) + " |";
    }
    out += "\n";
  }
  std::vector<bool> right_;
  std::vector<size_t> width_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string rate(const Summary& s) {
  return s.n > 1 ? fmt("%.2f", s.mean) + " ± " + fmt("%.2f", s.stddev) : fmt("%.2f", s.mean);
}

std::string budget_text(const BenchResult& r) {
  if (r.budget.empty()) return "-";
  const bool written_in_bytes = r.budget != "device" && r.budget.back() != '%';
  if (r.budget_bytes == 0 || written_in_bytes) return r.budget;
  return r.budget + " (" + format_bytes(r.budget_bytes) + ")";
}

std::string hit_text(const BenchResult& r) {
  if (r.hit_rate < 0) return "-";
  return fmt("%.1f%%", 100 * r.hit_rate) + " (" + std::to_string(r.slots) + "/" +
         std::to_string(r.all_experts) + ")";
}

std::string vram_text(const BenchResult& r) {
  if (r.vram == 0) return "-";
  std::string s = format_bytes(r.vram);
  if (r.driver_vram) s += " (driver " + format_bytes(r.driver_vram) + ")";
  return s;
}

}  // namespace

std::string to_table(const std::vector<BenchReport>& reports) {
  TextTable t({"model", ">size", ">params", "device", "driver", "engine", ">budget", "test", ">t/s",
               ">expert hits", ">VRAM", "check"});
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results)
      t.add({r.model.name, format_bytes(r.model.size_bytes), format_params(r.model.params),
             r.device.name, r.device.driver_info, x.label(), budget_text(x), x.test.name(),
             rate(x.tps), hit_text(x), vram_text(x), x.check});
  return t.str();
}

std::string ratio_table(const BenchReport& r) {
  TextTable t({"test", ">budget", "rotary", ">t/s", "llama.cpp", ">t/s", ">rotary / llama.cpp"});
  for (const BenchResult& x : r.results) {
    if (x.engine != "rotary") continue;
    for (const char* backend : {"vulkan", "cpu"})
      for (const BenchResult& y : r.results) {
        if (y.engine != "llama.cpp" || y.backend != backend || !(y.test == x.test)) continue;
        if (y.backend == "vulkan" && y.budget != x.budget) continue;
        if (y.tps.mean <= 0) continue;
        t.add({x.test.name(), budget_text(x), x.label(), fmt("%.2f", x.tps.mean), y.label(),
               fmt("%.2f", y.tps.mean), fmt("%.3g", x.tps.mean / y.tps.mean)});
      }
  }
  return t.rows() ? t.str() : std::string();
}

std::string simulation_table(const BenchReport& r) {
  if (r.simulations.empty()) return {};
  TextTable t({"PROJECTION: device (simulated)", ">budget", "residency", ">hit rate", ">t/s", ">ms/token",
               ">kernels", ">exposed uploads", ">host gaps", ">CPU work", ">uploads MB", ">submits", ">waits",
               ">dispatches", ">barriers", "note"});
  for (const SimulationResult& s : r.simulations) {
    const std::string name = "PROJECTION " + s.device_name;
    if (!s.note.empty()) {
      t.add({name, format_bytes(s.budget), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", s.note});
      continue;
    }
    t.add({name, format_bytes(s.budget), s.residency + (s.slots ? ", " + std::to_string(s.slots) + " slots" : ""),
           fmt("%.1f%%", 100 * s.hit_rate), fmt("%.1f", s.tps), fmt("%.2f", s.ms), fmt("%.2f", s.kernel_ms),
           fmt("%.2f", s.upload_wait_ms), fmt("%.2f", s.host_gap_ms), fmt("%.2f", s.cpu_work_ms),
           fmt("%.1f", s.upload_mb), fmt("%.1f", s.submits), fmt("%.1f", s.host_waits), fmt("%.0f", s.dispatches),
           fmt("%.0f", s.barriers)});
  }
  std::string out = t.str();
  out += "PROJECTION: times per decoded token from replaying rotary's recorded decode schedule on each device model "
         "(bench/model/device_models.cpp; kernel efficiency " +
         fmt("%.2f", r.simulations.front().kernel_efficiency) + "); not a measurement\n";
  if (!r.simulation_method.empty()) out += "PROJECTION: schedule: " + r.simulation_method + "\n";
  return out;
}

std::string simulation_csv(const BenchReport& r) {
  if (r.simulations.empty()) return {};
  std::string out =
      "kind,device,budget,residency,slots,hit_rate,kernel_efficiency,steps,tps,ms_per_token,kernel_ms,"
      "upload_wait_ms,host_gap_ms,cpu_work_ms,upload_busy_ms,submits_per_token,host_waits_per_token,"
      "command_buffers_per_token,dispatches_per_token,barriers_per_token,upload_mb_per_token,note\n";
  for (const SimulationResult& s : r.simulations) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "PROJECTION,%s,%llu,%s,%u,%.4f,%.2f,%llu,%.2f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.2f,%.2f,%.2f,%.1f,%.1f,"
                  "%.2f,",
                  s.device.c_str(), static_cast<unsigned long long>(s.budget), s.residency.c_str(), s.slots,
                  s.hit_rate, s.kernel_efficiency, static_cast<unsigned long long>(s.steps), s.tps, s.ms, s.kernel_ms,
                  s.upload_wait_ms, s.host_gap_ms, s.cpu_work_ms, s.upload_busy_ms, s.submits, s.host_waits,
                  s.command_buffers, s.dispatches, s.barriers, s.upload_mb);
    std::string note = s.note;
    std::replace(note.begin(), note.end(), ',', ';');
    out += buf + note + "\n";
  }
  return out;
}

}  // namespace rotary::bench

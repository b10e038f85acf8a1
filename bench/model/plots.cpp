#include "bench/model/plots.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "base/error.h"
#include "bench/model/subprocess.h"

namespace rotary::bench {

namespace {

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

// Series label: the engine without its per-budget detail (llama.cpp's --n-cpu-moe varies along a
// budget sweep), with the device when several devices are plotted.
std::string series_name(const BenchReport& r, const BenchResult& x, bool many_devices) {
  std::string name = x.engine == "rotary" ? "rotary " + x.policy : x.engine + " " + x.backend;
  return many_devices ? r.device.name + ": " + name : name;
}

bool many_devices(const std::vector<BenchReport>& reports) {
  std::set<std::string> names;
  for (const BenchReport& r : reports) names.insert(r.device.name + r.device.driver_info);
  return names.size() > 1;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  require(f.good(), ErrorKind::Io, "cannot write " + path.string());
}

std::string terminal_header(const std::string& title, const std::string& ylabel, bool log_y) {
  std::string s = "set termoption noenhanced\nset title " + quoted(title) + "\nset ylabel " +
                  quoted(ylabel) + "\n";
  s += "set grid\nset key below\nset offsets graph 0.04, graph 0.04, graph 0.05, 0\n";
  if (log_y) s += "set logscale y\n";
  return s;
}

struct Point {
  double x, y, err;
};

// The y values plotted: a log scale when they span more than 50x (llama.cpp's CPU backend beside
// lavapipe).
struct YRange {
  double lo = 1e300, hi = 0;
  void add(double y) {
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  bool log_scale() const { return lo > 0 && hi / lo > 50; }
};

// Where a result sits on the budget axis: its budget, or the VRAM it used when that was less (a
// budget of "device" on a small model would otherwise squeeze every other point into a corner).
uint64_t budget_axis(const BenchResult& x) {
  return x.vram > 0 ? std::min(x.budget_bytes, x.vram) : x.budget_bytes;
}

// tok/s against budget for one test; "" when the results hold fewer than two budgets.
std::string budget_script(const std::vector<BenchReport>& reports, const TestSpec& test,
                          const std::string& stem, std::string& data) {
  const bool many = many_devices(reports);
  std::map<std::string, std::vector<Point>> series;
  std::map<std::string, Point> flat;  // llama.cpp cpu: no budget
  std::set<uint64_t> budgets;
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results) {
      if (!(x.test == test) || x.tps.n == 0) continue;
      if (x.budget_bytes == 0) {
        flat[series_name(r, x, many)] = {0, x.tps.mean, x.tps.stddev};
        continue;
      }
      budgets.insert(x.budget_bytes);
      series[series_name(r, x, many)].push_back(
          {static_cast<double>(budget_axis(x)), x.tps.mean, x.tps.stddev});
    }
  if (budgets.size() < 2) return "";
  double lo = 1e300, hi = 0;  // bytes on the axis
  for (const auto& [name, pts] : series)
    for (const Point& p : pts) {
      lo = std::min(lo, p.x);
      hi = std::max(hi, p.x);
    }
  const double unit = hi >= 4.0 * 1073741824.0 ? 1073741824.0 : 1048576.0;
  std::string plot;
  size_t index = 0;
  auto add = [&](const std::string& name, std::vector<Point> pts, const char* style) {
    std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
    for (const Point& p : pts)
      data += std::to_string(p.x / unit) + " " + std::to_string(p.y) + " " + std::to_string(p.err) +
              "\n";
    data += "\n\n";
    plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + quoted(stem + ".dat") +
            " index " + std::to_string(index++) + " using 1:2:3 with " + style + " title " +
            quoted(name);
  };
  for (auto& [name, pts] : series) add(name, pts, "yerrorlines pointtype 7");
  for (auto& [name, p] : flat)
    add(name + " (no VRAM)", {{lo, p.y, p.err}, {hi, p.y, p.err}}, "lines dashtype 2");
  YRange y;
  for (auto& [n, pts] : series)
    for (const Point& p : pts) y.add(p.y);
  for (auto& [n, p] : flat) y.add(p.y);
  const std::string where = many ? "" : " on " + reports.front().device.name;
  std::string s =
      terminal_header(test.name() + where + ": tokens per second against the VRAM budget",
                      "tokens/s", y.log_scale());
  s += "set xlabel " +
       quoted(std::string("VRAM budget (") + (unit > 1048576.0 ? "GiB" : "MiB") +
              "; the VRAM used where a run needed less)") +
       "\n";
  s += "set yrange [" + std::string(y.log_scale() ? "*" : "0") + ":*]\n";
  return s + plot + "\n";
}

// Every test side by side, one bar per device and engine at its largest budget.
std::string devices_script(const std::vector<BenchReport>& reports, const std::string& stem,
                           std::string& data) {
  const bool many = true;
  std::vector<std::string> tests, names;
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, double>>
      value;  // (test, series) -> budget, t/s
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results) {
      if (x.tps.n == 0) continue;
      const std::string test = x.test.name(), name = series_name(r, x, many);
      if (std::find(tests.begin(), tests.end(), test) == tests.end()) tests.push_back(test);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      auto& v = value[{test, name}];
      if (v.second == 0 || x.budget_bytes >= v.first) v = {x.budget_bytes, x.tps.mean};
    }
  if (tests.empty()) return "";
  data = "test";
  for (const std::string& n : names) data += " " + quoted(n);
  data += "\n";
  YRange range;
  for (const std::string& t : tests) {
    data += quoted(t);
    for (const std::string& n : names) {
      const auto it = value.find({t, n});
      const double y = it == value.end() ? NAN : it->second.second;
      data += it == value.end() ? " NaN" : " " + std::to_string(y);
      if (it != value.end()) range.add(y);
    }
    data += "\n";
  }
  const bool log_y = range.log_scale();
  std::string s = terminal_header("tokens per second by test, device and engine (largest budget)",
                                  "tokens/s", log_y);
  s += "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 "
       "border -1\n";
  s += "set boxwidth 0.9\nset xtics nomirror\nset offsets 0, 0, 0, 0\n" +
       std::string(log_y ? "" : "set yrange [0:*]\n");
  s += "plot for [i=2:" + std::to_string(names.size() + 1) + "] " + quoted(stem + ".dat") +
       " using i:xtic(1) title columnheader(i)\n";
  return s;
}

}  // namespace

PlotOutput write_plots(const std::vector<BenchReport>& reports, const std::filesystem::path& dir) {
  PlotOutput out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  require(!ec, ErrorKind::Io, "cannot create " + dir.string() + ": " + ec.message());
  std::vector<std::pair<std::string, std::string>> plots;  // stem, script body
  std::vector<TestSpec> tests;
  for (const BenchReport& r : reports)
    for (const BenchResult& x : r.results)
      if (std::find(tests.begin(), tests.end(), x.test) == tests.end()) tests.push_back(x.test);
  for (const TestSpec& t : tests) {
    std::string stem = "budget-" + t.name(), data;
    std::replace(stem.begin(), stem.end(), ' ', '_');
    std::erase(stem, '@');
    const std::string script = budget_script(reports, t, stem, data);
    if (script.empty()) continue;
    write_file(dir / (stem + ".dat"), data);
    plots.emplace_back(stem, script);
  }
  std::string data;
  if (const std::string script = devices_script(reports, "devices", data); !script.empty()) {
    write_file(dir / "devices.dat", data);
    plots.emplace_back("devices", script);
  }
  const std::string gnuplot = find_in_path("gnuplot");
  for (const auto& [stem, body] : plots) {
    const std::string script = "set terminal pngcairo size 1100,600 noenhanced\nset output " +
                               quoted(stem + ".png") + "\n" + body +
                               "set terminal svg size 1100,600 noenhanced\n" + "set output " +
                               quoted(stem + ".svg") + "\nreplot\n";
    write_file(dir / (stem + ".gp"), script);
    out.scripts.push_back(dir / (stem + ".gp"));
    if (gnuplot.empty()) continue;
    const ProcessResult r = run_process({gnuplot, stem + ".gp"}, {}, dir.string());
    if (r.exit_code != 0) {
      out.message += "gnuplot failed on " + (dir / (stem + ".gp")).string() + ": " + r.err;
      continue;
    }
    out.images.push_back(dir / (stem + ".png"));
    out.images.push_back(dir / (stem + ".svg"));
  }
  if (gnuplot.empty() && !plots.empty())
    out.message =
        "gnuplot is not installed, so no images were drawn (scripts/setup.sh --plots installs it; "
        "Debian: apt-get install gnuplot-nox); the data and scripts are in " +
        dir.string();
  return out;
}

}  // namespace rotary::bench

// `rotary bench`'s helpers around other programs: running a process, and plots with and without
// gnuplot (a missing gnuplot is a message, never a failed benchmark).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bench/model/plots.h"
#include "bench/model/subprocess.h"
#include "tests/support/check_error.h"

namespace rotary::bench {

namespace {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* name)
      : path(std::filesystem::temp_directory_path() /
             ("rotary-bench-" + std::string(name) + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

BenchReport sweep_report() {
  BenchReport r;
  r.device.name = "llvmpipe (LLVM 15.0.6, 256 bits)";
  const uint64_t budgets[] = {3u << 20, 4u << 20, 6u << 20};
  const double tps[] = {20, 30, 38};
  for (int i = 0; i < 3; ++i) {
    BenchResult x;
    x.policy = "lru";
    x.budget = std::to_string(budgets[i] >> 20) + "M";
    x.budget_bytes = budgets[i];
    x.test = {TestKind::Generate, 16, 0};
    x.tps = {tps[i], 1.5, 3};
    r.results.push_back(x);
  }
  BenchResult cpu;
  cpu.engine = "llama.cpp";
  cpu.backend = "cpu";
  cpu.test = {TestKind::Generate, 16, 0};
  cpu.tps = {25, 0.5, 3};
  r.results.push_back(cpu);
  return r;
}

struct PathOverride {
  std::string saved;
  explicit PathOverride(const std::string& path)
      : saved(std::getenv("PATH") ? std::getenv("PATH") : "") {
    setenv("PATH", path.c_str(), 1);
  }
  ~PathOverride() { setenv("PATH", saved.c_str(), 1); }
};

}  // namespace

TEST_CASE("bench subprocess: output, error stream, exit code, environment and folder") {
  const ProcessResult r =
      run_process({"sh", "-c", "echo out; echo err >&2; echo \"$ROTARY_X\"; pwd; exit 3"},
                  {{"ROTARY_X", "seven"}}, "/");
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\nseven\n/\n");
  CHECK(r.err == "err\n");
  CHECK(!find_in_path("sh").empty());
  CHECK(find_in_path("no-such-program-rotary").empty());
  CHECK_ROTARY_ERROR(run_process({"no-such-program-rotary"}), ErrorKind::Io, "not found");
}

TEST_CASE(
    "bench plots: without gnuplot the data and scripts are written and a message says how to "
    "draw") {
  const TempDir tmp("no-gnuplot");
  const auto& dir = tmp.path;
  PlotOutput out;
  {
    PathOverride none(dir.string());  // a PATH where no gnuplot can be found
    out = write_plots({sweep_report()}, dir);
  }
  CHECK(out.images.empty());
  CHECK(out.message.find("gnuplot is not installed") != std::string::npos);
  CHECK(out.message.find("scripts/setup.sh --plots") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "budget-tg16.gp"));
  CHECK(std::filesystem::exists(dir / "devices.gp"));
  // The sweep's data: budgets in MiB, sorted, with the stddev; then llama.cpp cpu as a flat line.
  std::ifstream f(dir / "budget-tg16.dat");
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(data.find("3.000000 20.000000 1.500000\n4.000000 30.000000") == 0);
  CHECK(data.find("\n\n\n3.000000 25.000000 0.500000\n6.000000 25.000000") != std::string::npos);
}

TEST_CASE("bench plots: with gnuplot, PNG and SVG images") {
  if (find_in_path("gnuplot").empty()) {
    MESSAGE("gnuplot is not installed (scripts/setup.sh --plots): nothing to draw with");
    return;
  }
  const TempDir tmp("gnuplot");
  const auto& dir = tmp.path;
  const PlotOutput out = write_plots({sweep_report()}, dir);
  CHECK(out.message.empty());
  CHECK(out.images.size() == 4);
  for (const auto& image : out.images) CHECK(std::filesystem::file_size(image) > 1000);
}

}  // namespace rotary::bench

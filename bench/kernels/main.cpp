// rotary-bench-kernels: microbenchmarks of rotary's compute kernels. Every case checks its result
// against the CPU reference once, then times it; bandwidths are reported beside the device's copy
// bandwidth measured in the same run. See docs/benchmarks.md.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"
#include "bench/kernels/harness.h"

namespace {

struct Suite {
  const char* name;
  void (*run)(rotary::bench::Bench&);
};

// Add a suite here (and its source in CMakeLists.txt).
constexpr Suite kSuites[] = {
    {"copy", rotary::bench::run_copy},
    {"matvec", rotary::bench::run_matvec},
    {"matvec-paths", rotary::bench::run_matvec_paths},
    {"matmul", rotary::bench::run_matmul},
    {"attention", rotary::bench::run_attention},
};

void usage() {
  std::printf(
      "usage: rotary-bench-kernels [--quick] [--reps N] [--filter TEXT] [--suite NAME] [--device "
      "I] [--json]\n"
      "  --quick        short runs (lavapipe): fewer shapes and 3 repetitions\n"
      "  --filter TEXT  only cases whose \"suite case\" name contains TEXT, e.g. \"matvec q4_K\"\n"
      "  --suite NAME   only this suite:");
  for (const Suite& s : kSuites) std::printf(" %s", s.name);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  rotary::bench::Options opt;
  std::string suite;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--quick")
      opt.quick = true;
    else if (a == "--json")
      opt.json = true;
    else if (a == "--reps" && has_value)
      opt.reps = std::atoi(argv[++i]);
    else if (a == "--filter" && has_value)
      opt.filter = argv[++i];
    else if (a == "--suite" && has_value)
      suite = argv[++i];
    else if (a == "--device" && has_value)
      opt.device = std::atoi(argv[++i]);
    else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  try {
    rotary::bench::Bench bench(opt);
    const auto& caps = bench.gpu().caps();
    if (!opt.json)
      std::printf("device: %s (%s %s), timing: %s, %d repetitions\n", caps.name.c_str(),
                  caps.driver_name.c_str(), caps.driver_info.c_str(), bench.timer_name(),
                  bench.reps());
    for (const Suite& s : kSuites)
      if (suite.empty() || suite == s.name) s.run(bench);
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return rotary::exit_code(e.kind());
  }
  return 0;
}

#pragma once
// Plots drawn by gnuplot (Debian's gnuplot-nox; scripts/setup.sh --plots installs it): for each
// test, tok/s against the VRAM budget, one line per device and engine (rotary per policy,
// llama.cpp); and the tests side by side, one bar per device and engine (at each one's largest
// budget), for results merged from several machines. The data (.dat) and script (.gp) are written
// even without gnuplot, so the plots can be drawn elsewhere.
#include <filesystem>
#include <string>
#include <vector>

#include "bench/model/report.h"

namespace rotary::bench {

struct PlotOutput {
  std::vector<std::filesystem::path> images;   // PNG and SVG drawn
  std::vector<std::filesystem::path> scripts;  // .gp written
  std::string message;  // what went wrong (gnuplot missing or failing), "" when all was drawn
};

PlotOutput write_plots(const std::vector<BenchReport>& reports, const std::filesystem::path& dir);

}  // namespace rotary::bench

#pragma once
// Runs another program (rotary-oracle, gnuplot) and collects what it printed.
#include <string>
#include <utility>
#include <vector>

namespace rotary::bench {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out, err;
};

// Runs argv[0] (a path, or a name looked up in PATH) with `env` added to this process's
// environment, in the folder `cwd` ("" for this process's). Error(Io) when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env = {},
                          const std::string& cwd = "");

// The full path of `name` in PATH, or "" when it is not there.
std::string find_in_path(const std::string& name);

}  // namespace rotary::bench

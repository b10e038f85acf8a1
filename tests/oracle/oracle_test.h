#pragma once
// For the doctest suites that compare against llama.cpp: where rotary-oracle is, running it as a
// subprocess (read its .npy output with base/npy.h). The oracle suite's main() refuses to run
// (exit 1) when rotary-oracle is missing: an oracle test never passes without the oracle.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/npy.h"

namespace rotary::test {

// The rotary-oracle executable of this build (CMake passes its path).
std::string oracle_exe();
// Whether rotary-oracle-vulkan was built next to it (it always is when the oracle is configured).
bool oracle_has_vulkan();

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
};

// Runs `exe` with `args` (no shell), capturing stdout and stderr.
ProcessResult run_process(const std::string& exe, const std::vector<std::string>& args);
// Runs rotary-oracle; throws rotary::Error with its stderr when it exits non-zero.
std::string run_oracle(const std::vector<std::string>& args);

// The ggml type names of the tensors of a GGUF file (as `rotary info` writes them: "iq2_xs"),
// each once: for tests that must know llama.cpp's quantiser wrote the types they asked for.
std::set<std::string> tensor_type_names(const std::string& path);
// The type name of tensor `name` of a GGUF file; "" when the file has no such tensor.
std::string tensor_type_name(const std::string& path, const std::string& name);

// Token ids as rotary-oracle prints them ("1,2,3", blank items such as a final newline skipped).
std::vector<int32_t> parse_ids(const std::string& text);
// The inverse, for --tokens arguments.
std::string join_ids(const std::vector<int32_t>& ids);
// The largest absolute difference of two logit arrays of the same shape (a test failure otherwise).
double max_abs_diff(const NpyArray& a, const NpyArray& b);
// The smallest gap between the two best logits of rows first_row.. of `a`: a gap below the
// tolerance would let two correct implementations pick different tokens (oracle.md).
double min_top2_gap(const NpyArray& a, uint64_t first_row);

// A fresh empty folder under the build tree's temporary directory, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace rotary::test

#pragma once
// One op call as the debug mode (--check-ops) sees it: what the CPU reference reads, what the op
// writes, and how to compare the two. runtime/check/op_checks.h builds one per op kind from the
// op's own arguments; OpChecker downloads the views and runs `compare`.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "runtime/vk/memory.h"

namespace rotary::check {

using Bytes = std::vector<std::byte>;

// What the checker hands to an op's comparison, in the order the op listed the views.
struct OpData {
  std::vector<std::span<const std::byte>>
      weights;                 // the model file's bytes when known, else the GPU's
  std::vector<Bytes> inputs;   // snapshots taken before the op recorded
  std::vector<Bytes> more;     // the second round (see CheckedOp::more)
  std::vector<Bytes> outputs;  // after the op ran
};

// The outcome of comparing one op's outputs with its reference: the element with the largest
// error relative to its tolerance, and the largest absolute error.
struct Verdict {
  bool ok = true;
  std::string output;  // which output ("y", "ids", ...)
  uint64_t index = 0;  // of the worst element
  double got = 0, want = 0;
  double tolerance = 0;    // at the worst element
  double max_error = 0;    // max |got - want| over every output compared
  double worst_ratio = 0;  // max |got - want| / tolerance
};

struct CheckedOp {
  std::string name;   // the op, as runtime/ops names it: "matvec", "rms_norm", ...
  std::string shape;  // its shape and types, for the report
  // Dense weights: the checker substitutes the model file's bytes for views the model registered
  // (so a weight corrupted on the GPU is caught), and downloads any other.
  std::vector<vk::BufferView> weights;
  std::vector<vk::BufferView> inputs;   // downloaded before the op records (it may overwrite them)
  std::vector<vk::BufferView> outputs;  // downloaded after it ran
  // Optional second round of inputs found through the first (an expert's matrices, through the
  // slot table; the embedding rows of the token ids): downloaded before the op records.
  std::function<std::vector<vk::BufferView>(const OpData&)> more;
  std::function<Verdict(const OpData&)> compare;
  // Tests (CheckOptions::perturb_op): the byte offset in outputs[0] of an element the op surely
  // writes (the grouped expert ops write only their entries' rows); empty: 0.
  std::function<uint64_t(const OpData&)> first_written;
};

// Helpers for the comparisons.
template <typename T>
std::span<const T> as(const Bytes& b) {
  return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
}
template <typename T>
std::span<const T> as(std::span<const std::byte> b) {
  return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
}
// The first `bytes` of a view (ops may be given views larger than they use).
vk::BufferView prefix(const vk::BufferView& view, uint64_t bytes);

// |got[i] - want[i]| <= tol[i] for every i (NaN fails).
Verdict compare(const char* output, std::span<const float> got, std::span<const float> want,
                std::span<const float> tol);
// |got[i] - want[i]| <= abs + rel * |want[i]|.
Verdict compare(const char* output, std::span<const float> got, std::span<const float> want,
                double abs, double rel);
// Bit for bit (for ops whose GPU arithmetic is the reference's: copies, adds, fixed-order sums).
Verdict exact(const char* output, std::span<const float> got, std::span<const float> want);
Verdict exact(const char* output, std::span<const uint32_t> got, std::span<const uint32_t> want);
// The worse of two verdicts (the larger error ratio), max_error combined.
Verdict worse(Verdict a, const Verdict& b);

}  // namespace rotary::check

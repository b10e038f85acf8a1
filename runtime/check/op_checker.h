#pragma once
// The debug mode that checks every op against its CPU reference (runtime/reference/) while a
// model runs, and stops at the first that diverges beyond its tolerance, naming it: `rotary run
// --check-ops`, ModelOptions::check. Slow by design: around every op it submits what is recorded
// so far, waits, and downloads the op's inputs (before) and outputs (after), so that an op that
// overwrites its input (in place) is judged on what it read.
//
// Set on the compute stream (CommandStream::set_checker), it reaches every op through the
// recorder (Recorder::checker); each op opens an OpScope (op_scope.h) with a description of
// itself (op_checks.h). Dense weights are compared against the model file's bytes, not the GPU's
// copy, so a weight buffer that differs from the file shows up as a diverging op.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "runtime/check/checked_op.h"
#include "runtime/vk/context.h"

namespace rotary::check {

struct CheckOptions {
  bool enabled = false;  // --check-ops
  // Tests only: overwrite the first output element of the first op named `perturb_op` whose
  // label starts with `perturb_label`, on the GPU, after it ran and before it is checked, so
  // that a test can see the checker name a diverging op.
  std::string perturb_op, perturb_label;
};

class OpChecker {
 public:
  OpChecker(vk::GpuContext& gpu, const CheckOptions& options);
  OpChecker(const OpChecker&) = delete;
  OpChecker& operator=(const OpChecker&) = delete;

  // A dense weight in VRAM and its bytes in the model file (which must outlive the checker).
  void add_weight(const vk::BufferView& gpu, std::span<const std::byte> file_bytes,
                  std::string name);
  // Where the model is ("layer 3, positions 8-15"): part of every report; op counts restart.
  void set_label(std::string label);

  void before(vk::Recorder& rec, const CheckedOp& op);
  // Throws Error(Internal) naming the op when it diverged from its reference.
  void after(vk::Recorder& rec, const CheckedOp& op);
  // The op threw between before() and after().
  void abandon() noexcept;

  uint64_t ops_checked() const { return checked_; }

 private:
  struct Weight {
    uint64_t size;
    std::span<const std::byte> bytes;
    std::string name;
  };
  struct Pending {
    OpData data;
    std::vector<std::string> weight_names;
    std::vector<Bytes> weight_copies;  // the downloaded weights data.weights points into
    uint32_t occurrence = 0;           // 1: the first call of this op under the label
  };
  const Weight* find_weight(const vk::BufferView& view, uint64_t& skip) const;
  std::vector<Bytes> download(vk::Recorder& rec, const std::vector<vk::BufferView>& views);
  void submit_and_wait(vk::Recorder& rec);
  void maybe_perturb(vk::Recorder& rec, const CheckedOp& op, const OpData& inputs);
  std::string report(const CheckedOp& op, const Pending& p, const Verdict& v) const;

  vk::GpuContext& gpu_;
  CheckOptions options_;
  bool perturbed_ = false;
  vk::Buffer readback_;
  std::map<VkBuffer, std::map<uint64_t, Weight>> weights_;  // by buffer, then start offset
  std::vector<Pending> pending_;                            // a stack: an op may call another op
  std::string label_;
  std::map<std::string, uint32_t> counts_;  // calls of each op under the current label
  uint64_t checked_ = 0;
};

}  // namespace rotary::check

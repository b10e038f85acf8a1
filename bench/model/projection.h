#pragma once
// Projections: what a model would do on a device nobody here has measured, from quantities that
// were measured (the expert hit rate, the bytes each token reads, the kernels' efficiency) and the
// target's published bandwidths, with the model of shared/reference/performance.md ("the
// physical limit", step 7):
//
//   t(token) = (dense + routed expert bytes per token) / (memory bandwidth x kernel efficiency)
//            + (1 - hit rate) x routed expert bytes per token / link bandwidth x (1 - hidden)
//
// where `hidden` is the fraction of upload time that overlaps compute (0 in performance.md's
// arithmetic). On a unified-memory device rotary reads the experts in place by default
// (--residency auto): there is no upload term at all. With --residency copy an expert "upload"
// there is a copy within the same memory, which reads and writes it: its link bandwidth is half
// the memory bandwidth. Always labelled a projection, never a measurement.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/residency/cache_policy.h"
#include "runtime/residency/routing_trace.h"

namespace rotary::bench {

struct TargetDevice {
  std::string key;         // as --project takes it: "rtx4060-laptop"
  std::string name;        // "RTX 4060 Laptop (8 GB GDDR6, PCIe 4.0 x8)"
  double memory_gbps = 0;  // published VRAM (or unified memory) bandwidth, GB/s
  double link_gbps = 0;    // host-to-VRAM bandwidth for expert uploads, GB/s (unified: memory / 2)
  bool unified = false;
  uint64_t budget = 0;       // VRAM the projection gives rotary, bytes
  uint64_t host_memory = 0;  // system memory, which holds the model file (and, unified, the VRAM)
  std::string source;        // where the figures come from
};

// RTX 4060 Laptop, Radeon 780M, Steam Deck, Arc 140T iGPU (performance.md's figures).
const std::vector<TargetDevice>& known_targets();
// "all" or a comma-separated list of keys; Error(InvalidArgument) naming the known keys.
std::vector<TargetDevice> find_targets(std::string_view keys);

// What one token reads, from the model file.
struct ModelTraffic {
  double dense_bytes = 0;   // every dense tensor read once (one row of the embedding)
  double expert_bytes = 0;  // layers x experts used x the average expert's bytes
  double expert_bytes_avg = 0;
  uint32_t all_experts = 0;  // layers x experts
};

struct TensorBytes {
  std::string name;
  uint64_t bytes = 0;
  uint64_t rows = 1;  // the outermost dimensions' product: token_embd reads one of them per token
};
// From the tensors of a file (or of a synth plan): routed experts are the *_exps tensors of the
// first `layers` blocks (MTP blocks are not run), the head is output.weight or, when absent, the
// tied token_embd.
ModelTraffic model_traffic(const std::vector<TensorBytes>& tensors, uint32_t layers,
                           uint32_t experts, uint32_t experts_used);

struct ProjectionInputs {
  double hit_rate = 0;
  std::string hit_rate_source;
  double kernel_efficiency = 1;  // achieved fraction of the memory bandwidth
  std::string efficiency_source;
  double hidden_upload = 0;  // fraction of upload time hidden behind compute
  uint32_t slots = 0;        // expert slots at the target's budget
  bool in_place = false;     // unified memory, experts read where the file lies: no uploads
};

struct Projection {
  std::string target;
  std::string target_name;
  uint64_t budget = 0;
  ProjectionInputs inputs;
  double compute_ms = 0;  // per token
  double upload_ms = 0;   // per token, not hidden
  double tps = 0;
  double tps_all_resident = 0;  // the same device with every expert in VRAM (the ceiling)
  std::string note;             // why there is no figure ("does not fit: ..."), else ""
};

Projection project(const TargetDevice& target, const ModelTraffic& traffic,
                   const ProjectionInputs& inputs);

// The hit rate of `policy` with `slots` expert slots over `trace`, counting only the accesses after
// the first `warmup` tokens (a warm cache: performance.md's steady state). 1 when every expert
// fits.
double steady_hit_rate(const RoutingTrace& trace, uint32_t slots, PolicyKind policy,
                       uint64_t warmup);

struct PlannedSlots {
  uint32_t slots = 0;
  uint64_t fixed = 0;  // dense weights, KV cache, scratch
};

struct ProjectionRequest {
  std::vector<TargetDevice> targets;
  ModelTraffic traffic;
  const RoutingTrace* trace = nullptr;  // the routing the hit rate is simulated on
  std::string trace_name;               // "synthetic (Qwen3-30B-A3B statistics)", a file name
  PolicyKind policy = PolicyKind::LRU;
  // Expert slots (and the fixed part) rotary's planner gives at a budget; throws Error(Budget)
  // when nothing fits.
  std::function<PlannedSlots(uint64_t budget)> plan_at;
  uint64_t file_bytes = 0;  // the model file, which must stay in the target's memory
  double kernel_efficiency = 1;
  std::string efficiency_source;
  double hidden_upload = 0;
  bool copy_on_unified =
      false;  // --residency copy: unified targets copy experts like discrete ones
};

std::vector<Projection> make_projections(const ProjectionRequest& request);

}  // namespace rotary::bench

#pragma once
// Routing traces: which experts each token chose in each layer. `rotary run --record-routing`
// writes them, `rotary bench --routing-trace` replays them (the router's choice replaced by the
// trace) so that policies, budgets and devices are compared on the same expert sequence, and
// synthetic_trace() makes one with a chosen locality when no real weights exist (random
// weights route almost uniformly: the worst case).
//
// File format (little-endian): "ROTRTRC1", u32 layers, u32 experts, u32 k, u32 reserved (0),
// u64 tokens, then tokens * layers * k u16 expert ids, token-major, in top-k order.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/residency/expert_key.h"

namespace rotary {

struct RoutingTrace {
  uint32_t layers = 0;
  uint32_t experts = 0;
  uint32_t k = 0;
  std::vector<uint16_t> ids;  // (token, layer, k)

  uint64_t tokens() const { return layers && k ? ids.size() / (static_cast<uint64_t>(layers) * k) : 0; }
  std::span<const uint16_t> choices(uint64_t token, uint32_t layer) const {
    return {ids.data() + (token * layers + layer) * k, k};
  }
  void append(uint32_t layer, std::span<const uint32_t> chosen);  // layers in order per token
  // Every expert use in replay order: token by token, layer by layer, in top-k order.
  std::vector<ExpertKey> accesses() const;
  // Every expert use in the order a forward pass asks residency for them (what Belady must be
  // given when a real run, not a simulation, replays this trace): the first `prompt_tokens` in
  // chunks of `prefill_chunk`, where a chunk of several tokens takes, layer by layer, its
  // distinct experts in id order (RoutedMoe's grouped prefill) and a chunk of one token its
  // choices in top-k order; then the rest one token at a time, layer by layer, in top-k order.
  std::vector<ExpertKey> forward_accesses(uint64_t prompt_tokens, uint32_t prefill_chunk) const;
};

void write_trace(const std::string& path, const RoutingTrace& trace);
RoutingTrace read_trace(const std::string& path);  // Error(InvalidArgument/Io) on bad files

struct SyntheticTraceParams {
  uint32_t layers = 48, experts = 128, k = 8;
  uint64_t tokens = 512;
  // Per choice: copy one of the previous token's experts with probability p_previous, else one
  // of tokens t-2..t-8's with p_recent, else a uniformly random expert (flat popularity). The
  // defaults reproduce Qwen3-30B-A3B's published decode statistics: 45% of choices repeat at the
  // next token, 80% within 8 (see docs/residency.md for the calibration).
  double p_previous = 0.435;
  double p_recent = 0.31;
  uint64_t seed = 1;
};
RoutingTrace synthetic_trace(const SyntheticTraceParams& params);

struct TraceStats {
  double repeat_next = 0;      // fraction of choices also chosen by the previous token (same layer)
  double repeat_within_8 = 0;  // ... by any of the previous 8 tokens
  double experts_for_90pct = 0;  // fraction of experts that cover 90% of all choices (flatness)
};
TraceStats measure(const RoutingTrace& trace);

}  // namespace rotary

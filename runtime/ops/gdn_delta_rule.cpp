#include "runtime/ops/gdn_delta_rule.h"

#include <algorithm>
#include <cmath>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/gdn_checks.h"
#include "shaders/push.h"

static_assert(rotary::ops::kGdnChunk == ROTARY_GDN_CHUNK);

namespace rotary::ops {

namespace {

constexpr uint32_t kScanColumns = 16;  // state columns per scan workgroup (NV)

struct Views {
  vk::BufferView qkv, beta, g, state, out;
};

Views check_views(const GdnShape& shape, const vk::BufferView& qkv, const vk::BufferView& beta,
                  const vk::BufferView& g, const vk::BufferView& state, const vk::BufferView& out,
                  uint32_t n_tokens, const char* op) {
  shape.validate();
  require_tokens(n_tokens, op);
  const uint64_t t = n_tokens;
  require_floats(qkv, t * shape.conv_channels(), op);
  require_floats(beta, t * shape.v_heads, op);
  require_floats(g, t * shape.v_heads, op);
  require_floats(state, shape.delta_state_floats(), op);
  require_floats(out, t * shape.value_dim(), op);
  return {qkv.sub(0, t * shape.conv_channels() * 4), beta.sub(0, t * shape.v_heads * 4),
          g.sub(0, t * shape.v_heads * 4), state.sub(0, shape.delta_state_floats() * 4),
          out.sub(0, t * shape.value_dim() * 4)};
}

push::GdnRecurrencePush make_push(const GdnShape& s, uint32_t n_tokens) {
  push::GdnRecurrencePush pc{};
  pc.n_tokens = n_tokens;
  pc.v_heads = s.v_heads;
  pc.k_heads = s.k_heads;
  pc.dim_k = s.dim_k;
  pc.dim_v = s.dim_v;
  pc.v_grouped = s.order == VHeadOrder::Grouped ? 1 : 0;
  pc.qkv_stride = s.conv_channels();
  pc.scale = 1.0f / std::sqrt(static_cast<float>(s.dim_k));
  return pc;
}

uint64_t block_floats(const GdnShape& s) {
  return uint64_t{kGdnChunk} * (s.dim_v + s.dim_k + kGdnChunk + 1);
}

}  // namespace

void gdn_recurrent(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& qkv,
                   const vk::BufferView& beta, const vk::BufferView& g, const vk::BufferView& state,
                   const vk::BufferView& out, uint32_t n_tokens, const GdnTuning& tuning) {
  const Views v = check_views(shape, qkv, beta, g, state, out, n_tokens, "gdn_recurrent");
  const check::OpScope checked(
      rec, [&] { return check::gdn_recurrent(shape, qkv, beta, g, state, out, n_tokens); });
  const vk::DeviceCaps& caps = rec.caps();
  const uint32_t lanes = tuning.subgroup(caps);
  const uint32_t wg = tuning.workgroup_or(lanes * std::max(1u, 128 / lanes));
  require(lanes > 0 && wg % lanes == 0, ErrorKind::InvalidArgument,
          "gdn_recurrent: the workgroup size must be a multiple of the subgroup size");
  const uint32_t kpl = (shape.dim_k + lanes - 1) / lanes;
  // Asking for the size makes the subgroupAdd path certain where the device can vary it; where
  // it cannot, the shader checks gl_SubgroupSize and reduces through shared memory instead.
  const bool pin = caps.subgroup_size_control && caps.required_subgroup_size_compute &&
                   lanes >= caps.min_subgroup_size && lanes <= caps.max_subgroup_size &&
                   wg / lanes <= caps.max_compute_workgroup_subgroups;
  // On a CPU device (lavapipe) loads cost more than registers do, and 4 rows per invocation
  // share each k/q load; GPUs keep one row for the most parallelism.
  const uint32_t rows = tuning.rows_per_invocation                 ? tuning.rows_per_invocation
                        : caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU ? 4
                                                                   : 1;
  const vk::Pipeline& p = rec.pipeline({"gdn_recurrent",
                                        {wg, lanes, kpl, rows},
                                        5,
                                        sizeof(push::GdnRecurrencePush),
                                        pin ? lanes : 0});
  const uint32_t per_group = rows * (wg / lanes);
  rec.dispatch(p, {v.qkv, v.beta, v.g, v.state, v.out}, make_push(shape, n_tokens),
               (shape.dim_v + per_group - 1) / per_group, shape.v_heads);
}

uint64_t gdn_chunk_scratch_bytes(const GdnShape& shape, uint32_t chunks) {
  return block_floats(shape) * shape.v_heads * chunks * 4;
}

void gdn_chunked(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& qkv,
                 const vk::BufferView& beta, const vk::BufferView& g, const vk::BufferView& state,
                 const vk::BufferView& out, const vk::BufferView& scratch, uint32_t n_tokens,
                 const GdnTuning& tuning) {
  const Views v = check_views(shape, qkv, beta, g, state, out, n_tokens, "gdn_chunked");
  const check::OpScope checked(
      rec, [&] { return check::gdn_chunked(shape, qkv, beta, g, state, out, n_tokens); });
  const vk::DeviceCaps& caps = rec.caps();
  const uint64_t per_chunk = gdn_chunk_scratch_bytes(shape, 1);
  const uint64_t usable = std::min<uint64_t>(scratch.size, caps.max_storage_buffer_range);
  require(usable >= per_chunk, ErrorKind::InvalidArgument,
          "gdn_chunked: the scratch buffer holds " + std::to_string(scratch.size) +
              " bytes, at least " + std::to_string(per_chunk) + " (one chunk) are needed");
  const uint32_t n_chunks = (n_tokens + kGdnChunk - 1) / kGdnChunk;
  const uint32_t per_pass = static_cast<uint32_t>(std::min<uint64_t>(usable / per_chunk, n_chunks));

  const uint32_t sg = tuning.subgroup(caps);
  // 256 fills the 16 x 16 Gram tiles in one round; devices at the Vulkan minimum get 128.
  const uint32_t wg = tuning.workgroup_or(
      std::min({256u, caps.max_workgroup_invocations, caps.max_workgroup_size_x}));
  const uint64_t prep_shared = (kGdnChunk * kGdnChunk + 2 * kGdnChunk * 16 + 2 * kGdnChunk) * 4;
  const uint64_t scan_shared =
      (uint64_t{shape.dim_k} * kScanColumns + 2 * kGdnChunk * kScanColumns + 2 * kGdnChunk) * 4;
  require(std::max(prep_shared, scan_shared) <= caps.max_shared_memory, ErrorKind::Unsupported,
          "gdn_chunked: needs " + std::to_string(std::max(prep_shared, scan_shared)) +
              " bytes of shared memory, the device has " + std::to_string(caps.max_shared_memory) +
              "; use gdn_recurrent for prompts");
  const vk::Pipeline& prep =
      rec.pipeline({"gdn_chunk_prep", {wg, sg}, 4, sizeof(push::GdnRecurrencePush)});
  const vk::Pipeline& scan = rec.pipeline(
      {"gdn_chunk_scan", {wg, sg, kScanColumns, shape.dim_k}, 4, sizeof(push::GdnRecurrencePush)});

  push::GdnRecurrencePush pc = make_push(shape, n_tokens);
  for (uint32_t first = 0; first < n_chunks; first += per_pass) {
    pc.chunk0 = first;
    pc.pass_chunks = std::min(per_pass, n_chunks - first);
    const vk::BufferView sv = scratch.sub(0, gdn_chunk_scratch_bytes(shape, pc.pass_chunks));
    if (first > 0)
      rec.compute_barrier();  // the previous scan has read the scratch and written the state
    rec.dispatch(prep, {v.qkv, v.beta, v.g, sv}, pc, pc.pass_chunks, shape.v_heads);
    rec.compute_barrier();
    rec.dispatch(scan, {v.qkv, sv, v.state, v.out}, pc,
                 (shape.dim_v + kScanColumns - 1) / kScanColumns, shape.v_heads);
  }
}

}  // namespace rotary::ops

// The Gated DeltaNet delta rule on the GPU: the token-by-token kernel (decode) and the chunked
// kernels (prompts, chunks of 64) against the double-precision CPU reference, and against each
// other, continuing from a non-zero state.
//
// Tolerance: abs 5e-6 + rel 5e-5 for outputs and state. On lavapipe the worst errors of these
// tests are 8.3e-7 (state, chunked vs decode, |S| up to ~2) and 1.5e-7 (outputs, |o| ~ 0.1):
// f32 dot products of 128 terms and the chunked form's other summation order, over up to 130
// tokens; the margin (6x) is for devices whose exp() and FMA contraction differ. A wrong decay,
// head mapping, scale or chunk boundary moves values by 1e-3 or more.
#include "runtime/ops/gdn_delta_rule.h"
#include "runtime/reference/gdn.h"
#include "tests/gpu/gdn_test_util.h"

namespace rotary::test {
namespace {

constexpr Tolerance kTol{5e-6, 5e-5};

struct DeltaInputs {
  std::vector<float> qkv, beta, g, state;
};

struct DeltaResult {
  std::vector<float> out, state;
};

// q and k L2-normalised per head as the conv output is; beta in (0, 1); g < 0 with slow decay
// (long memory) on even heads and fast decay on odd ones; a state of the size a real one has.
// `correlated` makes every token's key close to one direction per head: the UT transform's
// triangular system is then far from the identity.
DeltaInputs make_inputs(const ops::GdnShape& shape, uint32_t tokens, uint32_t seed,
                        bool correlated = false) {
  std::mt19937 rng(seed);
  const uint32_t c = shape.conv_channels(), kd = shape.key_dim();
  DeltaInputs in;
  in.qkv = uniform(rng, uint64_t{tokens} * c, -1.0f, 1.0f);
  if (correlated) {
    const auto base = uniform(rng, kd, -1.0f, 1.0f);
    for (uint32_t t = 0; t < tokens; ++t)
      for (uint32_t i = 0; i < kd; ++i)
        in.qkv[uint64_t{t} * c + kd + i] = base[i] + 0.05f * in.qkv[uint64_t{t} * c + kd + i];
  }
  ref::gdn_l2_norm(in.qkv, tokens, 2 * shape.k_heads, shape.dim_k, c, 1e-6f);
  in.beta = uniform(rng, uint64_t{tokens} * shape.v_heads, 0.05f, 0.99f);
  in.g = uniform(rng, in.beta.size(), 0.0f, 1.0f);
  for (uint64_t i = 0; i < in.g.size(); ++i)
    in.g[i] = (i % shape.v_heads) % 2 == 0 ? -0.0005f - 0.01f * in.g[i] : -0.01f - 1.5f * in.g[i];
  in.state = uniform(rng, shape.delta_state_floats(), -0.5f, 0.5f);
  return in;
}

DeltaResult reference(const ops::GdnShape& shape, const DeltaInputs& in, uint32_t tokens) {
  DeltaResult r{std::vector<float>(uint64_t{tokens} * shape.value_dim()), in.state};
  ref::gdn_delta_rule(shape, in.qkv, in.beta, in.g, r.state, r.out, tokens);
  return r;
}

// One gdn_recurrent call over all tokens.
DeltaResult run_recurrent(vk::GpuContext& gpu, const ops::GdnShape& shape, const DeltaInputs& in,
                          uint32_t tokens, const ops::GdnTuning& tun) {
  vk::Buffer qkv = upload_floats(gpu, in.qkv), beta = upload_floats(gpu, in.beta),
             g = upload_floats(gpu, in.g), state = upload_floats(gpu, in.state);
  const uint64_t out_floats = uint64_t{tokens} * shape.value_dim();
  vk::Buffer out = device_buffer(gpu, out_floats * 4);
  gpu.compute().run_now([&](vk::Recorder& rec) {
    ops::gdn_recurrent(rec, shape, qkv.view(), beta.view(), g.view(), state.view(), out.view(),
                       tokens, tun);
  });
  return {download_floats(gpu, out.view(), out_floats),
          download_floats(gpu, state.view(), in.state.size())};
}

// The decode path: one gdn_recurrent dispatch per token, each binding only its token's rows.
DeltaResult run_steps(vk::GpuContext& gpu, const ops::GdnShape& shape, const DeltaInputs& in,
                      uint32_t tokens, const ops::GdnTuning& tun) {
  const AlignedRows qkv = upload_aligned_rows(gpu, in.qkv, shape.conv_channels());
  const AlignedRows beta = upload_aligned_rows(gpu, in.beta, shape.v_heads);
  const AlignedRows g = upload_aligned_rows(gpu, in.g, shape.v_heads);
  const AlignedRows out = upload_aligned_rows(
      gpu, std::vector<float>(uint64_t{tokens} * shape.value_dim(), 0.0f), shape.value_dim());
  vk::Buffer state = upload_floats(gpu, in.state);
  gpu.compute().run_now([&](vk::Recorder& rec) {
    for (uint32_t t = 0; t < tokens; ++t) {
      if (t > 0) rec.compute_barrier();
      ops::gdn_recurrent(rec, shape, qkv.row(t), beta.row(t), g.row(t), state.view(), out.row(t), 1,
                         tun);
    }
  });
  return {download_aligned_rows(gpu, out, tokens),
          download_floats(gpu, state.view(), in.state.size())};
}

// gdn_chunked with a scratch buffer of `scratch_chunks` chunks (fewer than the prompt needs
// forces several passes).
DeltaResult run_chunked(vk::GpuContext& gpu, const ops::GdnShape& shape, const DeltaInputs& in,
                        uint32_t tokens, const ops::GdnTuning& tun, uint32_t scratch_chunks) {
  vk::Buffer qkv = upload_floats(gpu, in.qkv), beta = upload_floats(gpu, in.beta),
             g = upload_floats(gpu, in.g), state = upload_floats(gpu, in.state);
  const uint64_t out_floats = uint64_t{tokens} * shape.value_dim();
  vk::Buffer out = device_buffer(gpu, out_floats * 4);
  vk::Buffer scratch =
      device_buffer(gpu, ops::gdn_chunk_scratch_bytes(shape, scratch_chunks), "gdn chunk scratch");
  gpu.compute().run_now([&](vk::Recorder& rec) {
    ops::gdn_chunked(rec, shape, qkv.view(), beta.view(), g.view(), state.view(), out.view(),
                     scratch.view(), tokens, tun);
  });
  return {download_floats(gpu, out.view(), out_floats),
          download_floats(gpu, state.view(), in.state.size())};
}

void check_result(const DeltaResult& got, const DeltaResult& want, Tolerance tol,
                  const std::string& what) {
  check_close(got.out, want.out, tol, what + " output");
  check_close(got.state, want.state, tol, what + " state");
}

TEST_CASE_FIXTURE(GpuTest,
                  "gdn_recurrent: decode steps and multi-token calls match the reference") {
  const ops::GdnTuning configs[] = {{64, 8}, {128, 32}, {128, 64}};
  for (const auto& tun : configs) {
    CAPTURE(tun.subgroup_size);
    const auto in = make_inputs(qwen35_shape(), 3, 100);
    check_result(run_steps(ctx, qwen35_shape(), in, 3, tun), reference(qwen35_shape(), in, 3), kTol,
                 "qwen35 steps");
    for (const auto& shape : {awkward_tiled_shape(), awkward_grouped_shape()}) {
      const auto small = make_inputs(shape, 9, 101);
      check_result(run_recurrent(ctx, shape, small, 9, tun), reference(shape, small, 9), kTol,
                   "awkward, one call");
      check_result(run_steps(ctx, shape, small, 4, tun), reference(shape, small, 4), kTol,
                   "awkward, steps");
    }
  }
}

// The chunked form against the reference and against decode steps, over prompts that end
// inside, exactly at and just past chunk boundaries, continuing from a non-zero state. At 130
// tokens the decode kernel runs all tokens in one dispatch (the same per-token code as a decode
// step; one dispatch per token costs lavapipe ~8 ms each).
TEST_CASE_FIXTURE(GpuTest,
                  "gdn_chunked: agrees with decode steps and the reference for 1..130 tokens") {
  const ops::GdnShape shape = qwen35_shape();
  for (uint32_t tokens : {1u, 7u, 64u, 65u, 130u}) {
    CAPTURE(tokens);
    const auto in = make_inputs(shape, tokens, 200 + tokens);
    const DeltaResult want = reference(shape, in, tokens);
    const DeltaResult chunked = run_chunked(ctx, shape, in, tokens, {256, 8}, 3);
    const DeltaResult steps = tokens <= 65 ? run_steps(ctx, shape, in, tokens, {64, 8})
                                           : run_recurrent(ctx, shape, in, tokens, {64, 8});
    check_result(chunked, want, kTol, "chunked vs reference");
    check_result(steps, want, kTol, "decode vs reference");
    check_result(chunked, steps, kTol, "chunked vs decode");
  }
}

TEST_CASE_FIXTURE(
    GpuTest, "gdn_chunked: several passes through a small scratch, awkward shapes, other tuning") {
  const ops::GdnShape shape = qwen35_shape();
  const auto in = make_inputs(shape, 130, 300);
  check_result(run_chunked(ctx, shape, in, 130, {64, 32}, 1), reference(shape, in, 130), kTol,
               "3 passes");
  for (const auto& s : {awkward_tiled_shape(), awkward_grouped_shape()})
    for (uint32_t tokens : {5u, 64u, 129u}) {
      CAPTURE(tokens);
      const auto small = make_inputs(s, tokens, 301 + tokens);
      check_result(run_chunked(ctx, s, small, tokens, {128, 8}, 2), reference(s, small, tokens),
                   kTol, "awkward");
    }
}

TEST_CASE_FIXTURE(GpuTest, "gdn_chunked: nearly parallel keys (ill-conditioned UT transform)") {
  const ops::GdnShape shape = qwen35_shape();
  const auto in = make_inputs(shape, 65, 400, true);
  const DeltaResult want = reference(shape, in, 65);
  check_result(run_chunked(ctx, shape, in, 65, {256, 8}, 2), want, kTol, "chunked");
  check_result(run_recurrent(ctx, shape, in, 65, {64, 8}), want, kTol, "recurrent");
}

TEST_CASE("gdn delta rule: the shared-memory (no subgroup) variants") {
  auto gpu = make_gpu({.subgroup_arith = false});
  REQUIRE_FALSE(gpu->pipelines().subgroup_arith());
  const ops::GdnShape shape = qwen35_shape();
  const auto in = make_inputs(shape, 65, 500);
  const DeltaResult want = reference(shape, in, 65);
  check_result(run_recurrent(*gpu, shape, in, 65, {64, 8}), want, kTol, "recurrent, lanes 8");
  check_result(run_recurrent(*gpu, shape, in, 65, {128, 32}), want, kTol, "recurrent, lanes 32");
  check_result(run_chunked(*gpu, shape, in, 65, {256, 8}, 2), want, kTol, "chunked");
  const auto small = make_inputs(awkward_grouped_shape(), 7, 501);
  check_result(run_steps(*gpu, awkward_grouped_shape(), small, 7, {64, 8}),
               reference(awkward_grouped_shape(), small, 7), kTol, "awkward steps");
  CHECK(gpu->instance().validation_errors() == 0);
  CHECK(gpu->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test

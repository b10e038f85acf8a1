// KV store (f16 rounding bit-exact with ggml's) and attention (decode with split-K, prefill tiled,
// caches bound in ranges) against a double-precision CPU reference.
#include <cmath>
#include <cstring>
#include <limits>

#include "loader/quant/half.h"
#include "runtime/kv/kv_cache.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/kernel_limits.h"
#include "runtime/ops/kv_store.h"
#include "runtime/reference/activations.h"
#include "tests/gpu/act_util.h"

namespace rotary::test {
namespace {

// Attention tolerance (F32 and F16 caches alike: the reference reads the cached values, f16
// rounding included). Outputs are convex combinations of V rows with |v| <= 1. Scores carry the
// float dot product's error (~1e-6 at |score| <= 10); exp adds (3 + 2|x|) ulps (Vulkan's bound),
// ~2e-6 relative over the range the scores span; the combination of partials and the final
// division a few ulps more. So the output error is about 3e-6 * max|v|; allowed: 1e-5 absolute.
constexpr double kAttnAbs = 1e-5, kAttnRel = 1e-5;

struct Case {
  ops::KvTypes type;
  uint32_t head_dim, n_kv_heads, group;  // n_heads = n_kv_heads * group
  uint32_t n_tokens, p0;
};

// Fills a cache with `kv_len` random positions through kv_store; returns its float contents.
struct FilledCache {
  kv::KvCache cache;
  std::vector<float> k, v;  // as cached (f16-rounded for F16)
};

FilledCache fill_cache(vk::GpuContext& g, const ops::KvGeometry& geo, uint32_t kv_len,
                       uint32_t seed) {
  FilledCache f{kv::KvCache::create(g.device(), &g.budget(), 1, geo), {}, {}};
  const size_t row = size_t{geo.n_kv_heads} * geo.head_dim;
  const std::vector<float> k = random_floats(kv_len * row, seed),
                           v = random_floats(kv_len * row, seed + 1);
  vk::Buffer dk = upload_floats(g, k), dv = upload_floats(g, v);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::kv_store(rec, dk.view(), dv.view(), f.cache.layer(0), 0, kv_len);
  });
  // The reference values are what the reference store wrote; that the GPU wrote the same bytes
  // is kv_store's test (below).
  std::vector<std::byte> hk(geo.tensor_bytes(geo.types.k)), hv(geo.tensor_bytes(geo.types.v));
  ref::kv_store(k, hk, geo, geo.types.k, 0, kv_len);
  f.k = ref::kv_values(hk, geo, geo.types.k, kv_len);
  ref::kv_store(v, hv, geo, geo.types.v, 0, kv_len);
  f.v = ref::kv_values(hv, geo, geo.types.v, kv_len);
  return f;
}

// Runs attention for `c` on a filled cache and compares with the reference.
void check_attention(vk::GpuContext& g, const FilledCache& f, const Case& c,
                     const ops::AttentionTuning& t, uint32_t seed) {
  const uint32_t n_heads = c.n_kv_heads * c.group;
  const ops::AttentionShape shape{c.n_tokens, c.p0, n_heads};
  const ops::AttentionPlan plan = attention_plan(shape, f.cache.geometry(), g.caps(), t);
  CAPTURE(plan.n_splits);
  CAPTURE(plan.n_ranges);
  CAPTURE(plan.rows_per_tile);
  const size_t q_len = size_t{c.n_tokens} * n_heads * c.head_dim;
  std::vector<float> q = random_floats(q_len, seed, -4.0f, 4.0f);  // peaked enough to matter
  std::vector<float> ref(q_len);
  ref::attention(q, f.k, f.v, ref, shape, c.n_kv_heads, c.head_dim);
  vk::Buffer dq = upload_floats(g, q), dout = device_buffer(g, q_len * 4);
  vk::Buffer scratch =
      device_buffer(g, std::max<uint64_t>(plan.scratch_bytes, 4), "attention scratch");
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::attention(rec, dq.view(), f.cache.layer(0), dout.view(), scratch.view(), shape, t);
  });
  const std::vector<float> got = download_floats(g, dout.view(), q_len);
  const ToleranceReport rep = compare_within(got, ref, kAttnAbs, kAttnRel);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

void run_case(const OpConfig& cfg, const Case& c, uint32_t seed, ops::AttentionTuning t = {}) {
  CAPTURE(cfg.name);
  CAPTURE(ops::to_string(c.type));
  CAPTURE(c.head_dim);
  CAPTURE(c.group);
  CAPTURE(c.n_tokens);
  CAPTURE(c.p0);
  const uint32_t kv_len = c.p0 + c.n_tokens;
  const ops::KvGeometry geo{c.type, c.n_kv_heads, c.head_dim, kv_len + 5};
  const FilledCache f = fill_cache(*cfg.g, geo, kv_len, seed);
  t.workgroup_size = cfg.workgroup_size;
  check_attention(*cfg.g, f, c, t, seed + 2);
}

TEST_CASE_FIXTURE(
    ActTest, "attention decode: KV lengths 1..1029, GQA 1/4/8, head_dim 64/128/256, F32 and F16") {
  uint32_t seed = 1000;
  for (const OpConfig& cfg : two_configs(ctx, 128, 64))
    for (ops::KvType type : {ops::KvType::F32, ops::KvType::F16})
      for (uint32_t kv_len : {1u, 17u, 300u, 1029u}) {
        run_case(cfg, {type, 128, 4, 8, 1, kv_len - 1}, seed++);  // Qwen3-30B-A3B's shape
        run_case(cfg, {type, 256, 2, 8, 1, kv_len - 1}, seed++);  // Qwen3.5's gated attention
        run_case(cfg, {type, 64, 3, 1, 1, kv_len - 1}, seed++);
        run_case(cfg, {type, 128, 1, 4, 1, kv_len - 1}, seed++);
      }
}

TEST_CASE_FIXTURE(ActTest,
                  "attention decode: forced split sizes, one split, and splits of one tile") {
  uint32_t seed = 2000;
  for (uint32_t split : {1029u, 32u, 100u})
    run_case({&ctx, 128, "subgroup"}, {ops::KvType::F32, 128, 4, 8, 1, 1028}, seed++,
             {.split_keys = split});
}

TEST_CASE_FIXTURE(ActTest, "attention prefill: causal tiles, p0 > 0 continues a cache, GQA 1/4/8") {
  uint32_t seed = 3000;
  for (const OpConfig& cfg : two_configs(ctx, 128, 64)) {
    for (ops::KvType type : {ops::KvType::F32, ops::KvType::F16}) {
      run_case(cfg, {type, 128, 4, 8, 7, 0}, seed++);
      run_case(cfg, {type, 128, 2, 4, 13, 17}, seed++);
      run_case(cfg, {type, 64, 3, 1, 127, 0}, seed++);
      run_case(cfg, {type, 256, 2, 8, 40, 300}, seed++);
    }
  }
  // A long prompt in one go and a short continuation of a long cache (split across workgroups).
  run_case({&ctx, 128, "subgroup"}, {ops::KvType::F32, 128, 2, 4, 300, 0}, seed++);
  run_case({&ctx, 128, "subgroup"}, {ops::KvType::F16, 128, 4, 8, 3, 1100}, seed++);
}

TEST_CASE_FIXTURE(ActTest,
                  "attention: a cache larger than the binding range is bound in position ranges") {
  uint32_t seed = 4000;
  // 16 KiB bindings hold 31 positions of 4 heads x 64 f16 (512 B rows): 1029 positions take 34.
  const ops::AttentionTuning t{.max_range = 16 << 10};
  const ops::KvGeometry geo{ops::KvType::F16, 4, 64, 1029};
  const ops::AttentionPlan plan = attention_plan({1, 1028, 16}, geo, ctx.caps(), t);
  CHECK(plan.n_ranges > 30);
  CHECK(uint64_t{plan.range_len} * geo.k_row_bytes() <= (16u << 10));
  for (const OpConfig& cfg : two_configs(ctx, 128, 64)) {
    run_case(cfg, {ops::KvType::F16, 64, 4, 4, 1, 1028}, seed++, t);  // decode
    run_case(cfg, {ops::KvType::F32, 64, 4, 4, 50, 400}, seed++, t);  // prefill continuing a cache
    run_case(cfg, {ops::KvType::F32, 128, 2, 8, 33, 0}, seed++, t);   // prefill from empty
  }
}

TEST_CASE_FIXTURE(ActTest,
                  "attention: one scratch size serves every shape up to the cache capacity") {
  // Every KV length of small caches (a 64-token cache once split a 33-token decode into a tile
  // and a remainder that the full-cache plan never needed), and a stride plus the lengths around
  // the split sizes' steps for large ones.
  for (const ops::AttentionTuning& t :
       {ops::AttentionTuning{}, ops::AttentionTuning{.max_range = 64 << 10},
        ops::AttentionTuning{.split_keys = 96}})
    for (const ops::KvGeometry& geo :
         {ops::KvGeometry{ops::KvType::F16, 4, 128, 40960}, ops::KvGeometry{ops::KvType::F32, 2, 256, 9000},
          ops::KvGeometry{ops::KvType::F16, 4, 128, 64}, ops::KvGeometry{ops::KvType::F32, 4, 128, 65},
          ops::KvGeometry{ops::KvType::F16, 4, 128, 4097}, ops::KvGeometry{ops::KvType::F32, 1, 64, 300}}) {
      const uint32_t n_heads = geo.n_kv_heads * 8, max_tokens = 64;
      const uint64_t bound = ops::attention_scratch_bytes(max_tokens, n_heads, geo, ctx.caps(), t);
      const uint32_t stride = geo.capacity > 5000 ? 61 : 1;
      for (uint32_t n : {1u, 2u, 7u, 64u}) {
        if (n > geo.capacity) continue;
        for (uint32_t kv = n; kv <= geo.capacity; kv += (kv % 4096 < 8 || kv % 4096 > 4088) ? 1 : stride) {
          CAPTURE(geo.capacity);
          CAPTURE(n);
          CAPTURE(kv);
          const ops::AttentionPlan pl = ops::attention_plan({n, kv - n, n_heads}, geo, ctx.caps(), t);
          if (pl.scratch_bytes > bound) FAIL_CHECK("scratch " << pl.scratch_bytes << " > bound " << bound);
          if (pl.n_splits > 1) CHECK(pl.split_len < kv);  // a split is never the whole cache
        }
      }
    }
}

TEST_CASE_FIXTURE(ActTest, "attention: the scratch bound is closed form at any chunk and capacity") {
  // Once a loop over every chunk size: 2^31 - 1 tokens took minutes. The bound must still hold
  // for the shapes at the top and at the steps of the tile count.
  for (const ops::AttentionTuning& t : {ops::AttentionTuning{}, ops::AttentionTuning{.split_keys = 96}}) {
    const ops::KvGeometry geo{ops::KvType::F16, 4, 128, 2147483647u};
    const uint32_t n_heads = 32, top = 2147483647u;
    const uint64_t bound = ops::attention_scratch_bytes(top, n_heads, geo, ctx.caps(), t);
    for (uint32_t n : {1u, 2u, 31u, 32u, 33u, 4096u, 1u << 20, top})
      for (uint32_t kv : {n, n + 1000u, top}) {
        if (kv < n || kv > top) continue;
        CAPTURE(n);
        CAPTURE(kv);
        CHECK(ops::attention_plan({n, kv - n, n_heads}, geo, ctx.caps(), t).scratch_bytes <= bound);
      }
  }
}

TEST_CASE_FIXTURE(ActTest, "attention: every head size the model check accepts plans, 80 and 96 do not") {
  const KernelLimits limits = ops::kernel_limits();
  for (uint32_t hd = limits.min_head_dim; hd <= limits.max_head_dim; hd *= 2)
    for (uint32_t n : {1u, 7u, 64u}) {
      CAPTURE(hd);
      CAPTURE(n);
      const ops::KvGeometry geo{ops::KvType::F16, 2, hd, 4096};
      CHECK_NOTHROW(ops::attention_plan({n, 100, 16}, geo, ctx.caps()));
    }
  for (uint32_t hd : {80u, 96u}) {  // llama.cpp runs them; the check says so before a load does
    CAPTURE(hd);
    const ops::KvGeometry geo{ops::KvType::F16, 2, hd, 4096};
    CHECK_THROWS(ops::attention_plan({1, 100, 16}, geo, ctx.caps()));
  }
}

TEST_CASE_FIXTURE(ActTest, "attention: decode at every position agrees with one prefill") {
  // Prefill 37 tokens once; then decode position by position on the same cache. The two tile
  // and split the work differently; both are ~3e-6 from exact, so they agree within 1e-5.
  const uint32_t n = 37, head_dim = 128, n_kv = 2, n_heads = 8;
  const ops::KvGeometry geo{ops::KvType::F32, n_kv, head_dim, n};
  const FilledCache f = fill_cache(ctx, geo, n, 5000);
  const size_t row = size_t{n_heads} * head_dim;
  const std::vector<float> q = random_floats(n * row, 5001, -4.0f, 4.0f);
  vk::Buffer dq = upload_floats(ctx, q), dpre = device_buffer(ctx, n * row * 4),
             ddec = device_buffer(ctx, n * row * 4);
  const ops::AttentionTuning t{.split_keys = 16};  // decode splits even short lengths
  vk::Buffer scratch = device_buffer(ctx, 1 << 20, "attention scratch");
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::attention_prefill(rec, dq.view(), f.cache.layer(0), dpre.view(), scratch.view(), n, 0,
                           n_heads);
  });
  for (uint32_t p = 0; p < n; ++p)
    ctx.compute().run_now([&](vk::Recorder& rec) {
      ops::attention_decode(rec, dq.view(p * row * 4, row * 4), f.cache.layer(0),
                            ddec.view(p * row * 4, row * 4), scratch.view(), n_heads, p + 1, t);
    });
  const std::vector<float> pre = download_floats(ctx, dpre.view(), n * row);
  const std::vector<float> dec = download_floats(ctx, ddec.view(), n * row);
  const ToleranceReport rep = compare_within(dec, pre, 1e-5, 1e-5);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(
    ActTest, "kv_store: f16 rounding is bit-identical with ggml's, F32 is a copy, at offsets") {
  // Values that exercise every branch of the conversion: ties to even, subnormals, overflow,
  // infinities, NaN, signed zero; plus random values at three scales.
  std::vector<float> special = {0.0f,
                                -0.0f,
                                1.0f,
                                -1.0f,
                                65504.0f,
                                65519.99f,
                                65520.0f,
                                -70000.0f,
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(),
                                std::numeric_limits<float>::quiet_NaN(),
                                5.9604645e-8f,
                                2.9802322e-8f,
                                2.98023259e-8f,
                                6.1035156e-5f,
                                6.0975552e-5f,
                                1.00048828125f,
                                1.00146484375f,
                                3.0517578e-5f,
                                1e-9f};
  const uint32_t n_kv = 2, head_dim = 10, n_tokens = 13,
                 p0 = 5;  // rows of 20: special values in row 0
  const ops::KvGeometry geo16{ops::KvType::F16, n_kv, head_dim, 64},
      geo32{ops::KvType::F32, n_kv, head_dim, 64};
  std::vector<float> cur =
      random_floats(size_t{n_tokens} * 24, 6000, -3.0f, 3.0f);  // stride 24 > 20
  for (size_t i = 0; i < special.size(); ++i) cur[i] = special[i];
  for (size_t i = 24; i < 48; ++i) cur[i] *= 1e-4f;
  for (size_t i = 48; i < 72; ++i) cur[i] *= 3e4f;
  for (const OpConfig& cfg : two_configs(ctx, 64, 32)) {
    CAPTURE(cfg.name);
    vk::GpuContext& g = *cfg.g;
    for (const ops::KvGeometry& geo : {geo16, geo32}) {
      CAPTURE(ops::to_string(geo.types));
      kv::KvCache cache = kv::KvCache::create(g.device(), &g.budget(), 1, geo);
      vk::Buffer src = upload_floats(g, cur);
      g.compute().run_now([&](vk::Recorder& rec) {
        rec.fill(cache.layer(0).k, 0);
        rec.fill(cache.layer(0).v, 0);
        rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
        // K from the strided rows; V the same rows read from element 4 on (an unaligned view).
        ops::kv_store(rec, src.view(), src.view(16, src.size() - 16), cache.layer(0), p0, n_tokens,
                      24, {cfg.workgroup_size, 256});  // 256-byte bindings: several dispatches
      });
      const ops::KvType type = geo.types.k;
      std::vector<std::byte> want_k(geo.tensor_bytes(type)), want_v(geo.tensor_bytes(type));
      ref::kv_store(cur, want_k, geo, type, p0, n_tokens, 24);
      ref::kv_store(std::span<const float>(cur).subspan(4), want_v, geo, type, p0, n_tokens, 24);
      CHECK(download_bytes(g, cache.layer(0).k, geo.tensor_bytes(type)) == want_k);
      CHECK(download_bytes(g, cache.layer(0).v, geo.tensor_bytes(type)) == want_v);
    }
  }
  // The reference conversion is ggml's: spot-check it against the values IEEE defines.
  CHECK(quant::f32_to_fp16(65520.0f) == 0x7C00);
  CHECK(quant::f32_to_fp16(1.00048828125f) == 0x3C00);  // tie: rounds to even
  CHECK(quant::f32_to_fp16(1.00146484375f) == 0x3C02);  // tie: rounds to even (up)
  CHECK(quant::f32_to_fp16(5.9604645e-8f) == 0x0001);   // smallest subnormal
}

// ---- quantised KV caches (Q8_0, Q4_0, and K and V of different types) ----

// The quantised and mixed type pairs. The attention reference reads the dequantised cache (the
// same values the kernel converts), so the tolerance is the F32 one.
const ops::KvTypes kQuantTypes[] = {
    {ops::KvType::Q8_0, ops::KvType::Q8_0},
    {ops::KvType::Q4_0, ops::KvType::Q4_0},
    {ops::KvType::Q8_0, ops::KvType::F16},
    {ops::KvType::F16, ops::KvType::Q4_0},
};

TEST_CASE_FIXTURE(ActTest,
                  "attention over q8_0/q4_0 caches: KV lengths 1, 7, 33, 130, head_dim 32..256") {
  uint32_t seed = 7000;
  for (const OpConfig& cfg : two_configs(ctx, 128, 64))
    for (const ops::KvTypes& types : kQuantTypes)
      for (uint32_t kv_len : {1u, 7u, 33u, 130u}) {
        run_case(cfg, {types, 128, 4, 8, 1, kv_len - 1}, seed++);  // Qwen3-30B-A3B decode
        run_case(cfg, {types, 256, 2, 8, 1, kv_len - 1}, seed++);  // Qwen3.5 decode
        // head_dim 32, one KV head: 34- and 18-byte rows, every other one 2 bytes off a word.
        run_case(cfg, {types, 32, 1, 3, 1, kv_len - 1}, seed++);
        run_case(cfg, {types, 32, 3, 2, kv_len, 0}, seed++);  // prefill from empty, 3 blocks/row
      }
}

TEST_CASE_FIXTURE(ActTest, "attention over q8_0/q4_0 caches: split-K, ranges, prefill continuing") {
  uint32_t seed = 8000;
  for (const ops::KvTypes& types : kQuantTypes) {
    for (uint32_t split : {32u, 100u})  // splits of one tile, and splits not a tile multiple
      run_case({&ctx, 128, "subgroup"}, {types, 128, 4, 8, 1, 129}, seed++, {.split_keys = split});
    // 2 KiB bindings: a few positions each, ranges starting mid-word for odd positions.
    const ops::AttentionTuning ranges{.max_range = 2 << 10};
    run_case({&ctx, 128, "subgroup"}, {types, 32, 1, 4, 1, 129}, seed++, ranges);
    run_case({&ctx, 128, "subgroup"}, {types, 64, 2, 2, 7, 26}, seed++, ranges);
    run_case({&ctx, 128, "subgroup"}, {types, 128, 2, 4, 33, 97}, seed++);
  }
}

// Values that reach the quantisers' edge cases: halfway cases of roundf (Q8_0 with amax 127,
// so d = 1), of x / d + 8.5 (Q4_0 with max -8), a block of zeros, the largest magnitude twice
// with opposite signs (Q4_0 takes the first), and random blocks at scales from 2^-20 to 2^20.
std::vector<float> quant_edge_values(size_t n, uint32_t seed) {
  std::vector<float> x = random_floats(n, seed);
  for (size_t b = 0; b < n / 32; ++b) {
    float* blk = x.data() + b * 32;
    const float scale = std::ldexp(1.0f, static_cast<int>(b * 7 % 41) - 20);
    for (int j = 0; j < 32; ++j) blk[j] *= scale;
    switch (b % 6) {
      case 0:
        for (int j = 0; j < 32; ++j) blk[j] = static_cast<float>(j) - 15.5f;  // halves
        blk[0] = 127.0f;
        break;
      case 1:
        for (int j = 0; j < 32; ++j) blk[j] = 0.5f * static_cast<float>(j % 16) - 4.0f;
        blk[5] = -8.0f;
        break;
      case 2: std::fill(blk, blk + 32, 0.0f); break;
      case 3:
        blk[3] = 2.0f * scale;
        blk[9] = -2.0f * scale;
        break;
      default: break;
    }
  }
  return x;
}

TEST_CASE_FIXTURE(ActTest,
                  "kv_store q8_0/q4_0: the bytes of llama.cpp's reference quantisers, rows at any "
                  "byte, neighbours untouched") {
  // head_dim 32 x 1 head: 34- and 18-byte rows, so positions alternate between word-aligned and
  // 2 bytes off; 96 x 3 heads: 9 blocks a row. p0 = 5 and bindings of 3 rows (5 dispatches, most
  // starting mid-word); the cache is first filled with 0xA5 bytes, which must survive outside
  // the stored rows.
  struct Shape {
    uint32_t head_dim, n_kv;
  };
  for (const OpConfig& cfg : two_configs(ctx, 64, 32)) {
    vk::GpuContext& g = *cfg.g;
    for (ops::KvType type : {ops::KvType::Q8_0, ops::KvType::Q4_0})
      for (const Shape sh : {Shape{32, 1}, Shape{96, 3}, Shape{128, 4}}) {
        CAPTURE(std::string(cfg.name));
        CAPTURE(std::string(ops::to_string(type)));
        CAPTURE(sh.head_dim);
        const uint32_t row = sh.head_dim * sh.n_kv, stride = row + 8, p0 = 5, n_tokens = 13;
        const ops::KvGeometry geo{type, sh.n_kv, sh.head_dim, 24};
        const std::vector<float> cur = quant_edge_values(size_t{n_tokens} * stride, 9000 + row);
        kv::KvCache cache = kv::KvCache::create(g.device(), &g.budget(), 1, geo);
        vk::Buffer src = upload_floats(g, cur);
        g.compute().run_now([&](vk::Recorder& rec) {
          rec.fill(cache.layer(0).k, 0xA5A5A5A5u);
          rec.fill(cache.layer(0).v, 0xA5A5A5A5u);
          rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
          ops::kv_store(rec, src.view(), src.view(16, src.size() - 16), cache.layer(0), p0,
                        n_tokens, stride, {cfg.workgroup_size, 3 * geo.row_bytes(type) + 16});
        });
        const size_t bytes = geo.tensor_bytes(type);
        std::vector<std::byte> want_k(bytes, std::byte{0xA5}), want_v(bytes, std::byte{0xA5});
        ref::kv_store(cur, want_k, geo, type, p0, n_tokens, stride);
        ref::kv_store(std::span<const float>(cur).subspan(4), want_v, geo, type, p0, n_tokens,
                      stride);
        CHECK(download_bytes(g, cache.layer(0).k, bytes) == want_k);
        CHECK(download_bytes(g, cache.layer(0).v, bytes) == want_v);
      }
  }
}

TEST_CASE_FIXTURE(ActTest, "KV cache types: a head_dim that is not whole blocks is refused") {
  const ops::KvGeometry geo{ops::KvType::Q8_0, 2, 48, 16};
  CHECK_THROWS_WITH_AS(kv::KvCache::create(ctx.device(), &ctx.budget(), 1, geo),
                       doctest::Contains("multiple of 32"), Error);
  CHECK_THROWS_WITH_AS(ops::parse_kv_type("q5_1", "-ctk"), doctest::Contains("q8_0, q4_0"), Error);
}

}  // namespace
}  // namespace rotary::test

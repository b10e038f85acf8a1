// Attention decode (flash-decoding: the KV length split across workgroups, then a combine pass)
// at growing KV lengths, Qwen3-30B-A3B's shape: 32 query heads, 4 KV heads, head_dim 128. Each
// length is checked once against the double-precision reference on the cached values, then timed.
// The figure that matters is how the time per KV position changes with the length: decode should
// scale linearly. Bytes are the K and V rows read; FLOPs 4 n_heads head_dim per position.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "bench/kernels/harness.h"
#include "runtime/kv/kv_cache.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/kv_store.h"
#include "runtime/reference/activations.h"
#include "runtime/reference/random_weights.h"

namespace rotary::bench {

namespace {

constexpr uint32_t kHeads = 32, kKvHeads = 4, kHeadDim = 128;

// Positions [0, capacity) of one layer, filled with random K and V through kv_store in pieces.
kv::KvCache filled_cache(Bench& b, ops::KvType type, uint32_t capacity) {
  const ops::KvGeometry geo{type, kKvHeads, kHeadDim, capacity};
  kv::KvCache cache = kv::KvCache::create(b.gpu().device(), nullptr, 1, geo);
  const uint32_t piece = 2048;
  const size_t row = size_t{kKvHeads} * kHeadDim;
  for (uint32_t p = 0; p < capacity; p += piece) {
    const uint32_t n = std::min(piece, capacity - p);
    const std::vector<float> k = ref::random_floats(n * row, 2 * p + 1),
                             v = ref::random_floats(n * row, 2 * p + 2);
    vk::Buffer dk = b.upload(k.data(), k.size() * 4, "bench K"),
               dv = b.upload(v.data(), v.size() * 4, "bench V");
    b.gpu().compute().run_now(
        [&](vk::Recorder& rec) { ops::kv_store(rec, dk.view(), dv.view(), cache.layer(0), p, n); });
  }
  return cache;
}

// The cache tensor's first `positions` rows as floats (f16 widened exactly).
std::vector<float> cached(Bench& b, const vk::BufferView& tensor, const ops::KvGeometry& geo,
                          ops::KvType type, uint32_t positions) {
  const uint64_t bytes = vk::align_up(positions * geo.row_bytes(type), 4);
  vk::Buffer copy = b.scratch(bytes, "bench cache copy");
  b.gpu().compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.copy(tensor.sub(0, bytes), copy.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
  });
  const std::vector<float> words = b.download(copy, bytes / 4);
  std::vector<std::byte> raw(bytes);
  std::memcpy(raw.data(), words.data(), bytes);
  return ref::kv_values(raw, geo, type, positions);
}

void decode_case(Bench& b, const kv::KvCache& cache, uint32_t kv_len) {
  const ops::KvGeometry& geo = cache.geometry();
  const std::string name =
      std::string("decode ") + ops::to_string(geo.types) + " kv=" + std::to_string(kv_len);
  if (!b.selected("attention " + name)) return;
  std::vector<float> q = ref::random_floats(size_t{kHeads} * kHeadDim, 7, -4.0f, 4.0f);
  vk::Buffer dq = b.upload(q.data(), q.size() * 4, "bench q");
  vk::Buffer out = b.scratch(q.size() * 4, "bench attention output");
  const ops::AttentionPlan plan = ops::attention_plan({1, kv_len - 1, kHeads}, geo, b.gpu().caps());
  vk::Buffer scratch =
      b.scratch(std::max<uint64_t>(plan.scratch_bytes, 4), "bench attention scratch");
  const auto decode = [&](vk::Recorder& rec) {
    ops::attention_decode(rec, dq.view(), cache.layer(0), out.view(), scratch.view(), kHeads,
                          kv_len);
  };
  b.gpu().compute().run_now(decode);
  const std::vector<float> got = b.download(out, q.size());
  std::vector<float> want(q.size());
  ref::attention(q, cached(b, cache.layer(0).k, geo, geo.types.k, kv_len),
                 cached(b, cache.layer(0).v, geo, geo.types.v, kv_len), want, {1, kv_len - 1, kHeads}, kKvHeads,
                 kHeadDim);
  size_t bad = 0;
  for (size_t i = 0; i < q.size(); ++i)
    bad += !(std::fabs(got[i] - want[i]) <= 1e-5 + 1e-5 * std::fabs(want[i]));
  const double us = b.time_us(decode);
  b.report({"attention", name, us, double(kv_len) * (geo.k_row_bytes() + geo.v_row_bytes()), 4.0 * kHeads * kHeadDim * kv_len,
            bad ? std::to_string(bad) + " MISMATCHES"
                : "ok, " + std::to_string(plan.n_splits) + " splits"});
}

}  // namespace

void run_attention(Bench& b) {
  const uint32_t lengths[] = {512, 4096, 32768};
  b.copy_gbps();  // decode is bandwidth-bound on a GPU: K and V bytes against the copy rate
  for (ops::KvType type :
       {ops::KvType::F16, ops::KvType::Q8_0, ops::KvType::Q4_0, ops::KvType::F32}) {
    if (b.options().quick && type != ops::KvType::F16) continue;
    bool any = false;
    for (uint32_t len : lengths)
      any = any || b.selected(std::string("attention decode ") + ops::to_string(type) +
                              " kv=" + std::to_string(len));
    if (!any) continue;
    const kv::KvCache cache = filled_cache(b, type, lengths[2]);
    for (uint32_t len : lengths) decode_case(b, cache, len);
  }
}

}  // namespace rotary::bench

// rotary's KV cache quantisation against llama.cpp's: the bytes kv_store writes on the GPU for
// Q8_0 and Q4_0 caches are the bytes llama.cpp's own quantiser (ggml_quantize_chunk, which runs
// quantize_row_q8_0_ref / quantize_row_q4_0_ref) writes for the same rows, and so are those of
// rotary's CPU reference (ref::kv_quantize_row).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "loader/ggml_types.h"
#include "runtime/kv/kv_cache.h"
#include "runtime/ops/kv_store.h"
#include "runtime/reference/activations.h"
#include "tests/oracle/ggml_ref.h"
#include "tests/oracle/oracle_gpu.h"

using namespace rotary;

namespace {

// Rows of normal values at scales 2^-20 .. 2^20 (one per block), with halfway cases for both
// quantisers' rounding, zero blocks and repeated extremes of opposite sign.
std::vector<float> kv_rows(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (size_t b = 0; b < n / 32; ++b) {
    float* blk = x.data() + b * 32;
    const float scale = std::ldexp(1.0f, static_cast<int>(rng() % 41) - 20);
    for (int j = 0; j < 32; ++j) blk[j] = normal(rng) * scale;
    switch (b % 8) {
      case 0:
        for (int j = 0; j < 32; ++j) blk[j] = static_cast<float>(j) - 15.5f;
        blk[0] = 127.0f;
        break;
      case 1:
        for (int j = 0; j < 32; ++j) blk[j] = 0.5f * static_cast<float>(j % 16) - 4.0f;
        blk[7] = -8.0f;
        break;
      case 2: std::fill(blk, blk + 32, 0.0f); break;
      case 3:
        blk[2] = 4.0f * scale;
        blk[20] = -4.0f * scale;
        break;
      default: break;
    }
  }
  return x;
}

std::vector<std::byte> gpu_store(vk::GpuContext& g, const std::vector<float>& x,
                                 const ops::KvGeometry& geo, uint32_t n_tokens) {
  const uint64_t in_bytes = x.size() * 4, out_bytes = vk::align_up(geo.tensor_bytes(geo.types.k), 4);
  kv::KvCache cache = kv::KvCache::create(g.device(), &g.budget(), 1, geo);
  vk::Buffer src = vk::Buffer::create(g.device(), nullptr, in_bytes, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Scratch, "kv rows");
  vk::Buffer up = vk::Buffer::create(g.device(), nullptr, in_bytes, vk::MemoryKind::Upload,
                                     vk::MemoryUse::Staging, "kv rows staging");
  vk::Buffer down = vk::Buffer::create(g.device(), nullptr, out_bytes, vk::MemoryKind::Readback,
                                       vk::MemoryUse::Readback, "kv readback");
  std::memcpy(up.mapped(), x.data(), in_bytes);
  up.flush(0, in_bytes);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kHostWrite, vk::access::kTransferRead);
    rec.copy(up.view(), src.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
    ops::kv_store(rec, src.view(), src.view(), cache.layer(0), 0, n_tokens);
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.copy(cache.layer(0).k.sub(0, out_bytes), down.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  });
  down.invalidate(0, out_bytes);
  std::vector<std::byte> out(geo.tensor_bytes(geo.types.k));
  std::memcpy(out.data(), down.mapped(), out.size());
  return out;
}

}  // namespace

TEST_CASE("kv_store q8_0/q4_0: the bytes llama.cpp's quantiser writes, on the GPU and the CPU") {
  test::GpuClean clean;
  // 40 positions of 4 KV heads x 128 (Qwen3-30B-A3B's rows): 640 blocks per type.
  const uint32_t n_kv = 4, head_dim = 128, n_tokens = 40, row = n_kv * head_dim;
  const std::vector<float> x = kv_rows(size_t{n_tokens} * row, 4242);
  for (const auto& [type, gtype] : {std::pair{ops::KvType::Q8_0, GgmlType::Q8_0},
                                    std::pair{ops::KvType::Q4_0, GgmlType::Q4_0}}) {
    CAPTURE(ops::to_string(type));
    const std::vector<uint8_t> want = ggml_ref::quantize(gtype, x.data(), n_tokens, row);
    const ops::KvGeometry geo{type, n_kv, head_dim, n_tokens};
    REQUIRE(want.size() == geo.tensor_bytes(type));
    std::vector<std::byte> cpu(want.size());
    ref::kv_store(x, cpu, geo, type, 0, n_tokens);
    CHECK(std::memcmp(cpu.data(), want.data(), want.size()) == 0);
    const std::vector<std::byte> gpu = gpu_store(clean.gpu, x, geo, n_tokens);
    size_t differ = 0;
    for (size_t i = 0; i < want.size(); ++i) differ += gpu[i] != std::byte{want[i]};
    CAPTURE(differ);
    CHECK(differ == 0);
  }
}

// Attention decode at growing KV lengths (flash-decoding: the KV length split across
// workgroups, then a combine pass), timed with GPU timestamps after a correctness check against
// the double-precision reference. The figure that matters is the time per KV position and how it
// changes with length: decode should scale linearly (constant time per position), so the
// ratios to the shortest length are reported beside the absolute times.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/json.h"
#include "runtime/kv/kv_cache.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/kv_store.h"
#include "runtime/reference/activations.h"
#include "runtime/vk/context.h"

namespace rotary {
namespace {

// Two GPU timestamps around the recorded work; ticks are converted with timestampPeriod.
class TimestampPair {
 public:
  explicit TimestampPair(vk::Device& device) : device_(device) {
    VkQueryPoolCreateInfo qi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qi.queryCount = 2;
    VkQueryPool pool = VK_NULL_HANDLE;
    ROTARY_VK(vkCreateQueryPool(device.handle(), &qi, nullptr, &pool));
    pool_ = vk::Handle<VkQueryPool>(device.handle(), pool);
    const auto& fam = device.caps().queue_families[static_cast<size_t>(device.caps().compute_family)];
    require(fam.timestamp_valid_bits > 0, ErrorKind::Unsupported, "the compute queue has no timestamps");
    mask_ = fam.timestamp_valid_bits >= 64 ? ~0ull : (1ull << fam.timestamp_valid_bits) - 1;
  }
  void begin(vk::Recorder& rec) {
    vkCmdResetQueryPool(rec.handle(), pool_.get(), 0, 2);
    vkCmdWriteTimestamp(rec.handle(), VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool_.get(), 0);
  }
  void end(vk::Recorder& rec) {
    vkCmdWriteTimestamp(rec.handle(), VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool_.get(), 1);
  }
  double seconds() const {
    uint64_t t[2] = {0, 0};
    ROTARY_VK(vkGetQueryPoolResults(device_.handle(), pool_.get(), 0, 2, sizeof(t), t, sizeof(uint64_t),
                                    VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
    return static_cast<double>((t[1] - t[0]) & mask_) * device_.caps().timestamp_period_ns * 1e-9;
  }

 private:
  vk::Device& device_;
  vk::Handle<VkQueryPool> pool_;
  uint64_t mask_ = 0;
};

struct Options {
  int device = -1;
  std::vector<uint32_t> kv_lengths = {512, 4096, 32768};
  uint32_t n_heads = 32, n_kv_heads = 4, head_dim = 128;
  std::string type = "f16";
  int trials = 3;
  bool json = false;
};

struct Result {
  uint32_t kv_len = 0;
  ops::AttentionPlan plan;
  double max_error = 0;
  double seconds = 0;  // per decode call (median of trials)
};

std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / 8388608.0f - 1.0f;  // [-1, 1)
  }
  return v;
}

vk::Buffer upload(vk::GpuContext& g, const std::vector<float>& data) {
  const uint64_t bytes = data.size() * 4;
  vk::Buffer dst = vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::DeviceLocal, vk::MemoryUse::Other,
                                      "bench input");
  vk::Buffer staging =
      vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::Upload, vk::MemoryUse::Staging, "bench staging");
  std::memcpy(staging.mapped(), data.data(), bytes);
  staging.flush(0, bytes);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kHostWrite, vk::access::kTransferRead);
    rec.copy(staging.view(), dst.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
  });
  return dst;
}

std::vector<std::byte> download(vk::GpuContext& g, const vk::BufferView& view) {
  vk::Buffer rb = vk::Buffer::create(g.device(), nullptr, view.size, vk::MemoryKind::Readback,
                                     vk::MemoryUse::Readback, "bench readback");
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.copy(view, rb.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  });
  rb.invalidate(0, view.size);
  std::vector<std::byte> out(view.size);
  std::memcpy(out.data(), rb.mapped(), view.size);
  return out;
}

// Fills positions [0, capacity) with pseudo-random K and V through kv_store, in pieces.
void fill(vk::GpuContext& g, const ops::KvLayerView& kv) {
  const uint32_t piece = 2048;
  const size_t row = size_t{kv.geo.n_kv_heads} * kv.geo.head_dim;
  for (uint32_t p = 0; p < kv.geo.capacity; p += piece) {
    const uint32_t n = std::min(piece, kv.geo.capacity - p);
    vk::Buffer k = upload(g, pseudo_random(n * row, 2 * p + 1)), v = upload(g, pseudo_random(n * row, 2 * p + 2));
    g.compute().run_now([&](vk::Recorder& rec) { ops::kv_store(rec, k.view(), v.view(), kv, p, n); });
  }
}

Result measure(vk::GpuContext& g, const Options& o, const ops::KvLayerView& kv, uint32_t kv_len,
               const vk::Buffer& q, const std::vector<float>& q_host) {
  Result r;
  r.kv_len = kv_len;
  r.plan = ops::attention_plan({1, kv_len - 1, o.n_heads}, kv.geo, g.caps());
  const size_t out_len = size_t{o.n_heads} * o.head_dim;
  vk::Buffer out = vk::Buffer::create(g.device(), nullptr, out_len * 4, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Other, "bench output");
  vk::Buffer scratch = vk::Buffer::create(g.device(), nullptr, std::max<uint64_t>(r.plan.scratch_bytes, 4),
                                          vk::MemoryKind::DeviceLocal, vk::MemoryUse::Scratch, "bench scratch");
  const auto decode = [&](vk::Recorder& rec) {
    ops::attention_decode(rec, q.view(), kv, out.view(), scratch.view(), o.n_heads, kv_len);
  };
  // Correctness first: the double-precision reference on the cached values.
  g.compute().run_now(decode);
  std::vector<float> got(out_len);
  const std::vector<std::byte> out_bytes = download(g, out.view());
  std::memcpy(got.data(), out_bytes.data(), out_len * 4);
  const uint64_t used = kv_len * kv.geo.row_bytes();
  const std::vector<float> k = ref::kv_values(download(g, kv.k.sub(0, used)), kv.geo, kv_len);
  const std::vector<float> v = ref::kv_values(download(g, kv.v.sub(0, used)), kv.geo, kv_len);
  std::vector<float> want(out_len);
  ref::attention(q_host, k, v, want, {1, kv_len - 1, o.n_heads}, o.n_kv_heads, o.head_dim);
  for (size_t i = 0; i < out_len; ++i) r.max_error = std::max(r.max_error, static_cast<double>(std::fabs(got[i] - want[i])));
  require(r.max_error <= 1e-5, ErrorKind::Internal,
          "attention decode at " + std::to_string(kv_len) + " positions is wrong (max error " +
              std::to_string(r.max_error) + ")");

  // Timed trials: `calls` decodes between two timestamps, enough for ~0.2 s (at most 32) after
  // one call timed alone.
  TimestampPair ts(g.device());
  const auto trial = [&](uint32_t calls) {
    g.compute().run_now([&](vk::Recorder& rec) {
      ts.begin(rec);
      for (uint32_t c = 0; c < calls; ++c) {
        decode(rec);
        rec.compute_barrier();
      }
      ts.end(rec);
    });
    return ts.seconds() / calls;
  };
  const double single = trial(1);
  const uint32_t calls = static_cast<uint32_t>(std::clamp(0.2 / std::max(single, 1e-9), 1.0, 32.0));
  std::vector<double> trials;
  for (int t = 0; t < o.trials; ++t) trials.push_back(trial(calls));
  std::sort(trials.begin(), trials.end());
  r.seconds = trials[trials.size() / 2];
  return r;
}

void report(const Options& o, const vk::DeviceCaps& caps, const ops::KvGeometry& geo, const std::vector<Result>& rs) {
  const double base = rs.front().seconds / rs.front().kv_len;  // seconds per position at the shortest
  if (o.json) {
    JsonWriter w;
    w.begin_object().field("device", caps.name).field("driver", caps.driver_info);
    w.field("kv_type", o.type).field("n_heads", o.n_heads).field("n_kv_heads", o.n_kv_heads);
    w.field("head_dim", o.head_dim).key("cases").begin_array();
    for (const Result& r : rs) {
      const double per_pos = r.seconds / r.kv_len;
      w.begin_object().field("kv_len", r.kv_len).field("splits", r.plan.n_splits).field("seconds", r.seconds);
      w.field("ns_per_position", per_pos * 1e9).field("per_position_ratio", per_pos / base);
      w.field("kv_gbps", 2.0 * r.kv_len * geo.row_bytes() / r.seconds / 1e9).field("max_error", r.max_error);
      w.end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  std::printf("attention decode on %s (%s): %u heads / %u kv heads, head_dim %u, %s cache\n", caps.name.c_str(),
              caps.driver_info.c_str(), o.n_heads, o.n_kv_heads, o.head_dim, o.type.c_str());
  std::printf("%8s %7s %12s %14s %16s %10s %10s\n", "kv_len", "splits", "us/call", "ns/position",
              "per-pos ratio", "KV GB/s", "max err");
  for (const Result& r : rs) {
    const double per_pos = r.seconds / r.kv_len;
    std::printf("%8u %7u %12.1f %14.2f %16.3f %10.2f %10.1e\n", r.kv_len, r.plan.n_splits, r.seconds * 1e6,
                per_pos * 1e9, per_pos / base, 2.0 * r.kv_len * geo.row_bytes() / r.seconds / 1e9, r.max_error);
  }
}

int run(const Options& o) {
  auto g = vk::GpuContext::create({.device_index = o.device});
  require(o.type == "f16" || o.type == "f32", ErrorKind::InvalidArgument, "--type is f16 or f32");
  require(!o.kv_lengths.empty(), ErrorKind::InvalidArgument, "--kv needs at least one length");
  const uint32_t capacity = *std::max_element(o.kv_lengths.begin(), o.kv_lengths.end());
  const ops::KvGeometry geo{o.type == "f16" ? ops::KvType::F16 : ops::KvType::F32, o.n_kv_heads, o.head_dim,
                            capacity};
  kv::KvCache cache = kv::KvCache::create(g->device(), nullptr, 1, geo);
  fill(*g, cache.layer(0));
  std::vector<float> q_host = pseudo_random(size_t{o.n_heads} * o.head_dim, 7);
  for (float& x : q_host) x *= 4.0f;
  vk::Buffer q = upload(*g, q_host);
  std::vector<Result> results;
  for (uint32_t len : o.kv_lengths) results.push_back(measure(*g, o, cache.layer(0), len, q, q_host));
  report(o, g->caps(), geo, results);
  return 0;
}

}  // namespace
}  // namespace rotary

int main(int argc, char** argv) {
  rotary::Options o;
  CLI::App app{"rotary-bench-attention: attention decode time per KV position (checked, GPU timestamps)"};
  app.add_option("--device", o.device, "Vulkan device index (default: the best)");
  app.add_option("--kv", o.kv_lengths, "KV lengths")->delimiter(',');
  app.add_option("--heads", o.n_heads, "query heads");
  app.add_option("--kv-heads", o.n_kv_heads, "KV heads");
  app.add_option("--head-dim", o.head_dim, "head dimension");
  app.add_option("--type", o.type, "KV cache type: f16 or f32");
  app.add_option("--trials", o.trials, "timed trials per length (the median is reported)");
  app.add_flag("--json", o.json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);
  try {
    return rotary::run(o);
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return rotary::exit_code(e.kind());
  }
}

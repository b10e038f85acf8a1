#include "bench/kernels/harness.h"

#include <chrono>
#include <cstdio>
#include <cstring>

#include "base/json.h"

namespace rotary::bench {

Bench::Bench(const Options& options) : options_(options) {
  gpu_ = vk::GpuContext::create({.device_index = options.device});
  timestamps_ = vk::TimestampPool::create(gpu_->device(), 2);
}

bool Bench::selected(const std::string& name) const {
  return options_.filter.empty() || name.find(options_.filter) != std::string::npos;
}

double Bench::time_us(const std::function<void(vk::Recorder&)>& record) {
  vk::CommandStream& cs = gpu_->compute();
  cs.run_now(
      [&](vk::Recorder& rec) { record(rec); });  // warm-up: pipelines, descriptor sets, caches
  const int n = reps();
  const auto start = std::chrono::steady_clock::now();
  cs.run_now([&](vk::Recorder& rec) {
    if (timestamps_) {
      timestamps_->reset(rec);
      timestamps_->write(rec, 0);
    }
    for (int i = 0; i < n; ++i) {
      record(rec);
      rec.compute_barrier();
    }
    if (timestamps_) timestamps_->write(rec, 1);
  });
  const double host_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const double ns = timestamps_ ? timestamps_->elapsed_ns(0, 1) : host_ns;
  return ns / 1000.0 / n;
}

vk::Buffer Bench::upload(const void* data, uint64_t bytes, const char* what) {
  vk::GpuContext& g = *gpu_;
  vk::Buffer dst = vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Weights, what);
  vk::Buffer staging = vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::Upload,
                                          vk::MemoryUse::Staging, "bench staging");
  std::memcpy(staging.mapped(), data, bytes);
  staging.flush(0, bytes);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kHostWrite, vk::access::kTransferRead);
    rec.copy(staging.view(), dst.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
  });
  return dst;
}

vk::Buffer Bench::scratch(uint64_t bytes, const char* what) {
  return vk::Buffer::create(gpu_->device(), &gpu_->budget(), bytes, vk::MemoryKind::DeviceLocal,
                            vk::MemoryUse::Scratch, what);
}

std::vector<float> Bench::download(const vk::Buffer& src, uint64_t count) {
  vk::GpuContext& g = *gpu_;
  vk::Buffer rb = vk::Buffer::create(g.device(), nullptr, count * 4, vk::MemoryKind::Readback,
                                     vk::MemoryUse::Readback, "bench readback");
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.copy(src.view(0, count * 4), rb.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  });
  rb.invalidate(0, count * 4);
  std::vector<float> v(count);
  std::memcpy(v.data(), rb.mapped(), count * 4);
  return v;
}

void Bench::report(const Result& r) {
  const double gbps = r.bytes / (r.us * 1e3);
  const double copy = copy_gbps_;
  if (options_.json) {
    Json j = {{"suite", r.suite}, {"case", r.name}, {"us", r.us}, {"gbps", gbps}};
    if (copy > 0 && r.suite != "copy") j["copy_ratio"] = gbps / copy;
    if (r.flops > 0) j["gflops"] = r.flops / (r.us * 1e3);
    j["check"] = r.check;
    std::printf("%s\n", dump_json(j).c_str());
    return;
  }
  if (!header_) {
    std::printf("%-8s %-26s %12s %10s %8s %10s  %s\n", "suite", "case", "us/rep", "GB/s", "of copy",
                "GFLOP/s", "check");
    header_ = true;
  }
  char ratio[32] = "", flops[32] = "";
  if (copy > 0 && r.suite != "copy") std::snprintf(ratio, sizeof ratio, "%.2f", gbps / copy);
  if (r.flops > 0) std::snprintf(flops, sizeof flops, "%.2f", r.flops / (r.us * 1e3));
  std::printf("%-8s %-26s %12.1f %10.2f %8s %10s  %s\n", r.suite.c_str(), r.name.c_str(), r.us,
              gbps, ratio, flops, r.check.c_str());
  std::fflush(stdout);
}

double Bench::copy_gbps() {
  if (copy_gbps_ > 0) return copy_gbps_;
  // Large enough to leave the caches of a GPU (and of the CPU running lavapipe).
  const uint64_t bytes = options_.quick ? (64ull << 20) : (512ull << 20);
  vk::Buffer src =
      vk::Buffer::create(gpu_->device(), &gpu_->budget(), bytes, vk::MemoryKind::DeviceLocal,
                         vk::MemoryUse::Scratch, "copy benchmark source");
  vk::Buffer dst =
      vk::Buffer::create(gpu_->device(), &gpu_->budget(), bytes, vk::MemoryKind::DeviceLocal,
                         vk::MemoryUse::Scratch, "copy benchmark destination");
  gpu_->compute().run_now([&](vk::Recorder& rec) { rec.fill(src.view(), 0x3F800000u); });
  const double us = time_us([&](vk::Recorder& rec) {
    rec.copy(src.view(), dst.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kTransferRead);
  });
  copy_gbps_ = 2.0 * bytes / (us * 1e3);
  report({"copy", std::to_string(bytes >> 20) + " MiB", us, 2.0 * bytes, 0, "ok"});
  return copy_gbps_;
}

void run_copy(Bench& b) {
  if (b.selected("copy")) b.copy_gbps();
}

}  // namespace rotary::bench

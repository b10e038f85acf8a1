// The timestamp query pool of the benchmarks: time runs forward across a dispatch, and a pool on
// a device without timestamps is simply absent.
#include "runtime/vk/timestamps.h"
#include "runtime/ops/elementwise.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {
namespace {

TEST_CASE_FIXTURE(GpuTest, "timestamps around a dispatch measure a positive time") {
  auto pool = vk::TimestampPool::create(ctx.device(), 2);
  if (!pool) {
    MESSAGE("the device has no timestamps on its compute queue");
    return;
  }
  const uint32_t n = 1 << 20;
  vk::Buffer a = device_buffer(ctx, n * 4ull), y = device_buffer(ctx, n * 4ull);
  ctx.compute().run_now([&](vk::Recorder& rec) {
    rec.fill(a.view(), 0);
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeRead);
    pool->reset(rec);
    pool->write(rec, 0);
    ops::add(rec, a.view(), a.view(), y.view(), n);
    pool->write(rec, 1);
  });
  const double ns = pool->elapsed_ns(0, 1);
  CHECK(ns > 0);
  CHECK(ns < 60e9);
  vk::TimestampPool moved = std::move(*pool);  // move-only, still usable
  CHECK(moved.elapsed_ns(0, 1) == ns);
}

}  // namespace
}  // namespace rotary::test

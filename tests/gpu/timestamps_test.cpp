// The timestamp query pool of the benchmarks: time runs forward across a dispatch, and a pool on
// a device without timestamps is simply absent; the residency stamp log resets its queries as the
// queue family allows.
#include "runtime/vk/timestamps.h"
#include "runtime/residency/stamp_log.h"
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

TEST_CASE("stamp log: a transfer-only family resets from the host, or has no timestamps") {
  vk::DeviceCaps caps;
  caps.compute_family = 0;
  caps.queue_families = {{0, VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT, 1, 64},
                         {1, VK_QUEUE_TRANSFER_BIT, 1, 64}};
  CHECK(StampLog::reset_mode(caps, -1) == StampReset::Recorded);
  CHECK(StampLog::reset_mode(caps, 0) == StampReset::Recorded);
  CHECK_FALSE(StampLog::reset_mode(caps, 1).has_value());  // no hostQueryReset: no valid reset
  caps.host_query_reset = true;
  CHECK(StampLog::reset_mode(caps, 1) == StampReset::Host);
  CHECK_FALSE(StampLog::reset_mode(caps, 7).has_value());  // no such family
}

// Host resets on the compute queue (the path of a dedicated transfer queue, which lavapipe does
// not have): the validation layer reports a timestamp written to a query that was not reset, so
// reusing the log after clear() without the host reset would fail this test.
TEST_CASE_FIXTURE(GpuTest, "stamp log with host resets: queries are reused after clear") {
  REQUIRE(ctx.device().caps().host_query_reset);
  StampLog log(ctx.device(), -1, StampReset::Host, 4);
  REQUIRE(log.enabled());
  const uint32_t n = 1 << 16;
  vk::Buffer a = device_buffer(ctx, n * 4ull), y = device_buffer(ctx, n * 4ull);
  for (int round = 0; round < 3; ++round) {
    int32_t from = -1, to = -1;
    ctx.compute().run_now([&](vk::Recorder& rec) {
      rec.fill(a.view(), 0);
      rec.barrier(vk::access::kTransferWrite, vk::access::kComputeRead);
      from = log.stamp(rec, true);
      ops::add(rec, a.view(), a.view(), y.view(), n);
      to = log.stamp(rec, false);
    });
    CHECK(from == 0);
    CHECK(to == 1);
    CHECK(log.ns(from, to) > 0);
    log.clear();
  }
}

}  // namespace
}  // namespace rotary::test

// The schedule simulator's cost model on hand-built schedules whose answers are worked out by
// hand: serial kernels, an upload overlapped with kernels on two queues, the same on one queue,
// dependencies, host waits and round trips, CPU work, the warm-up skip and malformed logs.
#include <doctest/doctest.h>

#include "base/error.h"
#include "bench/model/simulator.h"

using namespace rotary;
using namespace rotary::bench;
using vk::CopyPath;
using vk::QueueRole;

namespace {

constexpr uint64_t kCompute = 1, kTransfer = 2;  // two timelines

// A device with round numbers: 1 GB/s of memory (efficiency 1), 1 GB/s of link, 1 GB/s of host
// memory, costs that make the arithmetic exact, everything else 0.
DeviceModel toy() {
  DeviceModel d;
  d.key = "toy";
  d.memory_gbps = 1;
  d.kernel_efficiency = 1;
  d.tflops = 1;
  d.link_gbps = 1;
  d.host_gbps = 1;
  d.host_gflops = 1;
  return d;
}

constexpr uint64_t MB = 1000000;  // 1 ms at 1 GB/s

// One kernel reading `mb` MB (1 ms per MB on the toy).
void kernel(vk::ScheduleLog& log, uint64_t cmd, uint64_t mb) { log.dispatch(cmd, "k", {mb * MB, 0, 0}); }

}  // namespace

TEST_CASE("simulator: serial kernels, one submission and a host wait per step") {
  vk::ScheduleLog log;
  for (uint64_t s = 1; s <= 3; ++s) {
    log.step();
    log.begin(s, QueueRole::Compute);
    kernel(log, s, 2);
    log.barrier(s);
    kernel(log, s, 3);
    log.submit(s, QueueRole::Compute, {kCompute, s}, {});
    log.host_wait({kCompute, s});
  }
  DeviceModel d = toy();
  SimulatedSteps r = simulate(log.events(), d, 1);
  CHECK(r.steps == 2);
  CHECK(r.seconds == doctest::Approx(0.010));
  CHECK(r.kernel_s == doctest::Approx(0.010));
  CHECK(r.host_gap_s == doctest::Approx(0).epsilon(1e-12));
  CHECK(r.tokens_per_second() == doctest::Approx(200));
  CHECK(r.submits == 2);
  CHECK(r.host_waits == 2);
  CHECK(r.dispatches == 4);
  CHECK(r.barriers == 2);
  CHECK(r.command_buffers == 2);

  // Fixed costs: a 1 ms submission, 1 ms launch, 1 ms wake-up and 1 ms barrier are all on the path.
  d.submit_us = d.launch_us = d.wait_us = d.barrier_us = 1000;
  r = simulate(log.events(), d, 1);
  CHECK(r.per_step_ms(r.seconds) == doctest::Approx(5 + 4));
  CHECK(r.per_step_ms(r.kernel_s) == doctest::Approx(6));
  CHECK(r.per_step_ms(r.host_gap_s) == doctest::Approx(3));
}

TEST_CASE("simulator: an upload overlaps kernels on a transfer queue and is exposed on one queue") {
  // Per step: the host submits a 4 MB upload (4 ms on the link), then 3 ms of kernels that do not
  // need it, then 2 ms of kernels that wait for it, then waits for the end.
  vk::ScheduleLog log;
  uint64_t cv = 0, tv = 0, cmd = 0;
  for (int s = 0; s < 3; ++s) {
    log.step();
    log.begin(++cmd, QueueRole::Transfer);
    log.copy(cmd, CopyPath::HostToDevice, 4 * MB);
    log.submit(cmd, QueueRole::Transfer, {kTransfer, ++tv}, {});
    log.begin(++cmd, QueueRole::Compute);
    kernel(log, cmd, 3);
    log.submit(cmd, QueueRole::Compute, {kCompute, ++cv}, {});
    log.begin(++cmd, QueueRole::Compute);
    kernel(log, cmd, 2);
    log.submit(cmd, QueueRole::Compute, {kCompute, ++cv}, {{kTransfer, tv}});
    log.host_wait({kCompute, cv});
  }
  SimulatedSteps two = simulate(log.events(), toy(), 1);
  CHECK(two.per_step_ms(two.seconds) == doctest::Approx(6));  // 4 ms upload, then 2 ms of kernels
  CHECK(two.per_step_ms(two.kernel_s) == doctest::Approx(5));
  CHECK(two.per_step_ms(two.upload_wait_s) == doctest::Approx(1));  // the 3 ms hid 3 of the 4 ms
  CHECK(two.per_step_ms(two.upload_busy_s) == doctest::Approx(4));
  CHECK(two.upload_bytes == 2 * 4 * MB);

  DeviceModel one = toy();
  one.transfer_queue = false;
  SimulatedSteps single = simulate(log.events(), one, 1);
  CHECK(single.per_step_ms(single.seconds) == doctest::Approx(9));  // nothing overlaps
  CHECK(single.per_step_ms(single.upload_wait_s) == doctest::Approx(4));

  // Unified memory: an upload is a copy within the memory, read and written: 8 ms at 1 GB/s.
  DeviceModel unified = toy();
  unified.unified = true;
  SimulatedSteps u = simulate(log.events(), unified, 1);
  CHECK(u.per_step_ms(u.seconds) == doctest::Approx(10));
}

TEST_CASE("simulator: a dependency on earlier work and FLOP-bound dispatches") {
  vk::ScheduleLog log;
  log.step();
  log.begin(1, QueueRole::Transfer);
  log.copy(1, CopyPath::HostToDevice, 1 * MB);
  log.submit(1, QueueRole::Transfer, {kTransfer, 1}, {});
  log.begin(2, QueueRole::Compute);
  log.dispatch(2, "flops", {0, 0, 5e6});  // no bytes, 5e6 FLOPs: 5 ms at 1 GFLOP/s
  log.submit(2, QueueRole::Compute, {kCompute, 1}, {{kTransfer, 1}});
  log.host_wait({kCompute, 1});
  DeviceModel d = toy();
  d.tflops = 1e-3;  // 1 GFLOP/s
  const SimulatedSteps r = simulate(log.events(), d, 0);
  CHECK(r.seconds == doctest::Approx(0.006));
  CHECK(r.upload_wait_s == doctest::Approx(0.001));
  CHECK(r.kernel_s == doctest::Approx(0.005));
}

TEST_CASE("simulator: CPU work on the host while the GPU idles, and a host wait already signalled") {
  vk::ScheduleLog log;
  for (uint64_t s = 1; s <= 2; ++s) {
    log.step();
    log.begin(s, QueueRole::Compute);
    kernel(log, s, 1);
    log.submit(s, QueueRole::Compute, {kCompute, s}, {});
    log.cpu_work("cpu expert", {2 * MB, 1 * MB, 0});  // 3 ms at 1 GB/s, beside the 1 ms kernel
    log.host_wait({kCompute, s});                      // already done: a poll
  }
  DeviceModel d = toy();
  d.poll_us = 1000;
  const SimulatedSteps r = simulate(log.events(), d, 1);
  CHECK(r.per_step_ms(r.seconds) == doctest::Approx(4));
  CHECK(r.per_step_ms(r.kernel_s) == doctest::Approx(1));
  CHECK(r.per_step_ms(r.cpu_work_s) == doctest::Approx(2));  // the GPU idles for 2 of the 3 ms
  CHECK(r.per_step_ms(r.host_gap_s) == doctest::Approx(1));  // the poll
}

TEST_CASE("simulator: malformed schedules are refused") {
  vk::ScheduleLog log;
  log.step();
  log.begin(1, QueueRole::Compute);
  log.submit(1, QueueRole::Compute, {kCompute, 5}, {});
  log.host_wait({kCompute, 6});  // never submitted
  CHECK_THROWS_AS(simulate(log.events(), toy(), 0), Error);

  vk::ScheduleLog stray;
  stray.step();
  kernel(stray, 9, 1);  // never begun
  CHECK_THROWS_AS(simulate(stray.events(), toy(), 0), Error);

  vk::ScheduleLog none;
  CHECK_THROWS_AS(simulate(none.events(), toy(), 0), Error);  // no step to report
  DeviceModel broken = toy();
  broken.memory_gbps = 0;
  CHECK_THROWS_AS(simulate(log.events(), broken, 0), Error);
}

TEST_CASE("simulator: device models are complete and found by key") {
  for (const DeviceModel& d : device_models()) {
    CAPTURE(d.key);
    CHECK(d.memory_gbps > 0);
    CHECK(d.host_gbps > 0);
    CHECK((d.unified || d.link_gbps > 0));
    CHECK(!d.source.empty());
  }
  CHECK(find_device_models("rtx4060-laptop,h100-pcie").size() == 2);
  CHECK(find_device_models("all").size() == device_models().size());
  CHECK_THROWS_AS(find_device_models("rtx9090"), Error);
}

// The foundation's GPU checks: device creation, the budget, uploads through staging on the
// transfer queue ordered by timeline semaphores, binding a tensor larger than
// maxStorageBufferRange in ranges, and one shader whose result is checked.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "runtime/ops/elementwise.h"
#include "runtime/ops/grid.h"
#include "runtime/vk/binding.h"
#include "runtime/vk/staging.h"
#include "shaders/push.h"
#include "runtime/ops/weight_types.h"
#include "shaders/registry.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {
namespace {

TEST_CASE_FIXTURE(GpuTest, "device reports what the runtime relies on") {
  const vk::DeviceCaps& c = ctx.caps();
  CHECK(c.timeline_semaphore);
  CHECK(c.subgroup_size >= 1);
  CHECK(c.max_storage_buffer_range >= (64ull << 20));
  CHECK(c.max_shared_memory >= 16384);
  CHECK(c.compute_family >= 0);
  CHECK(ctx.instance().validation_enabled());
  CHECK(ctx.budget().limit() > 0);
}

TEST_CASE_FIXTURE(GpuTest, "every embedded shader variant builds a pipeline") {
  // Spec constant 0 is the workgroup size in every rotary shader. The layout is a superset of
  // what any shader declares (up to 8 plain buffer bindings, a full push-constant range): a
  // binding or push member missing from the layout is a validation error, a spare one is not.
  const uint32_t bindings = std::min(8u, ctx.caps().max_per_stage_storage_buffers);
  const uint32_t push_bytes = std::min(128u, ctx.caps().max_push_constants);
  // Variants for optional features build where the device has them: the cooperative-matrix
  // matmuls (none on lavapipe: they are only checked to be in the build), the dot and u16
  // matvec paths.
  const vk::DeviceCaps& caps = ctx.caps();
  size_t coopmat = 0;
  for (const auto& e : shaders::all()) {
    std::string name = e.name;
    const bool nosg = name.size() > 5 && name.compare(name.size() - 5, 5, "_nosg") == 0;
    if (nosg != !ctx.pipelines().subgroup_arith()) continue;
    if (nosg) name.resize(name.size() - 5);
    INFO(name);
    if (name.find("coopmat") != std::string::npos) {
      ++coopmat;
      CHECK(e.word_count > 5);
      if (!caps.cooperative_matrix) continue;
    }
    if (name.ends_with("_dot") && !caps.integer_dot_product) continue;
    if (name.ends_with("_u16") && !(caps.storage16 && caps.storage8)) continue;
    CHECK_NOTHROW(ctx.pipelines().get({name, {64}, bindings, push_bytes}));
  }
  CHECK(coopmat == ops::weight_kernel_types().size());  // matmul_coopmat_<t> for every type
}

TEST_CASE_FIXTURE(GpuTest, "the budget refuses an allocation past its limit and keeps its count") {
  vk::MemoryBudget budget(1 << 20);
  vk::Buffer small = vk::Buffer::create(ctx.device(), &budget, 512 << 10, vk::MemoryKind::DeviceLocal,
                                        vk::MemoryUse::Weights, "small weights");
  CHECK(budget.used() == (512u << 10));
  try {
    (void)vk::Buffer::create(ctx.device(), &budget, 768 << 10, vk::MemoryKind::DeviceLocal, vk::MemoryUse::Experts,
                             "expert slot pool");
    FAIL("the allocation should have been refused");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Budget);
    const std::string msg = e.what();
    CHECK(msg.find("expert slot pool") != std::string::npos);
    CHECK(msg.find("1.00 MiB") != std::string::npos);
    CHECK(msg.find("weights 512.0 KiB") != std::string::npos);
  }
  CHECK(budget.used() == (512u << 10));
  // Staging is host memory by intent: reported, not counted.
  vk::Buffer staging = vk::Buffer::create(ctx.device(), &budget, 2 << 20, vk::MemoryKind::Upload,
                                          vk::MemoryUse::Staging, "staging");
  CHECK(budget.used() == (512u << 10));
  CHECK(budget.used(vk::MemoryUse::Staging) == (2u << 20));
  small = vk::Buffer();
  CHECK(budget.used() == 0);
  CHECK(budget.peak() == (512u << 10));
}

void round_trip(vk::GpuContext& g) {
  const uint32_t n = 300001;  // not a multiple of any chunk or workgroup size
  std::vector<uint32_t> src(n);
  std::iota(src.begin(), src.end(), 7u);
  vk::Buffer dst = device_buffer(g, n * 4ull);
  vk::StagingRing ring(g.device(), &g.budget(), 1 << 20, g.transfer().queue());
  vk::Buffer back = vk::Buffer::create(g.device(), nullptr, n * 4ull, vk::MemoryKind::Readback,
                                       vk::MemoryUse::Readback, "readback");
  // Upload in 200 KiB pieces through a 1 MiB ring: the ring wraps and must wait for itself.
  const uint32_t piece = 50000;
  uint64_t last = 0;
  for (uint32_t first = 0; first < n; first += piece) {
    const uint32_t count = std::min(piece, n - first);
    vk::BufferView stage = ring.alloc(count * 4ull);
    std::memcpy(stage.mapped, src.data() + first, count * 4ull);
    vk::Recorder rec = g.transfer().begin();
    rec.copy(stage, dst.view(first * 4ull, count * 4ull));
    last = g.transfer().submit(rec);
    ring.retire(last);
  }
  // The compute queue waits on the transfer queue's timeline, then copies back.
  vk::Recorder rec = g.compute().begin();
  rec.barrier(vk::access::kTransferWrite, vk::access::kTransferRead);
  rec.copy(dst.view(), back.view());
  rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  const vk::SemaphoreWait wait{&g.transfer().queue().timeline(), last, VK_PIPELINE_STAGE_2_TRANSFER_BIT};
  const uint64_t done = g.compute().submit(rec, {&wait, 1});
  g.compute().queue().wait(done);
  back.invalidate(0, n * 4ull);
  std::vector<uint32_t> got(n);
  std::memcpy(got.data(), back.mapped(), n * 4ull);
  CHECK(got == src);
}

TEST_CASE_FIXTURE(GpuTest, "upload through the staging ring on the transfer queue, ordered by timelines") {
  round_trip(ctx);
}

TEST_CASE("the same round trip on the Vulkan 1.2 barrier and submit path") {
  auto g = make_gpu({.sync2 = false});
  CHECK_FALSE(g->device().sync2());
  round_trip(*g);
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

void check_add(vk::GpuContext& g, uint32_t n, uint32_t wg) {
  std::vector<float> a(n), b(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i) * 0.5f;
    b[i] = 3.0f - static_cast<float>(i % 7);
  }
  vk::Buffer da = upload_floats(g, a), db = upload_floats(g, b), dy = device_buffer(g, n * 4ull);
  g.compute().run_now([&](vk::Recorder& rec) { ops::add(rec, da.view(), db.view(), dy.view(), n, {wg}); });
  const auto y = download_floats(g, dy.view(), n);
  uint32_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) wrong += y[i] != a[i] + b[i];  // one exact float add each
  CHECK(wrong == 0);
}

TEST_CASE_FIXTURE(GpuTest, "add: awkward sizes and two workgroup sizes") {
  for (uint32_t n : {1u, 7u, 13u, 127u, 1000003u})
    for (uint32_t wg : {64u, 256u}) {
      CAPTURE(n);
      CAPTURE(wg);
      check_add(ctx, n, wg);
    }
}

TEST_CASE("add: the shared-memory (no subgroup) variants") {
  auto g = make_gpu({.subgroup_arith = false});
  CHECK_FALSE(g->pipelines().subgroup_arith());
  check_add(*g, 1000, 64);
  CHECK(g->instance().validation_errors() == 0);
}

TEST_CASE_FIXTURE(GpuTest, "a tensor larger than maxStorageBufferRange is bound in row ranges") {
  const uint64_t range = ctx.caps().max_storage_buffer_range;
  const uint64_t row_floats = 1000;  // 4000-byte rows: row starts are not binding-aligned
  const uint64_t rows = range / (row_floats * 4) + 37;
  const uint64_t n = rows * row_floats;
  REQUIRE(n * 4 > range);
  vk::Buffer big = device_buffer(ctx, n * 4, "big tensor");
  vk::Buffer out = device_buffer(ctx, n * 4, "big result");
  // Fill big[i] = i (mod 2^20) on the host through a staging copy per chunk of rows.
  vk::StagingRing ring(ctx.device(), nullptr, 64ull << 20, ctx.compute().queue());
  const uint64_t rows_per_piece = (32ull << 20) / (row_floats * 4);
  for (uint64_t r = 0; r < rows; r += rows_per_piece) {
    const uint64_t cnt = std::min(rows_per_piece, rows - r);
    vk::BufferView s = ring.alloc(cnt * row_floats * 4);
    auto* f = reinterpret_cast<float*>(s.mapped);
    for (uint64_t i = 0; i < cnt * row_floats; ++i) f[i] = static_cast<float>((r * row_floats + i) & 0xFFFFF);
    ctx.compute().run_now([&](vk::Recorder& rec) { rec.copy(s, big.view(r * row_floats * 4, s.size)); });
    ring.retire(ctx.compute().queue().last_submitted());
  }
  const auto in_chunks = vk::split_rows(big.view(), row_floats * 4, rows, ctx.caps());
  const auto out_chunks = vk::split_rows(out.view(), row_floats * 4, rows, ctx.caps());
  REQUIRE(in_chunks.size() >= 2);
  REQUIRE(in_chunks.size() == out_chunks.size());
  const vk::Pipeline& p = ctx.pipelines().get({"add", {256}, 3, sizeof(push::BinaryPush)});
  ctx.compute().run_now([&](vk::Recorder& rec) {
    for (size_t c = 0; c < in_chunks.size(); ++c) {
      const auto& ic = in_chunks[c];
      const auto& oc = out_chunks[c];
      REQUIRE(ic.binding.size <= range);
      const uint32_t count = static_cast<uint32_t>(ic.rows * row_floats);
      const push::BinaryPush pc{count, static_cast<uint32_t>(ic.skip_bytes / 4), static_cast<uint32_t>(ic.skip_bytes / 4),
                                static_cast<uint32_t>(oc.skip_bytes / 4)};
      const ops::Grid grid = ops::grid_for(ctx.caps(), count, 256);
      rec.dispatch(p, {ic.binding, ic.binding, oc.binding}, pc, grid.x, grid.y);
    }
  });
  // Check the rows on both sides of every chunk boundary and a spread of others.
  for (const auto& c : in_chunks) {
    for (uint64_t r : {c.first_row, c.first_row + c.rows - 1}) {
      const auto got = download_floats(ctx, out.view(r * row_floats * 4, row_floats * 4), row_floats);
      uint32_t wrong = 0;
      for (uint64_t i = 0; i < row_floats; ++i)
        wrong += got[i] != 2.0f * static_cast<float>((r * row_floats + i) & 0xFFFFF);
      CAPTURE(r);
      CHECK(wrong == 0);
    }
  }
}

}  // namespace
}  // namespace rotary::test

namespace rotary::test {
namespace {

TEST_CASE_FIXTURE(GpuTest, "a destroyed buffer's cached descriptor sets are dropped") {
  // Handle values come back after destruction (lavapipe's are heap pointers; the validation
  // layer hides that by wrapping them), so a set cached for a dead buffer must not outlive it.
  vk::Buffer a = device_buffer(ctx, 4096), b = device_buffer(ctx, 4096), y = device_buffer(ctx, 4096);
  const size_t before = ctx.descriptors().size();
  ctx.compute().run_now([&](vk::Recorder& rec) { ops::add(rec, a.view(), b.view(), y.view(), 1024, {64}); });
  CHECK(ctx.descriptors().size() == before + 1);
  ctx.compute().run_now([&](vk::Recorder& rec) { ops::add(rec, a.view(), b.view(), y.view(), 1024, {64}); });
  CHECK(ctx.descriptors().size() == before + 1);  // cached
  b = vk::Buffer();
  CHECK(ctx.descriptors().size() == before);
}

}  // namespace
}  // namespace rotary::test

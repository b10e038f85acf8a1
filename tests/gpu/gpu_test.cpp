#define DOCTEST_CONFIG_IMPLEMENT
#include "tests/gpu/gpu_test.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace rotary::test {

namespace {
std::unique_ptr<vk::GpuContext> g_gpu;
std::vector<std::function<void()>> g_teardown;
}

void at_teardown(std::function<void()> fn) { g_teardown.push_back(std::move(fn)); }

std::unique_ptr<vk::GpuContext> make_gpu(vk::GpuOptions options) {
  options.validation = true;
  if (const char* d = std::getenv("ROTARY_TEST_DEVICE")) options.device_index = std::atoi(d);
  return vk::GpuContext::create(options);
}

vk::GpuContext& gpu() { return *g_gpu; }

GpuTest::GpuTest()
    : ctx(gpu()), errors_before(ctx.instance().validation_errors()),
      warnings_before(ctx.instance().validation_warnings()) {}

GpuTest::~GpuTest() {
  CHECK_MESSAGE(ctx.instance().validation_errors() == errors_before, "the validation layer reported errors");
  CHECK_MESSAGE(ctx.instance().validation_warnings() == warnings_before, "the validation layer reported warnings");
}

vk::Buffer device_buffer(vk::GpuContext& g, uint64_t bytes, const char* what) {
  return vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::DeviceLocal, vk::MemoryUse::Other, what);
}

vk::Buffer upload_floats(vk::GpuContext& g, const std::vector<float>& data, const char* what) {
  const uint64_t bytes = data.size() * sizeof(float);
  vk::Buffer dst = device_buffer(g, bytes, what);
  vk::Buffer staging = vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::Upload, vk::MemoryUse::Staging,
                                          "test staging");
  std::memcpy(staging.mapped(), data.data(), bytes);
  staging.flush(0, bytes);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kHostWrite, vk::access::kTransferRead);
    rec.copy(staging.view(), dst.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
  });
  return dst;
}

std::vector<float> download_floats(vk::GpuContext& g, const vk::BufferView& view, size_t count) {
  const uint64_t bytes = count * sizeof(float);
  vk::Buffer rb = vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::Readback, vk::MemoryUse::Readback,
                                     "test readback");
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.copy(view.sub(0, bytes), rb.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  });
  rb.invalidate(0, bytes);
  std::vector<float> out(count);
  std::memcpy(out.data(), rb.mapped(), bytes);
  return out;
}

}  // namespace rotary::test

namespace {

// doctest's listing, help and version options run no test, so they need no device: ctest lists the
// cases this way (cmake/DoctestList.cmake) on machines without the validation layer too.
bool runs_no_test(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--dt-")) a = "--" + a.substr(5);
    if (a.starts_with("--list") || a.starts_with("-l") || a == "-h" || a == "--help" || a == "-?" ||
        a == "-v" || a == "--version")
      return true;
  }
  return false;
}

}  // namespace

// Decides whether the suite can run: without a Vulkan device or the validation layer it is
// skipped (exit 77, which ctest reports as skipped), unless ROTARY_REQUIRE_GPU=1 (CI), where a
// skip would hide a broken set-up and is a failure instead.
int main(int argc, char** argv) {
  if (runs_no_test(argc, argv)) return doctest::Context(argc, argv).run();
  const bool required = std::getenv("ROTARY_REQUIRE_GPU") && std::string(std::getenv("ROTARY_REQUIRE_GPU")) == "1";
  try {
    rotary::test::g_gpu = rotary::test::make_gpu({});
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "%s GPU tests: %s\n", required ? "FAILED:" : "SKIPPED:", e.what());
    return required ? 1 : 77;
  }
  doctest::Context context(argc, argv);
  const int rc = context.run();
  for (auto it = rotary::test::g_teardown.rbegin(); it != rotary::test::g_teardown.rend(); ++it) (*it)();
  rotary::test::g_gpu.reset();
  return rc;
}

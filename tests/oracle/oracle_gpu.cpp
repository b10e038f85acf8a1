#include "tests/oracle/oracle_gpu.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>

namespace rotary::test {

namespace {
std::unique_ptr<vk::GpuContext> g_gpu;
}

vk::GpuContext& oracle_gpu() {
  if (!g_gpu) {
    vk::GpuOptions options;
    options.validation = true;
    if (const char* d = std::getenv("ROTARY_TEST_DEVICE")) options.device_index = std::atoi(d);
    g_gpu = vk::GpuContext::create(options);
  }
  return *g_gpu;
}

void release_oracle_gpu() {
  g_gpu.reset();
}

GpuClean::GpuClean()
    : gpu(oracle_gpu()),
      errors_before(gpu.instance().validation_errors()),
      warnings_before(gpu.instance().validation_warnings()) {}

GpuClean::~GpuClean() {
  CHECK_MESSAGE(gpu.instance().validation_errors() == errors_before,
                "the validation layer reported errors");
  CHECK_MESSAGE(gpu.instance().validation_warnings() == warnings_before,
                "the validation layer reported warnings");
}

}  // namespace rotary::test

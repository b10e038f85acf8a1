#pragma once
// Shared by the GPU suites: one GpuContext per process with the validation layer (core and
// synchronization validation) always on, and a fixture that fails any test case during which
// the layer reported an error or a warning.
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <vector>

#include "runtime/vk/context.h"

namespace rotary::test {

// The process-wide context (created by gpu_main before any test runs).
vk::GpuContext& gpu();
// A fresh context with other options (validation stays on), for tests of device options.
std::unique_ptr<vk::GpuContext> make_gpu(vk::GpuOptions options);
// Runs `fn` after the last test, before the process-wide context is destroyed: a context a suite
// keeps for the whole run must go then, not in a static destructor (the validation layer is
// unloaded by that time).
void at_teardown(std::function<void()> fn);

struct GpuTest {
  GpuTest();
  ~GpuTest();
  vk::GpuContext& ctx;
  uint32_t errors_before;
  uint32_t warnings_before;
};

// Host <-> device helpers for tests: plain and slow (wait after each), never used by the runtime.
vk::Buffer upload_floats(vk::GpuContext& g, const std::vector<float>& data, const char* what = "test input");
std::vector<float> download_floats(vk::GpuContext& g, const vk::BufferView& view, size_t count);
vk::Buffer device_buffer(vk::GpuContext& g, uint64_t bytes, const char* what = "test buffer");

}  // namespace rotary::test

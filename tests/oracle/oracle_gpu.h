#pragma once
// The oracle suite's GPU, for the tests that run rotary itself against llama.cpp: one GpuContext
// per process with the validation layer (core and synchronization) on, created on first use and
// destroyed by the suite's main after the last test (the layer is unloaded before static
// destructors run). A test case checks that the layer stayed silent with GpuClean.
#include <cstdint>

#include "runtime/vk/context.h"

namespace rotary::test {

// Throws Error(NoDevice) when there is no Vulkan device: the oracle suite needs one (lavapipe in
// CI), and a test that cannot run rotary fails rather than passes.
vk::GpuContext& oracle_gpu();
void release_oracle_gpu();

// Fails the test case (CHECK) when the validation layer reported anything during its lifetime.
struct GpuClean {
  GpuClean();
  ~GpuClean();
  vk::GpuContext& gpu;
  uint32_t errors_before, warnings_before;
};

}  // namespace rotary::test

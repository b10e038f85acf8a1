#include "runtime/vk/context.h"

namespace rotary::vk {

uint64_t default_vram_budget(const DeviceCaps& caps) {
  const MemoryHeapInfo* best = nullptr;
  for (const auto& h : caps.heaps)
    if (h.device_local && (!best || h.size > best->size)) best = &h;
  if (!best) return 0;
  if (caps.memory_budget && best->budget) return best->budget;
  return best->size / 10 * 9;
}

std::unique_ptr<GpuContext> GpuContext::create(const GpuOptions& options) {
  std::unique_ptr<GpuContext> c(new GpuContext());
  InstanceOptions io;
  io.validation = options.validation;
  c->instance_ = Instance::create(io);
  DeviceOptions dopt;
  dopt.index = options.device_index;
  dopt.use_sync2 = options.sync2;
  dopt.use_dedicated_transfer = options.dedicated_transfer;
  dopt.matvec_path = options.matvec_path;
  dopt.matmul_path = options.matmul_path;
  dopt.record_only = options.record_only;
  c->device_ = Device::create(*c->instance_, dopt);
  const uint64_t budget = options.vram_budget ? options.vram_budget : default_vram_budget(c->device_->caps());
  c->budget_ = std::make_unique<MemoryBudget>(budget);
  c->pipelines_ = std::make_unique<PipelineCache>(*c->device_, options.subgroup_arith, c->budget_.get());
  c->descriptors_ = std::make_unique<DescriptorCache>(*c->device_);
  c->compute_ = std::make_unique<CommandStream>(*c->device_, c->device_->compute(), *c->pipelines_, *c->descriptors_,
                                               QueueRole::Compute);
  c->transfer_ = std::make_unique<CommandStream>(*c->device_, c->device_->transfer(), *c->pipelines_, *c->descriptors_,
                                                QueueRole::Transfer);
  return c;
}

GpuContext::~GpuContext() {
  if (device_) vkDeviceWaitIdle(device_->handle());
}

}  // namespace rotary::vk

#include "runtime/vk/device.h"

#include <string>

namespace rotary::vk {

std::string unsupported_reason(const DeviceCaps& c) {
  if (c.api_version < VK_API_VERSION_1_2) return "Vulkan " + c.api_version_string() + " (1.2 needed)";
  if (!c.timeline_semaphore) return "no timeline semaphores";
  if (c.compute_family < 0) return "no compute queue";
  // Expert kernels index an array of slot-pool buffers with a workgroup-uniform value.
  if (!c.storage_buffer_array_dynamic_indexing) return "no dynamic indexing of storage buffer arrays";
  return "";
}

namespace {
int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}
}  // namespace

uint32_t pick_device(const std::vector<DeviceCaps>& devices, int requested) {
  std::string listing;
  for (const auto& d : devices) {
    const std::string why = unsupported_reason(d);
    listing += "\n  " + std::to_string(d.index) + ": " + d.name + " (" + d.type_name() + ")" +
               (why.empty() ? "" : " - unusable: " + why);
  }
  if (devices.empty())
    throw Error(ErrorKind::NoDevice,
                "no Vulkan device found: install a GPU driver, or mesa-vulkan-drivers for lavapipe (CPU)");
  if (requested >= 0) {
    if (static_cast<size_t>(requested) >= devices.size())
      throw Error(ErrorKind::NoDevice, "--device " + std::to_string(requested) + " does not exist; devices:" + listing);
    const std::string why = unsupported_reason(devices[static_cast<size_t>(requested)]);
    if (!why.empty())
      throw Error(ErrorKind::NoDevice, "device " + std::to_string(requested) + " cannot run rotary: " + why);
    return static_cast<uint32_t>(requested);
  }
  int best = -1;
  for (const auto& d : devices) {
    if (!unsupported_reason(d).empty()) continue;
    if (best < 0 || type_rank(d.type) < type_rank(devices[static_cast<size_t>(best)].type))
      best = static_cast<int>(d.index);
  }
  if (best < 0) throw Error(ErrorKind::NoDevice, "no Vulkan device can run rotary:" + listing);
  return static_cast<uint32_t>(best);
}

std::unique_ptr<Device> Device::create(const Instance& instance, const DeviceOptions& options) {
  const auto physicals = instance.physical_devices();
  std::vector<DeviceCaps> all;
  for (uint32_t i = 0; i < physicals.size(); ++i) all.push_back(query_caps(physicals[i], i, instance.api_version()));
  const uint32_t index = pick_device(all, options.index);

  std::unique_ptr<Device> self(new Device());
  self->physical_ = physicals[index];
  self->caps_ = all[index];
  const DeviceCaps& c = self->caps_;
  self->sync2_ = options.use_sync2 && c.synchronization2;
  const std::string no_path = matvec_path_unsupported(c, options.matvec_path);
  require(no_path.empty(), ErrorKind::Unsupported,
          std::string("matvec path ") + matvec_path_name(options.matvec_path) + " on " + c.name + ": " + no_path);
  self->matvec_path_ = options.matvec_path;
  if (options.matmul_path == MatmulPath::coopmat) {
    const std::string why = coopmat_unsupported(c);
    require(why.empty(), ErrorKind::Unsupported, "matmul path coopmat on " + c.name + ": " + why);
  }
  self->matmul_path_ = options.matmul_path;
  self->memory_budget_ = c.memory_budget;
  self->external_memory_host_ = c.external_memory_host;
  self->tap_.record_only = options.record_only;

  // Queues: compute, plus a transfer queue from the copy engine if there is one, else a second
  // queue of the compute family if it has two, else none (transfers share the compute queue).
  const uint32_t cf = static_cast<uint32_t>(c.compute_family);
  const auto& cfam = c.queue_families[cf];
  int32_t tf = -1;
  uint32_t tq = 0;
  if (options.use_dedicated_transfer && c.transfer_family >= 0) {
    tf = c.transfer_family;
  } else if (cfam.count >= 2) {
    tf = static_cast<int32_t>(cf);
    tq = 1;
  }
  const float priorities[2] = {1.0f, 1.0f};
  std::vector<VkDeviceQueueCreateInfo> queue_infos;
  VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qi.queueFamilyIndex = cf;
  qi.queueCount = (tf == static_cast<int32_t>(cf)) ? 2 : 1;
  qi.pQueuePriorities = priorities;
  queue_infos.push_back(qi);
  if (tf >= 0 && tf != static_cast<int32_t>(cf)) {
    qi.queueFamilyIndex = static_cast<uint32_t>(tf);
    qi.queueCount = 1;
    queue_infos.push_back(qi);
  }

  std::vector<const char*> extensions;
  if (c.memory_budget) extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (c.external_memory_host) {
    extensions.push_back(VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME);
    extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  }

  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
  VkPhysicalDeviceFeatures2 f{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  f.pNext = &f11;
  f11.pNext = &f12;
  f.features.shaderStorageBufferArrayDynamicIndexing = c.storage_buffer_array_dynamic_indexing;
  f11.storageBuffer16BitAccess = c.storage16;
  f12.timelineSemaphore = VK_TRUE;
  f12.hostQueryReset = c.host_query_reset;
  f12.shaderFloat16 = c.float16;
  f12.shaderInt8 = c.int8;
  f12.storageBuffer8BitAccess = c.storage8;
  if (c.core13) {
    f12.pNext = &f13;
    f13.synchronization2 = self->sync2_;
    f13.subgroupSizeControl = c.subgroup_size_control;
    f13.computeFullSubgroups = c.subgroup_size_control;
    f13.shaderIntegerDotProduct = c.integer_dot_product;
  }

  // Integer dot products on a 1.2 device: the KHR extension and its feature structure.
  VkPhysicalDeviceShaderIntegerDotProductFeatures fdot{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
  if (!c.core13 && c.integer_dot_product) {
    extensions.push_back(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    fdot.shaderIntegerDotProduct = VK_TRUE;
    f12.pNext = &fdot;
  }

  // VK_KHR_cooperative_matrix (the coopmat matmul), its feature structure spelled out: the headers
  // rotary builds with predate it (caps.cpp).
  struct CoopMatFeaturesKHR {
    VkStructureType sType;
    void* pNext;
    VkBool32 cooperativeMatrix;
    VkBool32 cooperativeMatrixRobustBufferAccess;
  } fcoop{static_cast<VkStructureType>(1000506000), nullptr, VK_TRUE, VK_FALSE};
  if (c.coopmat_f16_16x16x16) {
    extensions.push_back("VK_KHR_cooperative_matrix");
    fcoop.pNext = f.pNext;
    f.pNext = &fcoop;
  }
  // Only for the coopmat matmul (its SPIR-V declares the Vulkan memory model), with device scope.
  f12.vulkanMemoryModel = f12.vulkanMemoryModelDeviceScope = c.coopmat_f16_16x16x16 && c.vulkan_memory_model;

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &f;
  info.queueCreateInfoCount = static_cast<uint32_t>(queue_infos.size());
  info.pQueueCreateInfos = queue_infos.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  ROTARY_VK(vkCreateDevice(self->physical_, &info, nullptr, &self->device_));
  volkLoadDevice(self->device_);

  VkQueue q = VK_NULL_HANDLE;
  vkGetDeviceQueue(self->device_, cf, 0, &q);
  self->compute_ = std::make_unique<Queue>(self->device_, q, cf, self->sync2_, "compute", &self->counters_,
                                           &self->tap_);
  self->families_.push_back(cf);
  if (tf >= 0) {
    vkGetDeviceQueue(self->device_, static_cast<uint32_t>(tf), tq, &q);
    self->transfer_ = std::make_unique<Queue>(self->device_, q, static_cast<uint32_t>(tf), self->sync2_, "transfer",
                                             &self->counters_, &self->tap_);
    self->dedicated_transfer_ = tf != static_cast<int32_t>(cf);
    if (self->dedicated_transfer_) self->families_.push_back(static_cast<uint32_t>(tf));
  }

  self->tap_.queues.push_back(self->compute_.get());
  if (self->transfer_) self->tap_.queues.push_back(self->transfer_.get());

  VkPipelineCacheCreateInfo pci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  VkPipelineCache pc = VK_NULL_HANDLE;
  ROTARY_VK(vkCreatePipelineCache(self->device_, &pci, nullptr, &pc));
  self->pipeline_cache_ = Handle<VkPipelineCache>(self->device_, pc);
  return self;
}

Device::~Device() {
  if (device_ == VK_NULL_HANDLE) return;
  vkDeviceWaitIdle(device_);
  // Queues own timeline semaphores: destroy them before the device.
  transfer_.reset();
  compute_.reset();
  pipeline_cache_.reset();
  vkDestroyDevice(device_, nullptr);
}

void Device::wait_idle() const { ROTARY_VK(vkDeviceWaitIdle(device_)); }

std::vector<MemoryHeapInfo> Device::heap_budgets() const {
  if (!memory_budget_) return {};
  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
  props.pNext = &budget;
  vkGetPhysicalDeviceMemoryProperties2(physical_, &props);
  std::vector<MemoryHeapInfo> heaps = caps_.heaps;
  for (size_t h = 0; h < heaps.size(); ++h) {
    heaps[h].budget = budget.heapBudget[h];
    heaps[h].usage = budget.heapUsage[h];
  }
  return heaps;
}

}  // namespace rotary::vk

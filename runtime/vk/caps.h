#pragma once
// What a physical device can do, read once: the capability report of `rotary devices`, and the
// facts the runtime picks its paths by (subgroups, 8/16-bit storage, binding range, queues).
#include <cstdint>
#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "runtime/vk/vk.h"

namespace rotary::vk {

struct QueueFamilyInfo {
  uint32_t index = 0;
  VkQueueFlags flags = 0;
  uint32_t count = 0;
  uint32_t timestamp_valid_bits = 0;
};

struct MemoryHeapInfo {
  uint64_t size = 0;
  bool device_local = false;
  bool host_visible = false;  // some memory type in this heap is host-visible
  uint64_t budget = 0;        // VK_EXT_memory_budget; 0 when the driver does not report it
  uint64_t usage = 0;
};

struct DeviceCaps {
  uint32_t index = 0;
  std::string name;
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t api_version = 0;  // the device's
  // Vulkan 1.3 structures and features may be used: the device has 1.3 and the instance was
  // created for 1.3 (a 1.2 loader in front of a 1.3 driver gives 1.2 only).
  bool core13 = false;
  uint32_t driver_version = 0;
  std::string driver_name;  // VkPhysicalDeviceDriverProperties, e.g. "llvmpipe", "NVIDIA"
  std::string driver_info;  // e.g. "Mesa 22.3.6 (LLVM 15.0.6)", "550.54.14"

  std::vector<MemoryHeapInfo> heaps;
  bool memory_budget = false;  // VK_EXT_memory_budget
  bool unified_memory = false; // every device-local heap is also host-visible (APU, CPU device)

  std::vector<QueueFamilyInfo> queue_families;
  int32_t compute_family = -1;
  int32_t transfer_family = -1;  // a transfer-only family (DMA engine); -1 when there is none

  uint32_t subgroup_size = 0;
  uint32_t min_subgroup_size = 0;
  uint32_t max_subgroup_size = 0;
  bool subgroup_size_control = false;
  // A compute pipeline may require a subgroup size (requiredSubgroupSizeStages has compute), with
  // at most this many subgroups in a workgroup.
  bool required_subgroup_size_compute = false;
  uint32_t max_compute_workgroup_subgroups = 0;
  bool subgroup_arithmetic = false;  // GL_KHR_shader_subgroup_arithmetic in compute
  bool subgroup_shuffle = false;

  bool timeline_semaphore = false;
  bool host_query_reset = false;  // vkResetQueryPool from the host (Vulkan 1.2 hostQueryReset)
  bool synchronization2 = false;
  bool float16 = false;            // shaderFloat16
  bool int8 = false;               // shaderInt8
  bool storage8 = false;           // storageBuffer8BitAccess
  bool storage16 = false;          // storageBuffer16BitAccess
  bool integer_dot_product = false;   // shaderIntegerDotProduct (Vulkan 1.3 or the KHR extension)
  // integerDotProduct4x8BitPacked{Signed,MixedSignedness}Accelerated: packed 8-bit dot products
  // run as hardware instructions, not emulated (lavapipe: false).
  bool integer_dot_accelerated = false;
  bool cooperative_matrix = false; // VK_KHR_cooperative_matrix
  // ... offering f16 x f16 + f32 -> f32 at M = N = K = 16, subgroup scope (the coopmat matmul)
  bool coopmat_f16_16x16x16 = false;
  // vulkanMemoryModel and vulkanMemoryModelDeviceScope (the coopmat matmul's SPIR-V uses the
  // model; enabled only on devices that can take that path)
  bool vulkan_memory_model = false;
  bool external_memory_host = false;
  bool push_descriptor = false;
  bool storage_buffer_array_dynamic_indexing = false;

  uint64_t max_storage_buffer_range = 0;
  uint32_t max_shared_memory = 0;
  uint64_t max_memory_allocation_size = 0;
  uint64_t min_storage_offset_alignment = 0;
  uint64_t non_coherent_atom_size = 0;
  uint64_t min_imported_host_pointer_alignment = 0;
  uint32_t max_workgroup_count[3] = {0, 0, 0};
  uint32_t max_workgroup_size_x = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_push_constants = 0;
  uint32_t max_per_stage_storage_buffers = 0;
  float timestamp_period_ns = 0;

  uint64_t device_local_bytes() const;  // sum of device-local heaps
  const char* type_name() const;
  const char* vendor_name() const;
  std::string api_version_string() const;
};

bool has_device_extension(VkPhysicalDevice pd, const char* name);
DeviceCaps query_caps(VkPhysicalDevice pd, uint32_t index, uint32_t instance_api_version);

Json caps_json(const DeviceCaps& caps);
std::string caps_to_text(const DeviceCaps& caps);

}  // namespace rotary::vk

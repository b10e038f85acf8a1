#include "runtime/vk/caps.h"

#include <cstring>
#include <sstream>

#include "base/json.h"
#include "base/units.h"

namespace rotary::vk {

bool has_device_extension(VkPhysicalDevice pd, const char* name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> exts(count);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &count, exts.data());
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

namespace {

void read_queues(VkPhysicalDevice pd, DeviceCaps& c) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, nullptr);
  std::vector<VkQueueFamilyProperties> fams(count);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, fams.data());
  for (uint32_t i = 0; i < count; ++i) {
    c.queue_families.push_back({i, fams[i].queueFlags, fams[i].queueCount, fams[i].timestampValidBits});
    const VkQueueFlags f = fams[i].queueFlags;
    if (c.compute_family < 0 && (f & VK_QUEUE_COMPUTE_BIT)) c.compute_family = static_cast<int32_t>(i);
    // A dedicated transfer family is the copy engine: transfer without graphics or compute.
    if (c.transfer_family < 0 && (f & VK_QUEUE_TRANSFER_BIT) &&
        !(f & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)))
      c.transfer_family = static_cast<int32_t>(i);
  }
}

void read_memory(VkPhysicalDevice pd, DeviceCaps& c) {
  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
  if (c.memory_budget) props.pNext = &budget;
  vkGetPhysicalDeviceMemoryProperties2(pd, &props);
  const auto& mp = props.memoryProperties;
  c.heaps.resize(mp.memoryHeapCount);
  for (uint32_t h = 0; h < mp.memoryHeapCount; ++h) {
    c.heaps[h].size = mp.memoryHeaps[h].size;
    c.heaps[h].device_local = mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
    if (c.memory_budget) {
      c.heaps[h].budget = budget.heapBudget[h];
      c.heaps[h].usage = budget.heapUsage[h];
    }
  }
  for (uint32_t t = 0; t < mp.memoryTypeCount; ++t)
    if (mp.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      c.heaps[mp.memoryTypes[t].heapIndex].host_visible = true;
  bool any_device_local = false;
  bool all_visible = true;
  for (const auto& h : c.heaps) {
    if (!h.device_local) continue;
    any_device_local = true;
    all_visible = all_visible && h.host_visible;
  }
  c.unified_memory = any_device_local && all_visible &&
                     (c.type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ||
                      c.type == VK_PHYSICAL_DEVICE_TYPE_CPU);
}

void read_features(VkPhysicalDevice pd, DeviceCaps& c) {
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
  VkPhysicalDeviceShaderIntegerDotProductFeatures fdot{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
  VkPhysicalDeviceFeatures2 f{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  f.pNext = &f11;
  f11.pNext = &f12;
  const bool v13 = c.core13;
  if (v13) f12.pNext = &f13;
  const bool dot_ext = v13 || has_device_extension(pd, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
  if (dot_ext) {
    if (v13) f13.pNext = &fdot;
    else f12.pNext = &fdot;
  }
  vkGetPhysicalDeviceFeatures2(pd, &f);
  c.storage_buffer_array_dynamic_indexing = f.features.shaderStorageBufferArrayDynamicIndexing;
  c.timeline_semaphore = f12.timelineSemaphore;
  c.host_query_reset = f12.hostQueryReset;
  c.float16 = f12.shaderFloat16;
  c.int8 = f12.shaderInt8;
  c.storage8 = f12.storageBuffer8BitAccess;
  c.storage16 = f11.storageBuffer16BitAccess;
  c.synchronization2 = v13 ? f13.synchronization2 : false;
  c.subgroup_size_control = v13 ? (f13.subgroupSizeControl && f13.computeFullSubgroups) : false;
  c.integer_dot_product = dot_ext && fdot.shaderIntegerDotProduct;
  // With device scope: the kv_store atomics use it, and enabling the model without it makes them invalid.
  c.vulkan_memory_model = f12.vulkanMemoryModel && f12.vulkanMemoryModelDeviceScope;
}

// VK_KHR_cooperative_matrix postdates the Vulkan headers rotary builds with (Debian bookworm's
// 1.3.239), so its property structure and enumerants are spelled out here (Vulkan registry:
// VkCooperativeMatrixPropertiesKHR, VkComponentTypeKHR FLOAT16 = 0 / FLOAT32 = 1, VkScopeKHR
// SUBGROUP = 3).
struct CoopMatPropertiesKHR {
  VkStructureType sType;
  void* pNext;
  uint32_t MSize, NSize, KSize;
  int32_t AType, BType, CType, ResultType;
  VkBool32 saturatingAccumulation;
  int32_t scope;
};
constexpr VkStructureType kCoopMatPropertiesType = static_cast<VkStructureType>(1000506001);
using CoopMatPropertiesFn = VkResult(VKAPI_PTR*)(VkPhysicalDevice, uint32_t*, CoopMatPropertiesKHR*);

bool has_coopmat_f16_16x16x16(VkPhysicalDevice pd) {
  const VkInstance instance = volkGetLoadedInstance();
  if (!instance) return false;
  const auto fn = reinterpret_cast<CoopMatPropertiesFn>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR"));
  if (!fn) return false;
  uint32_t n = 0;
  if (fn(pd, &n, nullptr) != VK_SUCCESS) return false;
  std::vector<CoopMatPropertiesKHR> props(n, CoopMatPropertiesKHR{kCoopMatPropertiesType, nullptr, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  if (fn(pd, &n, props.data()) != VK_SUCCESS) return false;
  for (const CoopMatPropertiesKHR& p : props)
    if (p.MSize == 16 && p.NSize == 16 && p.KSize == 16 && p.AType == 0 && p.BType == 0 && p.CType == 1 &&
        p.ResultType == 1 && p.scope == 3)
      return true;
  return false;
}

void read_properties(VkPhysicalDevice pd, DeviceCaps& c) {
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceSubgroupProperties sub{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceSubgroupSizeControlProperties ssc{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES};
  VkPhysicalDeviceExternalMemoryHostPropertiesEXT emh{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
  VkPhysicalDeviceProperties2 p{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  p.pNext = &driver;
  driver.pNext = &sub;
  sub.pNext = &m3;
  void** tail = &m3.pNext;
  if (c.core13) {
    *tail = &ssc;
    tail = &ssc.pNext;
  }
  if (c.external_memory_host) {
    *tail = &emh;
    tail = &emh.pNext;
  }
  VkPhysicalDeviceShaderIntegerDotProductProperties dotp{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES};
  if (c.core13 || has_device_extension(pd, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME)) *tail = &dotp;
  vkGetPhysicalDeviceProperties2(pd, &p);
  c.integer_dot_accelerated = dotp.integerDotProduct4x8BitPackedSignedAccelerated &&
                              dotp.integerDotProduct4x8BitPackedMixedSignednessAccelerated;
  const auto& pr = p.properties;
  c.name = pr.deviceName;
  c.vendor_id = pr.vendorID;
  c.device_id = pr.deviceID;
  c.type = pr.deviceType;
  c.api_version = pr.apiVersion;
  c.driver_version = pr.driverVersion;
  c.driver_name = driver.driverName;
  c.driver_info = driver.driverInfo;
  c.subgroup_size = sub.subgroupSize;
  c.min_subgroup_size = c.core13 ? ssc.minSubgroupSize : sub.subgroupSize;
  c.max_subgroup_size = c.core13 ? ssc.maxSubgroupSize : sub.subgroupSize;
  c.required_subgroup_size_compute = c.core13 && (ssc.requiredSubgroupSizeStages & VK_SHADER_STAGE_COMPUTE_BIT);
  c.max_compute_workgroup_subgroups = c.core13 ? ssc.maxComputeWorkgroupSubgroups : 0;
  const bool compute_stage = sub.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT;
  c.subgroup_arithmetic = compute_stage && (sub.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
                          (sub.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT);
  c.subgroup_shuffle = compute_stage && (sub.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
  c.max_storage_buffer_range = pr.limits.maxStorageBufferRange;
  c.max_shared_memory = pr.limits.maxComputeSharedMemorySize;
  c.max_memory_allocation_size = m3.maxMemoryAllocationSize;
  c.min_storage_offset_alignment = pr.limits.minStorageBufferOffsetAlignment;
  c.non_coherent_atom_size = pr.limits.nonCoherentAtomSize;
  c.min_imported_host_pointer_alignment = c.external_memory_host ? emh.minImportedHostPointerAlignment : 0;
  for (int i = 0; i < 3; ++i) c.max_workgroup_count[i] = pr.limits.maxComputeWorkGroupCount[i];
  c.max_workgroup_size_x = pr.limits.maxComputeWorkGroupSize[0];
  c.max_workgroup_invocations = pr.limits.maxComputeWorkGroupInvocations;
  c.max_push_constants = pr.limits.maxPushConstantsSize;
  c.max_per_stage_storage_buffers = pr.limits.maxPerStageDescriptorStorageBuffers;
  c.timestamp_period_ns = pr.limits.timestampPeriod;
}

}  // namespace

DeviceCaps query_caps(VkPhysicalDevice pd, uint32_t index, uint32_t instance_api_version) {
  DeviceCaps c;
  c.index = index;
  VkPhysicalDeviceProperties basic;
  vkGetPhysicalDeviceProperties(pd, &basic);
  c.api_version = basic.apiVersion;
  c.core13 = basic.apiVersion >= VK_API_VERSION_1_3 && instance_api_version >= VK_API_VERSION_1_3;
  c.type = basic.deviceType;
  c.memory_budget = has_device_extension(pd, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  c.external_memory_host = has_device_extension(pd, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  c.cooperative_matrix = has_device_extension(pd, "VK_KHR_cooperative_matrix");
  c.coopmat_f16_16x16x16 = c.cooperative_matrix && has_coopmat_f16_16x16x16(pd);
  c.push_descriptor = has_device_extension(pd, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  if (c.api_version >= VK_API_VERSION_1_2) {
    read_properties(pd, c);
    read_features(pd, c);
  } else {
    c.name = basic.deviceName;
    c.vendor_id = basic.vendorID;
    c.device_id = basic.deviceID;
  }
  read_queues(pd, c);
  read_memory(pd, c);
  return c;
}

uint64_t DeviceCaps::device_local_bytes() const {
  uint64_t total = 0;
  for (const auto& h : heaps)
    if (h.device_local) total += h.size;
  return total;
}

const char* DeviceCaps::type_name() const {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

const char* DeviceCaps::vendor_name() const {
  switch (vendor_id) {
    case 0x10DE: return "NVIDIA";
    case 0x1002: return "AMD";
    case 0x8086: return "Intel";
    case 0x13B5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x106B: return "Apple";
    case 0x10005: return "Mesa";
    default: return "unknown";
  }
}

std::string DeviceCaps::api_version_string() const {
  return std::to_string(VK_API_VERSION_MAJOR(api_version)) + "." +
         std::to_string(VK_API_VERSION_MINOR(api_version)) + "." +
         std::to_string(VK_API_VERSION_PATCH(api_version));
}

namespace {
std::string queue_flags(VkQueueFlags f) {
  std::string s;
  if (f & VK_QUEUE_GRAPHICS_BIT) s += "graphics ";
  if (f & VK_QUEUE_COMPUTE_BIT) s += "compute ";
  if (f & VK_QUEUE_TRANSFER_BIT) s += "transfer ";
  if (f & VK_QUEUE_SPARSE_BINDING_BIT) s += "sparse ";
  if (!s.empty()) s.pop_back();
  return s;
}
}  // namespace

Json caps_json(const DeviceCaps& c) {
  Json j;
  j["index"] = c.index;
  j["name"] = c.name;
  j["vendor"] = c.vendor_name();
  j["vendor_id"] = c.vendor_id;
  j["device_id"] = c.device_id;
  j["type"] = c.type_name();
  j["api_version"] = c.api_version_string();
  j["driver_name"] = c.driver_name;
  j["driver_info"] = c.driver_info;
  j["driver_version"] = c.driver_version;
  Json& heaps = j["memory_heaps"] = Json::array();
  for (const auto& h : c.heaps) {
    Json& x = heaps.emplace_back();
    x["size"] = h.size;
    x["device_local"] = h.device_local;
    x["host_visible"] = h.host_visible;
    if (c.memory_budget) {
      x["budget"] = h.budget;
      x["usage"] = h.usage;
    }
  }
  j["memory_budget_ext"] = c.memory_budget;
  j["unified_memory"] = c.unified_memory;
  Json& queues = j["queue_families"] = Json::array();
  for (const auto& q : c.queue_families)
    queues.push_back({{"index", q.index}, {"flags", queue_flags(q.flags)}, {"count", q.count}});
  j["dedicated_transfer_queue"] = c.transfer_family >= 0;
  j["subgroup"] = {{"size", c.subgroup_size},
                   {"min", c.min_subgroup_size},
                   {"max", c.max_subgroup_size},
                   {"size_control", c.subgroup_size_control},
                   {"arithmetic", c.subgroup_arithmetic},
                   {"shuffle", c.subgroup_shuffle}};
  j["features"] = {{"timeline_semaphore", c.timeline_semaphore},
                   {"synchronization2", c.synchronization2},
                   {"float16", c.float16},
                   {"int8", c.int8},
                   {"storage_buffer_8bit", c.storage8},
                   {"storage_buffer_16bit", c.storage16},
                   {"integer_dot_product", c.integer_dot_product},
                   {"integer_dot_accelerated", c.integer_dot_accelerated},
                   {"cooperative_matrix_f16_16x16x16", c.coopmat_f16_16x16x16},
                   {"cooperative_matrix", c.cooperative_matrix},
                   {"external_memory_host", c.external_memory_host},
                   {"push_descriptor", c.push_descriptor}};
  j["limits"] = {{"max_storage_buffer_range", c.max_storage_buffer_range},
                 {"max_compute_shared_memory", c.max_shared_memory},
                 {"max_memory_allocation_size", c.max_memory_allocation_size},
                 {"min_storage_buffer_offset_alignment", c.min_storage_offset_alignment},
                 {"max_workgroup_invocations", c.max_workgroup_invocations},
                 {"timestamp_period_ns", static_cast<double>(c.timestamp_period_ns)}};
  return j;
}

std::string caps_to_text(const DeviceCaps& c) {
  std::ostringstream o;
  auto yn = [](bool b) { return b ? "yes" : "no"; };
  o << "Device " << c.index << ": " << c.name << "\n";
  o << "  vendor        " << c.vendor_name() << " (0x" << std::hex << c.vendor_id << ", device 0x"
    << c.device_id << std::dec << "), " << c.type_name() << "\n";
  o << "  driver        " << c.driver_name << ", " << c.driver_info << "\n";
  o << "  Vulkan        " << c.api_version_string() << "\n";
  for (size_t i = 0; i < c.heaps.size(); ++i) {
    const auto& h = c.heaps[i];
    o << "  heap " << i << "        " << format_bytes(h.size) << (h.device_local ? " device-local" : " host")
      << (h.host_visible ? ", host-visible" : "");
    if (c.memory_budget) o << ", budget " << format_bytes(h.budget) << ", in use " << format_bytes(h.usage);
    o << "\n";
  }
  o << "  memory budget " << (c.memory_budget ? "VK_EXT_memory_budget" : "not reported") << "; unified memory "
    << yn(c.unified_memory) << "\n";
  for (const auto& q : c.queue_families)
    o << "  queue family " << q.index << ": " << q.count << " x " << queue_flags(q.flags) << "\n";
  // As Device::create chooses: the copy engine, else a second compute queue, else the compute queue.
  const bool second_compute =
      c.compute_family >= 0 && c.queue_families[static_cast<size_t>(c.compute_family)].count >= 2;
  o << "  transfer      "
    << (c.transfer_family >= 0 ? "dedicated transfer queue family " + std::to_string(c.transfer_family)
        : second_compute       ? std::string("no dedicated family (uploads on a second compute queue)")
                               : std::string("no dedicated family (uploads share the compute queue)"))
    << "\n";
  o << "  subgroup      size " << c.subgroup_size << " (" << c.min_subgroup_size << "-" << c.max_subgroup_size
    << "), size control " << yn(c.subgroup_size_control) << ", arithmetic " << yn(c.subgroup_arithmetic) << "\n";
  o << "  features      timeline " << yn(c.timeline_semaphore) << ", sync2 " << yn(c.synchronization2)
    << ", fp16 " << yn(c.float16) << ", int8 " << yn(c.int8) << ", 8-bit storage " << yn(c.storage8)
    << ", 16-bit storage " << yn(c.storage16) << "\n";
  o << "                integer dot " << yn(c.integer_dot_product) << " (accelerated "
    << yn(c.integer_dot_accelerated) << "), cooperative matrix "
    << yn(c.cooperative_matrix) << ", external host memory " << yn(c.external_memory_host) << "\n";
  o << "  limits        max storage range " << format_bytes(c.max_storage_buffer_range) << ", shared memory "
    << format_bytes(c.max_shared_memory) << ", max allocation " << format_bytes(c.max_memory_allocation_size)
    << "\n";
  return o.str();
}

}  // namespace rotary::vk

#include "runtime/vk/host_import.h"

#include <string>

#include "base/units.h"

namespace rotary::vk {

ImportedHostBuffer ImportedHostBuffer::import(Device& device, const void* ptr, uint64_t bytes) {
  require(device.external_memory_host(), ErrorKind::Unsupported, "VK_EXT_external_memory_host is not supported");
  const uint64_t align = alignment(device.caps());
  require(reinterpret_cast<uintptr_t>(ptr) % align == 0 && bytes % align == 0 && bytes > 0, ErrorKind::Internal,
          "host import of a range not aligned to " + std::to_string(align) + " bytes");
  const VkDevice dev = device.handle();
  constexpr auto kType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  VkMemoryHostPointerPropertiesEXT props{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
  const VkResult pr = vkGetMemoryHostPointerPropertiesEXT(dev, kType, ptr, &props);
  if (pr != VK_SUCCESS || props.memoryTypeBits == 0)
    throw Error(ErrorKind::Unsupported, "the driver cannot import these host pages (" + std::string(result_name(pr)) + ")");

  VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  ext.handleTypes = kType;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.pNext = &ext;
  bi.size = bytes;
  bi.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  const auto& fams = device.queue_families();
  bi.sharingMode = fams.size() > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
  bi.queueFamilyIndexCount = fams.size() > 1 ? static_cast<uint32_t>(fams.size()) : 0;
  bi.pQueueFamilyIndices = fams.size() > 1 ? fams.data() : nullptr;
  VkBuffer vb = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateBuffer(dev, &bi, nullptr, &vb));
  ImportedHostBuffer b;
  b.buffer_ = Handle<VkBuffer>(dev, vb);
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev, vb, &req);
  const uint32_t bits = req.memoryTypeBits & props.memoryTypeBits;
  require(bits != 0, ErrorKind::Unsupported, "no memory type can hold imported host pages for a buffer");

  VkImportMemoryHostPointerInfoEXT imp{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
  imp.handleType = kType;
  imp.pHostPointer = const_cast<void*>(ptr);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.pNext = &imp;
  ai.allocationSize = bytes;
  ai.memoryTypeIndex = static_cast<uint32_t>(__builtin_ctz(bits));
  VkDeviceMemory mem = VK_NULL_HANDLE;
  const VkResult r = vkAllocateMemory(dev, &ai, nullptr, &mem);
  if (r != VK_SUCCESS)
    throw Error(ErrorKind::Unsupported, "importing " + format_bytes(bytes) + " of host pages failed (" +
                                            std::string(result_name(r)) + ")");
  b.memory_ = Handle<VkDeviceMemory>(dev, mem);
  ROTARY_VK(vkBindBufferMemory(dev, vb, mem, 0));
  b.size_ = bytes;
  b.host_ = static_cast<const std::byte*>(ptr);
  return b;
}

}  // namespace rotary::vk

#include "runtime/vk/shader_tables.h"

#include <cstring>

#include "shaders/lookup_tables.h"

namespace rotary::vk {

uint64_t ShaderTables::bytes() { return shaders::lookup_tables().size_bytes(); }

ShaderTables::ShaderTables(Device& device, MemoryBudget* budget) {
  const std::span<const uint32_t> words = shaders::lookup_tables();
  buffer_ = Buffer::create(device, budget, words.size_bytes(), MemoryKind::Constant, MemoryUse::Weights,
                           "the lookup tables of the IQ quant types");
  require(buffer_.mapped() != nullptr, ErrorKind::Internal, "lookup tables: memory not host-visible");
  std::memcpy(buffer_.mapped(), words.data(), words.size_bytes());
  buffer_.flush(0, words.size_bytes());  // vkQueueSubmit makes host writes visible to later work

  const VkDevice dev = device.handle();
  const VkDescriptorSetLayoutBinding b{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  li.bindingCount = 1;
  li.pBindings = &b;
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateDescriptorSetLayout(dev, &li, nullptr, &layout));
  layout_ = Handle<VkDescriptorSetLayout>(dev, layout);

  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
  VkDescriptorPoolCreateInfo pi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pi.maxSets = 1;
  pi.poolSizeCount = 1;
  pi.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateDescriptorPool(dev, &pi, nullptr, &pool));
  pool_ = Handle<VkDescriptorPool>(dev, pool);

  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = pool;
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &layout;
  ROTARY_VK(vkAllocateDescriptorSets(dev, &ai, &set_));
  const VkDescriptorBufferInfo info{buffer_.handle(), 0, buffer_.size()};
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = set_;
  w.dstBinding = 0;
  w.descriptorCount = 1;
  w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  w.pBufferInfo = &info;
  vkUpdateDescriptorSets(dev, 1, &w, 0, nullptr);
}

}  // namespace rotary::vk

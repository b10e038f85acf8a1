#include "runtime/vk/pipeline.h"

#include <span>
#include <string>
#include <tuple>

#include "shaders/lookup_tables.h"

namespace rotary::vk {

namespace {

Handle<VkPipelineLayout> pipeline_layout(VkDevice dev, std::span<const VkDescriptorSetLayout> sets,
                                         uint32_t push_bytes) {
  const VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = static_cast<uint32_t>(sets.size());
  pli.pSetLayouts = sets.data();
  pli.pushConstantRangeCount = push_bytes ? 1 : 0;
  pli.pPushConstantRanges = &range;
  VkPipelineLayout pl = VK_NULL_HANDLE;
  ROTARY_VK(vkCreatePipelineLayout(dev, &pli, nullptr, &pl));
  return Handle<VkPipelineLayout>(dev, pl);
}

}  // namespace

bool PipelineDesc::operator<(const PipelineDesc& o) const {
  return std::tie(shader, spec, bindings, push_bytes, required_subgroup_size, array_sizes) <
         std::tie(o.shader, o.spec, o.bindings, o.push_bytes, o.required_subgroup_size, o.array_sizes);
}

PipelineCache::PipelineCache(Device& device, bool subgroup_arith, MemoryBudget* budget)
    : device_(device), subgroup_arith_(subgroup_arith && device.caps().subgroup_arithmetic), budget_(budget) {}

const ShaderTables& PipelineCache::tables() {
  std::lock_guard lock(mutex_);
  return tables_locked();
}

const ShaderTables& PipelineCache::tables_locked() {
  if (!tables_) tables_ = std::make_unique<ShaderTables>(device_, budget_);
  return *tables_;
}

const Pipeline& PipelineCache::get(const PipelineDesc& desc) {
  std::lock_guard lock(mutex_);
  auto it = pipelines_.find(desc);
  if (it != pipelines_.end()) return *it->second;
  auto p = create(desc);
  const Pipeline& ref = *p;
  pipelines_.emplace(desc, std::move(p));
  return ref;
}

std::unique_ptr<Pipeline> PipelineCache::create(const PipelineDesc& desc) {
  const std::string variant = subgroup_arith_ ? desc.shader : desc.shader + "_nosg";
  const shaders::ShaderEntry* entry = shaders::find(variant);
  if (!entry) throw Error(ErrorKind::Internal, "no embedded shader named '" + variant + "'");
  if (desc.push_bytes > device_.caps().max_push_constants)
    throw Error(ErrorKind::Internal, variant + ": push constants larger than the device allows");
  const VkDevice dev = device_.handle();
  auto p = std::make_unique<Pipeline>();
  p->name_ = variant;
  p->bindings_ = desc.bindings;
  p->push_bytes_ = desc.push_bytes;
  if (!desc.array_sizes.empty() && desc.array_sizes.size() != desc.bindings)
    throw Error(ErrorKind::Internal, variant + ": array_sizes must name every binding");
  p->counts_ = desc.array_sizes.empty() ? std::vector<uint32_t>(desc.bindings, 1) : desc.array_sizes;
  for (uint32_t c : p->counts_) p->total_ += c;
  const uint32_t sets = shaders::descriptor_set_count(*entry);
  require(sets <= 2, ErrorKind::Internal, variant + ": descriptor sets past set 1");
  if (p->total_ + (sets - 1) > device_.caps().max_per_stage_storage_buffers)
    throw Error(ErrorKind::Unsupported, variant + ": needs " + std::to_string(p->total_ + (sets - 1)) +
                                            " storage buffers, the device allows " +
                                            std::to_string(device_.caps().max_per_stage_storage_buffers));

  std::vector<VkDescriptorSetLayoutBinding> binds(desc.bindings);
  for (uint32_t i = 0; i < desc.bindings; ++i)
    binds[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, p->counts_[i], VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dli{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dli.bindingCount = desc.bindings;
  dli.pBindings = binds.data();
  VkDescriptorSetLayout dsl = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateDescriptorSetLayout(dev, &dli, nullptr, &dsl));
  p->set_layout_ = Handle<VkDescriptorSetLayout>(dev, dsl);

  VkDescriptorSetLayout set_layouts[2] = {dsl, VK_NULL_HANDLE};
  if (sets == 2) {
    const ShaderTables& t = tables_locked();
    set_layouts[1] = t.set_layout();
    p->tables_set_ = t.set();
  }
  p->layout_ = pipeline_layout(dev, std::span(set_layouts, sets), desc.push_bytes);
  const VkPipelineLayout pl = p->layout_.get();

  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = entry->word_count * sizeof(uint32_t);
  smi.pCode = entry->words;
  VkShaderModule sm = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateShaderModule(dev, &smi, nullptr, &sm));
  Handle<VkShaderModule> module(dev, sm);

  std::vector<VkSpecializationMapEntry> map(desc.spec.size());
  for (uint32_t i = 0; i < desc.spec.size(); ++i) map[i] = {i, i * 4u, 4};
  VkSpecializationInfo si{static_cast<uint32_t>(map.size()), map.data(), desc.spec.size() * 4, desc.spec.data()};

  VkPipelineShaderStageRequiredSubgroupSizeCreateInfo rss{
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO};
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  ci.stage.module = sm;
  ci.stage.pName = "main";
  ci.stage.pSpecializationInfo = map.empty() ? nullptr : &si;
  const DeviceCaps& caps = device_.caps();
  if (desc.required_subgroup_size && caps.subgroup_size_control) {
    // The op asks only where these hold (gdn_delta_rule.cpp); a mistake is caught here, not by a driver.
    require(caps.required_subgroup_size_compute && desc.required_subgroup_size >= caps.min_subgroup_size &&
                desc.required_subgroup_size <= caps.max_subgroup_size,
            ErrorKind::Internal, "pipeline " + desc.shader + ": subgroup size " +
                                     std::to_string(desc.required_subgroup_size) + " cannot be required on this device");
    rss.requiredSubgroupSize = desc.required_subgroup_size;
    ci.stage.pNext = &rss;
  }
  ci.layout = pl;
  VkPipeline pipe = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateComputePipelines(dev, device_.pipeline_cache(), 1, &ci, nullptr, &pipe));
  p->pipeline_ = Handle<VkPipeline>(dev, pipe);
  return p;
}

}  // namespace rotary::vk

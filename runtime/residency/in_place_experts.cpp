#include "runtime/residency/in_place_experts.h"

#include <algorithm>

namespace rotary {

std::unique_ptr<InPlaceExperts> InPlaceExperts::create(vk::GpuContext& gpu, const ExpertSource& source) {
  std::unique_ptr<InPlaceExperts> p(new InPlaceExperts(source, gpu.transfer().queue()));
  const vk::DeviceCaps& caps = gpu.caps();
  uint64_t window = caps.max_storage_buffer_range;
  if (caps.max_memory_allocation_size) window = std::min(window, caps.max_memory_allocation_size);
  for (uint32_t l = 0; l < source.layers(); ++l) {
    auto w = FileWindows::import(gpu.device(), source.file_bytes(), source.tensor_spans(l), source.max_matrix_bytes(),
                                 window);
    if (!w) return nullptr;
    std::vector<vk::BufferView> pages;
    for (uint32_t i = 0; i < w->size(); ++i) pages.push_back(w->view(i));
    // The kernels bind a layer's pages as one descriptor array, beside a few buffers of their own.
    if (pages.size() + 8 > caps.max_per_stage_storage_buffers) return nullptr;
    p->layers_.push_back(std::move(*w));
    p->pages_.push_back(std::move(pages));
  }
  return p;
}

ops::ExpertLayer InPlaceExperts::layer_view(uint32_t layer) const {
  return {pages_[layer], source_.gate_up_type(layer), source_.down_type(layer), source_.n_embd(), source_.n_ff()};
}

ops::ExpertSlot InPlaceExperts::entry(uint32_t layer, uint32_t expert) const {
  const ExpertMatrices m = source_.matrices(layer, expert);
  const FileWindows& w = layers_[layer];
  const auto g = w.locate(m.gate), u = w.locate(m.up), d = w.locate(m.down);
  auto u32 = [](uint64_t v) { return static_cast<uint32_t>(v); };
  return {0, 0, 0, g.window, u32(g.offset), u.window, u32(u.offset), d.window, u32(d.offset)};
}

std::vector<ops::ExpertSlot> InPlaceExperts::slot_map() const {
  std::vector<ops::ExpertSlot> map;
  for (uint32_t l = 0; l < source_.layers(); ++l)
    for (uint32_t e = 0; e < source_.experts(); ++e) map.push_back(entry(l, e));
  return map;
}

std::vector<ExpertProvider::Acquired> InPlaceExperts::acquire(uint32_t layer, std::span<const uint32_t> experts) {
  std::vector<Acquired> out;
  for (uint32_t e : experts) {
    out.push_back({entry(layer, e), 0, true});
    ++stats_.accesses;
    ++stats_.hits;
  }
  return out;
}

uint64_t InPlaceExperts::imported_bytes() const {
  uint64_t total = 0;
  for (const auto& w : layers_) total += w.imported_bytes();
  return total;
}

}  // namespace rotary

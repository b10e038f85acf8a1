#pragma once
// Helpers shared by experts.cpp (decode) and experts_batched.cpp (prefill); not a public API.
#include <initializer_list>
#include <vector>

#include "runtime/ops/experts.h"

namespace rotary::ops::detail {

// Throws unless the layer's pages, types and shapes can run on this device.
void check_layer(const vk::DeviceCaps& caps, const ExpertLayer& layer, const char* op);
// The pages (one descriptor array) followed by `rest`, in binding order.
std::vector<vk::BufferView> with_pages(const ExpertLayer& layer,
                                       std::initializer_list<vk::BufferView> rest);
// Descriptor counts: the page array, then `other_bindings` single buffers.
std::vector<uint32_t> page_array(const ExpertLayer& layer, uint32_t other_bindings);
// The table's bytes up to the last dispatched entry; throws if the view is shorter.
vk::BufferView table_range(const ExpertEntries& entries);

// The bias bindings of gate/up (gate, up) or down (down) and the push constants' flags and
// offsets; without biases `unused` stands in for the bindings (never read).
struct ExpertBiases {
  vk::BufferView first, second;
  uint32_t flags = 0, first_offset = 0, second_offset = 0;
};
ExpertBiases expert_biases(const vk::DeviceCaps& caps, const ExpertLayer& layer, bool gate_up,
                           const vk::BufferView& unused);

}  // namespace rotary::ops::detail

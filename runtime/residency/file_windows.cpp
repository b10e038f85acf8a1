#include "runtime/residency/file_windows.h"

#include <algorithm>

#include "base/units.h"

namespace rotary {

std::optional<FileWindows> FileWindows::import(vk::Device& device, std::span<const std::byte> file,
                                               const std::vector<std::span<const std::byte>>& ranges,
                                               uint64_t max_span, uint64_t window_bytes) {
  if (!device.external_memory_host()) return std::nullopt;
  const uint64_t a = vk::ImportedHostBuffer::alignment(device.caps());
  const uintptr_t base = reinterpret_cast<uintptr_t>(file.data());
  // Mappings are page-aligned and whole pages are mapped: rounding a range out to the import
  // alignment stays inside the mapping as long as that alignment is at most a page.
  if (base % a != 0 || a > 4096) return std::nullopt;
  const uint64_t file_end = vk::align_up(file.size(), a);
  window_bytes = vk::align_down(window_bytes, a);
  const uint64_t overlap = vk::align_up(max_span, a);
  if (window_bytes <= overlap) return std::nullopt;
  const uint64_t step = window_bytes - overlap;
  FileWindows w;
  try {
    for (const auto& r : ranges) {
      const uint64_t begin = vk::align_down(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(r.data()) - base), a);
      const uint64_t end = std::min(vk::align_up(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(r.data()) - base) +
                                                     r.size(), a),
                                    file_end);
      for (uint64_t s = begin; s < end; s += step) {
        const uint64_t e = std::min(s + window_bytes, end);
        w.windows_.push_back(vk::ImportedHostBuffer::import(device, file.data() + s, e - s));
        if (e == end) break;
      }
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return std::nullopt;
  }
  std::sort(w.windows_.begin(), w.windows_.end(),
            [](const auto& x, const auto& y) { return x.host() < y.host(); });
  return w;
}

FileWindows::Location FileWindows::locate(std::span<const std::byte> span) const {
  const std::byte* b = span.data();
  const std::byte* e = b + span.size();
  // Within one range, the last window starting at or before `b` holds the span (windows overlap
  // by at least the span); windows of a neighbouring range may sort in between, so keep looking.
  auto it = std::upper_bound(windows_.begin(), windows_.end(), b,
                             [](const std::byte* p, const vk::ImportedHostBuffer& x) { return p < x.host(); });
  while (it != windows_.begin()) {
    --it;
    if (it->host() <= b && e <= it->host() + it->size())
      return {static_cast<uint32_t>(it - windows_.begin()), static_cast<uint64_t>(b - it->host())};
  }
  throw Error(ErrorKind::Internal, "no imported window holds a span of " + format_bytes(span.size()));
}

uint64_t FileWindows::imported_bytes() const {
  uint64_t total = 0;
  for (const auto& x : windows_) total += x.size();
  return total;
}

}  // namespace rotary

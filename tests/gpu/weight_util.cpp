#include "tests/gpu/weight_util.h"

#include <cmath>
#include <cstring>

#include "loader/quant/dequantize.h"
#include "runtime/reference/random_weights.h"

namespace rotary::test {

vk::Buffer upload_bytes(vk::GpuContext& g, std::span<const std::byte> bytes, uint64_t offset,
                        const char* what) {
  const uint64_t size = (offset + bytes.size() + 3) / 4 * 4;
  vk::Buffer dst = device_buffer(g, size, what);
  vk::Buffer staging = vk::Buffer::create(g.device(), nullptr, size, vk::MemoryKind::Upload,
                                          vk::MemoryUse::Staging, "test staging");
  std::memset(staging.mapped(), 0xA5, size);  // garbage around the data: a kernel must not read it
  std::memcpy(staging.mapped() + offset, bytes.data(), bytes.size());
  staging.flush(0, size);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kHostWrite, vk::access::kTransferRead);
    rec.copy(staging.view(), dst.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
  });
  return dst;
}

vk::Buffer upload_u32(vk::GpuContext& g, const std::vector<uint32_t>& v, const char* what) {
  return upload_bytes(g, std::as_bytes(std::span(v)), 0, what);
}

TestWeight make_weight(vk::GpuContext& g, GgmlType type, uint32_t rows, uint32_t cols,
                       uint64_t seed, uint64_t offset) {
  TestWeight w;
  w.host = ref::random_weight(type, rows, cols, seed);
  w.buffer = upload_bytes(g, w.host, offset, "test weight");
  w.view = {w.buffer.view(offset, w.host.size()), type, cols, rows};
  return w;
}

CloseReport compare(std::span<const float> got, std::span<const float> ref,
                    std::span<const float> mag, double gamma, double floor) {
  CloseReport r;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double tol = gamma * mag[i] + floor;
    const double err = std::fabs(static_cast<double>(got[i]) - ref[i]);
    const double ratio = std::isnan(err) ? INFINITY : err / tol;
    r.worst = std::max(r.worst, ratio);
    if (!(err <= tol)) {
      if (r.bad == 0)
        r.first = "element " + std::to_string(i) + ": got " + std::to_string(got[i]) +
                  ", reference " + std::to_string(ref[i]) + ", tolerance " + std::to_string(tol);
      ++r.bad;
    }
  }
  return r;
}

}  // namespace rotary::test

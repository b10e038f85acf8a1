// Host-to-device upload bandwidth, the quantity that bounds expert streaming: through the
// transfer queue and through the compute queue, from pinned staging memory and from a
// memory-mapped file (copied into staging, or imported with VK_EXT_external_memory_host), at
// several chunk sizes. Every figure is also given as a ratio to the best host memcpy measured
// in the same run, so numbers from different machines compare.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/units.h"
#include "runtime/vk/context.h"
#include "runtime/vk/staging.h"

namespace rotary {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A file-backed mapping, as the GGUF file is in real use.
class MappedFile {
 public:
  MappedFile(const std::string& path, uint64_t bytes) : bytes_(bytes) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    require(fd >= 0, ErrorKind::Io, "cannot create " + path);
    std::vector<uint32_t> block(1 << 18);
    for (uint64_t off = 0; off < bytes; off += block.size() * 4) {
      for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<uint32_t>(off / 4 + i) * 2654435761u;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(block.size() * 4, bytes - off));
      if (::write(fd, block.data(), n) != static_cast<ssize_t>(n)) {
        ::close(fd);
        throw Error(ErrorKind::Io, "cannot write " + path);
      }
    }
    void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    ::unlink(path.c_str());
    require(p != MAP_FAILED, ErrorKind::Io, "cannot mmap " + path);
    data_ = static_cast<const std::byte*>(p);
    // Warm the page cache mapping so that the first measurement is not a page-fault benchmark.
    volatile uint64_t sink = 0;
    for (uint64_t off = 0; off < bytes; off += 4096) sink = sink + static_cast<uint64_t>(data_[off]);
  }
  ~MappedFile() { ::munmap(const_cast<std::byte*>(data_), bytes_); }
  const std::byte* data() const { return data_; }

 private:
  const std::byte* data_ = nullptr;
  uint64_t bytes_;
};

double best_memcpy_gbps(uint64_t bytes, int reps) {
  std::vector<std::byte> a(bytes), b(bytes);
  std::memset(a.data(), 1, bytes);
  std::memset(b.data(), 2, bytes);
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t = Clock::now();
    std::memcpy(b.data(), a.data(), bytes);
    best = std::max(best, static_cast<double>(bytes) / seconds_since(t) / 1e9);
  }
  return best;
}

struct Case {
  std::string queue, source;
  uint64_t chunk;
  double gbps = 0;
};

// Uploads `total` bytes in `chunk`-sized copies, batching copies into submissions of
// `batch_bytes`, with host copies into the staging ring overlapping earlier GPU copies.
double run_staged(vk::GpuContext& g, vk::CommandStream& stream, const std::byte* src, uint64_t total, uint64_t chunk,
                  const vk::Buffer& dst, vk::StagingRing& ring, bool copy_from_src) {
  const uint64_t batch_bytes = std::max<uint64_t>(chunk, 16ull << 20);
  const auto t = Clock::now();
  uint64_t last = 0;
  for (uint64_t off = 0; off < total;) {
    vk::Recorder rec = stream.begin();
    const uint64_t batch_end = std::min(total, off + batch_bytes);
    for (; off < batch_end; off += chunk) {
      const uint64_t n = std::min(chunk, batch_end - off);
      vk::BufferView s = ring.alloc(n);
      if (copy_from_src) std::memcpy(s.mapped, src + off, n);
      rec.copy(s, dst.view(off % dst.size(), n));
    }
    last = stream.submit(rec);
    ring.retire(last);
  }
  stream.queue().wait(last);
  (void)g;
  return static_cast<double>(total) / seconds_since(t) / 1e9;
}

// The zero-copy path: the file's pages imported as a Vulkan buffer and copied from directly.
double run_imported(vk::GpuContext& g, vk::CommandStream& stream, const std::byte* src, uint64_t total,
                    uint64_t chunk, const vk::Buffer& dst) {
  VkDevice dev = g.device().handle();
  VkMemoryHostPointerPropertiesEXT props{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
  ROTARY_VK(vkGetMemoryHostPointerPropertiesEXT(dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                                const_cast<std::byte*>(src), &props));
  VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.pNext = &ext;
  bi.size = total;
  bi.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  const auto& fams = g.device().queue_families();
  bi.sharingMode = fams.size() > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
  bi.queueFamilyIndexCount = fams.size() > 1 ? static_cast<uint32_t>(fams.size()) : 0;
  bi.pQueueFamilyIndices = fams.data();
  VkBuffer vb = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateBuffer(dev, &bi, nullptr, &vb));
  vk::Handle<VkBuffer> buf(dev, vb);
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev, vb, &req);
  VkImportMemoryHostPointerInfoEXT imp{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
  imp.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  imp.pHostPointer = const_cast<std::byte*>(src);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.pNext = &imp;
  ai.allocationSize = total;
  uint32_t bits = req.memoryTypeBits & props.memoryTypeBits;
  require(bits != 0, ErrorKind::Unsupported, "no memory type can import the mapped file");
  ai.memoryTypeIndex = static_cast<uint32_t>(__builtin_ctz(bits));
  VkDeviceMemory mem = VK_NULL_HANDLE;
  ROTARY_VK(vkAllocateMemory(dev, &ai, nullptr, &mem));
  vk::Handle<VkDeviceMemory> memory(dev, mem);
  ROTARY_VK(vkBindBufferMemory(dev, vb, mem, 0));
  const vk::BufferView whole{vb, 0, total, nullptr};

  const uint64_t batch_bytes = std::max<uint64_t>(chunk, 16ull << 20);
  const auto t = Clock::now();
  uint64_t last = 0;
  for (uint64_t off = 0; off < total;) {
    vk::Recorder rec = stream.begin();
    const uint64_t batch_end = std::min(total, off + batch_bytes);
    for (; off < batch_end; off += chunk) {
      const uint64_t n = std::min(chunk, batch_end - off);
      rec.copy(whole.sub(off, n), dst.view(off % dst.size(), n));
    }
    last = stream.submit(rec);
  }
  stream.queue().wait(last);
  return static_cast<double>(total) / seconds_since(t) / 1e9;
}

bool verify(vk::GpuContext& g, const vk::Buffer& dst, const std::byte* expect, uint64_t bytes) {
  vk::Buffer rb = vk::Buffer::create(g.device(), nullptr, bytes, vk::MemoryKind::Readback, vk::MemoryUse::Readback,
                                     "verify readback");
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.barrier(vk::access::kTransferWrite, vk::access::kTransferRead);
    rec.copy(dst.view(0, bytes), rb.view());
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  });
  rb.invalidate(0, bytes);
  return std::memcmp(rb.mapped(), expect, bytes) == 0;
}

int run(int device, uint64_t total, int reps, bool json) {
  auto g = vk::GpuContext::create({.device_index = device});
  const vk::DeviceCaps& caps = g->caps();
  // Whole MiBs: imported host memory must be a multiple of minImportedHostPointerAlignment.
  total = std::max<uint64_t>(vk::align_down(total, 1ull << 20), 16ull << 20);
  const uint64_t dst_bytes = std::min<uint64_t>(total, 256ull << 20);
  vk::Buffer dst = vk::Buffer::create(g->device(), nullptr, dst_bytes, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Other, "upload destination");
  MappedFile file("/tmp/rotary-upload-bench.bin", total);
  vk::Buffer pinned = vk::Buffer::create(g->device(), nullptr, std::min<uint64_t>(total, 64ull << 20),
                                         vk::MemoryKind::Upload, vk::MemoryUse::Staging, "pinned source");
  std::memcpy(pinned.mapped(), file.data(), pinned.size());
  const double memcpy_gbps = best_memcpy_gbps(std::min<uint64_t>(total, 256ull << 20), 5);

  struct QueueChoice {
    const char* name;
    vk::CommandStream* stream;
  };
  std::vector<QueueChoice> queues = {{"transfer", &g->transfer()}};
  if (&g->transfer().queue() != &g->compute().queue()) queues.push_back({"compute", &g->compute()});
  const bool can_import = caps.external_memory_host;
  std::string import_error = can_import ? "" : "VK_EXT_external_memory_host not supported";

  // Correctness first: one staged upload from the file, read back and compared.
  {
    vk::StagingRing ring(g->device(), nullptr, 64ull << 20, g->transfer().queue());
    run_staged(*g, g->transfer(), file.data(), dst_bytes, 4ull << 20, dst, ring, true);
    require(verify(*g, dst, file.data(), dst_bytes), ErrorKind::Internal, "uploaded bytes differ from the source");
  }

  std::vector<Case> cases;
  for (const auto& q : queues) {
    vk::StagingRing ring(g->device(), nullptr, 64ull << 20, q.stream->queue());
    for (uint64_t chunk : {64ull << 10, 256ull << 10, 1ull << 20, 4ull << 20, 16ull << 20}) {
      Case pinned_case{q.name, "pinned staging", chunk}, file_case{q.name, "mmap -> staging", chunk};
      Case import_case{q.name, "mmap imported", chunk};
      for (int r = 0; r < reps; ++r) {
        // From pinned memory: the ring is the pinned buffer; no host copy.
        pinned_case.gbps = std::max(pinned_case.gbps, run_staged(*g, *q.stream, nullptr, total, chunk, dst, ring, false));
        file_case.gbps = std::max(file_case.gbps, run_staged(*g, *q.stream, file.data(), total, chunk, dst, ring, true));
        if (!import_error.empty()) continue;
        try {
          if (can_import)
            import_case.gbps = std::max(import_case.gbps, run_imported(*g, *q.stream, file.data(), total, chunk, dst));
        } catch (const Error& e) {
          import_error = e.what();  // drivers may refuse file-backed pages: report, don't fail
        }
      }
      cases.push_back(pinned_case);
      cases.push_back(file_case);
      if (can_import && import_error.empty()) cases.push_back(import_case);
    }
  }

  if (json) {
    Json j = {{"device", caps.name},
              {"driver", caps.driver_info},
              {"api_version", caps.api_version_string()},
              {"dedicated_transfer_queue", g->device().dedicated_transfer_family()},
              {"bytes_per_case", total},
              {"host_memcpy_gbps", memcpy_gbps}};
    if (!import_error.empty()) j["import_unavailable"] = import_error;
    Json& out = j["cases"] = Json::array();
    for (const auto& c : cases)
      out.push_back({{"queue", c.queue},
                     {"source", c.source},
                     {"chunk", c.chunk},
                     {"gbps", c.gbps},
                     {"ratio_to_memcpy", c.gbps / memcpy_gbps}});
    std::printf("%s\n", dump_json(j).c_str());
    return 0;
  }
  std::printf("device: %s (%s), %s\n", caps.name.c_str(), caps.driver_info.c_str(),
              g->device().dedicated_transfer_family() ? "dedicated transfer queue" : "no dedicated transfer queue");
  std::printf("best host memcpy: %.2f GB/s; each case uploads %s, best of %d\n\n", memcpy_gbps,
              format_bytes(total).c_str(), reps);
  if (!import_error.empty()) std::printf("mmap import unavailable: %s\n\n", import_error.c_str());
  std::printf("%-9s %-16s %10s %10s %10s\n", "queue", "source", "chunk", "GB/s", "x memcpy");
  for (const auto& c : cases)
    std::printf("%-9s %-16s %10s %10.2f %10.2f\n", c.queue.c_str(), c.source.c_str(), format_bytes(c.chunk).c_str(),
                c.gbps, c.gbps / memcpy_gbps);
  return 0;
}

}  // namespace
}  // namespace rotary

int main(int argc, char** argv) {
  CLI::App app{"rotary-bench-upload: host-to-device upload bandwidth"};
  int device = -1, reps = 3;
  std::string size = "256M";
  bool json = false;
  app.add_option("--device", device, "Vulkan device index");
  app.add_option("--size", size, "Bytes uploaded per case (e.g. 256M, 1G)");
  app.add_option("--reps", reps, "Repetitions per case (the best is reported)");
  app.add_flag("--json", json, "One JSON object");
  CLI11_PARSE(app, argc, argv);
  try {
    return rotary::run(device, rotary::parse_size(size), reps, json);
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "rotary-bench-upload: %s\n", e.what());
    return rotary::exit_code(e.kind());
  }
}

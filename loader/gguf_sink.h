#pragma once
// Where the GGUF writer's bytes go: a file written through a large buffer (big spans bypass it),
// or memory. Internal to the writer; tests reach it through GgufWriter.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

namespace rotary {

class GgufSink {
 public:
  virtual ~GgufSink() = default;
  virtual void write(std::span<const std::byte> bytes) = 0;
  // Flushes and closes; the output is complete. A sink destroyed without close() discards it.
  virtual void close() = 0;
};

// Writes to `path` (created or truncated). A sink destroyed before close() removes the file, so
// an aborted write never leaves a .gguf that looks whole. Errors are Error(Io) naming the path.
std::unique_ptr<GgufSink> make_file_sink(const std::filesystem::path& path);

// Appends to `out`, which must outlive the sink.
std::unique_ptr<GgufSink> make_memory_sink(std::vector<std::byte>& out);

}  // namespace rotary

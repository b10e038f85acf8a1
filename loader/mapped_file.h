#pragma once
// A read-only memory mapping of a whole file. The bytes stay where they are for the life of the
// object (moving it moves ownership, not the mapping), so spans into it stay valid: the GGUF
// reader hands out tensor data as spans into this mapping and later code uploads from them.
#include <cstddef>
#include <filesystem>
#include <span>

namespace rotary {

class MappedFile {
 public:
  MappedFile() = default;
  // Throws Error(Io) naming the path when the file cannot be opened, sized or mapped.
  static MappedFile open(const std::filesystem::path& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }

 private:
  void release() noexcept;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace rotary

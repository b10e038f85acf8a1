#include "loader/gguf_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.h"

namespace rotary {

namespace {

// 8 MiB: large enough that write(2) overhead vanishes, small enough to stay in cache.
constexpr size_t kBufferBytes = 8u << 20;

class FileSink final : public GgufSink {
 public:
  explicit FileSink(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create");
    buffer_.reserve(kBufferBytes);
  }

  ~FileSink() override {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());
    }
  }

  void write(std::span<const std::byte> bytes) override {
    if (buffer_.size() + bytes.size() > kBufferBytes) flush();
    if (bytes.size() >= kBufferBytes) {
      write_all(bytes);
    } else {
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    }
  }

  void close() override {
    flush();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close");
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw Error(ErrorKind::Io, path_.string() + ": " + what + ": " + std::strerror(errno));
  }

  void flush() {
    write_all(buffer_);
    buffer_.clear();
  }

  void write_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write failed");
      }
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::byte> buffer_;
};

class MemorySink final : public GgufSink {
 public:
  explicit MemorySink(std::vector<std::byte>& out) : out_(out) {}
  void write(std::span<const std::byte> bytes) override {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void close() override {}

 private:
  std::vector<std::byte>& out_;
};

}  // namespace

std::unique_ptr<GgufSink> make_file_sink(const std::filesystem::path& path) {
  return std::make_unique<FileSink>(path);
}

std::unique_ptr<GgufSink> make_memory_sink(std::vector<std::byte>& out) {
  return std::make_unique<MemorySink>(out);
}

}  // namespace rotary

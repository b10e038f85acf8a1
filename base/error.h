#pragma once
// The one error type of rotary. Library code throws it; only cli/ turns it into a message and an
// exit code. Checked in every build type: nothing here is an assert.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <version>
#if __has_include(<source_location>)
#include <source_location>
#endif

namespace rotary {

// std::source_location needs __builtin_source_location, which clang 14 (the fuzz build, with
// libstdc++ 12) lacks; there the two fields come from the older builtins, which also take the
// caller's location when used as default arguments.
#if defined(__cpp_lib_source_location)
using SourceLocation = std::source_location;
#else
struct SourceLocation {
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          uint_least32_t line = __builtin_LINE()) noexcept {
    return SourceLocation{file, line};
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr uint_least32_t line() const noexcept { return line_; }
  const char* file_ = "";
  uint_least32_t line_ = 0;
};
#endif

enum class ErrorKind {
  InvalidArgument,  // a bad flag value or API argument
  InvalidModel,     // malformed or truncated GGUF, inconsistent tensors
  Unsupported,      // a valid input rotary does not handle (architecture, quant type, template)
  Io,               // open/read/write/mmap failures
  NoDevice,         // no usable Vulkan device
  OutOfMemory,      // the driver refused an allocation
  Budget,           // the VRAM budget cannot hold what was asked for
  Vulkan,           // any other failed Vulkan call
  ContextFull,      // the KV cache has no room for another token
  Internal,         // a broken invariant inside rotary
};

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message,
        SourceLocation where = SourceLocation::current());

  // A failed Vulkan call: `call` is its source text, `vk_result` its VkResult.
  static Error vulkan(int32_t vk_result, const char* call,
                      SourceLocation where = SourceLocation::current());

  ErrorKind kind() const { return kind_; }
  int32_t vk_result() const { return vk_result_; }  // 0 (VK_SUCCESS) when not a Vulkan error
  const char* file() const { return file_; }
  uint32_t line() const { return line_; }

 private:
  ErrorKind kind_;
  int32_t vk_result_ = 0;
  const char* file_;
  uint32_t line_;
};

// Process exit code for an error kind (cli/ only): 2 bad input, 3 unsupported, 4 device/memory, 1 other.
int exit_code(ErrorKind kind);

// Throws Error(kind, message) when `ok` is false. For input validation, not for invariants only.
inline void require(bool ok, ErrorKind kind, const std::string& message,
                    SourceLocation where = SourceLocation::current()) {
  if (!ok) throw Error(kind, message, where);
}

}  // namespace rotary

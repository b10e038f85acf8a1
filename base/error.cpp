#include "base/error.h"

#include <cstring>

namespace rotary {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument: return "invalid argument";
    case ErrorKind::InvalidModel: return "invalid model file";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Io: return "I/O error";
    case ErrorKind::NoDevice: return "no Vulkan device";
    case ErrorKind::OutOfMemory: return "out of device memory";
    case ErrorKind::Budget: return "VRAM budget exceeded";
    case ErrorKind::Vulkan: return "Vulkan error";
    case ErrorKind::ContextFull: return "context full";
    case ErrorKind::Internal: return "internal error";
  }
  return "error";
}

namespace {
const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}
}  // namespace

Error::Error(ErrorKind kind, const std::string& message, SourceLocation where)
    : std::runtime_error(message), kind_(kind), file_(base_name(where.file_name())),
      line_(where.line()) {}

Error Error::vulkan(int32_t vk_result, const char* call, SourceLocation where) {
  // VK_ERROR_OUT_OF_DEVICE_MEMORY = -2, VK_ERROR_OUT_OF_HOST_MEMORY = -1: kept numeric so that
  // base/ does not depend on the Vulkan headers.
  ErrorKind kind = (vk_result == -2 || vk_result == -1) ? ErrorKind::OutOfMemory : ErrorKind::Vulkan;
  Error e(kind,
          std::string(call) + " failed with VkResult " + std::to_string(vk_result) + " at " +
              base_name(where.file_name()) + ":" + std::to_string(where.line()),
          where);
  e.vk_result_ = vk_result;
  return e;
}

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument:
    case ErrorKind::InvalidModel:
    case ErrorKind::Io: return 2;
    case ErrorKind::Unsupported: return 3;
    case ErrorKind::NoDevice:
    case ErrorKind::OutOfMemory:
    case ErrorKind::Budget:
    case ErrorKind::Vulkan: return 4;
    case ErrorKind::ContextFull:
    case ErrorKind::Internal: return 1;
  }
  return 1;
}

}  // namespace rotary

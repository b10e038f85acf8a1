#pragma once
// The Vulkan instance: loads the loader through volk, optionally enables the Khronos validation
// layer with synchronization validation, and counts what it reports so that tests can demand
// zero errors and zero warnings.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/vk/vk.h"

namespace rotary::vk {

struct InstanceOptions {
  bool validation = false;       // VK_LAYER_KHRONOS_validation (core checks)
  bool sync_validation = true;   // with validation: synchronization validation as well
  bool print_messages = true;    // echo validation messages to stderr
};

class Instance {
 public:
  // Throws Error(NoDevice) when no Vulkan loader or no Vulkan 1.2 instance is available, and
  // Error(Unsupported) when validation is asked for but the layer is not installed.
  static std::unique_ptr<Instance> create(const InstanceOptions& options);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance handle() const { return instance_; }
  uint32_t api_version() const { return api_version_; }
  std::vector<VkPhysicalDevice> physical_devices() const;

  bool validation_enabled() const { return messenger_ != VK_NULL_HANDLE; }
  uint32_t validation_errors() const { return errors_.load(); }
  uint32_t validation_warnings() const { return warnings_.load(); }
  std::vector<std::string> validation_messages() const;  // the first few, for test reports

 private:
  Instance() = default;
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT types,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                   void* user);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  uint32_t api_version_ = 0;
  bool print_ = true;
  std::atomic<uint32_t> errors_{0};
  std::atomic<uint32_t> warnings_{0};
  mutable std::mutex messages_mutex_;
  std::vector<std::string> messages_;
};

}  // namespace rotary::vk

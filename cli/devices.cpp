// `rotary devices [--json]`: the capability report of every Vulkan device.
#include <cstdio>
#include <memory>

#include "base/json.h"
#include "cli/commands.h"
#include "runtime/vk/device.h"

namespace rotary::cli {

void add_devices_command(CLI::App& app, Exit& exit) {
  auto* cmd = app.add_subcommand("devices", "List Vulkan devices and what they can do");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([json, &exit] {
    auto instance = vk::Instance::create({});
    std::vector<vk::DeviceCaps> caps;
    const auto physicals = instance->physical_devices();
    for (uint32_t i = 0; i < physicals.size(); ++i) caps.push_back(vk::query_caps(physicals[i], i, instance->api_version()));
    int picked = -1;
    try {
      picked = static_cast<int>(vk::pick_device(caps, -1));
    } catch (const Error&) {
      if (!*json) throw;
    }
    if (*json) {
      Json j = {{"devices", Json::array()}, {"default_device", picked}};
      for (const auto& c : caps) j["devices"].push_back(vk::caps_json(c));
      std::printf("%s\n", dump_json(j).c_str());
    } else {
      for (const auto& c : caps) {
        std::printf("%s", vk::caps_to_text(c).c_str());
        const std::string why = vk::unsupported_reason(c);
        if (!why.empty()) std::printf("  cannot run rotary: %s\n", why.c_str());
      }
      std::printf("default device: %d\n", picked);
    }
    exit.code = 0;
  });
}

}  // namespace rotary::cli

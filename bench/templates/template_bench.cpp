// rotary-bench-template [TEMPLATE.jinja] [--turns N] [--runs R]
// Renders a conversation of N turns (default 50: user, assistant with reasoning, and every fifth
// turn a tool call with its response) with a chat template (default: Qwen3.5's, from
// tests/templates/corpus) and prints the median and best time of one render, parse excluded.
// Before timing it checks that the rendering holds every message in order and ends with the
// generation prompt's opening.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loader/jinja/jinja.h"

namespace {

using nlohmann::ordered_json;

ordered_json conversation(int turns) {
  ordered_json messages = ordered_json::array();
  messages.push_back({{"role", "system"}, {"content", "You are a helpful assistant."}});
  for (int i = 0; i < turns; ++i) {
    const std::string n = std::to_string(i);
    messages.push_back({{"role", "user"}, {"content", "Question " + n + ": what is " + n + " squared?"}});
    ordered_json answer = {{"role", "assistant"},
                           {"content", "The answer to question " + n + " is " + std::to_string(i * i) + "."},
                           {"reasoning_content", "Multiply " + n + " by itself."}};
    if (i % 5 == 4) {
      answer["tool_calls"] = ordered_json::array(
          {{{"type", "function"},
            {"function", {{"name", "calculator"}, {"arguments", {{"expression", n + "*" + n}}}}}}});
      messages.push_back(answer);
      messages.push_back({{"role", "tool"}, {"content", std::to_string(i * i)}});
    } else {
      messages.push_back(answer);
    }
  }
  messages.push_back({{"role", "user"}, {"content", "Thanks, that is all."}});
  ordered_json tools = ordered_json::array(
      {{{"type", "function"},
        {"function", {{"name", "calculator"},
                      {"description", "Evaluates an arithmetic expression."},
                      {"parameters", {{"type", "object"},
                                      {"properties", {{"expression", {{"type", "string"}}}}},
                                      {"required", {"expression"}}}}}}}});
  return {{"messages", messages}, {"tools", tools}, {"add_generation_prompt", true},
          {"enable_thinking", true}, {"bos_token", ""}, {"eos_token", "<|im_end|>"}};
}

bool check(const std::string& out, const ordered_json& ctx) {
  size_t at = 0;
  for (const auto& m : ctx["messages"]) {
    if (!m["content"].is_string() || m["content"].get<std::string>().empty()) continue;
    const auto found = out.find(m["content"].get<std::string>(), at);
    if (found == std::string::npos) {
      std::fprintf(stderr, "bench: message missing or out of order: %s\n", m["content"].dump().c_str());
      return false;
    }
    at = found;
  }
  return out.rfind("<|im_start|>assistant\n") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = ROTARY_SOURCE_DIR "/tests/templates/corpus/qwen3.5.jinja";
  int turns = 50, runs = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--turns" && i + 1 < argc) turns = std::stoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
    else path = a;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "bench: cannot read %s\n", path.c_str());
    return 2;
  }
  std::stringstream text;
  text << f.rdbuf();
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const auto tmpl = rotary::jinja::Template::parse(text.str());
    const double parse_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const ordered_json ctx = conversation(turns);
    const std::string first = tmpl.render(ctx);
    if (!check(first, ctx)) return 1;
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
      const auto a = std::chrono::steady_clock::now();
      const std::string out = tmpl.render(ctx);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
      if (out != first) {
        std::fprintf(stderr, "bench: renderings differ between runs\n");
        return 1;
      }
    }
    std::sort(ms.begin(), ms.end());
    std::printf("template %s\nturns %d (%zu messages), output %zu bytes\n", path.c_str(), turns,
                ctx["messages"].size(), first.size());
    std::printf("parse %.3f ms; render median %.3f ms, best %.3f ms over %d runs\n", parse_ms,
                ms[ms.size() / 2], ms.front(), runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

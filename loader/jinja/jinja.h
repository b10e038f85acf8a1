#pragma once
// A Jinja2 interpreter for chat templates (tokenizer.chat_template), rendering as Hugging Face's
// apply_chat_template does: Python's Jinja2 in an ImmutableSandboxedEnvironment with trim_blocks,
// lstrip_blocks and the loop controls, the globals raise_exception, strftime_now, namespace,
// range, dict, and Hugging Face's tojson. docs/templates.md lists what is supported and how it is
// tested against Jinja2 itself.
//
// A template is untrusted file content: parsing and rendering are bounded (Limits) and every
// failure is a TemplateError (a rotary::Error of kind InvalidArgument) naming the template's line:column.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace rotary::jinja {

struct Limits {
  uint32_t max_depth = 256;         // nesting of macro calls, expressions and values
  uint64_t max_steps = 10'000'000;  // evaluation steps (nodes, loop iterations, element visits)
  size_t max_output = 64 << 20;     // bytes of output, and of any one string or list built
};

// what() is "line L:C: MESSAGE"; for raise_exception MESSAGE is the template's own text.
class TemplateError : public Error {
 public:
  TemplateError(uint32_t line, uint32_t column, const std::string& message, bool raised);
  uint32_t template_line() const { return template_line_; }
  uint32_t template_column() const { return template_column_; }
  const std::string& message() const { return message_; }
  // True when the template itself raised (raise_exception): message() is the template's text.
  bool raised() const { return raised_; }

 private:
  uint32_t template_line_;
  uint32_t template_column_;
  std::string message_;
  bool raised_;
};

struct Program;  // the parsed template (ast.h)

class Template {
 public:
  // Throws TemplateError for a syntax error.
  static Template parse(std::string_view source);

  // `context` is the template's variables (messages, tools, add_generation_prompt, bos_token,
  // eos_token, any kwargs); it must be a JSON object. Throws TemplateError.
  std::string render(const nlohmann::ordered_json& context, const Limits& limits = {}) const;

 private:
  explicit Template(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

}  // namespace rotary::jinja

#include "loader/jinja/ast.h"
#include "loader/jinja/interpreter.h"
#include "loader/jinja/jinja.h"

namespace rotary::jinja {

TemplateError::TemplateError(uint32_t line, uint32_t column, const std::string& message, bool raised)
    : Error(ErrorKind::InvalidArgument,
            line ? "line " + std::to_string(line) + ":" + std::to_string(column) + ": " + message
                 : message),
      template_line_(line),
      template_column_(column),
      message_(message),
      raised_(raised) {}

Template Template::parse(std::string_view source) {
  try {
    return Template(parse_program(source));
  } catch (const Failure& f) {  // only the lexer and parser's own errors are positioned
    throw TemplateError(0, 0, f.message, false);
  }
}

std::string Template::render(const nlohmann::ordered_json& context, const Limits& limits) const {
  Interpreter interpreter(*program_, limits);
  try {
    return interpreter.render(context);
  } catch (const Failure& f) {
    throw TemplateError(0, 0, f.message, f.raised);
  } catch (const std::bad_alloc&) {
    throw TemplateError(0, 0, "out of memory while rendering the template", false);
  }
}

}  // namespace rotary::jinja

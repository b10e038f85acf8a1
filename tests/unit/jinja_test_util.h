#pragma once
// Helpers of the jinja_*_test.cpp suites. Expected strings in those suites are Jinja2's output for
// the same template and context, rendered by tests/templates/reference_render.py (Hugging Face's
// environment), never rotary's own.
#include <string>

#include "loader/jinja/jinja.h"

namespace rotary::jinja::test {

inline std::string render(const std::string& source, const std::string& context_json = "{}",
                          const Limits& limits = {}) {
  return Template::parse(source).render(nlohmann::ordered_json::parse(context_json), limits);
}

}  // namespace rotary::jinja::test

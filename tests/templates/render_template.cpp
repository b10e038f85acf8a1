// rotary_render_template: renders a chat template with rotary's Jinja engine.
//   rotary_render_template TEMPLATE CONTEXT.json
//       prints the rendering exactly; on a template error prints "error: MESSAGE" to stderr and
//       exits 1 (3 when the template raised it with raise_exception), as reference_render.py does.
//   rotary_render_template --compare CASES.json
//       renders every case that `reference_render.py --cases` wrote and requires Jinja2's result:
//       the same bytes, or, where Jinja2 raised, an error (with the template's own message when
//       the template raised it). Prints each difference; exits 1 when there is one.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "base/json.h"
#include "loader/jinja/jinja.h"

namespace {

using nlohmann::ordered_json;
using rotary::jinja::Template;
using rotary::jinja::TemplateError;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string excerpt(const std::string& s, size_t at) {
  const size_t b = at > 40 ? at - 40 : 0;
  return ordered_json(s.substr(b, 120)).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// One case; returns an empty string when rotary agrees with Jinja2, else what differs.
std::string compare_case(const Template* tmpl, const std::string& parse_error, const ordered_json& c) {
  std::string got;
  bool failed = !tmpl;
  bool raised = false;
  std::string message = parse_error;
  if (tmpl) {
    try {
      got = tmpl->render(c.at("context"));
    } catch (const TemplateError& e) {
      failed = true;
      raised = e.raised();
      message = e.what();
      if (raised) message = e.message();
    }
  }
  if (c.contains("output")) {
    const std::string want = c.at("output").get<std::string>();
    if (failed) return "Jinja2 rendered, rotary failed: " + message;
    if (got == want) return {};
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    return "output differs at byte " + std::to_string(i) + "\n    want " + excerpt(want, i) +
           "\n    got  " + excerpt(got, i);
  }
  const std::string want_error = c.at("error").get<std::string>();
  if (!failed) return "Jinja2 failed (" + want_error + "), rotary rendered";
  if (c.at("raised").get<bool>() && (!raised || message != want_error))
    return "Jinja2 raised '" + want_error + "', rotary failed with: " + message;
  return {};
}

int compare(const std::string& cases_path) {
  const ordered_json cases = rotary::parse_json(read_file(cases_path), cases_path);
  std::map<std::string, std::pair<std::unique_ptr<Template>, std::string>> templates;
  size_t bad = 0, errors = 0;
  for (const auto& c : cases) {
    const std::string path = c.at("template").get<std::string>();
    auto it = templates.find(path);
    if (it == templates.end()) {
      std::unique_ptr<Template> t;
      std::string error;
      try {
        t = std::make_unique<Template>(Template::parse(read_file(path)));
      } catch (const TemplateError& e) {
        error = e.what();
      }
      it = templates.emplace(path, std::make_pair(std::move(t), error)).first;
    }
    if (c.contains("error")) ++errors;
    const std::string diff = compare_case(it->second.first.get(), it->second.second, c);
    if (diff.empty()) continue;
    ++bad;
    ordered_json ctx = c.at("context");
    std::cout << "MISMATCH " << path << " " << c.at("conversation").get<std::string>()
              << " add_generation_prompt=" << ctx.value("add_generation_prompt", false)
              << " enable_thinking=" << (ctx.contains("enable_thinking") ? ctx["enable_thinking"].dump() : "unset")
              << "\n  " << diff << "\n";
  }
  std::cout << cases.size() << " cases (" << errors << " where Jinja2 fails), " << bad
            << " differ, " << templates.size() << " templates\n";
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::string(argv[1]) == "--compare") return compare(argv[2]);
    if (argc != 3) {
      std::cerr << "usage: rotary_render_template TEMPLATE CONTEXT.json\n"
                   "       rotary_render_template --compare CASES.json\n";
      return 2;
    }
    const Template t = Template::parse(read_file(argv[1]));
    const std::string out = t.render(rotary::parse_json(read_file(argv[2]), argv[2]));
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  } catch (const TemplateError& e) {
    std::cerr << "error: " << (e.raised() ? e.message() : std::string(e.what())) << "\n";
    return e.raised() ? 3 : 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}

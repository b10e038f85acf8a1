// rotary: run Mixture-of-Experts models larger than GPU memory on any Vulkan GPU.
// The only place where a rotary::Error becomes a message and an exit code.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/printable.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/output.h"

namespace {

// llama.cpp's flags that are several letters after one dash, which CLI11 cannot name: each
// becomes its long form (up to a "--" that ends the options).
void rewrite_llama_flags(int argc, char** argv) {
  static char kSystem[] = "--system", kConversation[] = "--conversation";
  for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "-sys") == 0) argv[i] = kSystem;
    if (std::strcmp(argv[i], "-cnv") == 0) argv[i] = kConversation;
  }
}

}  // namespace

int main(int argc, char** argv) {
  rotary::cli::guard_stdout();
  rewrite_llama_flags(argc, argv);
  CLI::App app{"rotary: Mixture-of-Experts inference beyond GPU memory, on any Vulkan GPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rotary " ROTARY_VERSION);
  rotary::cli::Exit exit;
  rotary::cli::add_devices_command(app, exit);
  rotary::cli::add_run_command(app, exit);
  rotary::cli::add_chat_command(app, exit);
  rotary::cli::add_info_command(app, exit);
  rotary::cli::add_synth_command(app, exit);
  rotary::cli::add_bench_command(app, exit);
  rotary::cli::add_serve_command(app, exit);
  rotary::cli::add_template_command(app, exit);
  try {
    try {
      // llama.cpp's -ctk/-ctv, which CLI11 cannot declare, as their long forms.
      std::vector<std::string> args = rotary::cli::with_long_flags(argc, argv);
      std::vector<char*> ptrs;
      for (std::string& a : args) ptrs.push_back(a.data());
      app.parse(static_cast<int>(ptrs.size()), ptrs.data());
    } catch (const CLI::ParseError& e) {
      // Help and --version exit 0; every usage error is bad input: exit 2, as Error(InvalidArgument).
      if (app.exit(e) != 0) return 2;
    }
    // Whatever the command wrote to stdout must have arrived (docs/cli.md, "Exit codes").
    rotary::cli::check_stdout();
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "rotary: %s: %s\n", rotary::to_string(e.kind()), rotary::printable_message(e.what()).c_str());
    return rotary::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rotary: error: %s\n", rotary::printable_message(e.what()).c_str());
    return 1;
  }
  return exit.code;
}

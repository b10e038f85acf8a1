// rotary: run Mixture-of-Experts models larger than GPU memory on any Vulkan GPU.
// The only place where a rotary::Error becomes a message and an exit code.
#include <cstdio>
#include <exception>

#include "base/error.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and --version exit 0; every usage error is bad input: exit 2, as Error(InvalidArgument).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "rotary: %s: %s\n", rotary::to_string(e.kind()), e.what());
    return rotary::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rotary: error: %s\n", e.what());
    return 1;
  }
  return exit.code;
}

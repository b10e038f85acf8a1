#pragma once
// Each `rotary` subcommand registers itself on the CLI11 app; its callback does the work and
// returns the process exit code through `exit_code`.
#include <CLI/CLI.hpp>

namespace rotary::cli {

struct Exit {
  int code = 0;
};

void add_devices_command(CLI::App& app, Exit& exit);
void add_run_command(CLI::App& app, Exit& exit);
void add_chat_command(CLI::App& app, Exit& exit);
void add_info_command(CLI::App& app, Exit& exit);
void add_synth_command(CLI::App& app, Exit& exit);
void add_bench_command(CLI::App& app, Exit& exit);
void add_serve_command(CLI::App& app, Exit& exit);
void add_template_command(CLI::App& app, Exit& exit);

}  // namespace rotary::cli

#pragma once
// Where the benchmarked model comes from: a GGUF file, or `synth:PRESET[:QUANT]`, a random-weight
// model of a real shape (loader/synth/) written once into a cache folder and reused, so that a
// comparison across vendors needs no download.
#include <filesystem>
#include <string>

namespace rotary::bench {

struct ModelSource {
  std::string name;            // as given: "synth:tiny-qwen3moe" or the file's name
  std::filesystem::path path;  // the GGUF file
  bool synthetic = false;
};

// $XDG_CACHE_HOME/rotary/synth, else ~/.cache/rotary/synth, else ./rotary-synth.
std::filesystem::path default_synth_dir();

// A file path is returned as it is (Error(Io) when missing). `synth:PRESET[:QUANT]` (QUANT
// defaults to Q4_K_M, seed 0) is written to `synth_dir` unless already there, with a line on
// stderr; Error(InvalidArgument) for an unknown preset or type.
ModelSource resolve_model(const std::string& spec, const std::filesystem::path& synth_dir);

}  // namespace rotary::bench

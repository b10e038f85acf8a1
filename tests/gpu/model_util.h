#pragma once
// Whole-model helpers for the GPU suite: small GGUF models written once per process (rotary
// synth presets, or the tiny test builder's files), loaded through load_model, and a greedy run
// that returns the logits of every position.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/synth/synth_model.h"
#include "runtime/models/model.h"
#include "tests/support/tiny_models.h"

namespace rotary::test {

// A synth preset written to the build tree's temporary folder (once per preset, type, seed and
// overrides in this process); returns the path.
std::string synth_model_file(const std::string& preset, synth::SynthQuant quant, uint64_t seed,
                             const synth::SynthOverrides& overrides = {});
// A tiny builder model written to a file (once per distinct name in this process).
std::string tiny_model_file(const std::string& name, const TinyModel& m);

struct LoadedModel {
  GgufFile file;
  std::unique_ptr<Model> model;
};
LoadedModel load_test_model(const std::string& path, const ModelOptions& options);

// F32 KV cache (the exact path), no progress bar: the options the model tests start from.
ModelOptions exact_options(uint32_t ctx = 256);

struct GreedyRun {
  std::vector<int32_t> tokens;  // generated
  std::vector<float> logits;    // (prompt + generated) rows of n_vocab: every evaluated position
  uint32_t rows = 0;
};
// Evaluates the prompt at position 0 (all rows), then `n` greedy steps one token at a time; the
// last generated token is evaluated too, as rotary-oracle eval does.
GreedyRun run_greedy(Model& model, const std::vector<int32_t>& prompt, uint32_t n);

// max |a - b| over two runs' logits (same shape required).
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace rotary::test

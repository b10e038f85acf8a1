// `rotary synth` files in llama.cpp: every small preset in every type that synth writes loads in
// llama.cpp and produces finite logits of the planned scale. This is what makes them real GGUF.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "base/npy.h"
#include "loader/synth/synth_model.h"
#include "tests/oracle/oracle_test.h"

using namespace rotary;

TEST_CASE(
    "synth: llama.cpp loads the small presets in every type synth writes and produces finite "
    "logits") {
  test::TempDir dir("synth");
  const synth::SynthQuant quants[] = {
      synth::SynthQuant::F32,       synth::SynthQuant::F16,    synth::SynthQuant::BF16,
      synth::SynthQuant::Q8_0,      synth::SynthQuant::Q4_0,   synth::SynthQuant::Q4_K,
      synth::SynthQuant::Q5_K,      synth::SynthQuant::Q6_K,   synth::SynthQuant::IQ4_XS,
      synth::SynthQuant::MXFP4_MOE, synth::SynthQuant::Q4_K_M,
  };
  for (const char* preset : {"tiny-qwen3moe", "tiny-qwen35moe"}) {
    std::map<synth::SynthQuant, std::string> greedy;
    for (const synth::SynthQuant quant : quants) {
      const std::string tag =
          std::string(preset) + "-" + std::string(synth::synth_quant_name(quant));
      CAPTURE(tag);
      synth::SynthOptions options;
      options.quant = quant;
      options.seed = 3;
      const auto model = synth::plan_synth_model(synth::find_synth_preset(preset), options);
      const std::string path = dir.file(tag + ".gguf"), logits = dir.file(tag + ".npy");
      synth::write_synth_model(model, path);
      // Six prompt tokens (bytes, merges and <|im_start|> of the 1000/1200-token vocabularies),
      // then three greedy steps.
      const std::string im_start = std::to_string(model.preset.n_vocab - 4);
      greedy[quant] = test::run_oracle(
          {"eval", path, "--tokens", "32,104,101,300,700," + im_start, "-n", "3", "--out", logits});
      const NpyArray a = read_npy(logits);
      CHECK(a.rows == 9);
      REQUIRE(a.cols == model.preset.n_vocab);
      for (uint64_t r = 0; r < a.rows; ++r) {
        double sum = 0, sum2 = 0;
        bool finite = true;
        for (uint64_t c = 0; c < a.cols; ++c) {
          const float v = a.data[r * a.cols + c];
          finite = finite && std::isfinite(v);
          sum += v;
          sum2 += static_cast<double>(v) * v;
        }
        CHECK(finite);
        // The output head is scaled for logits of standard deviation 3 (loader/synth/weights.h):
        // the final norm gives unit RMS and output.weight has std 3/sqrt(hidden).
        const double mean = sum / static_cast<double>(a.cols);
        const double std_dev = std::sqrt(sum2 / static_cast<double>(a.cols) - mean * mean);
        CHECK(std_dev > 2.0);
        CHECK(std_dev < 4.5);
      }
    }
    // Small presets are drawn as floats keyed by (seed, tensor, row) and then converted, so the
    // F16, BF16 and Q8_0 files hold the F32 model up to rounding: same greedy tokens.
    CAPTURE(preset);
    CHECK(greedy[synth::SynthQuant::F16] == greedy[synth::SynthQuant::F32]);
    CHECK(greedy[synth::SynthQuant::BF16] == greedy[synth::SynthQuant::F32]);
    CHECK(greedy[synth::SynthQuant::Q8_0] == greedy[synth::SynthQuant::F32]);
  }
}

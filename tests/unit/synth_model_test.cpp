// `rotary synth` end to end: the planned models against models.md, and every small preset in
// every type written to disk and read back with the GGUF reader.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "loader/quant/dequantize.h"
#include "loader/synth/synth_model.h"

namespace fs = std::filesystem;
namespace synth = rotary::synth;
using rotary::GgmlType;

namespace {

const synth::SynthQuant kAllQuants[] = {
    synth::SynthQuant::F32,       synth::SynthQuant::F16,    synth::SynthQuant::BF16,
    synth::SynthQuant::Q8_0,      synth::SynthQuant::Q4_0,   synth::SynthQuant::Q4_K,
    synth::SynthQuant::Q5_K,      synth::SynthQuant::Q6_K,   synth::SynthQuant::IQ4_XS,
    synth::SynthQuant::MXFP4_MOE, synth::SynthQuant::Q4_K_M,
};

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("rotary-synth-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

synth::SynthModel plan(const char* preset, synth::SynthQuant quant, uint64_t seed = 1,
                       synth::SynthWeights weights = synth::SynthWeights::Auto,
                       unsigned threads = 2) {
  synth::SynthOptions o;
  o.quant = quant;
  o.seed = seed;
  o.weights = weights;
  o.threads = threads;
  return synth::plan_synth_model(synth::find_synth_preset(preset), o);
}

std::vector<char> file_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rotary::Error& e) {
    return std::string(rotary::to_string(e.kind())) + ": " + e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("synth plan: the full-size models hold models.md's tensors and Q4_K_M sizes") {
  // models.md: 3 global + 12 per layer = 579 tensors; tensor data 18,550,716,416 bytes.
  const auto q3 = plan("qwen3-30b-a3b", synth::SynthQuant::Q4_K_M);
  CHECK(q3.tensors.size() == 579);
  CHECK(q3.tensor_bytes == 18550716416ull);
  CHECK(q3.parameters > 30'000'000'000ull);
  const auto q36 = plan("qwen3.6-35b-a3b", synth::SynthQuant::Q4_K_M);
  CHECK(q36.hparams.arch == rotary::Architecture::Qwen35Moe);
  CHECK(q36.tensor_bytes == 21155768832ull);
  // Full-size models are drawn as random blocks (disk speed); small ones as quantised floats.
  for (const auto& t : q3.tensors) CHECK(t.random_blocks == (t.type != GgmlType::F32));
  for (const auto& t : plan("tiny-qwen3moe", synth::SynthQuant::Q4_K_M).tensors)
    CHECK_FALSE(t.random_blocks);
}

TEST_CASE("synth plan: shapes a type cannot hold are errors that name the tensor and the fix") {
  synth::SynthOptions o;
  o.quant = synth::SynthQuant::Q4_K;
  synth::SynthOverrides ov;
  ov.n_embd = 320;
  const auto hidden = synth::apply_overrides(synth::find_synth_preset("tiny-qwen3moe"), ov);
  const std::string e1 = error_of([&] { synth::plan_synth_model(hidden, o); });
  CHECK(e1.find("token_embd.weight") != std::string::npos);
  CHECK(e1.find("--hidden") != std::string::npos);
  CHECK(e1.find("256") != std::string::npos);
  o.quant = synth::SynthQuant::Q8_0;  // 320 is 10 blocks of 32
  CHECK_NOTHROW(synth::plan_synth_model(hidden, o));

  ov = {};
  ov.n_head = 6;  // attn_output rows: 6 x 64 = 384
  o.quant = synth::SynthQuant::IQ4_XS;
  const auto heads = synth::apply_overrides(synth::find_synth_preset("tiny-qwen3moe"), ov);
  const std::string e2 = error_of([&] { synth::plan_synth_model(heads, o); });
  CHECK(e2.find("attn_output.weight") != std::string::npos);
  CHECK(e2.find("--heads") != std::string::npos);
}

TEST_CASE(
    "synth: every small preset in every type reads back with its names, shapes, types and "
    "metadata") {
  TempDir dir;
  for (const char* preset : {"tiny-qwen3moe", "tiny-qwen35moe", "tiny-qwen3next"}) {
    for (const auto quant : kAllQuants) {
      const std::string tag =
          std::string(preset) + "-" + std::string(synth::synth_quant_name(quant));
      CAPTURE(tag);
      const auto model = plan(preset, quant);
      const fs::path out = dir.path / (tag + ".gguf");
      const auto result = synth::write_synth_model(model, out);
      CHECK_FALSE(fs::exists(fs::path(out.string() + ".tmp")));
      REQUIRE(fs::file_size(out) == result.file_bytes);

      const auto file = rotary::GgufFile::open(out);
      const auto h = rotary::read_hparams(file.metadata());
      CHECK_NOTHROW(rotary::validate_tensors(h, file));
      CHECK(h.n_layer == model.preset.n_layer);
      CHECK(h.n_embd == model.preset.n_embd);
      CHECK(h.n_expert == model.preset.n_expert);
      CHECK(h.n_vocab == model.preset.n_vocab);
      CHECK(file.metadata().get_u32("general.file_type") == synth::synth_file_type(quant));
      CHECK(*file.metadata().get_string("tokenizer.ggml.model") == "gpt2");
      CHECK(file.metadata().get_array("tokenizer.ggml.merges")->size() ==
            model.preset.n_vocab - 261);
      REQUIRE(file.tensors().size() == model.tensors.size());
      for (size_t i = 0; i < model.tensors.size(); ++i) {
        const auto& want = model.tensors[i];
        const auto& got = file.tensors()[i];
        CHECK(got.name == want.name);
        CHECK(got.shape == want.shape);
        CHECK(got.type == want.type);
        CHECK(got.n_bytes == want.n_bytes);
      }
      if (h.arch == rotary::Architecture::Qwen3Next) {
        // The split projections current converters write, the fused gates, no older ssm_in.
        CHECK(file.find_tensor("blk.0.attn_qkv.weight") != nullptr);
        CHECK(file.find_tensor("blk.0.ssm_ba.weight") != nullptr);
        CHECK(file.find_tensor("blk.0.ssm_in.weight") == nullptr);
        CHECK_FALSE(file.metadata().contains("qwen3next.rope.dimension_sections"));
      }
      // A routed-expert tensor holds weights of its planned scale: std 1/sqrt(hidden), within
      // 10% (4-bit formats add about 8% of the weights' RMS as error, in quadrature: +0.3%).
      const auto* up = file.find_tensor("blk.1.ffn_up_exps.weight");
      REQUIRE(up != nullptr);
      const auto values =
          rotary::quant::dequantize(up->type, up->data, static_cast<int64_t>(up->n_elements));
      double sum2 = 0;
      bool finite = true;
      for (const float v : values) {
        finite = finite && std::isfinite(v);
        sum2 += static_cast<double>(v) * v;
      }
      CHECK(finite);
      const double want_std = 1.0 / std::sqrt(static_cast<double>(model.preset.n_embd));
      CHECK(std::sqrt(sum2 / static_cast<double>(values.size())) ==
            doctest::Approx(want_std).epsilon(0.1));
    }
  }
}

TEST_CASE("synth: the same seed makes the same file on any number of threads") {
  TempDir dir;
  for (const auto weights : {synth::SynthWeights::Floats, synth::SynthWeights::Blocks}) {
    const auto a = dir.path / "a.gguf", b = dir.path / "b.gguf", c = dir.path / "c.gguf";
    synth::write_synth_model(plan("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 7, weights, 0), a);
    synth::write_synth_model(plan("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 7, weights, 3), b);
    synth::write_synth_model(plan("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 8, weights, 2), c);
    const auto ba = file_bytes(a);
    CHECK(ba == file_bytes(b));
    CHECK(ba.size() == file_bytes(c).size());
    CHECK(ba != file_bytes(c));
  }
}

TEST_CASE("synth: an unwritable destination is an Io error and leaves no file behind") {
  TempDir dir;
  const auto model = plan("tiny-qwen3moe", synth::SynthQuant::Q8_0);
  const std::string missing =
      error_of([&] { synth::write_synth_model(model, dir.path / "nope" / "m.gguf"); });
  CHECK(missing.find("I/O error") == 0);
  CHECK(missing.find("does not exist") != std::string::npos);
  // Overwriting an existing file is allowed and replaces it whole.
  const auto out = dir.path / "m.gguf";
  { std::ofstream(out) << "old"; }
  synth::write_synth_model(model, out);
  CHECK(fs::file_size(out) > 1000);
  CHECK(rotary::GgufFile::open(out).tensors().size() == model.tensors.size());
}

TEST_CASE("synth gpt-oss: the full-size model has gpt-oss-20b's parameters, keys and layer pattern") {
  const auto m = plan("gpt-oss-20b", synth::SynthQuant::MXFP4_MOE);
  // 3 global tensors + 19 per block (llama.cpp's llama_model_openai_moe::load_arch_tensors).
  CHECK(m.tensors.size() == 3 + 19 * 24);
  // openai/gpt-oss-20b: 20.91B parameters.
  CHECK(m.parameters > 20'900'000'000ull);
  CHECK(m.parameters < 20'920'000'000ull);
  const rotary::ModelHparams& h = m.hparams;
  CHECK(h.arch == rotary::Architecture::GptOss);
  CHECK(h.n_swa == 128);
  for (uint32_t i = 0; i < 24; ++i) CHECK(h.is_swa(i) == (i % 2 == 0));
  CHECK(h.rope_scaling.type == rotary::RopeScalingType::Yarn);
  CHECK(h.rope_scaling.freq_scale == 1.0f / 32.0f);
  CHECK(h.rope_scaling.n_ctx_orig == 4096);
  CHECK(h.rope_scaling.ext_factor == 1.0f);
  CHECK(h.rope_scaling.attn_factor == doctest::Approx(1.0f));  // llama.cpp cancels YaRN's mscale
  CHECK(h.rope_freq_base_swa == 150000.0f);
  for (const auto& t : m.tensors) {
    CAPTURE(t.name);
    if (t.name.ends_with("_exps.weight")) {
      CHECK(t.type == GgmlType::MXFP4);
    } else if (t.shape.size() == 1 || t.name.ends_with(".bias") || t.name.ends_with("ffn_gate_inp.weight")) {
      CHECK(t.type == GgmlType::F32);  // norms, biases, sinks, the router
    } else {
      CHECK(t.type == GgmlType::Q8_0);
    }
  }
  // Its 2880-wide rows fit no K-quant: the error names the tensor.
  CHECK(error_of([] { plan("gpt-oss-20b", synth::SynthQuant::Q4_K_M); }).find("token_embd.weight") !=
        std::string::npos);
}

TEST_CASE("synth gpt-oss: tiny-gpt-oss reads back with biases, sinks and the harmony specials") {
  TempDir dir;
  for (const auto quant : {synth::SynthQuant::F32, synth::SynthQuant::Q8_0, synth::SynthQuant::MXFP4_MOE}) {
    const auto model = plan("tiny-gpt-oss", quant);
    const fs::path out = dir.path / ("tiny-gpt-oss-" + std::string(synth::synth_quant_name(quant)) + ".gguf");
    synth::write_synth_model(model, out);
    const auto file = rotary::GgufFile::open(out);
    const auto h = rotary::read_hparams(file.metadata());
    CHECK_NOTHROW(rotary::validate_tensors(h, file));
    CHECK(h.arch == rotary::Architecture::GptOss);
    CHECK(h.n_swa == 16);
    CHECK(*file.metadata().get_string("tokenizer.ggml.pre") == "gpt-4o");
    REQUIRE(file.find_tensor("blk.3.attn_sinks.weight") != nullptr);
    CHECK(file.find_tensor("blk.3.attn_sinks.weight")->shape == std::vector<uint64_t>{8});
    CHECK(file.find_tensor("blk.0.ffn_down_exps.bias")->shape == std::vector<uint64_t>{256, 8});
    const auto* tokens = file.metadata().get_array("tokenizer.ggml.tokens");
    const auto& names = *tokens->get_if<std::string>();
    CHECK(names[*file.metadata().get_u32("tokenizer.ggml.eos_token_id")] == "<|return|>");
    CHECK(names[*file.metadata().get_u32("tokenizer.ggml.bos_token_id")] == "<|startoftext|>");
    CHECK(names.back() == "<|call|>");
  }
}

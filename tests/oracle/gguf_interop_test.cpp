// GGUF interoperability with llama.cpp, both ways. llama.cpp loads and runs what GgufWriter writes
// (tiny models of each architecture; its loader checks every tensor's shape, so this also checks
// rotary's tensor catalogue against llama.cpp's), and rotary reads, validates and sizes what
// llama.cpp's quantiser writes.
#include <doctest/doctest.h>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "tests/oracle/oracle_test.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

test::TinyModel interop_model(Architecture arch) {
  test::TinyModel m;
  m.arch = arch;
  m.n_layer = 4;
  m.n_embd = 64;
  m.n_head = 4;
  m.n_head_kv = 2;
  m.head_dim = 16;
  m.n_ff_exp = 32;
  m.n_ff_shexp = 32;
  m.ssm_state = 16;
  m.ssm_groups = 2;
  m.ssm_v_heads = 4;
  m.full_attention_interval = 2;  // blocks 0 and 2 Gated DeltaNet, 1 and 3 attention
  m.weight_type = GgmlType::F16;
  return m;
}

void write_model(const test::TinyModel& m, const std::string& path) {
  GgufWriter w;
  test::add_tiny_metadata(w, m);
  test::add_tiny_tensors(w, m);
  w.write_file(path);
}

TEST_CASE("gguf interop: llama.cpp loads and runs the tiny models GgufWriter writes") {
  test::TempDir dir("gguf_interop");
  for (auto arch : {Architecture::Qwen3Moe, Architecture::Qwen35Moe, Architecture::Qwen3Next}) {
    for (bool mtp : {false, true}) {
      auto m = interop_model(arch);
      m.n_nextn = mtp ? 1 : 0;
      m.tied_output = mtp;  // covers both forms of the output head too
      const std::string path =
          dir.file(std::string(architecture_name(arch)) + (mtp ? "_mtp" : "") + ".gguf");
      write_model(m, path);
      CAPTURE(path);
      const std::string out =
          test::run_oracle({"eval", path, "--tokens", "0,1,2", "-n", "2", "--json"});
      CHECK(out.find("\"n_vocab\":8") != std::string::npos);
      CHECK(out.find("\"positions\":5") != std::string::npos);
    }
  }
}

TEST_CASE("gguf interop: rotary reads what llama.cpp's Q4_K_M quantiser writes") {
  test::TempDir dir("gguf_interop_q4km");
  auto m = interop_model(Architecture::Qwen3Moe);
  m.n_embd = 256;  // whole Q4_K blocks in every row
  m.n_ff_exp = 256;
  m.n_head = 4;
  m.head_dim = 64;
  const std::string f16 = dir.file("f16.gguf"), q4km = dir.file("q4km.gguf");
  write_model(m, f16);
  test::run_oracle({"quantize", f16, q4km, "Q4_K_M"});
  const auto file = GgufFile::open(q4km);
  const auto h = read_hparams(file.metadata());
  CHECK_NOTHROW(validate_tensors(h, file));
  const auto s = summarize_weights(h, file);
  // models.md section 3: ffn_down_exps is Q6_K in the "more bits" blocks,
  // use_more_bits(i, 4) = i < 0 || i >= 3 || i % 3 == 2, so blocks 2 and 3; Q4_K elsewhere.
  // One expert: gate + up 2 x 256x256 Q4_K (36864 B each), down 256x256 Q4_K (36864) or Q6_K
  // (53760).
  CHECK(s.expert_bytes_per_layer == std::vector<uint64_t>{110592, 110592, 127488, 127488});
  CHECK(file.find_tensor("blk.2.ffn_down_exps.weight")->type == GgmlType::Q6_K);
  CHECK(file.find_tensor("blk.0.ffn_gate_exps.weight")->type == GgmlType::Q4_K);
  CHECK(s.dense_bytes + s.expert_bytes == s.total_bytes);
}

}  // namespace
}  // namespace rotary

// Writes the model files that tests/cli/run_errors_test.sh feeds to `rotary run`: valid GGUF files
// that rotary must refuse with a clear message (an architecture it does not know, weights in
// quantisation types it has no kernels for, a vocabulary without byte tokens). Malformed files
// come from the script itself.
//   rotary_make_run_inputs OUTPUT_DIR
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/gguf_reader.h"
#include "tests/support/tiny_models.h"

namespace {

void save(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw rotary::Error(rotary::ErrorKind::Io, "cannot write " + path.string());
}

// Every occurrence of `from` replaced by `to` (same length): the architecture name is the value of
// general.architecture and the prefix of every hyperparameter key.
std::vector<std::byte> replace_all(std::vector<std::byte> bytes, const std::string& from,
                                   const std::string& to) {
  for (size_t i = 0; i + from.size() <= bytes.size(); ++i)
    if (std::memcmp(bytes.data() + i, from.data(), from.size()) == 0)
      std::memcpy(bytes.data() + i, to.data(), to.size());
  return bytes;
}

// Every float of an F32 tensor set to `value` (a NaN norm, an infinite scale).
std::vector<std::byte> with_f32_tensor(std::vector<std::byte> bytes, const std::string& name, float value) {
  const rotary::GgufFile f = rotary::GgufFile::parse(bytes);
  const rotary::GgufTensorInfo* t = f.find_tensor(name);
  if (!t || t->type != rotary::GgmlType::F32) throw rotary::Error(rotary::ErrorKind::Internal, "no F32 " + name);
  const size_t at = static_cast<size_t>(t->data.data() - f.bytes().data());
  for (size_t i = 0; i + 4 <= t->data.size(); i += 4) std::memcpy(bytes.data() + at + i, &value, 4);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    rotary::test::TinyModel m;
    m.arch = rotary::Architecture::Qwen3Moe;
    // qwen2moe: a real llama.cpp architecture that rotary does not run.
    save(dir / "qwen2moe.gguf",
         replace_all(rotary::test::tiny_model_bytes(m), "qwen3moe", "qwen2moe"));
    // A vocabulary of eight letters ("a", "b", ...) and no byte tokens: most text cannot be encoded.
    save(dir / "no_byte_tokens.gguf", rotary::test::tiny_model_bytes(m));
    // Non-finite weights: a NaN norm in block 0, an infinite one in block 1, a NaN output norm
    // (after every router: only the logits show it). n_embd 32: blocks of 32 for the quant types.
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const auto finite = rotary::test::tiny_model_bytes(m);
    save(dir / "nan_attn_norm.gguf", with_f32_tensor(finite, "blk.0.attn_norm.weight", nan));
    save(dir / "inf_ffn_norm.gguf", with_f32_tensor(finite, "blk.1.ffn_norm.weight", inf));
    save(dir / "nan_output_norm.gguf", with_f32_tensor(finite, "output_norm.weight", nan));
    // A ggml type rotary has no kernels for (blocks of 32, like n_embd): Q8_1, which llama.cpp
    // uses for activations only.
    m.weight_type = rotary::GgmlType::Q8_1;
    save(dir / "q8_1.gguf", rotary::test::tiny_model_bytes(m));
    // Types rotary runs since issue 13 (they used to be refused here).
    m.weight_type = rotary::GgmlType::Q4_1;
    save(dir / "q4_1.gguf", rotary::test::tiny_model_bytes(m));
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

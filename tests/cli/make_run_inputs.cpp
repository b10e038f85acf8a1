// Writes the model files that tests/cli/run_errors_test.sh feeds to `rotary run`: valid GGUF files
// that rotary must refuse with a clear message (an architecture it does not know, weights in
// quantisation types it has no kernels for, a vocabulary without byte tokens). Malformed files
// come from the script itself.
//   rotary_make_run_inputs OUTPUT_DIR
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
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
    // Types llama.cpp quantises to and rotary has no kernels for (blocks of 32, like n_embd).
    // A vocabulary of eight letters ("a", "b", ...) and no byte tokens: most text cannot be encoded.
    save(dir / "no_byte_tokens.gguf", rotary::test::tiny_model_bytes(m));
    m.weight_type = rotary::GgmlType::Q4_1;
    save(dir / "q4_1.gguf", rotary::test::tiny_model_bytes(m));
    m.weight_type = rotary::GgmlType::Q5_0;
    save(dir / "q5_0.gguf", rotary::test::tiny_model_bytes(m));
    m.weight_type = rotary::GgmlType::IQ4_NL;
    save(dir / "iq4_nl.gguf", rotary::test::tiny_model_bytes(m));
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

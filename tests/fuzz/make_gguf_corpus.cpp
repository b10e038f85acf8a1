// Writes the GGUF fuzzer's seed corpus (tests/fuzz/corpus/gguf): tiny valid models of each
// architecture, files that use every metadata value type and several ggml types, and near-valid
// files (truncated, wrong version, big-endian, misaligned). Deterministic: the same bytes on
// every run (fixed seeds). The files have no .gguf suffix: the repository ignores *.gguf so that
// no model is committed by accident, and these few KB are meant to be.
//   rotary_make_gguf_corpus tests/fuzz/corpus/gguf
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "tests/support/tiny_models.h"

namespace {

using rotary::GgmlType;
using rotary::GgufArray;
using rotary::GgufValue;
using rotary::GgufWriter;
using namespace std::string_literals;

void save(const std::filesystem::path& dir, const char* name, const std::vector<std::byte>& bytes) {
  const auto path = dir / name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0)
    throw rotary::Error(rotary::ErrorKind::Io, "cannot write " + path.string());
  std::printf("%6zu B  %s\n", bytes.size(), name);
}

rotary::test::TinyModel smallest(rotary::Architecture arch) {
  rotary::test::TinyModel m;
  m.arch = arch;
  m.n_layer = 2;
  m.n_embd = 8;
  m.n_head = 2;
  m.n_head_kv = 1;
  m.head_dim = 4;
  m.n_expert = 2;
  m.n_expert_used = 1;
  m.n_ff_exp = 4;
  m.n_ff_shexp = 4;
  m.n_vocab = 4;
  m.ssm_conv = 2;
  m.ssm_state = 4;
  m.ssm_groups = 1;
  m.ssm_v_heads = 2;
  m.full_attention_interval = 2;
  m.weight_type = GgmlType::F16;
  m.alignment = 8;  // most tiny tensors are smaller than 32 bytes: keep padding out of the corpus
  return m;
}

std::vector<std::byte> every_value_type() {
  GgufWriter w;
  w.set_version(2);
  w.set("u8", GgufValue(uint8_t{7}));
  w.set("i8", GgufValue(int8_t{-7}));
  w.set("u16", GgufValue(uint16_t{13}));
  w.set("i16", GgufValue(int16_t{-13}));
  w.set("u32", GgufValue(uint32_t{127}));
  w.set("i32", GgufValue(int32_t{-127}));
  w.set("f32", GgufValue(0.5f));
  w.set("bool", GgufValue(true));
  w.set("str", GgufValue(std::string("")));
  w.set("u64", GgufValue(uint64_t{1} << 40));
  w.set("i64", GgufValue(int64_t{-1}));
  w.set("f64", GgufValue(-0.25));
  w.set("a.str", GgufValue(GgufArray(std::vector<std::string>{"a", ""})));
  w.set("a.bool", GgufValue(GgufArray(std::vector<bool>{true, false})));
  w.set("a.f64", GgufValue(GgufArray(std::vector<double>{1.0})));
  w.set("a.empty", GgufValue(GgufArray(std::vector<uint32_t>{})));
  w.set("a.nested",
        GgufValue(GgufArray(std::vector<GgufArray>{GgufArray(std::vector<int16_t>{1, 2}),
                                                   GgufArray(std::vector<GgufArray>{})})));
  return w.to_bytes();
}

std::vector<std::byte> several_tensor_types() {
  GgufWriter w;
  w.set("general.alignment", GgufValue(uint32_t{64}));
  uint64_t seed = 100;
  for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0,
                     GgmlType::MXFP4, GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::IQ4_XS}) {
    const auto& info = rotary::ggml_type_info(t);
    w.add_tensor(std::string(info.name), t, {info.block_size},
                 rotary::test::pattern_bytes(info.type_size, seed++));
  }
  return w.to_bytes();
}

std::vector<std::byte> with_version(std::vector<std::byte> bytes, uint32_t version) {
  std::memcpy(bytes.data() + 4, &version, 4);
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
    using rotary::Architecture;
    auto m = smallest(Architecture::Qwen3Moe);
    m.n_layer = 1;
    const auto qwen3moe = rotary::test::tiny_model_bytes(m);
    save(dir, "qwen3moe", qwen3moe);
    m = smallest(Architecture::Qwen35Moe);  // block 0 Gated DeltaNet, block 1 attention
    save(dir, "qwen35moe", rotary::test::tiny_model_bytes(m));
    m = smallest(Architecture::Qwen3Next);  // block 0 Gated DeltaNet, block 1 MTP
    m.n_layer = 1;
    m.n_nextn = 1;
    m.tied_output = true;
    save(dir, "qwen3next_mtp_tied", rotary::test::tiny_model_bytes(m));
    save(dir, "every_value_type", every_value_type());
    const auto typed = several_tensor_types();
    save(dir, "tensor_types", typed);
    // Near-valid files: each fails one check.
    save(dir, "truncated",
         std::vector<std::byte>(qwen3moe.begin(), qwen3moe.begin() + qwen3moe.size() / 2));
    save(dir, "version1", with_version(every_value_type(), 1));
    save(dir, "big_endian", with_version(every_value_type(), 0x03000000));
    const auto parsed = rotary::GgufFile::parse(typed);
    const auto& last = parsed.tensors().back();
    save(dir, "short_data",  // the last tensor's data is one byte short
         std::vector<std::byte>(
             typed.begin(), typed.begin() + parsed.data_offset() + last.offset + last.n_bytes - 1));
    const auto& second = parsed.tensors()[1];
    auto misaligned = typed;  // the second tensor's data offset moved by 4
    const uint64_t field =
        second.info_offset + 8 + second.name.size() + 4 + 8 * second.shape.size() + 4;
    const uint64_t offset = second.offset + 4;
    std::memcpy(misaligned.data() + field, &offset, 8);
    save(dir, "misaligned", misaligned);
    // Valid GGUF that rotary must refuse or show safely (tests/cli/info_test.sh).
    m = smallest(Architecture::Qwen3Moe);
    m.n_layer = 1;
    m.metadata = {{"general.name", GgufValue("tiny\x1b[2J\x07"s + '\0' + "after-nul")},
                  {"tokenizer.ggml.pre", GgufValue("qwen2\x1b]0;title\x07"s)}};
    save(dir, "hostile_strings", rotary::test::tiny_model_bytes(m));
    m.metadata = {{"general.architecture", GgufValue(std::string(1000, 'x') + "\x1b[0m")}};
    save(dir, "long_architecture", rotary::test::tiny_model_bytes(m));
    m.metadata = {{"qwen3moe.rope.freq_base", GgufValue(std::numeric_limits<float>::infinity())}};
    save(dir, "rope_freq_inf", rotary::test::tiny_model_bytes(m));
    m.metadata = {};
    m.head_dim = 80;  // llama.cpp runs it; rotary's attention kernels do not
    save(dir, "head_dim_80", rotary::test::tiny_model_bytes(m));
    m = smallest(Architecture::Qwen35Moe);
    m.n_layer = 1;
    m.n_nextn = 1;
    m.mtp_tensors = false;  // a regular block under an MTP count
    save(dir, "mtp_without_tensors", rotary::test::tiny_model_bytes(m));
    m = smallest(Architecture::Qwen35Moe);
    m.metadata = {{"qwen35moe.ssm.inner_size", GgufValue(uint32_t{9})}};
    save(dir, "ssm_inner_mismatch", rotary::test::tiny_model_bytes(m));
    m.metadata = {{"qwen35moe.rope.dimension_count", GgufValue(uint32_t{0})}};
    save(dir, "rope_dims_zero", rotary::test::tiny_model_bytes(m));
  } catch (const rotary::Error& e) {
    std::fprintf(stderr, "make_gguf_corpus: %s\n", e.what());
    return 1;
  }
  return 0;
}

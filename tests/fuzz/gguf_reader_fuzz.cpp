// libFuzzer target for the GGUF reader and everything that reads a parsed file: hyperparameters,
// the tensor catalogue, tokenizer data. Properties checked on every input:
//  - no crash, no sanitizer report, no exception other than rotary::Error;
//  - errors from input are InvalidModel or Unsupported, never another kind;
//  - a file the reader accepts is one the writer can write again, and reading that back gives
//    the same metadata and tensors (names, types, shapes, bytes).
// Built by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined); see docs/gguf.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "base/error.h"
#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "loader/model_check.h"
#include "loader/tokenizer_data.h"

namespace {

using rotary::Error;
using rotary::ErrorKind;

[[noreturn]] void broken(const char* what, const char* detail = "") {
  std::fprintf(stderr, "gguf fuzz: property broken: %s %s\n", what, detail);
  std::abort();
}

void expect_input_error(const Error& e) {
  if (e.kind() != ErrorKind::InvalidModel && e.kind() != ErrorKind::Unsupported)
    broken("unexpected error kind for bad input:", e.what());
}

// Reads every byte of every tensor so that the sanitizer checks the spans.
uint8_t touch_tensor_bytes(const rotary::GgufFile& file) {
  uint8_t x = 0;
  for (const auto& t : file.tensors()) {
    if (t.data.size() != t.n_bytes) broken("span size differs from n_bytes");
    for (std::byte b : t.data) x ^= static_cast<uint8_t>(b);
  }
  return x;
}

void check_model_readers(const rotary::GgufFile& file) {
  try {
    const auto h = rotary::read_hparams(file.metadata());
    rotary::validate_tensors(h, file);
    rotary::check_kernel_limits(h, file, rotary::KernelLimits{});  // the runtime's defaults
    const auto s = rotary::summarize_weights(h, file);
    if (s.dense_bytes + s.expert_bytes != s.total_bytes) broken("weight bytes do not add up");
    for (const auto& t : file.tensors())
      if (rotary::is_routed_expert_tensor(t.name)) (void)rotary::expert_slice(t, h.n_expert - 1);
  } catch (const Error& e) {
    expect_input_error(e);
  }
  try {
    (void)rotary::read_tokenizer_data(file.metadata());
  } catch (const Error& e) {
    expect_input_error(e);
  }
  for (const auto& kv : file.metadata().entries()) (void)kv.value.to_display();
}

std::vector<std::byte> rewrite(const rotary::GgufFile& file) {
  try {
    rotary::GgufWriter w;
    w.set_version(file.version());
    for (const auto& kv : file.metadata().entries()) w.set(kv.key, kv.value);
    for (const auto& t : file.tensors()) w.add_tensor(t.name, t.type, t.shape, t.data);
    return w.to_bytes();
  } catch (const Error& e) {
    broken("the writer refused what the reader accepted:", e.what());
  }
}

void check_rewrite(const rotary::GgufFile& file) {
  const auto again = rewrite(file);
  const auto back = rotary::GgufFile::parse(again, "rewritten");
  if (back.metadata().size() != file.metadata().size()) broken("metadata count changed");
  for (size_t i = 0; i < back.metadata().size(); ++i) {
    const auto& a = file.metadata().entries()[i];
    const auto& b = back.metadata().entries()[i];
    if (a.key != b.key || a.value.type() != b.value.type())
      broken("metadata changed:", a.key.c_str());
  }
  if (back.tensors().size() != file.tensors().size()) broken("tensor count changed");
  for (size_t i = 0; i < back.tensors().size(); ++i) {
    const auto& a = file.tensors()[i];
    const auto& b = back.tensors()[i];
    if (a.name != b.name || a.type != b.type || a.shape != b.shape || a.n_bytes != b.n_bytes ||
        (a.n_bytes && std::memcmp(a.data.data(), b.data.data(), a.n_bytes) != 0))
      broken("tensor changed:", a.name.c_str());
  }
  // Values are compared through their encoding (NaN != NaN, but its bytes round-trip): writing
  // the re-read file must give the same bytes again.
  if (rewrite(back) != again) broken("writing a re-read file changed its bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const auto file = rotary::GgufFile::parse(bytes, "fuzz.gguf");
    (void)touch_tensor_bytes(file);
    check_model_readers(file);
    check_rewrite(file);
  } catch (const Error& e) {
    expect_input_error(e);
  }
  return 0;
}

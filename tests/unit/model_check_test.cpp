// The one model check (loader/model_check.h) that rotary info and loading share: values that the
// old per-key checks let through (infinities, a zero rotary dimension, sections that do not cover
// the rotated pairs, an ssm.inner_size the tensors do not have, an MTP count over a regular
// block) and the kernels' limits, each refused with the GGUF key and its value.
#include <doctest/doctest.h>

#include <limits>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "loader/model_check.h"
#include "runtime/ops/kernel_limits.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

using test::TinyModel;

void check(const TinyModel& m) {
  const GgufFile f = GgufFile::parse(test::tiny_model_bytes(m));
  validate_model(f, ops::kernel_limits());
}

TinyModel hybrid(Architecture arch = Architecture::Qwen35Moe) {
  TinyModel m;
  m.arch = arch;
  return m;
}

TEST_CASE("model check: the tiny models of every architecture pass") {
  for (Architecture a : {Architecture::Qwen3Moe, Architecture::Qwen35Moe, Architecture::Qwen3Next})
    CHECK_NOTHROW(check(hybrid(a)));
}

TEST_CASE("model check: non-finite floats are refused naming the key and the value") {
  const float inf = std::numeric_limits<float>::infinity(),
              nan = std::numeric_limits<float>::quiet_NaN();
  TinyModel m;
  m.metadata = {{"qwen3moe.rope.freq_base", GgufValue(inf)}};
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "'qwen3moe.rope.freq_base' (at byte");
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel,
                     "is inf; it must be a positive finite number");
  m.metadata = {{"qwen3moe.attention.layer_norm_rms_epsilon", GgufValue(inf)}};
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "layer_norm_rms_epsilon' (at byte");
  m.metadata = {{"qwen3moe.attention.layer_norm_rms_epsilon", GgufValue(nan)}};
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel,
                     "is nan; it must be a positive finite number");
  m.metadata = {{"qwen3moe.rope.freq_base", GgufValue(1e300)}};  // an f64 past f32's range
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "is inf");
}

TEST_CASE("model check: rope.dimension_count 0 and sections that do not cover the pairs") {
  TinyModel m = hybrid();
  m.metadata = {{"qwen35moe.rope.dimension_count", GgufValue(uint32_t{0})}};
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel,
                     "'qwen35moe.rope.dimension_count' (at byte");
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "is 0; it must be even, at least 2");
  // 8 rotated dims are 4 pairs; sections of 1 + 1 + 0 + 0 pairs would wrap pairs 2 and 3.
  m.metadata = {{"qwen35moe.rope.dimension_count", GgufValue(uint32_t{8})},
                {"qwen35moe.rope.dimension_sections",
                 GgufValue(GgufArray(std::vector<int32_t>{1, 1, 0, 0}))}};
  CHECK_ROTARY_ERROR(
      check(m), ErrorKind::InvalidModel,
      "is [1, 1, 0, 0]: 2 rotary pairs, but qwen35moe.rope.dimension_count = 8 rotates 4");
  // Enough pairs, but one falls to the fourth (position-less) section: a kernel limit.
  m.metadata = {{"qwen35moe.rope.dimension_count", GgufValue(uint32_t{8})},
                {"qwen35moe.rope.dimension_sections",
                 GgufValue(GgufArray(std::vector<int32_t>{1, 1, 1, 1}))}};
  CHECK_ROTARY_ERROR(
      check(m), ErrorKind::Unsupported,
      "'qwen35moe.rope.dimension_sections' is [1, 1, 1, 1], which leaves rotary pair 3");
}

TEST_CASE("model check: ssm.inner_size must be time_step_rank x state_size") {
  TinyModel m = hybrid(Architecture::Qwen3Next);
  m.metadata = {{"qwen3next.ssm.inner_size", GgufValue(uint32_t{33})}};
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "'qwen3next.ssm.inner_size' (at byte");
  CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel,
                     "is 33; it must be ssm.time_step_rank x ssm.state_size = 4 x 8 = 32");
}

TEST_CASE("model check: an MTP count over a block without MTP tensors") {
  for (Architecture a : {Architecture::Qwen35Moe, Architecture::Qwen3Next}) {
    TinyModel m = hybrid(a);
    m.n_layer = 1;
    m.n_nextn = 1;
    CHECK_NOTHROW(check(m));  // with the MTP head's tensors
    m.mtp_tensors = false;    // a regular block counted as MTP: one block would silently go
    CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel, "nextn_predict_layers' (at byte");
    CHECK_ROTARY_ERROR(check(m), ErrorKind::InvalidModel,
                       "is 1, which makes block 1 an MTP block, but it has no MTP tensors "
                       "(blk.1.nextn.eh_proj.weight)");
  }
}

TEST_CASE("model check: what the kernels cannot run, in the model's terms") {
  TinyModel m;
  m.head_dim = 80;  // attention: head_dim / 4 = 20 lanes do not divide the workgroup's rows
  CHECK_ROTARY_ERROR(
      check(m), ErrorKind::Unsupported,
      "metadata key 'qwen3moe.attention.key_length' is 80: the attention head size; rotary's "
      "attention kernels run head sizes 4, 8, 16, 32, 64, 128, 256");
  m.head_dim = 512;
  CHECK_ROTARY_ERROR(check(m), ErrorKind::Unsupported, "'qwen3moe.attention.key_length' is 512");
  m = TinyModel{};
  m.n_expert = 520;
  m.n_expert_used = 2;
  m.n_ff_exp = 4;
  m.n_embd = 8;
  CHECK_ROTARY_ERROR(
      check(m), ErrorKind::Unsupported,
      "'qwen3moe.expert_count' is 520: rotary's GPU router picks among at most 512 experts");
  m = TinyModel{};
  m.n_expert = 20;
  m.n_expert_used = 17;
  CHECK_ROTARY_ERROR(check(m), ErrorKind::Unsupported, "'qwen3moe.expert_used_count' is 17");
  m = hybrid();
  m.ssm_conv = 9;
  CHECK_ROTARY_ERROR(check(m), ErrorKind::Unsupported, "'qwen35moe.ssm.conv_kernel' is 9");
  m = TinyModel{};
  m.weight_type = GgmlType::Q8_1;  // Q4_1 has kernels since issue 13
  CHECK_ROTARY_ERROR(check(m), ErrorKind::Unsupported, "is q8_1, a type rotary has no kernels for");
}

}  // namespace
}  // namespace rotary

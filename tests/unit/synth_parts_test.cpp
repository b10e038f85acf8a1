// The parts of `rotary synth` that need no GGUF: presets and overrides, the vocabulary, the
// quantisation mix, the random-block generator and the ordered chunk pipeline.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/synth/mix.h"
#include "loader/synth/ordered_chunks.h"
#include "loader/synth/preset.h"
#include "loader/synth/vocab.h"
#include "loader/synth/weights.h"
#include "quant_reference.h"

using rotary::GgmlType;
namespace synth = rotary::synth;

namespace {

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const rotary::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("synth presets: the full-size models have the shapes of models.md") {
  const auto& q3 = synth::find_synth_preset("qwen3-30b-a3b");
  CHECK(q3.arch == "qwen3moe");
  CHECK(q3.n_layer == 48);
  CHECK(q3.n_embd == 2048);
  CHECK(q3.n_head == 32);
  CHECK(q3.n_head_kv == 4);
  CHECK(q3.head_dim == 128);
  CHECK(q3.n_expert == 128);
  CHECK(q3.n_expert_used == 8);
  CHECK(q3.n_ff_exp == 768);
  CHECK(q3.n_ff_shexp == 0);
  CHECK(q3.n_vocab == 151936);
  CHECK(q3.rope_freq_base == 1e6f);
  CHECK(q3.rms_eps == 1e-6f);

  const auto& q36 = synth::find_synth_preset("qwen3.6-35b-a3b");
  CHECK(q36.arch == "qwen35moe");
  CHECK(q36.n_layer == 40);
  CHECK(q36.n_head == 16);
  CHECK(q36.n_head_kv == 2);
  CHECK(q36.head_dim == 256);
  CHECK(q36.n_rot == 64);
  CHECK(q36.rope_sections == std::array<int32_t, 4>{11, 11, 10, 0});
  CHECK(q36.n_expert == 256);
  CHECK(q36.n_ff_exp == 512);
  CHECK(q36.n_ff_shexp == 512);
  CHECK(q36.ssm_conv_kernel == 4);
  CHECK(q36.ssm_state_size == 128);
  CHECK(q36.ssm_group_count == 16);
  CHECK(q36.ssm_v_heads == 32);
  CHECK(q36.ssm_inner_size() == 4096);
  CHECK(q36.n_vocab == 248320);
  CHECK(q36.rope_freq_base == 1e7f);
  // Full attention at layers 3, 7, ..., 39: 30 recurrent + 10 attention.
  int recurrent = 0;
  for (uint32_t i = 0; i < 40; ++i) recurrent += q36.is_recurrent(i);
  CHECK(recurrent == 30);
  CHECK_FALSE(q36.is_recurrent(3));
  CHECK_FALSE(q36.is_recurrent(39));
  CHECK(q36.is_recurrent(0));
}

TEST_CASE("synth presets: unknown names and impossible overrides are clear errors") {
  const std::string unknown = error_text([] { synth::find_synth_preset("qwen9"); });
  CHECK(unknown.find("qwen9") != std::string::npos);
  CHECK(unknown.find("tiny-qwen3moe") != std::string::npos);

  const auto& tiny = synth::find_synth_preset("tiny-qwen3moe");
  synth::SynthOverrides o;
  o.n_head = 7;  // 2 KV heads
  CHECK(error_text([&] { synth::apply_overrides(tiny, o); }).find("multiple") != std::string::npos);
  o = {};
  o.n_expert_used = 9;
  CHECK(error_text([&] { synth::apply_overrides(tiny, o); }).find("more than the 8 experts") !=
        std::string::npos);
  o = {};
  o.n_vocab = 200;
  CHECK(error_text([&] { synth::apply_overrides(tiny, o); }).find("at least 261") !=
        std::string::npos);
  o = {};
  o.n_layer = 0;
  CHECK(error_text([&] { synth::apply_overrides(tiny, o); }).find("--layers") != std::string::npos);

  o = {};
  o.n_layer = 9;
  o.n_embd = 512;
  o.n_head = 4;
  o.n_expert = 16;
  o.n_expert_used = 4;
  o.n_vocab = 3000;
  const auto p = synth::apply_overrides(tiny, o);
  CHECK(p.n_layer == 9);
  CHECK(p.n_embd == 512);
  CHECK(p.n_head == 4);
  CHECK(p.n_expert == 16);
  CHECK(p.n_expert_used == 4);
  CHECK(p.n_vocab == 3000);
  CHECK(p.head_dim == tiny.head_dim);
}

TEST_CASE("synth vocab: bytes, merges that join existing tokens, specials at the end") {
  for (const uint32_t n : {261u, 1000u, 151936u}) {
    CAPTURE(n);
    const auto v = synth::make_synth_vocab(n);
    REQUIRE(v.tokens.size() == n);
    REQUIRE(v.token_types.size() == n);
    CHECK(v.merges.size() == n - 256 - 5);
    const std::set<std::string> unique(v.tokens.begin(), v.tokens.end());
    CHECK(unique.size() == n);
    size_t valid_merges = 0;
    for (const auto& m : v.merges) {
      const auto space = m.find(' ');
      if (space == std::string::npos) continue;
      const std::string left = m.substr(0, space), right = m.substr(space + 1);
      valid_merges += unique.count(left) && unique.count(right) && unique.count(left + right);
    }
    CHECK(valid_merges == v.merges.size());
    CHECK(v.tokens[n - 5] == "<|endoftext|>");
    CHECK(v.tokens[n - 4] == "<|im_start|>");
    CHECK(v.tokens[n - 3] == "<|im_end|>");
    CHECK(v.token_types[n - 4] == 3);  // CONTROL
    CHECK(v.token_types[n - 1] == 4);  // USER_DEFINED (</think>)
    CHECK(v.token_types[300 % (n - 5)] == 1);
    CHECK(v.eos_id == n - 3);
    CHECK(v.bos_id == n - 5);
  }
  // GPT-2's byte map: printable ASCII as itself, space U+0120, byte 0 U+0100, 0xAD U+0143.
  CHECK(synth::gpt2_byte_token('a') == "a");
  CHECK(synth::gpt2_byte_token(' ') == "\xC4\xA0");
  CHECK(synth::gpt2_byte_token(0) == "\xC4\x80");
  CHECK(synth::gpt2_byte_token('\n') == "\xC4\x8A");
  CHECK(synth::gpt2_byte_token(0xAD) == "\xC5\x83");
  CHECK(synth::gpt2_byte_token(0xFF) == "\xC3\xBF");
}

TEST_CASE(
    "synth mix: Q4_K_M keeps output, attn_v/attn_qkv and ffn_down at Q6_K in the more-bits "
    "layers") {
  // models.md: use_more_bits(i, 48) holds for i < 6, i >= 42 and i = 8, 11, ..., 41.
  std::set<uint32_t> more_bits;
  for (uint32_t i = 0; i < 48; ++i)
    if (synth::use_more_bits(i, 48)) more_bits.insert(i);
  const std::set<uint32_t> expected = {0,  1,  2,  3,  4,  5,  8,  11, 14, 17, 20, 23,
                                       26, 29, 32, 35, 38, 41, 42, 43, 44, 45, 46, 47};
  CHECK(more_bits == expected);
  CHECK(synth::use_more_bits(2, 4));
  CHECK(synth::use_more_bits(3, 4));
  CHECK_FALSE(synth::use_more_bits(0, 4));
  CHECK_FALSE(synth::use_more_bits(1, 4));

  const auto q = synth::SynthQuant::Q4_K_M;
  auto type = [&](const char* name, size_t dims, uint32_t layer) {
    return synth::synth_tensor_type(q, name, dims, layer, 48);
  };
  CHECK(type("output.weight", 2, 0) == GgmlType::Q6_K);
  CHECK(type("token_embd.weight", 2, 0) == GgmlType::Q4_K);
  CHECK(type("blk.8.attn_v.weight", 2, 8) == GgmlType::Q6_K);
  CHECK(type("blk.9.attn_v.weight", 2, 9) == GgmlType::Q4_K);
  CHECK(type("blk.8.attn_qkv.weight", 2, 8) == GgmlType::Q6_K);
  CHECK(type("blk.8.attn_k.weight", 2, 8) == GgmlType::Q4_K);
  CHECK(type("blk.47.ffn_down_exps.weight", 3, 47) == GgmlType::Q6_K);
  CHECK(type("blk.46.ffn_down_shexp.weight", 2, 46) == GgmlType::Q6_K);
  CHECK(type("blk.40.ffn_down_exps.weight", 3, 40) == GgmlType::Q4_K);
  CHECK(type("blk.0.ffn_gate_exps.weight", 3, 0) == GgmlType::Q4_K);
  CHECK(type("blk.0.ffn_gate_inp.weight", 2, 0) == GgmlType::F32);
  CHECK(type("blk.0.attn_q_norm.weight", 1, 0) == GgmlType::F32);
  CHECK(type("blk.0.ssm_conv1d.weight", 2, 0) == GgmlType::F32);
  CHECK(type("blk.0.ssm_a", 1, 0) == GgmlType::F32);
  CHECK(type("blk.0.ssm_dt.bias", 1, 0) == GgmlType::F32);
  CHECK(type("blk.0.ssm_beta.weight", 2, 0) == GgmlType::Q4_K);
  CHECK(type("blk.0.ffn_gate_inp_shexp.weight", 1, 0) == GgmlType::F32);

  const auto mx = synth::SynthQuant::MXFP4_MOE;
  CHECK(synth::synth_tensor_type(mx, "blk.1.ffn_up_exps.weight", 3, 1, 4) == GgmlType::MXFP4);
  CHECK(synth::synth_tensor_type(mx, "blk.1.ffn_up_shexp.weight", 2, 1, 4) == GgmlType::Q8_0);
  CHECK(synth::synth_tensor_type(mx, "output.weight", 2, 0, 4) == GgmlType::Q8_0);
  CHECK(synth::synth_tensor_type(mx, "blk.1.ffn_gate_inp.weight", 2, 1, 4) == GgmlType::F32);
  CHECK(synth::synth_tensor_type(synth::SynthQuant::IQ4_XS, "output.weight", 2, 0, 4) ==
        GgmlType::IQ4_XS);
  CHECK(synth::synth_tensor_type(synth::SynthQuant::BF16, "blk.0.attn_q.weight", 2, 0, 4) ==
        GgmlType::BF16);
  CHECK(synth::synth_tensor_type(synth::SynthQuant::BF16, "blk.0.attn_norm.weight", 1, 0, 4) ==
        GgmlType::F32);

  CHECK(synth::synth_quant_from_name("q4_k_m") == synth::SynthQuant::Q4_K_M);
  CHECK(synth::synth_quant_from_name("MXFP4_MOE") == synth::SynthQuant::MXFP4_MOE);
  CHECK(synth::synth_quant_from_name("mxfp4") == synth::SynthQuant::MXFP4_MOE);
  CHECK_FALSE(synth::synth_quant_from_name("Q3_K").has_value());
  CHECK(synth::synth_file_type(synth::SynthQuant::Q4_K_M) == 15);  // LLAMA_FTYPE_MOSTLY_Q4_K_M
  CHECK(synth::synth_file_type(synth::SynthQuant::MXFP4_MOE) == 38);
}

TEST_CASE("synth random blocks: valid blocks with mean 0 and the requested standard deviation") {
  const GgmlType types[] = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::MXFP4, GgmlType::Q4_K,
                            GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS};
  for (const GgmlType type : types) {
    for (const float sigma : {0.02f, 1.0f}) {
      const auto& info = rotary::ggml_type_info(type);
      const int64_t n = 256 * 2048;
      std::vector<std::byte> bytes(*rotary::ggml_row_bytes(type, n));
      synth::Xoshiro256 rng(99);
      synth::generate_random_blocks(type, sigma, rng, bytes);
      const auto row =
          rotary::test::decode_reference(type, reinterpret_cast<const uint8_t*>(bytes.data()), n);
      double sum = 0, sum2 = 0;
      bool finite = true;
      for (const float v : row.value) {
        finite = finite && std::isfinite(v);
        sum += v;
        sum2 += static_cast<double>(v) * v;
      }
      const double mean = sum / n, std_dev = std::sqrt(sum2 / n - mean * mean);
      INFO(info.name << " sigma " << sigma << " mean " << mean << " std " << std_dev);
      CHECK(finite);
      // Mean: 5 standard errors of a mean of n values (sigma / sqrt(n)), plus fp16 rounding of
      // dmin in Q4_K/Q5_K (2^-11 of the mean code times the scale, under 0.001 sigma).
      CHECK(std::fabs(mean) <= 5 * sigma / std::sqrt(static_cast<double>(n)) + 1e-3 * sigma);
      // Std: random scales per block make the sample std noisier than for iid values; 2% is
      // about 10 standard errors with 2048 blocks, and fp16 rounding of d adds 2^-11.
      CHECK(std::fabs(std_dev - sigma) <= 0.02 * sigma);
    }
  }
  std::vector<std::byte> f16(64);
  synth::Xoshiro256 rng(1);
  CHECK_THROWS_AS(synth::generate_random_blocks(GgmlType::F16, 1.0f, rng, f16), rotary::Error);
}

TEST_CASE("synth weights: a distribution for every kind of tensor, scaled by fan-in and depth") {
  const uint64_t q_shape[] = {2048, 4096};
  const auto q = synth::synth_weight_init("blk.0.attn_q.weight", q_shape, 48);
  CHECK(q.a == 0);
  CHECK(q.b == doctest::Approx(1 / std::sqrt(2048.0)));
  const uint64_t down_shape[] = {768, 2048, 128};
  const auto down = synth::synth_weight_init("blk.3.ffn_down_exps.weight", down_shape, 48);
  CHECK(down.b == doctest::Approx(1 / std::sqrt(768.0 * 48)));
  const uint64_t norm_shape[] = {2048};
  CHECK(synth::synth_weight_init("blk.0.attn_norm.weight", norm_shape, 48).a == 1);
  const uint64_t a_shape[] = {32};
  const auto a = synth::synth_weight_init("blk.0.ssm_a", a_shape, 40);
  CHECK(a.b < 0);  // every decay rate negative
  CHECK_THROWS_AS(synth::synth_weight_init("blk.0.mystery.weight", q_shape, 4), rotary::Error);

  // A row depends only on (seed, tensor, row).
  std::vector<float> r1(300), r2(300), r3(300);
  synth::generate_float_row(q, 5, 77, 12, r1);
  synth::generate_float_row(q, 5, 77, 12, r2);
  synth::generate_float_row(q, 5, 77, 13, r3);
  CHECK(r1 == r2);
  CHECK(r1 != r3);
}

TEST_CASE(
    "synth ordered chunks: same bytes in the same order for any thread count; errors propagate") {
  const size_t n_jobs = 57;
  auto bytes_of = [](size_t job) { return 1000 + 37 * job; };
  auto produce = [](size_t job, std::span<std::byte> out) {
    synth::Xoshiro256 rng(job);
    rng.fill(out);
  };
  std::vector<std::vector<std::byte>> reference;
  synth::run_ordered_chunks(
      n_jobs, bytes_of, produce,
      [&](size_t, std::span<const std::byte> b) { reference.emplace_back(b.begin(), b.end()); },
      {0, 1});
  REQUIRE(reference.size() == n_jobs);
  for (const unsigned threads : {1u, 2u, 3u}) {
    std::vector<std::vector<std::byte>> got;
    synth::run_ordered_chunks(n_jobs, bytes_of, produce,
                              [&](size_t job, std::span<const std::byte> b) {
                                REQUIRE(job == got.size());
                                got.emplace_back(b.begin(), b.end());
                              },
                              {threads, 4});
    CHECK(got == reference);
  }
  std::atomic<size_t> produced{0};
  CHECK_THROWS_WITH_AS(synth::run_ordered_chunks(
                           1000, bytes_of,
                           [&](size_t job, std::span<std::byte>) {
                             ++produced;
                             if (job == 10) throw std::runtime_error("job 10 failed");
                           },
                           [](size_t, std::span<const std::byte>) {}, {2, 4}),
                       "job 10 failed", std::runtime_error);
  CHECK(produced < 1000);  // the workers stopped
  CHECK_THROWS_AS(synth::run_ordered_chunks(20, bytes_of, produce,
                                            [](size_t job, std::span<const std::byte>) {
                                              if (job == 3)
                                                throw rotary::Error(rotary::ErrorKind::Io,
                                                                    "disk full");
                                            },
                                            {2, 4}),
                  rotary::Error);
}

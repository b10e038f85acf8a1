// The CPU references of the activation kernels on hand-computed cases: they are what the GPU
// kernels are measured against, so their conventions are pinned here independently.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/reference/activations.h"

namespace rotary {
namespace {

TEST_CASE("ref::rms_norm: y = x / sqrt(mean(x^2) + eps) * w, strided rows") {
  // Rows [3, 4] and [0, 1] stored 3 floats apart: mean(x^2) = 12.5 and 0.5.
  const std::vector<float> x = {3, 4, 99, 0, 1};
  const std::vector<float> w = {1, 2};
  std::vector<float> y(4);
  ref::rms_norm(x, w, y, {2, 2, 0.0f, 3, 2});
  CHECK(y[0] == doctest::Approx(3 / std::sqrt(12.5)).epsilon(1e-6));
  CHECK(y[1] == doctest::Approx(8 / std::sqrt(12.5)).epsilon(1e-6));
  CHECK(y[2] == 0.0f);
  CHECK(y[3] == doctest::Approx(2 / std::sqrt(0.5)).epsilon(1e-6));
}

TEST_CASE("ref::rope_neox: pairs (i, i + n_rot/2), theta_i = pos * base^(-2i/n_rot), rest passes") {
  // head_dim 6, n_rot 4, base 100: theta_0 = pos, theta_1 = pos / 10; dims 4, 5 untouched.
  const std::vector<float> x = {1, 1, 0, 0, 5, 6};
  std::vector<float> y(6);
  ref::rope_neox(x, std::vector<uint32_t>{2}, y, {1, 1, 6, 4, 100.0f});
  CHECK(y[0] == doctest::Approx(std::cos(2.0)).epsilon(1e-6));
  CHECK(y[1] == doctest::Approx(std::cos(0.2)).epsilon(1e-6));
  CHECK(y[2] == doctest::Approx(std::sin(2.0)).epsilon(1e-6));
  CHECK(y[3] == doctest::Approx(std::sin(0.2)).epsilon(1e-6));
  CHECK(y[4] == 5.0f);
  CHECK(y[5] == 6.0f);
}

TEST_CASE("ref::attention: causal, GQA shares a KV head, softmax-weighted V") {
  // 1 KV head of dim 2, 2 query heads, 2 tokens at positions 0 and 1.
  const std::vector<float> k = {1, 0, 0, 1};  // positions 0, 1
  const std::vector<float> v = {10, 20, 30, 40};
  // Token 0 sees only position 0: output V[0] whatever q is. Token 1, head 0: q = 0 gives equal
  // weights; head 1: q = (0, 2 ln 3 * sqrt 2) gives scores 0 and 2 ln 3 -> weights 1/10, 9/10.
  const float big = static_cast<float>(2 * std::log(3.0) * std::sqrt(2.0));
  const std::vector<float> q = {5, -7, 1, 1, 0, 0, 0, big};
  std::vector<float> out(8);
  ref::attention(q, k, v, out, {2, 0, 2}, 1, 2);
  CHECK(out[0] == doctest::Approx(10));
  CHECK(out[1] == doctest::Approx(20));
  CHECK(out[2] == doctest::Approx(10));
  CHECK(out[3] == doctest::Approx(20));
  CHECK(out[4] == doctest::Approx(20));
  CHECK(out[5] == doctest::Approx(30));
  CHECK(out[6] == doctest::Approx(0.1 * 10 + 0.9 * 30).epsilon(1e-6));
  CHECK(out[7] == doctest::Approx(0.1 * 20 + 0.9 * 40).epsilon(1e-6));
}

TEST_CASE("ref::router_topk: softmax, descending order, lower id on ties, renormalised") {
  // Probabilities 1/8, 2/8, 4/8, 1/8.
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(4.0f), 0.0f};
  std::vector<uint32_t> ids(3);
  std::vector<float> w(3);
  ref::router_topk(logits, ids, w, {1, 4, 3, true});
  CHECK(ids == std::vector<uint32_t>{2, 1, 0});
  CHECK(w[0] == doctest::Approx(4.0 / 7).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(2.0 / 7).epsilon(1e-6));
  CHECK(w[2] == doctest::Approx(1.0 / 7).epsilon(1e-6));
  ref::router_topk(logits, ids, w, {1, 4, 3, false});
  CHECK(w[0] == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(w[2] == doctest::Approx(0.125).epsilon(1e-6));
}

TEST_CASE("ref::router_topk: a vanishing sum is clamped to 6.103515625e-5") {
  // Two experts chosen out of many with equal logits: each has probability 1 / 100000.
  const std::vector<float> logits(100000, 0.0f);
  std::vector<uint32_t> ids(2);
  std::vector<float> w(2);
  ref::router_topk(logits, ids, w, {1, 100000, 2, true});
  CHECK(ids == std::vector<uint32_t>{0, 1});
  CHECK(w[0] == doctest::Approx(1e-5 / 6.103515625e-5).epsilon(1e-5));
}

TEST_CASE("ref::logits: argmax keeps the first maximum, top-k orders by value then index") {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {1, 3, -inf, 3, 2};
  CHECK(ref::logits_argmax(x) == 1);
  std::vector<uint32_t> ids(4);
  std::vector<float> v(4);
  ref::logits_topk(x, 4, ids, v);
  CHECK(ids == std::vector<uint32_t>{1, 3, 4, 0});
  CHECK(v == std::vector<float>{3, 3, 2, 1});
}

TEST_CASE("ref elementwise: silu, sigmoid gates") {
  std::vector<float> y(2);
  ref::swiglu(std::vector<float>{1, 0}, 0, std::vector<float>{2, 5}, 0, y, 0, 2, 1);
  CHECK(y[0] == doctest::Approx(2 / (1 + std::exp(-1.0))).epsilon(1e-6));
  CHECK(y[1] == 0.0f);
  ref::mul_sigmoid(std::vector<float>{2, 3}, 0, std::vector<float>{0, 100}, 0, y, 0, 2, 1);
  CHECK(y == std::vector<float>{1, 3});
  ref::mul_sigmoid_row(std::vector<float>{2, 4}, 1, std::vector<float>{0, 0}, y, 1, 1, 2);
  CHECK(y == std::vector<float>{1, 2});
}

TEST_CASE("ref::kv_store: F16 rows at their positions, read back exactly") {
  const ops::KvGeometry geo{ops::KvType::F16, 1, 2, 4};
  std::vector<std::byte> cache(geo.tensor_bytes(ops::KvType::F16), std::byte{0});
  ref::kv_store(std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f}, cache, geo, ops::KvType::F16, 2, 2);
  uint16_t h;
  std::memcpy(&h, cache.data() + 2 * geo.k_row_bytes(), 2);
  CHECK(h == 0x3C00);  // 1.0 at position 2
  const std::vector<float> back = ref::kv_values(cache, geo, ops::KvType::F16, 4);
  CHECK(back == std::vector<float>{0, 0, 0, 0, 1.0f, -2.0f, 0.5f, 65504.0f});
}

// Blocks worked by hand from llama.cpp's quantize_row_q8_0_ref / quantize_row_q4_0_ref.
TEST_CASE("ref::kv_quantize_row: Q8_0 and Q4_0 blocks as llama.cpp's reference writes them") {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;   // amax 127: d = 1, q = x
  x[1] = -2.5f;    // roundf: halfway away from zero -> -3
  x[2] = 2.5f;     // -> 3
  x[3] = 0.49f;    // -> 0
  x[31] = -127.0f;
  std::byte q8[34];
  ref::kv_quantize_row(ops::KvType::Q8_0, x.data(), q8, 32);
  uint16_t d;
  std::memcpy(&d, q8, 2);
  CHECK(d == 0x3C00);  // 1.0
  CHECK(static_cast<int8_t>(q8[2]) == 127);
  CHECK(static_cast<int8_t>(q8[3]) == -3);
  CHECK(static_cast<int8_t>(q8[4]) == 3);
  CHECK(static_cast<int8_t>(q8[5]) == 0);
  CHECK(static_cast<int8_t>(q8[33]) == -127);

  // Q4_0: max = -16 (the first of the largest magnitude, signed), d = 2, id = 0.5;
  // q = min(15, int(x / 2 + 8.5)).
  std::vector<float> y(32, 0.0f);
  y[0] = -16.0f;  // -8 + 8.5 = 0.5 -> 0
  y[1] = 16.0f;   // same magnitude later: max stays -16; 8 + 8.5 -> min(15, 16) = 15
  y[16] = 3.0f;   // 1.5 + 8.5 = 10 -> 10 in the high nibble of qs[0]
  y[17] = -1.0f;  // -0.5 + 8.5 = 8 -> 8
  std::byte q4[18];
  ref::kv_quantize_row(ops::KvType::Q4_0, y.data(), q4, 32);
  std::memcpy(&d, q4, 2);
  CHECK(d == 0x4000);  // 2.0
  CHECK(static_cast<uint8_t>(q4[2]) == (0 | (10 << 4)));
  CHECK(static_cast<uint8_t>(q4[3]) == (15 | (8 << 4)));
  CHECK(static_cast<uint8_t>(q4[4]) == (8 | (8 << 4)));  // zeros: 8
  const ops::KvGeometry geo{ops::KvType::Q4_0, 1, 32, 1};
  const std::vector<float> back = ref::kv_values(std::span(q4, 18), geo, ops::KvType::Q4_0, 1);
  CHECK(back[0] == -16.0f);
  CHECK(back[1] == 14.0f);
  CHECK(back[16] == 4.0f);
  CHECK(back[17] == 0.0f);
}

}  // namespace
}  // namespace rotary

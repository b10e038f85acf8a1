// The Gated DeltaNet CPU references (runtime/reference/gdn.h) on inputs small enough to work out
// by hand: they are the oracle the GPU tests compare against, so they get checked themselves.
// Expected values below come from the formulas in the comments, not from running the code.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "runtime/kv/gdn_state.h"
#include "runtime/reference/gdn.h"

namespace rotary {
namespace {

double silu(double x) {
  return x / (1 + std::exp(-x));
}

TEST_CASE("gdn shape: Qwen3.5/3.6 sizes and both value-head orders") {
  const ops::GdnShape s;
  CHECK(s.conv_channels() == 8192);
  CHECK(s.conv_state_floats() == 3u * 8192);
  CHECK(s.delta_state_floats() == 32u * 128 * 128);
  ops::GdnShape t{2, 4, 8, 8, 4, ops::VHeadOrder::Tiled};
  ops::GdnShape g = t;
  g.order = ops::VHeadOrder::Grouped;
  const uint32_t tiled[] = {0, 1, 0, 1}, grouped[] = {0, 0, 1, 1};
  for (uint32_t h = 0; h < 4; ++h) {
    CHECK(t.k_head_of(h) == tiled[h]);
    CHECK(g.k_head_of(h) == grouped[h]);
  }
  CHECK_THROWS_AS((ops::GdnShape{3, 4, 8, 8, 4}.validate()), Error);
  CHECK_THROWS_AS((ops::GdnShape{2, 4, 8, 8, 1}.validate()), Error);
}

TEST_CASE("gdn state: 62.8 MiB per sequence for the 30 GDN layers of Qwen3.5/3.6") {
  vk::DeviceCaps caps;
  caps.min_storage_offset_alignment = 64;
  caps.non_coherent_atom_size = 64;
  // conv 3 x 8192 floats (96 KiB) + delta 32 x 128 x 128 floats (2 MiB), both 64-byte aligned.
  CHECK(kv::GdnState::bytes_per_sequence(caps, ops::GdnShape{}, 30) == 30ull * (98304 + 2097152));
  // An awkward shape pads each part to the alignment: conv 2 x 94 floats = 752 -> 768 bytes,
  // delta 6 x 7 x 13 floats = 2184 -> 2240 bytes.
  CHECK(kv::GdnState::bytes_per_sequence(caps, ops::GdnShape{2, 6, 13, 7, 3}, 2) ==
        2ull * (768 + 2240));
}

TEST_CASE("ref::gdn_conv: one token over a kernel-3 window, state rolled") {
  const ops::GdnShape s{1, 1, 1, 1, 3};           // 3 channels: q, k, v
  std::vector<float> state = {1, 2, 3, 4, 5, 6};  // rows oldest first: [1 2 3], [4 5 6]
  const std::vector<float> x = {7, 8, 9};
  const std::vector<float> w = {0.5f, -1, 2, 0, 0, 1, 1, 1, 1};  // [channel][tap]
  std::vector<float> y(3);
  ref::gdn_conv(s, x, w, state, y, 1);
  CHECK(y[0] == doctest::Approx(silu(0.5 * 1 - 1 * 4 + 2 * 7)));
  CHECK(y[1] == doctest::Approx(silu(8)));
  CHECK(y[2] == doctest::Approx(silu(3 + 6 + 9)));
  CHECK(state == std::vector<float>{4, 5, 6, 7, 8, 9});
}

TEST_CASE("ref::gdn_l2_norm and ref::gdn_gated_norm") {
  std::vector<float> x = {3, 4, 0, 0, 100, 0};  // heads [3 4] and [0 0], then a float outside
  ref::gdn_l2_norm(x, 1, 2, 2, 6, 1e-12f);
  CHECK(x[0] == doctest::Approx(0.6));
  CHECK(x[1] == doctest::Approx(0.8));
  CHECK(x[2] == 0);  // eps keeps a zero head at zero
  CHECK(x[4] == 100);
  std::vector<float> z = {3, 4};
  ref::gdn_l2_norm(z, 1, 1, 2, 2, 1e-6f);
  CHECK(z[0] == doctest::Approx(3 / std::sqrt(25 + 1e-6)).epsilon(1e-7));

  const std::vector<float> o = {3, 4}, gate = {0, 20}, w = {1, 2};
  std::vector<float> y(2);
  ref::gdn_gated_norm(o, gate, w, y, 1, 2, 1e-6f);
  const double inv = 1 / std::sqrt(12.5 + 1e-6);  // mean of 9 and 16
  CHECK(y[0] == 0);                               // silu(0) = 0
  CHECK(y[1] == doctest::Approx(4 * inv * 2 * silu(20)));
}

TEST_CASE("ref::gdn_gates: sigmoid, softplus with its linear branch, the fused ssm_ba layout") {
  const ops::GdnShape s{2, 4, 8, 8, 4, ops::VHeadOrder::Grouped};  // 2 value heads per key head
  // qwen3next ssm_ba row: per key head [b b a a].
  const std::vector<float> ba = {0, 2, 0, 30, -2, 0, -1, 0};
  const std::vector<float> dt_bias = {0, 0, 1, 0}, ssm_a = {-2, -1, -0.5f, -1};
  std::vector<float> beta(4), g(4);
  ref::gdn_gates(s, ops::GdnGateLayout::fused_ba(s), ba, ba, dt_bias, ssm_a, beta, g, 1);
  CHECK(beta[0] == doctest::Approx(0.5));
  CHECK(beta[1] == doctest::Approx(1 / (1 + std::exp(-2.0))));
  CHECK(beta[2] == doctest::Approx(1 / (1 + std::exp(2.0))));
  CHECK(beta[3] == doctest::Approx(0.5));
  CHECK(g[0] == doctest::Approx(-2 * std::log(2.0)));
  CHECK(g[1] == doctest::Approx(-30));                                 // softplus(30) = 30
  CHECK(g[2] == doctest::Approx(-0.5 * std::log(1 + std::exp(0.0))));  // a = -1 + dt_bias 1
  CHECK(g[3] == doctest::Approx(-std::log(2.0)));
}

TEST_CASE("ref::gdn_delta_rule: two tokens by hand (decay, update, read)") {
  const ops::GdnShape s{1, 1, 2, 2, 4};  // one head, dim 2: row [q0 q1 | k0 k1 | v0 v1]
  const std::vector<float> qkv = {0.6f, 0.8f, 1, 0, 2, -1,  //
                                  1,    0,    0, 1, 1, 1};
  const std::vector<float> beta = {0.5f, 1}, g = {0, static_cast<float>(std::log(0.5))};
  std::vector<float> state(4, 0.0f), out(4);
  ref::gdn_delta_rule(s, qkv, beta, g, state, out, 2);
  const double r = 1 / std::sqrt(2.0);
  // Token 0: delta = 0.5 [2 -1] = [1 -0.5]; S = k delta^T has row k0 = [1 -0.5];
  // o = S^T q / sqrt(2) = 0.6 [1 -0.5] / sqrt(2).
  CHECK(out[0] == doctest::Approx(0.6 * r));
  CHECK(out[1] == doctest::Approx(-0.3 * r));
  // Token 1: S <- 0.5 S (row k0 = [0.5 -0.25]); S^T k = row k1 = 0, so delta = v = [1 1] and
  // row k1 becomes [1 1]; o = row k0 / sqrt(2).
  CHECK(out[2] == doctest::Approx(0.5 * r));
  CHECK(out[3] == doctest::Approx(-0.25 * r));
  // Stored transposed: [v][k].
  CHECK(state[0] == doctest::Approx(0.5));
  CHECK(state[1] == doctest::Approx(1));
  CHECK(state[2] == doctest::Approx(-0.25));
  CHECK(state[3] == doctest::Approx(1));
}

TEST_CASE("ref::attn_qgate_split") {
  const std::vector<float> qg = {1, 2, 3, 4, 5, 6, 7, 8};  // 2 heads of dim 2: [q q g g] each
  std::vector<float> q(4), gate(4);
  ref::attn_qgate_split(qg, q, gate, 1, 2, 2);
  CHECK(q == std::vector<float>{1, 2, 5, 6});
  CHECK(gate == std::vector<float>{3, 4, 7, 8});
}

}  // namespace
}  // namespace rotary

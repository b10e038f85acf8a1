// generate_random_blocks (weights.h): quantised blocks drawn directly, for full-size models.
// Codes are random bytes; each block's scale fields are then set from a per-call recipe so that
// the values have mean 0 and the requested standard deviation. Random sub-block scales (within a
// factor of two) make the blocks look like real data rather than one repeated scale.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/quant/blocks.h"
#include "loader/quant/half.h"
#include "loader/quant/pack.h"
#include "loader/synth/weights.h"

namespace rotary::synth {

namespace {

// Mean of v(c)^2 over codes c = lo..hi (codes are uniform: they are random bits).
template <typename F>
double second_moment(int lo, int hi, F v) {
  double s = 0;
  for (int c = lo; c <= hi; ++c) s += static_cast<double>(v(c)) * v(c);
  return s / (hi - lo + 1);
}

void put_u16(std::byte* p, uint16_t v) {
  std::memcpy(p, &v, 2);
}

uint16_t fp16(double v) {
  return quant::f32_to_fp16(static_cast<float>(v));
}

// Q8_0 / Q4_0: one fp16 scale at the start. Q4_0's (q - 8) has mean -1/2, so d gets a random
// sign, which makes the mean 0 over blocks; Q8_0 gets one too, for the same reason.
void fill_signed_scale(std::span<std::byte> out, size_t type_size, uint16_t d, Xoshiro256& rng) {
  uint64_t bits = 0;
  for (size_t i = 0, off = 0; off < out.size(); ++i, off += type_size) {
    if (i % 64 == 0) bits = rng.next();
    put_u16(out.data() + off, static_cast<uint16_t>(d | (((bits >> (i % 64)) & 1) << 15)));
  }
}

// Q4_K / Q5_K: sub-block scales sc in 32..63 with m = sc and dmin = d * qmax / 2, so that each
// value d * sc * q - dmin * m = d * sc * (q - qmax / 2) has mean 0.
void fill_affine_k(std::span<std::byte> out, size_t type_size, int qmax, float std_dev,
                   Xoshiro256& rng) {
  const double sc2 = second_moment(32, 63, [](int s) { return s; });
  const double var_q = second_moment(0, qmax, [&](int q) { return q - qmax / 2.0; });
  const uint16_t d = fp16(std_dev / std::sqrt(sc2 * var_q));
  const uint16_t dmin = fp16(quant::fp16_to_f32(d) * qmax / 2.0);
  for (size_t off = 0; off < out.size(); off += type_size) {
    std::byte* b = out.data() + off;
    const uint64_t r = rng.next();
    uint8_t sc[8];
    for (int j = 0; j < 8; ++j) sc[j] = static_cast<uint8_t>(32 + ((r >> (5 * j)) & 31));
    put_u16(b, d);
    put_u16(b + 2, dmin);
    quant::pack_k_scales(sc, sc, reinterpret_cast<uint8_t*>(b + 4));
  }
}

// Q6_K: sub-block scales +-64..127 (a random sign: (q - 32) has mean -1/2), d last.
void fill_q6_k(std::span<std::byte> out, float std_dev, Xoshiro256& rng) {
  const double sc2 = second_moment(64, 127, [](int s) { return s; });
  const double q2 = second_moment(0, 63, [](int q) { return q - 32; });
  const uint16_t d = fp16(std_dev / std::sqrt(sc2 * q2));
  for (size_t off = 0; off < out.size(); off += sizeof(quant::BlockQ6_K)) {
    std::byte* b = out.data() + off;
    for (int half = 0; half < 2; ++half) {
      const uint64_t r = rng.next();
      for (int j = 0; j < 8; ++j) {
        const int mag = 64 + static_cast<int>((r >> (7 * j)) & 63);
        const int s = (r >> (7 * j + 6)) & 1 ? mag : -mag;
        b[192 + 8 * half + j] =
            static_cast<std::byte>(static_cast<uint8_t>(static_cast<int8_t>(s)));
      }
    }
    put_u16(b + 208, d);
  }
}

// IQ4_XS: (ls - 32) = +-16..31; the random sign keeps the mean 0 (kIQ4NL's own mean is not).
void fill_iq4_xs(std::span<std::byte> out, float std_dev, Xoshiro256& rng) {
  const double l2 = second_moment(16, 31, [](int l) { return l; });
  const double k2 = second_moment(0, 15, [](int c) { return quant::kIQ4NL[c]; });
  const uint16_t d = fp16(std_dev / std::sqrt(l2 * k2));
  for (size_t off = 0; off < out.size(); off += sizeof(quant::BlockIQ4_XS)) {
    std::byte* b = out.data() + off;
    const uint64_t r = rng.next();
    uint8_t ls[8];
    for (int j = 0; j < 8; ++j) {
      const int mag = 16 + static_cast<int>((r >> (5 * j)) & 15);
      ls[j] = static_cast<uint8_t>(32 + ((r >> (5 * j + 4)) & 1 ? mag : -mag));
    }
    quant::BlockIQ4_XS fields{};
    quant::pack_iq4_xs_scales(ls, fields);
    put_u16(b, d);
    put_u16(b + 2, fields.scales_h);
    std::memcpy(b + 4, fields.scales_l, 4);
  }
}

// MXFP4 scales are powers of two: 2^k or 2^(k+1), at random, with the probability that makes
// the mean square come out right.
void fill_mxfp4(std::span<std::byte> out, float std_dev, Xoshiro256& rng) {
  const double k2 = second_moment(0, 15, [](int c) { return quant::kFP4[c]; });
  const double s = std_dev / std::sqrt(k2);
  const int k = static_cast<int>(std::floor(std::log2(s)));
  const double lo = std::ldexp(1.0, k);
  const double p_lo = (4 * lo * lo - s * s) / (3 * lo * lo);
  const int e_lo = std::clamp(k + 128, 0, 253);
  for (size_t off = 0; off < out.size(); off += sizeof(quant::BlockMXFP4))
    out[off] = static_cast<std::byte>(rng.uniform() < p_lo ? e_lo : e_lo + 1);
}

}  // namespace

void generate_random_blocks(GgmlType type, float std_dev, Xoshiro256& rng,
                            std::span<std::byte> out) {
  const auto& info = ggml_type_info(type);
  require(out.size() % info.type_size == 0, ErrorKind::Internal,
          "random blocks: not a whole number of blocks");
  rng.fill(out);  // every code field; the scale fields are overwritten below
  switch (type) {
    case GgmlType::Q8_0: {
      const double q2 = second_moment(-128, 127, [](int q) { return q; });
      fill_signed_scale(out, info.type_size, fp16(std_dev / std::sqrt(q2)), rng);
      return;
    }
    case GgmlType::Q4_0: {
      const double q2 = second_moment(0, 15, [](int q) { return q - 8; });
      fill_signed_scale(out, info.type_size, fp16(std_dev / std::sqrt(q2)), rng);
      return;
    }
    case GgmlType::MXFP4:
      fill_mxfp4(out, std_dev, rng);
      return;
    case GgmlType::Q4_K:
      fill_affine_k(out, info.type_size, 15, std_dev, rng);
      return;
    case GgmlType::Q5_K:
      fill_affine_k(out, info.type_size, 31, std_dev, rng);
      return;
    case GgmlType::Q6_K:
      fill_q6_k(out, std_dev, rng);
      return;
    case GgmlType::IQ4_XS:
      fill_iq4_xs(out, std_dev, rng);
      return;
    default:
      throw Error(ErrorKind::Unsupported,
                  "synth draws random blocks only for block types, not " + std::string(info.name));
  }
}

}  // namespace rotary::synth

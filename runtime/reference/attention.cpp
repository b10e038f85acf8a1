#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/half.h"
#include "runtime/reference/activations.h"

namespace rotary::ref {

void attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
               std::span<float> out, const ops::AttentionShape& s, uint32_t n_kv_heads,
               uint32_t head_dim, std::span<const float> sinks) {
  const size_t kv_len = size_t{s.p0} + s.n_tokens;
  const size_t row = size_t{n_kv_heads} * head_dim;
  require(n_kv_heads > 0 && s.n_heads % n_kv_heads == 0, ErrorKind::InvalidArgument,
          "ref::attention: n_heads must be a multiple of n_kv_heads");
  const size_t rows = std::min(k.size(), v.size()) / std::max<size_t>(row, 1);
  require((s.ring ? rows >= size_t{s.window} + s.n_tokens - 1 : rows >= kv_len) &&
              q.size() >= size_t{s.n_tokens} * s.n_heads * head_dim && out.size() >= q.size() &&
              (sinks.empty() || sinks.size() >= s.n_heads),
          ErrorKind::InvalidArgument, "ref::attention: spans too small");
  const uint32_t group = s.n_heads / n_kv_heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  std::vector<double> score(kv_len), acc(head_dim);
  for (size_t t = 0; t < s.n_tokens; ++t) {
    const size_t query = s.p0 + t, n_keys = query + 1;  // causal: keys 0 .. p0 + t
    const size_t first = s.window && query + 1 > s.window ? query + 1 - s.window : 0;
    for (uint32_t h = 0; h < s.n_heads; ++h) {
      const float* qr = q.data() + (t * s.n_heads + h) * head_dim;
      const size_t kvh = h / group;
      double mx = sinks.empty() ? -std::numeric_limits<double>::infinity() : sinks[h];
      for (size_t j = first; j < n_keys; ++j) {
        const float* kr = k.data() + (s.ring ? j % rows : j) * row + kvh * head_dim;
        double dot = 0.0;
        for (uint32_t d = 0; d < head_dim; ++d) dot += static_cast<double>(qr[d]) * kr[d];
        score[j] = dot * scale;
        mx = std::max(mx, score[j]);
      }
      double sum = sinks.empty() ? 0.0 : std::exp(sinks[h] - mx);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t j = first; j < n_keys; ++j) {
        const double p = std::exp(score[j] - mx);
        sum += p;
        const float* vr = v.data() + (s.ring ? j % rows : j) * row + kvh * head_dim;
        for (uint32_t d = 0; d < head_dim; ++d) acc[d] += p * vr[d];
      }
      float* o = out.data() + (t * s.n_heads + h) * head_dim;
      for (uint32_t d = 0; d < head_dim; ++d) o[d] = static_cast<float>(acc[d] / sum);
    }
  }
}

namespace {

// llama.cpp's quantize_row_q8_0_ref for one block: d = amax / 127, q = roundf(x / d) computed as
// x * (1 / d).
void quantize_q8_0(const float* x, std::byte* y) {
  float amax = 0.0f;
  for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const uint16_t dh = quant::f32_to_fp16(d);
  std::memcpy(y, &dh, 2);
  for (int j = 0; j < 32; ++j) {
    const float x0 = x[j] * id;
    y[2 + j] = static_cast<std::byte>(static_cast<int8_t>(std::round(x0)));
  }
}

// llama.cpp's quantize_row_q4_0_ref for one block: d = max / -8 where max is the first element
// of the largest magnitude (signed), q = min(15, (int8_t)(x / d + 8.5)).
void quantize_q4_0(const float* x, std::byte* y) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < 32; ++j)
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  const float d = max / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const uint16_t dh = quant::f32_to_fp16(d);
  std::memcpy(y, &dh, 2);
  for (int j = 0; j < 16; ++j) {
    const float x0 = x[j] * id, x1 = x[16 + j] * id;
    const int xi0 = std::min(15, static_cast<int>(static_cast<int8_t>(x0 + 8.5f)));
    const int xi1 = std::min(15, static_cast<int>(static_cast<int8_t>(x1 + 8.5f)));
    y[2 + j] = static_cast<std::byte>(xi0 | (xi1 << 4));
  }
}

GgmlType ggml_type_of(ops::KvType t) {
  switch (t) {
    case ops::KvType::F32: return GgmlType::F32;
    case ops::KvType::F16: return GgmlType::F16;
    case ops::KvType::Q8_0: return GgmlType::Q8_0;
    case ops::KvType::Q4_0: return GgmlType::Q4_0;
  }
  return GgmlType::F32;
}

}  // namespace

void kv_quantize_row(ops::KvType t, const float* src, std::byte* dst, size_t n) {
  const size_t block = ops::kv_block_elems(t), bytes = ops::kv_block_bytes(t);
  require(n % block == 0, ErrorKind::InvalidArgument, "ref::kv_quantize_row: not whole blocks");
  for (size_t b = 0; b < n / block; ++b) {
    const float* x = src + b * block;
    std::byte* y = dst + b * bytes;
    switch (t) {
      case ops::KvType::F32: std::memcpy(y, x, 4); break;
      case ops::KvType::F16: {
        const uint16_t h = quant::f32_to_fp16(*x);
        std::memcpy(y, &h, 2);
        break;
      }
      case ops::KvType::Q8_0: quantize_q8_0(x, y); break;
      case ops::KvType::Q4_0: quantize_q4_0(x, y); break;
    }
  }
}

void kv_store(std::span<const float> cur, std::span<std::byte> cache, const ops::KvGeometry& geo,
              ops::KvType type, uint32_t p0, uint32_t n_tokens, uint32_t src_stride) {
  const size_t row_elems = size_t{geo.n_kv_heads} * geo.head_dim;
  const size_t stride = src_stride ? src_stride : row_elems;
  require(uint64_t{p0} + n_tokens <= geo.capacity && cache.size() >= geo.tensor_bytes(type) &&
              (n_tokens == 0 || cur.size() >= (n_tokens - 1) * stride + row_elems),
          ErrorKind::InvalidArgument, "ref::kv_store: out of range");
  for (size_t t = 0; t < n_tokens; ++t)
    kv_quantize_row(type, cur.data() + t * stride, cache.data() + (p0 + t) * geo.row_bytes(type),
                    row_elems);
}

std::vector<float> kv_values(std::span<const std::byte> cache, const ops::KvGeometry& geo,
                             ops::KvType type, uint32_t positions) {
  const size_t n = size_t{positions} * geo.n_kv_heads * geo.head_dim;
  require(cache.size() >= positions * geo.row_bytes(type), ErrorKind::InvalidArgument,
          "ref::kv_values: span too small");
  std::vector<float> out(n);
  quant::dequantize_row(ggml_type_of(type), cache.data(), out.data(), static_cast<int64_t>(n));
  return out;
}

}  // namespace rotary::ref

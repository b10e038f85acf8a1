#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "loader/quant/half.h"
#include "runtime/reference/activations.h"

namespace rotary::ref {

void attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
               std::span<float> out, const ops::AttentionShape& s, uint32_t n_kv_heads,
               uint32_t head_dim) {
  const size_t kv_len = size_t{s.p0} + s.n_tokens;
  const size_t row = size_t{n_kv_heads} * head_dim;
  require(n_kv_heads > 0 && s.n_heads % n_kv_heads == 0, ErrorKind::InvalidArgument,
          "ref::attention: n_heads must be a multiple of n_kv_heads");
  require(k.size() >= kv_len * row && v.size() >= kv_len * row &&
              q.size() >= size_t{s.n_tokens} * s.n_heads * head_dim && out.size() >= q.size(),
          ErrorKind::InvalidArgument, "ref::attention: spans too small");
  const uint32_t group = s.n_heads / n_kv_heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  std::vector<double> score(kv_len), acc(head_dim);
  for (size_t t = 0; t < s.n_tokens; ++t) {
    const size_t n_keys = s.p0 + t + 1;  // causal: keys 0 .. p0 + t
    for (uint32_t h = 0; h < s.n_heads; ++h) {
      const float* qr = q.data() + (t * s.n_heads + h) * head_dim;
      const size_t kvh = h / group;
      double mx = -std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < n_keys; ++j) {
        const float* kr = k.data() + j * row + kvh * head_dim;
        double dot = 0.0;
        for (uint32_t d = 0; d < head_dim; ++d) dot += static_cast<double>(qr[d]) * kr[d];
        score[j] = dot * scale;
        mx = std::max(mx, score[j]);
      }
      double sum = 0.0;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t j = 0; j < n_keys; ++j) {
        const double p = std::exp(score[j] - mx);
        sum += p;
        const float* vr = v.data() + j * row + kvh * head_dim;
        for (uint32_t d = 0; d < head_dim; ++d) acc[d] += p * vr[d];
      }
      float* o = out.data() + (t * s.n_heads + h) * head_dim;
      for (uint32_t d = 0; d < head_dim; ++d) o[d] = static_cast<float>(acc[d] / sum);
    }
  }
}

void kv_store(std::span<const float> cur, std::span<std::byte> cache, const ops::KvGeometry& geo,
              uint32_t p0, uint32_t n_tokens, uint32_t src_stride) {
  const size_t row_elems = size_t{geo.n_kv_heads} * geo.head_dim;
  const size_t stride = src_stride ? src_stride : row_elems;
  require(uint64_t{p0} + n_tokens <= geo.capacity && cache.size() >= geo.bytes() &&
              (n_tokens == 0 || cur.size() >= (n_tokens - 1) * stride + row_elems),
          ErrorKind::InvalidArgument, "ref::kv_store: out of range");
  for (size_t t = 0; t < n_tokens; ++t) {
    std::byte* dst = cache.data() + (p0 + t) * geo.row_bytes();
    const float* src = cur.data() + t * stride;
    if (geo.type == ops::KvType::F32) {
      std::memcpy(dst, src, row_elems * 4);
    } else {
      for (size_t e = 0; e < row_elems; ++e) {
        const uint16_t h = quant::f32_to_fp16(src[e]);
        std::memcpy(dst + 2 * e, &h, 2);
      }
    }
  }
}

std::vector<float> kv_values(std::span<const std::byte> cache, const ops::KvGeometry& geo,
                             uint32_t positions) {
  const size_t n = size_t{positions} * geo.n_kv_heads * geo.head_dim;
  require(cache.size() >= n * geo.elem_bytes(), ErrorKind::InvalidArgument,
          "ref::kv_values: span too small");
  std::vector<float> out(n);
  if (geo.type == ops::KvType::F32) {
    std::memcpy(out.data(), cache.data(), n * 4);
  } else {
    for (size_t e = 0; e < n; ++e) {
      uint16_t h;
      std::memcpy(&h, cache.data() + 2 * e, 2);
      out[e] = quant::fp16_to_f32(h);
    }
  }
  return out;
}

}  // namespace rotary::ref

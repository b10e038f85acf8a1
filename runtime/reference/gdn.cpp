#include "runtime/reference/gdn.h"

#include <cmath>
#include <vector>

namespace rotary::ref {

namespace {
double silu(double x) {
  return x / (1.0 + std::exp(-x));
}
}  // namespace

void gdn_conv(const ops::GdnShape& shape, std::span<const float> x, std::span<const float> weight,
              std::span<float> conv_state, std::span<float> y, uint32_t n_tokens) {
  const uint64_t c_n = shape.conv_channels(), kc = shape.conv_kernel, hist = kc - 1;
  require(x.size() >= c_n * n_tokens && y.size() >= c_n * n_tokens && weight.size() >= c_n * kc &&
              conv_state.size() >= hist * c_n,
          ErrorKind::InvalidArgument, "ref::gdn_conv: buffers too small");
  std::vector<float> xs((hist + n_tokens) * c_n);  // [state rows | x rows]
  for (uint64_t i = 0; i < hist * c_n; ++i) xs[i] = conv_state[i];
  for (uint64_t i = 0; i < n_tokens * c_n; ++i) xs[hist * c_n + i] = x[i];
  for (uint64_t t = 0; t < n_tokens; ++t)
    for (uint64_t c = 0; c < c_n; ++c) {
      double acc = 0;
      for (uint64_t i = 0; i < kc; ++i) acc += double(weight[c * kc + i]) * xs[(t + i) * c_n + c];
      y[t * c_n + c] = static_cast<float>(silu(acc));
    }
  for (uint64_t i = 0; i < hist * c_n; ++i) conv_state[i] = xs[n_tokens * c_n + i];
}

void gdn_l2_norm(std::span<float> x, uint32_t n_tokens, uint32_t heads, uint32_t head_dim,
                 uint32_t token_stride, float eps) {
  for (uint64_t t = 0; t < n_tokens; ++t)
    for (uint64_t h = 0; h < heads; ++h) {
      float* v = x.data() + t * token_stride + h * head_dim;
      double ss = 0;
      for (uint32_t i = 0; i < head_dim; ++i) ss += double(v[i]) * v[i];
      const double inv = 1.0 / std::sqrt(ss + eps);
      for (uint32_t i = 0; i < head_dim; ++i) v[i] = static_cast<float>(v[i] * inv);
    }
}

void gdn_gates(const ops::GdnShape& shape, const ops::GdnGateLayout& layout,
               std::span<const float> b, std::span<const float> a, std::span<const float> dt_bias,
               std::span<const float> ssm_a, std::span<float> beta, std::span<float> g,
               uint32_t n_tokens) {
  for (uint64_t t = 0; t < n_tokens; ++t)
    for (uint32_t h = 0; h < shape.v_heads; ++h) {
      const uint64_t col = uint64_t{h / layout.group} * layout.group_stride + h % layout.group;
      const double bv = b[t * layout.token_stride + layout.b_offset + col];
      const double av = double(a[t * layout.token_stride + layout.a_offset + col]) + dt_bias[h];
      const double softplus = av > 20.0 ? av : std::log1p(std::exp(av));
      beta[t * shape.v_heads + h] = static_cast<float>(1.0 / (1.0 + std::exp(-bv)));
      g[t * shape.v_heads + h] = static_cast<float>(softplus * ssm_a[h]);
    }
}

void gdn_delta_rule(const ops::GdnShape& shape, std::span<const float> qkv,
                    std::span<const float> beta, std::span<const float> g, std::span<float> state,
                    std::span<float> out, uint32_t n_tokens) {
  const uint32_t dk = shape.dim_k, dv = shape.dim_v, hv = shape.v_heads;
  const uint64_t stride = shape.conv_channels();
  const double scale = 1.0 / std::sqrt(double(dk));
  std::vector<double> s(dk * uint64_t{dv}), delta(dv);  // s[v * dk + k] = S[k][v]
  for (uint32_t h = 0; h < hv; ++h) {
    const uint32_t kh = shape.k_head_of(h);
    float* st = state.data() + uint64_t{h} * dv * dk;
    for (uint64_t i = 0; i < s.size(); ++i) s[i] = st[i];
    for (uint64_t t = 0; t < n_tokens; ++t) {
      const float* q = qkv.data() + t * stride + uint64_t{kh} * dk;
      const float* k = qkv.data() + t * stride + uint64_t{shape.k_heads + kh} * dk;
      const float* v = qkv.data() + t * stride + 2ull * shape.k_heads * dk + uint64_t{h} * dv;
      const double decay = std::exp(double(g[t * hv + h])), b = beta[t * hv + h];
      for (double& e : s) e *= decay;
      for (uint32_t j = 0; j < dv; ++j) {
        double sk = 0;
        for (uint32_t i = 0; i < dk; ++i) sk += s[j * dk + i] * k[i];
        delta[j] = b * (v[j] - sk);
      }
      for (uint32_t j = 0; j < dv; ++j)
        for (uint32_t i = 0; i < dk; ++i) s[j * dk + i] += k[i] * delta[j];
      for (uint32_t j = 0; j < dv; ++j) {
        double o = 0;
        for (uint32_t i = 0; i < dk; ++i) o += s[j * dk + i] * q[i];
        out[(t * hv + h) * dv + j] = static_cast<float>(o * scale);
      }
    }
    for (uint64_t i = 0; i < s.size(); ++i) st[i] = static_cast<float>(s[i]);
  }
}

void gdn_gated_norm(std::span<const float> o, std::span<const float> z,
                    std::span<const float> weight, std::span<float> y, uint32_t rows,
                    uint32_t head_dim, float eps) {
  for (uint64_t r = 0; r < rows; ++r) {
    const uint64_t base = r * head_dim;
    double ss = 0;
    for (uint32_t i = 0; i < head_dim; ++i) ss += double(o[base + i]) * o[base + i];
    const double inv = 1.0 / std::sqrt(ss / head_dim + eps);
    for (uint32_t i = 0; i < head_dim; ++i)
      y[base + i] = static_cast<float>(o[base + i] * inv * weight[i] * silu(z[base + i]));
  }
}

void attn_qgate_split(std::span<const float> qg, std::span<float> q, std::span<float> gate,
                      uint32_t n_tokens, uint32_t heads, uint32_t head_dim) {
  for (uint64_t r = 0; r < uint64_t{n_tokens} * heads; ++r)
    for (uint32_t d = 0; d < head_dim; ++d) {
      q[r * head_dim + d] = qg[r * 2 * head_dim + d];
      gate[r * head_dim + d] = qg[r * 2 * head_dim + head_dim + d];
    }
}

}  // namespace rotary::ref

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "runtime/reference/activations.h"

namespace rotary::ref {

void rms_norm(std::span<const float> x, std::span<const float> w, std::span<float> y,
              const ops::RmsNormShape& s) {
  const size_t xs = s.x_stride ? s.x_stride : s.dim;
  const size_t ys = s.y_stride ? s.y_stride : s.dim;
  require(s.rows == 0 || ((s.rows - 1) * xs + s.dim <= x.size() &&
                          (s.rows - 1) * ys + s.dim <= y.size() && w.size() >= s.dim),
          ErrorKind::InvalidArgument, "ref::rms_norm: spans too small");
  for (size_t r = 0; r < s.rows; ++r) {
    const float* xr = x.data() + r * xs;
    double sum = 0.0;
    for (size_t i = 0; i < s.dim; ++i) sum += static_cast<double>(xr[i] * xr[i]);
    const float mean = static_cast<float>(sum / s.dim);
    const float scale = 1.0f / std::sqrt(mean + s.eps);
    float* yr = y.data() + r * ys;
    for (size_t i = 0; i < s.dim; ++i) yr[i] = (xr[i] * scale) * w[i];
  }
}

void rope_neox(std::span<const float> x, std::span<const uint32_t> positions, std::span<float> y,
               const ops::RopeShape& s) {
  const size_t xh = s.x_head_stride ? s.x_head_stride : s.head_dim;
  const size_t xt = s.x_token_stride ? s.x_token_stride : s.n_heads * xh;
  const size_t yh = s.y_head_stride ? s.y_head_stride : s.head_dim;
  const size_t yt = s.y_token_stride ? s.y_token_stride : s.n_heads * yh;
  require(positions.size() >= s.n_tokens, ErrorKind::InvalidArgument,
          "ref::rope_neox: too few positions");
  const float theta_scale = ops::rope_theta_scale(s.base, s.n_rot);
  const ops::RopeYarn yarn = ops::rope_yarn(s);
  const uint32_t half = s.n_rot / 2;
  std::vector<float> cos_t(half), sin_t(half);
  for (size_t t = 0; t < s.n_tokens; ++t) {
    float theta_extrap = static_cast<float>(positions[t]);
    for (uint32_t i = 0; i < half; ++i) {
      // ggml's rope_yarn: i is i0 / 2.
      float theta = s.freq_scale * theta_extrap;
      if (s.ext_factor != 0.0f) {
        const float r = (static_cast<float>(i) - yarn.corr_low) / std::max(0.001f, yarn.corr_high - yarn.corr_low);
        const float ramp = (1 - std::min(1.0f, std::max(0.0f, r))) * s.ext_factor;
        theta = theta * (1 - ramp) + theta_extrap * ramp;
      }
      cos_t[i] = std::cos(theta) * yarn.mscale;  // float overloads: cosf, sinf
      sin_t[i] = std::sin(theta) * yarn.mscale;
      theta_extrap *= theta_scale;
    }
    for (size_t h = 0; h < s.n_heads; ++h) {
      const float* xr = x.data() + t * xt + h * xh;
      float* yr = y.data() + t * yt + h * yh;
      for (uint32_t i = 0; i < half; ++i) {
        const float x0 = xr[i], x1 = xr[i + half];
        yr[i] = x0 * cos_t[i] - x1 * sin_t[i];
        yr[i + half] = x0 * sin_t[i] + x1 * cos_t[i];
      }
      for (uint32_t d = s.n_rot; d < s.head_dim; ++d) yr[d] = xr[d];
    }
  }
}

}  // namespace rotary::ref

// The activation ops for the checker: rms_norm, rope, kv_store, attention, router top-k, add,
// logits top-k (runtime/check/op_checks.h).
#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/reference/activations.h"

namespace rotary::check {

namespace {
std::string dims(std::initializer_list<uint32_t> d) {
  std::string s;
  for (uint32_t v : d) s += (s.empty() ? "" : " x ") + std::to_string(v);
  return s;
}
// Floats spanned by `rows` rows of `len` floats, `stride` apart.
uint64_t extent(uint32_t rows, uint32_t len, uint32_t stride) {
  return rows ? (uint64_t{rows} - 1) * stride + len : 0;
}
}  // namespace

CheckedOp rms_norm(const vk::BufferView& x, const vk::BufferView& w, const vk::BufferView& y,
                   const ops::RmsNormShape& shape) {
  const uint32_t xs = shape.x_stride ? shape.x_stride : shape.dim,
                 ys = shape.y_stride ? shape.y_stride : shape.dim;
  CheckedOp op;
  op.name = "rms_norm";
  op.shape = dims({shape.rows, shape.dim});
  op.weights = {prefix(w, uint64_t{shape.dim} * 4)};
  op.inputs = {prefix(x, extent(shape.rows, shape.dim, xs) * 4)};
  op.outputs = {prefix(y, extent(shape.rows, shape.dim, ys) * 4)};
  op.compare = [shape, ys](const OpData& d) {
    const std::span<const float> got = as<float>(d.outputs[0]);
    std::vector<float> want(got.size());
    ref::rms_norm(as<float>(d.inputs[0]), as<float>(d.weights[0]), want, shape);
    // y = (x * scale) * w: relative error of scale (a float sum of squares, sqrt, division) and
    // two roundings.
    std::vector<float> g, r, tol;
    std::vector<uint64_t> at;
    for (uint32_t row = 0; row < shape.rows; ++row)
      for (uint32_t c = 0; c < shape.dim; ++c) {
        const uint64_t i = uint64_t{row} * ys + c;
        at.push_back(i);
        g.push_back(got[i]);
        r.push_back(want[i]);
        tol.push_back(static_cast<float>(4e-6 * std::fabs(want[i]) + 1e-30));
      }
    Verdict v = compare("y", g, r, tol);
    if (!at.empty()) v.index = at[v.index];
    return v;
  };
  return op;
}

CheckedOp rope_neox(const vk::BufferView& x, const vk::BufferView& positions,
                    const vk::BufferView& y, const ops::RopeShape& s) {
  const uint32_t xh = s.x_head_stride ? s.x_head_stride : s.head_dim;
  const uint32_t xt = s.x_token_stride ? s.x_token_stride : s.n_heads * xh;
  const uint32_t yh = s.y_head_stride ? s.y_head_stride : s.head_dim;
  const uint32_t yt = s.y_token_stride ? s.y_token_stride : s.n_heads * yh;
  CheckedOp op;
  op.name = "rope_neox";
  op.shape =
      dims({s.n_tokens, s.n_heads, s.head_dim}) + ", " + std::to_string(s.n_rot) + " rotated";
  op.inputs = {prefix(x, (extent(s.n_tokens, extent(s.n_heads, s.head_dim, xh), xt)) * 4),
               prefix(positions, uint64_t{s.n_tokens} * 4)};
  op.outputs = {prefix(y, (extent(s.n_tokens, extent(s.n_heads, s.head_dim, yh), yt)) * 4)};
  op.compare = [s, xh, xt, yh, yt](const OpData& d) {
    const std::span<const float> in = as<float>(d.inputs[0]), got = as<float>(d.outputs[0]);
    std::vector<float> want(got.size());
    ref::rope_neox(in, as<uint32_t>(d.inputs[1]), want, s);
    // sin/cos are accurate to ~1e-7 absolute; the rotation mixes a pair: error ~ the head's |x|.
    std::vector<float> g, r, tol;
    std::vector<uint64_t> at;
    for (uint32_t t = 0; t < s.n_tokens; ++t)
      for (uint32_t h = 0; h < s.n_heads; ++h) {
        float big = 0;
        for (uint32_t c = 0; c < s.head_dim; ++c)
          big = std::max(big, std::fabs(in[uint64_t{t} * xt + h * xh + c]));
        for (uint32_t c = 0; c < s.head_dim; ++c) {
          const uint64_t i = uint64_t{t} * yt + uint64_t{h} * yh + c;
          at.push_back(i);
          g.push_back(got[i]);
          r.push_back(want[i]);
          tol.push_back(static_cast<float>(2e-6 * big + 1e-6 * std::fabs(want[i]) + 1e-30));
        }
      }
    Verdict v = compare("y", g, r, tol);
    if (!at.empty()) v.index = at[v.index];
    return v;
  };
  return op;
}

CheckedOp kv_store(const vk::BufferView& k_cur, const vk::BufferView& v_cur,
                   const ops::KvLayerView& kv, uint32_t p0, uint32_t n, uint32_t src_stride) {
  const ops::KvGeometry geo = kv.geo;
  const uint32_t row = geo.n_kv_heads * geo.head_dim, stride = src_stride ? src_stride : row;
  CheckedOp op;
  op.name = "kv_store";
  op.shape = std::to_string(n) + " positions from " + std::to_string(p0) + ", " +
             dims({geo.n_kv_heads, geo.head_dim}) + " " + ops::to_string(geo.types);
  op.inputs = {prefix(k_cur, extent(n, row, stride) * 4),
               prefix(v_cur, extent(n, row, stride) * 4)};
  // The stored rows, widened to whole words (quantised rows may start and end mid-word).
  auto rows = [&](const vk::BufferView& t, ops::KvType type) {
    const uint64_t first = p0 * geo.row_bytes(type) / 4 * 4;
    const uint64_t end = vk::align_up((p0 + n) * geo.row_bytes(type), 4);
    return t.sub(first, end - first);
  };
  op.outputs = {rows(kv.k, geo.types.k), rows(kv.v, geo.types.v)};
  op.compare = [geo, p0, n, src_stride](const OpData& d) {
    // A cache of exactly p0 + n positions on the host: the reference writes the rows, the GPU's
    // rows go beside them; both are read back as floats (dequantised) and must be equal.
    ops::KvGeometry g = geo;
    g.capacity = p0 + n;
    Verdict v;
    for (int which = 0; which < 2; ++which) {
      const ops::KvType type = which ? g.types.v : g.types.k;
      std::vector<std::byte> want_cache(vk::align_up(g.tensor_bytes(type), 4)),
          got_cache(want_cache.size());
      ref::kv_store(as<float>(d.inputs[which]), want_cache, g, type, p0, n, src_stride);
      std::copy(d.outputs[which].begin(), d.outputs[which].end(),
                got_cache.begin() + p0 * g.row_bytes(type) / 4 * 4);
      const std::vector<float> want = ref::kv_values(want_cache, g, type, p0 + n),
                               got = ref::kv_values(got_cache, g, type, p0 + n);
      const uint64_t first = uint64_t{p0} * g.n_kv_heads * g.head_dim;
      const Verdict one =
          exact(which ? "v" : "k", std::span(got).subspan(first), std::span(want).subspan(first));
      v = which ? worse(v, one) : one;
    }
    return v;
  };
  return op;
}

CheckedOp attention(const vk::BufferView& q, const ops::KvLayerView& kv, const vk::BufferView& out,
                    const ops::AttentionShape& s, const vk::BufferView& sinks) {
  const ops::KvGeometry geo = kv.geo;
  const uint32_t kv_len = s.ring ? geo.capacity : s.p0 + s.n_tokens;  // rows read back
  const bool has_sinks = sinks.buffer != VK_NULL_HANDLE;
  const uint64_t q_bytes = uint64_t{s.n_tokens} * s.n_heads * geo.head_dim * 4;
  CheckedOp op;
  op.name = "attention";
  op.shape = std::to_string(s.n_tokens) + " queries from position " + std::to_string(s.p0) + ", " +
             dims({s.n_heads, geo.head_dim}) + " over " + std::to_string(geo.n_kv_heads) +
             " KV heads " + ops::to_string(geo.types);
  op.inputs = {prefix(q, q_bytes), kv.k.sub(0, kv_len * geo.k_row_bytes()),
               kv.v.sub(0, kv_len * geo.v_row_bytes())};
  if (has_sinks) op.inputs.push_back(prefix(sinks, uint64_t{s.n_heads} * 4));
  op.outputs = {prefix(out, q_bytes)};
  op.compare = [geo, s, kv_len, has_sinks](const OpData& d) {
    const std::vector<float> k = ref::kv_values(d.inputs[1], geo, geo.types.k, kv_len),
                             v = ref::kv_values(d.inputs[2], geo, geo.types.v, kv_len);
    std::vector<float> want(d.outputs[0].size() / 4);
    ref::attention(as<float>(d.inputs[0]), k, v, want, s, geo.n_kv_heads, geo.head_dim,
                   has_sinks ? as<float>(d.inputs[3]) : std::span<const float>{});
    // Scores to ~1e-6, exp to a few ulps, the weighted sum of values: about 3e-6 of max|v|.
    double big = 0;
    for (float x : v) big = std::max(big, static_cast<double>(std::fabs(x)));
    return compare("out", as<float>(d.outputs[0]), want, 1e-5 * big + 1e-30, 1e-5);
  };
  return op;
}

CheckedOp router_topk(const vk::BufferView& logits, const vk::BufferView& ids,
                      const vk::BufferView& weights, const ops::RouterShape& s) {
  const uint64_t nk = uint64_t{s.n_tokens} * s.k;
  CheckedOp op;
  op.name = "router_topk";
  op.shape = std::to_string(s.n_tokens) + " tokens, top " + std::to_string(s.k) + " of " +
             std::to_string(s.n_experts);
  op.inputs = {prefix(logits, uint64_t{s.n_tokens} * s.n_experts * 4)};
  op.outputs = {prefix(ids, nk * 4), prefix(weights, nk * 4)};
  op.compare = [s, nk](const OpData& d) {
    const std::span<const float> scores = as<float>(d.inputs[0]);
    std::vector<uint32_t> want_ids(nk);
    std::vector<float> want_w(nk);
    ref::router_topk(scores, want_ids, want_w, s);
    // A choice may differ only between experts of (nearly) equal probability: the GPU's softmax
    // and the reference's differ in the last bits.
    std::vector<uint32_t> got_ids(as<uint32_t>(d.outputs[0]).begin(),
                                  as<uint32_t>(d.outputs[0]).end());
    for (uint32_t t = 0; t < s.n_tokens; ++t) {
      const std::span<const float> row = scores.subspan(uint64_t{t} * s.n_experts, s.n_experts);
      for (uint32_t j = 0; j < s.k; ++j) {
        uint32_t& g = got_ids[uint64_t{t} * s.k + j];
        const uint32_t w = want_ids[uint64_t{t} * s.k + j];
        if (g != w && g < s.n_experts &&
            std::fabs(row[g] - row[w]) <= 1e-6 * std::max(1.0f, std::fabs(row[w])))
          g = w;
      }
    }
    return worse(exact("ids", got_ids, want_ids),
                 compare("weights", as<float>(d.outputs[1]), want_w, 1e-8, 5e-6));
  };
  return op;
}

CheckedOp add(const vk::BufferView& a, const vk::BufferView& b, const vk::BufferView& y,
              uint32_t n) {
  CheckedOp op;
  op.name = "add";
  op.shape = std::to_string(n) + " floats";
  op.inputs = {prefix(a, uint64_t{n} * 4), prefix(b, uint64_t{n} * 4)};
  op.outputs = {prefix(y, uint64_t{n} * 4)};
  op.compare = [n](const OpData& d) {
    std::vector<float> want(n);
    ref::add(as<float>(d.inputs[0]), as<float>(d.inputs[1]), want);
    return exact("y", as<float>(d.outputs[0]), want);
  };
  return op;
}

CheckedOp logits_topk(const vk::BufferView& logits, uint32_t n_vocab, uint32_t k,
                      const vk::BufferView& out_ids, const vk::BufferView& out_values) {
  CheckedOp op;
  op.name = "logits_topk";
  op.shape = "top " + std::to_string(k) + " of " + std::to_string(n_vocab);
  op.inputs = {prefix(logits, uint64_t{n_vocab} * 4)};
  op.outputs = {prefix(out_ids, uint64_t{k} * 4), prefix(out_values, uint64_t{k} * 4)};
  op.compare = [k](const OpData& d) {
    std::vector<uint32_t> ids(k);
    std::vector<float> values(k);
    ref::logits_topk(as<float>(d.inputs[0]), k, ids, values);
    return worse(exact("ids", as<uint32_t>(d.outputs[0]), ids),
                 exact("values", as<float>(d.outputs[1]), values));
  };
  return op;
}

}  // namespace rotary::check

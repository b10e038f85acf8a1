#include "runtime/ops/attention.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {

constexpr uint32_t kQueryTileFloats = 2048;  // q_tile: BQ * head_dim floats (8 KiB)
constexpr uint32_t kKeyTileFloats = 4096;    // kv_tile: BK * head_dim floats (16 KiB)

uint32_t floor_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}
uint32_t ceil_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p *= 2;
  return p;
}
uint32_t ceil_div(uint64_t a, uint64_t b) {
  return static_cast<uint32_t>((a + b - 1) / b);
}

// q_tile, kv_tile (rows padded by one vec4), s_tile and l_part of attention.comp.
uint32_t shared_bytes(uint32_t bq, uint32_t bk, uint32_t hd, uint32_t wg) {
  return 4 * (bq * hd + bk * (hd + 4) + bq * bk + wg);
}

// The largest divisor of `g` that is at most `cap`.
uint32_t divisor_at_most(uint32_t g, uint32_t cap) {
  for (uint32_t d = std::min(g, cap); d > 1; --d)
    if (g % d == 0) return d;
  return 1;
}

// Tile sizes: BQ rows of GW heads per token, BK keys per tile, within shared memory.
void plan_tiles(AttentionPlan& pl, const AttentionShape& s, uint32_t hd, uint32_t group,
                const vk::DeviceCaps& caps, const AttentionTuning& t) {
  const uint32_t wg = pl.workgroup_size;
  const uint32_t q_rows_cap = std::max<uint32_t>(1, floor_pow2(kQueryTileFloats / hd));
  uint32_t bq = t.rows_per_tile;
  if (!bq) {
    const uint32_t gw = divisor_at_most(group, q_rows_cap);
    bq = s.n_tokens == 1 ? ceil_pow2(gw) : std::min<uint32_t>(q_rows_cap, 32);
    bq = std::max(bq, ceil_pow2(ceil_div(wg, hd / 4)));  // at most head_dim / 4 invocations per row
    bq = std::min(bq, wg);
  }
  uint32_t bk = t.keys_per_tile ? t.keys_per_tile : std::max<uint32_t>(8, kKeyTileFloats / hd);
  if (!t.keys_per_tile)
    while (shared_bytes(bq, bk, hd, wg) > caps.max_shared_memory && bk > 8) bk /= 2;
  if (!t.rows_per_tile)
    while (shared_bytes(bq, bk, hd, wg) > caps.max_shared_memory && bq > 1 &&
           wg / (bq / 2) <= hd / 4)
      bq /= 2;
  require((bq & (bq - 1)) == 0 && bq <= wg && wg % bq == 0, ErrorKind::InvalidArgument,
          "attention: rows_per_tile must be a power of two no larger than the workgroup");
  require((hd / 4) % (wg / bq) == 0, ErrorKind::InvalidArgument,
          "attention: head_dim / 4 must be a multiple of workgroup_size / rows_per_tile");
  require(bk > 0, ErrorKind::InvalidArgument, "attention: keys_per_tile must be positive");
  pl.rows_per_tile = bq;
  pl.keys_per_tile = bk;
  pl.heads_per_row_group = divisor_at_most(group, bq);
  pl.shared_bytes = shared_bytes(bq, bk, hd, wg);
  if (pl.shared_bytes > caps.max_shared_memory)
    throw Error(ErrorKind::Unsupported, "attention: tiles of " + std::to_string(bq) + " rows and " +
                                            std::to_string(bk) + " keys need " +
                                            std::to_string(pl.shared_bytes) +
                                            " bytes of shared memory; the device has " +
                                            std::to_string(caps.max_shared_memory));
}

// KV positions one binding can hold (the storage-buffer range limit, or the tuning's cap).
uint64_t binding_positions(const KvGeometry& geo, const vk::DeviceCaps& caps,
                           const AttentionTuning& t) {
  const uint64_t limit = t.max_range ? std::min(t.max_range, caps.max_storage_buffer_range)
                                     : caps.max_storage_buffer_range;
  // Room for the alignment skip and the word a quantised range may end inside.
  const uint64_t align = std::max<uint64_t>(caps.min_storage_offset_alignment, 4) + 4;
  const uint64_t fit =
      limit > align ? (limit - align) / std::max(geo.k_row_bytes(), geo.v_row_bytes()) : 0;
  require(fit > 0, ErrorKind::Unsupported,
          "attention: one cache row exceeds the storage-buffer range limit");
  return std::min<uint64_t>(fit, UINT32_MAX);
}

// A split cut to fit one binding of `positions`: whole key tiles where it holds one.
uint32_t split_in(uint64_t positions, uint32_t bk) {
  return static_cast<uint32_t>(positions >= bk ? positions / bk * bk : positions);
}

// Decode workgroups wanted per (tile, head group) to reach the target; 0 when the tiles and head
// groups alone reach it (then the KV length is not split).
uint32_t wanted_splits(const AttentionPlan& pl, const AttentionTuning& t) {
  const uint32_t target = t.target_workgroups ? t.target_workgroups : 256;
  const uint64_t others = uint64_t{pl.tiles} * pl.head_groups;  // 32 bits wrap at 2^31 tokens
  return others >= target ? 0 : ceil_div(target, others);
}

// Splits of the KV length (across workgroups) and ranges (across bindings).
void plan_splits(AttentionPlan& pl, const AttentionShape& s, const KvGeometry& geo,
                 const vk::DeviceCaps& caps, const AttentionTuning& t) {
  const uint32_t kv_len = s.p0 + s.n_tokens - s.first_key();  // the keys the call reads
  const uint32_t max_positions =
      static_cast<uint32_t>(std::min<uint64_t>(binding_positions(geo, caps, t), kv_len));
  const uint32_t bk = pl.keys_per_tile;
  uint32_t split = t.split_keys;
  if (!split) {
    const uint32_t want = wanted_splits(pl, t);
    split = want == 0 ? kv_len  // enough workgroups already: one split per range
                      : std::max<uint32_t>(ceil_div(ceil_div(kv_len, want), bk) * bk,
                                           std::max<uint32_t>(bk, 64));
  }
  split = std::min(split, kv_len);  // a split longer than the cache is one split
  // Only a binding limit cuts a split further (a cut to kv_len itself would split a short cache
  // into a tile and a remainder, more splits than any longer cache gets).
  if (split > max_positions) split = split_in(max_positions, bk);
  pl.split_len = split;
  pl.n_splits = ceil_div(kv_len, split);
  // One binding holds every key: one range (a ring must be bound whole; splits keep their
  // boundaries, so the bits do not change). Otherwise ranges of whole splits.
  pl.range_len = max_positions >= kv_len ? kv_len : max_positions / split * split;
  pl.n_ranges = ceil_div(kv_len, pl.range_len);
}

// The most splits plan_splits gives any KV length up to the capacity for these tiles: a chosen
// split covers at least kv_len / want and at least max(bk, 64) positions, an explicit one
// split_keys, and one cut to a binding ceil(capacity / that cut).
uint32_t max_splits(const AttentionPlan& pl, const KvGeometry& geo, const vk::DeviceCaps& caps,
                    const AttentionTuning& t) {
  const uint64_t fit = binding_positions(geo, caps, t);
  uint32_t bound = 1;
  if (fit < geo.capacity) bound = ceil_div(geo.capacity, split_in(fit, pl.keys_per_tile));
  if (t.split_keys) return std::max(bound, ceil_div(geo.capacity, t.split_keys));
  // A chosen split is also at least max(bk, 64) positions long.
  const uint32_t shortest = std::max<uint32_t>(pl.keys_per_tile, 64);
  return std::max(bound, std::min(wanted_splits(pl, t), ceil_div(geo.capacity, shortest)));
}

// Saturates at UINT64_MAX instead of wrapping: a bound that large is refused by any budget.
uint64_t partials_bytes(uint64_t slots, uint32_t head_dim, const vk::DeviceCaps& caps) {
  uint64_t floats = 0, ml = 0;
  if (__builtin_mul_overflow(slots, uint64_t{head_dim} + 2, &floats) || __builtin_mul_overflow(floats, 4, &ml) ||
      ml > UINT64_MAX - vk::binding_alignment(caps))
    return UINT64_MAX;
  return vk::align_up(slots * 2 * 4, vk::binding_alignment(caps)) + slots * head_dim * 4;
}

}  // namespace

AttentionPlan attention_plan(const AttentionShape& s, const KvGeometry& geo,
                             const vk::DeviceCaps& caps, const AttentionTuning& t) {
  require(s.n_tokens > 0, ErrorKind::InvalidArgument, "attention: no queries");
  require(geo.n_kv_heads > 0 && s.n_heads % geo.n_kv_heads == 0, ErrorKind::InvalidArgument,
          "attention: n_heads must be a multiple of n_kv_heads");
  require(geo.head_dim >= 4 && geo.head_dim % 4 == 0, ErrorKind::InvalidArgument,
          "attention: head_dim must be a multiple of 4");
  validate(geo);
  require(!s.ring || s.window > 0, ErrorKind::InvalidArgument, "attention: a ring cache needs a window");
  if (s.ring) {
    require(uint64_t{s.window} + s.n_tokens - 1 <= geo.capacity, ErrorKind::InvalidArgument,
            "attention: a ring of " + std::to_string(geo.capacity) + " positions cannot hold a window of " +
                std::to_string(s.window) + " behind " + std::to_string(s.n_tokens) + " queries");
  } else if (uint64_t{s.p0} + s.n_tokens > geo.capacity) {
    throw Error(ErrorKind::ContextFull,
                "attention: positions up to " + std::to_string(s.p0 + s.n_tokens) +
                    " exceed the KV cache capacity " + std::to_string(geo.capacity));
  }
  AttentionPlan pl;
  pl.workgroup_size = resolve_workgroup_size(caps, t.workgroup_size, 128, "attention");
  const uint32_t group = s.n_heads / geo.n_kv_heads;
  plan_tiles(pl, s, geo.head_dim, group, caps, t);
  const uint32_t tokens_per_tile = pl.rows_per_tile / pl.heads_per_row_group;
  pl.tiles = ceil_div(s.n_tokens, tokens_per_tile);
  pl.head_groups = geo.n_kv_heads * (group / pl.heads_per_row_group);
  plan_splits(pl, s, geo, caps, t);
  if (pl.n_splits > 1)
    pl.scratch_bytes =
        partials_bytes(uint64_t{s.n_tokens} * s.n_heads * pl.n_splits, geo.head_dim, caps);
  return pl;
}

// Closed form, whatever max_tokens and the capacity are: the tiles depend on n only through
// n == 1 and the tile count ceil(n / tokens_per_tile), and the most splits any KV length gets
// (max_splits) on the plan's tiles only. Within one tile count the bytes grow with n, so the last
// n of each count bounds it; once the tiles alone reach the workgroup target the splits stop
// changing, and n = max_tokens bounds every larger count. At most target / head_groups + 2
// plans are made.
uint64_t attention_scratch_bytes(uint32_t max_tokens, uint32_t n_heads, const KvGeometry& geo,
                                 const vk::DeviceCaps& caps, const AttentionTuning& tuning) {
  const uint32_t top = std::min(max_tokens, geo.capacity);
  uint64_t bytes = 0;
  // Returns whether more tiles would still change the splits.
  auto bound_at = [&](uint32_t n) {
    const AttentionPlan pl = attention_plan({n, 0, n_heads}, geo, caps, tuning);
    const uint32_t splits = max_splits(pl, geo, caps, tuning);
    if (splits > 1) bytes = std::max(bytes, partials_bytes(uint64_t{n} * n_heads * splits, geo.head_dim, caps));
    return tuning.split_keys == 0 && wanted_splits(pl, tuning) > 0;
  };
  if (top == 0) return 0;
  bound_at(1);
  if (top == 1) return bytes;
  const AttentionPlan two = attention_plan({2, 0, n_heads}, geo, caps, tuning);
  const uint64_t per_tile = two.rows_per_tile / two.heads_per_row_group;
  for (uint64_t tiles = 1;; ++tiles) {
    const auto last = static_cast<uint32_t>(std::min<uint64_t>(tiles * per_tile, top));
    if (last < 2) continue;
    if (!bound_at(last) || last == top) {
      bound_at(top);
      return bytes;
    }
  }
}

void attention(vk::Recorder& rec, const vk::BufferView& q, const KvLayerView& kv,
               const vk::BufferView& out, const vk::BufferView& scratch, const AttentionShape& s,
               const AttentionTuning& t, const vk::BufferView& sinks) {
  const check::OpScope checked(rec, [&] { return check::attention(q, kv, out, s, sinks); });
  const vk::DeviceCaps& caps = rec.caps();
  const KvGeometry& geo = kv.geo;
  const AttentionPlan pl = attention_plan(s, geo, caps, t);
  const uint32_t hd = geo.head_dim;
  const uint64_t qo_floats = uint64_t{s.n_tokens} * s.n_heads * hd;
  const BoundRange bq = bind_elements(caps, q, qo_floats, "attention");
  const BoundRange bo = bind_elements(caps, out, qo_floats, "attention");
  const bool split = pl.n_splits > 1;
  const uint64_t slots = uint64_t{s.n_tokens} * s.n_heads * pl.n_splits;
  const uint64_t o_at = vk::align_up(slots * 2 * 4, vk::binding_alignment(caps));
  BoundRange bml = bo, bpo = bo;
  if (split) {
    require(scratch.size >= pl.scratch_bytes, ErrorKind::InvalidArgument,
            "attention: scratch holds " + std::to_string(scratch.size) + " bytes, " +
                std::to_string(pl.scratch_bytes) + " needed");
    bml = bind_elements(caps, scratch, slots * 2, "attention");
    bpo = bind_elements(caps, scratch.sub(o_at, scratch.size - o_at), slots * hd, "attention");
  }
  const std::string shader =
      std::string("attention_") + to_string(geo.types.k) + "_" + to_string(geo.types.v);
  const vk::Pipeline& p = rec.pipeline(
      {shader,
       {pl.workgroup_size, hd, pl.rows_per_tile, pl.keys_per_tile, pl.heads_per_row_group},
       6,
       sizeof(push::AttentionPush)});
  const bool has_sinks = sinks.buffer != VK_NULL_HANDLE;
  // Without sinks the binding is never read: q stands in for it.
  const BoundRange bs = has_sinks ? bind_elements(caps, sinks, s.n_heads, "attention") : bq;
  const uint32_t key_lo = s.first_key(), kv_len = s.p0 + s.n_tokens;
  const uint64_t k_row = geo.k_row_bytes(), v_row = geo.v_row_bytes();
  require(!s.ring || pl.n_ranges == 1, ErrorKind::Unsupported, "attention: a ring cache larger than one binding");
  for (uint32_t r = 0; r < pl.n_ranges; ++r) {
    const uint32_t first = key_lo + r * pl.range_len;
    const uint32_t n = std::min(pl.range_len, kv_len - first);
    // A ring is bound whole (its rows are not in position order).
    const uint64_t bind_first = s.ring ? 0 : first, bind_n = s.ring ? geo.capacity : n;
    const BoundBytes bk = bind_bytes(caps, kv.k, bind_first * k_row, bind_n * k_row, "attention", t.max_range);
    const BoundBytes bv = bind_bytes(caps, kv.v, bind_first * v_row, bind_n * v_row, "attention", t.max_range);
    const push::AttentionPush pc{s.n_tokens,
                                 s.n_heads,
                                 geo.n_kv_heads,
                                 s.p0,
                                 static_cast<uint32_t>(bind_first),
                                 bk.skip_bytes,
                                 bv.skip_bytes,
                                 first,
                                 first + n,
                                 pl.split_len,
                                 (first - key_lo) / pl.split_len,
                                 pl.n_splits,
                                 1.0f / std::sqrt(static_cast<float>(hd)),
                                 bq.offset,
                                 split ? bpo.offset : bo.offset,
                                 bml.offset,
                                 split ? 1u : 0u,
                                 s.window,
                                 s.ring ? geo.capacity : 0u,
                                 has_sinks ? 1u : 0u,
                                 bs.offset};
    rec.dispatch(
        p, {bq.binding, bk.binding, bv.binding, split ? bpo.binding : bo.binding, bml.binding, bs.binding}, pc,
        pl.tiles, pl.head_groups, ceil_div(n, pl.split_len));
  }
  if (!split) return;
  rec.compute_barrier();
  const uint32_t cwg =
      resolve_workgroup_size(caps, t.combine_workgroup_size, 64, "attention combine");
  require(hd <= 4 * cwg, ErrorKind::InvalidArgument,
          "attention: head_dim exceeds 4 x the combine workgroup");
  const uint32_t rows = s.n_tokens * s.n_heads;
  const push::AttentionCombinePush cpc{rows,      pl.n_splits, hd, bml.offset, bpo.offset, bo.offset,
                                       s.n_heads, has_sinks ? 1u : 0u, bs.offset};
  const vk::Pipeline& cp =
      rec.pipeline({"attention_combine", {cwg}, 4, sizeof(push::AttentionCombinePush)});
  const Grid g = grid_for(caps, rows, 1);
  rec.dispatch(cp, {bml.binding, bpo.binding, bo.binding, bs.binding}, cpc, g.x, g.y);
}

}  // namespace rotary::ops

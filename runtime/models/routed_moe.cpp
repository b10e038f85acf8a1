#include "runtime/models/routed_moe.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "loader/tensor_names.h"
#include "runtime/ops/linear.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/router.h"
#include "shaders/push.h"

namespace rotary {

namespace {
vk::Buffer host_buffer(vk::GpuContext& g, uint64_t bytes, const char* what) {
  return vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::Readback, vk::MemoryUse::Scratch, what);
}
vk::Buffer device_buffer(vk::GpuContext& g, uint64_t bytes, const char* what) {
  return vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::DeviceLocal, vk::MemoryUse::Scratch, what);
}

struct Sizes {
  uint64_t align, logits, ids, weights_off, routing, table_stride, tables, pairs_stride, pairs, h, y, pred, pred_tmp;
  uint64_t slot_map, route_weights, route_stride, routes, route_table;  // the GPU routes
};
Sizes sizes(const ModelHparams& h, uint32_t max_tokens, const vk::DeviceCaps& caps) {
  Sizes s{};
  s.align = vk::binding_alignment(caps);
  const uint64_t k = h.n_expert_used, nk = uint64_t{max_tokens} * k;
  s.logits = uint64_t{max_tokens} * h.n_expert * 4;
  s.ids = nk * 4;
  s.weights_off = vk::align_up(s.ids, s.align);
  s.routing = s.weights_off + nk * 4;
  s.table_stride = vk::align_up(std::max<uint64_t>(h.n_expert, k) * sizeof(ops::ExpertSlot), s.align);
  s.tables = s.table_stride * h.n_layer;
  s.pairs_stride = vk::align_up(nk * 4, s.align);
  s.pairs = s.pairs_stride * h.n_layer;
  s.h = nk * h.n_ff_exp * 4;
  s.y = nk * h.n_embd * 4;
  s.pred = vk::align_up(k * 4, s.align) + k * 4;
  s.pred_tmp = vk::align_up(uint64_t{h.n_embd} * 4, s.align) + uint64_t{h.n_expert} * 4;
  s.slot_map = uint64_t{h.n_layer} * h.n_expert * sizeof(ops::ExpertSlot);
  s.route_weights = vk::align_up(k * 4, s.align);
  s.route_stride = 2 * s.route_weights;
  s.routes = s.route_stride * h.n_layer;
  s.route_table = k * sizeof(ops::ExpertSlot);
  return s;
}
}  // namespace

uint64_t RoutedMoe::scratch_bytes(const ModelHparams& h, uint32_t max_tokens, const vk::DeviceCaps& caps) {
  const Sizes s = sizes(h, max_tokens, caps);
  return s.logits + s.routing + s.tables + s.pairs + s.h + s.y + s.pred + s.pred_tmp + s.slot_map + s.routes +
         s.route_table + 11 * s.align;
}

RoutedMoe::RoutedMoe(vk::GpuContext& gpu, const DenseWeights& weights, const ModelHparams& h, uint32_t max_tokens,
                     const RoutedMoeOptions& options, std::string ffn_norm)
    : gpu_(gpu), weights_(weights), h_(h), gpt_oss_(h.arch == Architecture::GptOss), options_(options),
      ffn_norm_(std::move(ffn_norm)),
      max_tokens_(max_tokens), stamps_(options.timestamps ? StampLog(gpu.device(), -1) : StampLog()) {
  stats_.wait_timed = stamps_.enabled();
  const Sizes s = sizes(h, max_tokens, gpu.caps());
  table_stride_ = s.table_stride;
  pairs_stride_ = s.pairs_stride;
  weights_offset_ = s.weights_off;
  router_logits_ = device_buffer(gpu, s.logits, "router logits");
  routing_ = host_buffer(gpu, s.routing, "routing choices");
  prediction_ = host_buffer(gpu, s.pred, "predicted routing");
  predict_tmp_ = device_buffer(gpu, s.pred_tmp, "prediction scratch");
  tables_ = vk::Buffer::create(gpu.device(), &gpu.budget(), s.tables, vk::MemoryKind::Upload, vk::MemoryUse::Scratch,
                               "expert slot tables");
  pairs_ = vk::Buffer::create(gpu.device(), &gpu.budget(), s.pairs, vk::MemoryKind::Upload, vk::MemoryUse::Scratch,
                              "expert token pairs");
  h_buf_ = device_buffer(gpu, s.h, "expert hidden");
  y_buf_ = device_buffer(gpu, s.y, "expert outputs");
  slot_map_ = device_buffer(gpu, s.slot_map, "expert slot map");
  routes_ = host_buffer(gpu, s.routes, "routing choices per layer");
  route_table_ = device_buffer(gpu, s.route_table, "routed slot table");
  route_stride_ = s.route_stride;
  route_weights_ = s.route_weights;
  predicted_.resize(h.n_layer);
  record_buffer_.resize(h.n_layer);
}

void RoutedMoe::attach(ExpertProvider& experts) {
  cache_ = &experts;
  gpu_routes_ = experts.all_resident() && !options_.replay;
  if (!gpu_routes_) return;
  std::vector<ops::ExpertSlot> map = experts.slot_map();
  require(map.size() == uint64_t{h_.n_layer} * h_.n_expert, ErrorKind::Internal, "expert slot map of the wrong size");
  for (size_t i = 0; i < map.size(); ++i) map[i].expert = static_cast<uint32_t>(i % h_.n_expert);
  const uint64_t bytes = map.size() * sizeof(ops::ExpertSlot);
  vk::Buffer staging = vk::Buffer::create(gpu_.device(), &gpu_.budget(), bytes, vk::MemoryKind::Upload,
                                          vk::MemoryUse::Staging, "expert slot map (staging)");
  std::memcpy(staging.mapped(), map.data(), bytes);
  staging.flush(0, bytes);
  gpu_.compute().run_now([&](vk::Recorder& rec) {
    rec.upload(staging.view(), slot_map_.view(0, bytes));
    rec.barrier(vk::access::kTransferWrite, vk::access::kComputeRead);
  });
}

void RoutedMoe::add_router_bias(vk::Recorder& rec, uint32_t layer, const vk::BufferView& logits, uint32_t n) {
  if (!gpt_oss_) return;
  ops::add_bias(rec, {logits}, weights_.vector(block_tensor(layer, "ffn_gate_inp.bias")), {logits}, h_.n_expert, n);
  rec.compute_barrier();
}

ops::RouterShape RoutedMoe::router_shape(uint32_t n) const {
  ops::RouterShape s{n, h_.n_expert, h_.n_expert_used, true};
  s.softmax_chosen = gpt_oss_;
  return s;
}

ops::ExpertLayer RoutedMoe::expert_layer(uint32_t layer) const {
  ops::ExpertLayer v = cache_->layer_view(layer);
  if (!gpt_oss_) return v;
  v.gate_bias = weights_.vector(block_tensor(layer, "ffn_gate_exps.bias"));
  v.up_bias = weights_.vector(block_tensor(layer, "ffn_up_exps.bias"));
  v.down_bias = weights_.vector(block_tensor(layer, "ffn_down_exps.bias"));
  v.activation = ops::ExpertActivation::SwigluOai;
  return v;
}

void RoutedMoe::record_router(vk::Recorder& rec, uint32_t layer, uint32_t n, const vk::BufferView& xn) {
  const ops::WeightView router = weights_.matrix(block_tensor(layer, "ffn_gate_inp.weight"));
  const vk::BufferView logits = router_logits_.view(0, uint64_t{n} * h_.n_expert * 4);
  ops::linear(rec, router, xn, logits, n);
  rec.compute_barrier();
  add_router_bias(rec, layer, logits, n);
  const uint64_t nk = uint64_t{n} * h_.n_expert_used * 4;
  ops::router_topk(rec, logits, routing_.view(0, nk), routing_.view(weights_offset_, nk), router_shape(n));
  rec.barrier(vk::access::kComputeWrite, {VK_PIPELINE_STAGE_2_HOST_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                                          VK_ACCESS_2_HOST_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT});
}

void RoutedMoe::record_prediction(vk::Recorder& rec, uint32_t layer, const vk::BufferView& input) {
  const uint32_t next = layer + 1;
  const uint64_t logits_off = vk::align_up(uint64_t{h_.n_embd} * 4, vk::binding_alignment(gpu_.caps()));
  const vk::BufferView normed = predict_tmp_.view(0, uint64_t{h_.n_embd} * 4);
  const vk::BufferView logits = predict_tmp_.view(logits_off, uint64_t{h_.n_expert} * 4);
  ops::rms_norm(rec, input, weights_.vector(block_tensor(next, ffn_norm_ + ".weight")), normed,
                {1, h_.n_embd, h_.rms_eps});
  rec.compute_barrier();
  ops::matvec(rec, weights_.matrix(block_tensor(next, "ffn_gate_inp.weight")), normed, logits);
  rec.compute_barrier();
  add_router_bias(rec, next, logits, 1);
  const uint64_t k4 = uint64_t{h_.n_expert_used} * 4;
  const uint64_t w_off = vk::align_up(k4, vk::binding_alignment(gpu_.caps()));
  ops::router_topk(rec, logits, prediction_.view(0, k4), prediction_.view(w_off, k4), router_shape(1));
  rec.barrier(vk::access::kComputeWrite, vk::access::kHostRead);
}

// router.comp flagged a NaN or infinite router logit: the first layer whose router sees one. The
// file's weights are the usual cause (a finite model does not overflow f32 activations).
Error RoutedMoe::non_finite(uint32_t layer, uint32_t pos) const {
  return Error(ErrorKind::InvalidModel,
               "the activations became non-finite (NaN or infinity) at layer " + std::to_string(layer) +
                   ", token position " + std::to_string(pos) + ": op router_topk found non-finite router logits (" +
                   block_tensor(layer, "ffn_gate_inp.weight") + " times the layer's normed input, " +
                   block_tensor(layer, ffn_norm_ + ".weight") + "); the cause is in that layer's mixer, its norms or " +
                   "router, or an earlier layer. The model's weights hold NaN or infinite values (or values that " +
                   "overflow): the file is broken");
}

std::vector<uint32_t> RoutedMoe::chosen_ids(uint32_t layer, uint32_t pos, uint32_t n) {
  const uint32_t k = h_.n_expert_used;
  const uint64_t nk = uint64_t{n} * k;
  routing_.invalidate(0, routing_.size());
  std::vector<uint32_t> ids(nk);
  if (options_.replay) {
    const RoutingTrace& t = *options_.replay;
    require(t.layers == h_.n_layer && t.k == k && t.experts == h_.n_expert, ErrorKind::InvalidArgument,
            "the routing trace was recorded for a model of another shape");
    require(pos + n <= t.tokens(), ErrorKind::InvalidArgument,
            "the routing trace holds " + std::to_string(t.tokens()) + " tokens; this run needs " +
                std::to_string(pos + n));
    // The trace's experts replace the router's, with equal weights: a replayed run measures
    // residency on a real expert sequence; its text is not the model's.
    auto* weights = reinterpret_cast<float*>(routing_.mapped() + weights_offset_);
    for (uint32_t i = 0; i < n; ++i) {
      const auto c = t.choices(pos + i, layer);
      for (uint32_t j = 0; j < k; ++j) {
        ids[i * k + j] = c[j];
        weights[i * k + j] = 1.0f / static_cast<float>(k);
      }
    }
    routing_.flush(weights_offset_, nk * 4);
  } else {
    std::memcpy(ids.data(), routing_.mapped(), nk * 4);
    for (uint64_t i = 0; i < nk; ++i) {
      if (ids[i] == ROUTER_NON_FINITE) throw non_finite(layer, pos + static_cast<uint32_t>(i / k));
      require(ids[i] < h_.n_expert, ErrorKind::Internal, "router chose expert " + std::to_string(ids[i]) + " (out of range)");
    }
  }
  record_choices(layer, ids, n);
  return ids;
}

void RoutedMoe::record_choices(uint32_t layer, std::span<const uint32_t> ids, uint32_t n) {
  if (!options_.record) return;
  auto& buf = record_buffer_[layer];
  buf.insert(buf.end(), ids.begin(), ids.end());
  if (layer == 0) record_tokens_ += n;
}

void RoutedMoe::flush_record() {
  if (!options_.record || record_tokens_ == 0) return;
  const uint32_t k = h_.n_expert_used;
  for (uint32_t t = 0; t < record_tokens_; ++t)
    for (uint32_t l = 0; l < h_.n_layer; ++l)
      options_.record->append(l, std::span<const uint32_t>(record_buffer_[l].data() + uint64_t{t} * k, k));
  for (auto& b : record_buffer_) b.clear();
  record_tokens_ = 0;
}

void RoutedMoe::run(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n, const vk::BufferView& xn,
                    const vk::BufferView& x, const vk::BufferView& predict_input) {
  require(n >= 1 && n <= max_tokens_ && cache_, ErrorKind::Internal, "routed MoE: bad token count or no residency");
  if (n == 1 && gpu_routes_) {
    run_routed(rec, layer, pos, xn, x);
    return;
  }
  record_router(rec, layer, n, xn);
  const bool predict = options_.prefetch && cache_->uses_prefetch() && n == 1 && predict_input &&
                       layer + 1 < h_.n_layer && !options_.replay;
  if (predict) record_prediction(rec, layer, predict_input);
  gpu_.compute().queue().wait(gpu_.compute().submit(rec));
  rec = gpu_.compute().begin();
  const std::vector<uint32_t> ids = chosen_ids(layer, pos, n);

  if (n > 1) {
    run_prefill(rec, layer, n, xn, ids);
  } else {
    const uint64_t last = run_decode(rec, layer, xn, ids);
    // Prefetch while this layer's experts are still pinned: a prediction never evicts them.
    if (predict) {
      prediction_.invalidate(0, prediction_.size());
      std::vector<uint32_t> p(h_.n_expert_used);
      std::memcpy(p.data(), prediction_.mapped(), p.size() * 4);
      // A non-finite prediction is left to the next layer's own router to report.
      if (std::all_of(p.begin(), p.end(), [&](uint32_t id) { return id < h_.n_expert; })) {
        predicted_[layer + 1] = p;
        cache_->prefetch(layer + 1, p);
      }
    }
    cache_->release(last);
  }
  ++stats_.layer_steps;
  // Everything above left `rec` ready for the combine.
  ops::expert_combine(rec, y_buf_.view(0, uint64_t{n} * h_.n_expert_used * h_.n_embd * 4), n, h_.n_expert_used,
                      h_.n_embd, x, x);
  rec.compute_barrier();
}

// One token, every expert resident: the router's ids become slots on the GPU, nothing waits.
void RoutedMoe::run_routed(vk::Recorder& rec, uint32_t layer, uint32_t pos, const vk::BufferView& xn,
                           const vk::BufferView& x) {
  if (layer == 0) {
    read_routes();  // a previous step that asked for no logits, not read yet
    routes_pos_ = pos;
  }
  const uint32_t k = h_.n_expert_used;
  const vk::BufferView logits = router_logits_.view(0, uint64_t{h_.n_expert} * 4);
  ops::matvec(rec, weights_.matrix(block_tensor(layer, "ffn_gate_inp.weight")), xn, logits);
  rec.compute_barrier();
  add_router_bias(rec, layer, logits, 1);
  const vk::BufferView ids = routes_.view(layer * route_stride_, k * 4ull);
  const vk::BufferView weights = routes_.view(layer * route_stride_ + route_weights_, k * 4ull);
  ops::router_topk(rec, logits, ids, weights, router_shape(1));
  rec.compute_barrier();
  ops::expert_route(rec, ids, k, slot_map_.view(), layer * h_.n_expert, h_.n_expert, route_table_.view());
  rec.compute_barrier();
  const ops::ExpertLayer view = expert_layer(layer);
  const ops::ExpertEntries entries{route_table_.view(), 0, k};
  const vk::BufferView hv = h_buf_.view(0, uint64_t{k} * h_.n_ff_exp * 4), y = y_buf_.view(0, uint64_t{k} * h_.n_embd * 4);
  ops::expert_gate_up(rec, view, entries, xn, hv, k);
  rec.compute_barrier();
  ops::expert_down(rec, view, entries, hv, weights, y, k);
  rec.compute_barrier();
  ops::expert_combine(rec, y, 1, k, h_.n_embd, x, x);
  // The ids are read by the host once the step has run (read_routes).
  rec.barrier(vk::access::kComputeWrite, {VK_PIPELINE_STAGE_2_HOST_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                                          VK_ACCESS_2_HOST_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT |
                                              VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT});
  ++stats_.layer_steps;
  ++stats_.dispatch_groups;
  routes_pending_ = true;
}

void RoutedMoe::read_routes() {
  if (!routes_pending_) return;
  vk::Queue& q = gpu_.compute().queue();
  if (!q.done(q.last_submitted())) q.wait_idle();
  routes_pending_ = false;
  routes_.invalidate(0, routes_.size());
  const uint32_t k = h_.n_expert_used;
  std::vector<uint32_t> ids(k);
  for (uint32_t l = 0; l < h_.n_layer; ++l) {
    std::memcpy(ids.data(), routes_.mapped() + l * route_stride_, k * 4ull);
    for (uint32_t id : ids) {
      if (id == ROUTER_NON_FINITE) throw non_finite(l, routes_pos_);
      require(id < h_.n_expert, ErrorKind::Internal, "router chose expert " + std::to_string(id) + " (out of range)");
    }
    cache_->note_routed(l, ids);
    record_choices(l, ids, 1);
  }
}

uint64_t RoutedMoe::run_decode(vk::Recorder& rec, uint32_t layer, const vk::BufferView& xn,
                               std::span<const uint32_t> ids) {
  auto& pred = predicted_[layer];
  if (!pred.empty()) {
    ++stats_.predictions;
    stats_.predicted_total += pred.size();
    for (uint32_t id : ids) stats_.predicted_correct += std::count(pred.begin(), pred.end(), id) > 0;
    pred.clear();
  }
  std::vector<ExpertProvider::Acquired> entries = cache_->acquire(layer, ids);
  for (uint32_t j = 0; j < entries.size(); ++j) {
    entries[j].slot.k_index = j;
    entries[j].slot.expert = ids[j];
  }
  return dispatch_groups(rec, layer, entries, 0, 1, xn, false, 0);
}

void RoutedMoe::run_prefill(vk::Recorder& rec, uint32_t layer, uint32_t n, const vk::BufferView& xn,
                            std::span<const uint32_t> ids) {
  // Group the (token, choice) slots by expert, in expert order (deterministic).
  std::map<uint32_t, std::vector<uint32_t>> by_expert;
  for (uint32_t s = 0; s < ids.size(); ++s) by_expert[ids[s]].push_back(s);
  auto* pairs = reinterpret_cast<uint32_t*>(pairs_.mapped() + layer * pairs_stride_);
  std::vector<uint32_t> experts;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // first_pair, pair_count per expert
  uint32_t at = 0;
  for (const auto& [e, slots] : by_expert) {
    experts.push_back(e);
    ranges.push_back({at, static_cast<uint32_t>(slots.size())});
    for (uint32_t s : slots) pairs[at++] = s;
  }
  pairs_.flush(layer * pairs_stride_, uint64_t{at} * 4);
  // Waves of at most a pool's worth of experts.
  const uint32_t wave = cache_->capacity();
  for (uint32_t first = 0; first < experts.size(); first += wave) {
    const uint32_t count = std::min<uint32_t>(wave, static_cast<uint32_t>(experts.size()) - first);
    std::vector<ExpertProvider::Acquired> entries =
        cache_->acquire(layer, std::span<const uint32_t>(experts.data() + first, count));
    uint32_t max_pairs = 0;
    for (uint32_t j = 0; j < count; ++j) {
      entries[j].slot.expert = experts[first + j];
      entries[j].slot.first_pair = ranges[first + j].first;
      entries[j].slot.pair_count = ranges[first + j].second;
      max_pairs = std::max(max_pairs, ranges[first + j].second);
    }
    cache_->release(dispatch_groups(rec, layer, entries, first, n, xn, true, max_pairs));
  }
}

// Orders the entries ready-first, writes them to the layer's table, and submits one dispatch
// group for the ready ones and one per pending upload, each waiting for exactly its experts.
uint64_t RoutedMoe::dispatch_groups(vk::Recorder& rec, uint32_t layer, std::vector<ExpertProvider::Acquired>& entries,
                                    uint32_t table_first, uint32_t n, const vk::BufferView& xn, bool batched,
                                    uint32_t max_pairs) {
  const uint64_t done = cache_->upload_queue().timeline().value();
  std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
    const uint64_t ra = a.ready <= done ? 0 : a.ready, rb = b.ready <= done ? 0 : b.ready;
    return ra < rb;
  });
  // Each dispatch reads its own entries: earlier waves of this layer may still be running, so a
  // wave writes the range [table_first, table_first + entries) of the layer's table.
  auto* table = reinterpret_cast<ops::ExpertSlot*>(tables_.mapped() + layer * table_stride_) + table_first;
  std::vector<Group> groups;  // consecutive entries with one readiness key
  uint64_t group_key = UINT64_MAX;
  for (uint32_t j = 0; j < entries.size(); ++j) {
    table[j] = entries[j].slot;
    const uint64_t key = entries[j].ready <= done ? 0 : entries[j].ready;
    if (groups.empty() || key != group_key) {
      groups.push_back({table_first + j, 0, 0});
      group_key = key;
    }
    groups.back().count++;
    groups.back().ready = std::max(groups.back().ready, entries[j].ready);
  }
  tables_.flush(layer * table_stride_ + table_first * sizeof(ops::ExpertSlot), entries.size() * sizeof(ops::ExpertSlot));

  const ops::ExpertLayer view = expert_layer(layer);
  const uint32_t k = h_.n_expert_used;
  const vk::BufferView table_view = tables_.view(layer * table_stride_, table_stride_);
  const uint64_t nk = uint64_t{n} * k;
  const vk::BufferView h = h_buf_.view(0, nk * h_.n_ff_exp * 4), y = y_buf_.view(0, nk * h_.n_embd * 4);
  const vk::BufferView route_weights = routing_.view(weights_offset_, nk * 4);
  uint64_t last = 0;
  if (stamps_.nearly_full()) collect_timing();
  // The end of the work before the first dispatch group: when that group waits for an upload,
  // the gap to its start is upload wait. (An empty submission when nothing was ready.)
  int32_t previous_end = -1;
  if (!groups.empty() && groups.front().ready > done && stamps_.enabled()) {
    previous_end = stamps_.stamp(rec, false);
    gpu_.compute().submit(rec);
    rec = gpu_.compute().begin();
  }
  for (const Group& g : groups) {
    const ops::ExpertEntries range{table_view, g.first, g.count};
    const int32_t start = stamps_.stamp(rec, true);
    if (g.ready > done && previous_end >= 0) waits_.push_back({previous_end, start});
    if (batched) {
      const ops::ExpertRouting routing{pairs_.view(layer * pairs_stride_, pairs_stride_), n, k, max_pairs};
      ops::expert_gate_up_batched(rec, view, range, routing, xn, h);
      rec.compute_barrier();
      ops::expert_down_batched(rec, view, range, routing, h, route_weights, y);
    } else {
      ops::expert_gate_up(rec, view, range, xn, h, k);
      rec.compute_barrier();
      ops::expert_down(rec, view, range, h, route_weights, y, k);
    }
    rec.compute_barrier();
    previous_end = stamps_.stamp(rec, false);
    // Wait for exactly this group's uploads (already signalled for the ready group: free).
    const vk::SemaphoreWait wait{&cache_->upload_queue().timeline(), g.ready, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT};
    last = gpu_.compute().submit(rec, {&wait, g.ready ? 1u : 0u});
    rec = gpu_.compute().begin();
    ++stats_.dispatch_groups;
  }
  return last;
}

}  // namespace rotary

namespace rotary {

void RoutedMoe::collect_timing() {
  for (const auto& [end, start] : waits_) {
    const double ns = stamps_.ns(end, start);
    if (ns < 1e12) stats_.upload_wait_seconds += ns * 1e-9;  // a "negative" gap wraps: no wait
  }
  waits_.clear();
  stamps_.clear();
}

}  // namespace rotary

#include "runtime/residency/expert_cache.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace rotary {

ExpertCache::ExpertCache(vk::GpuContext& gpu, const ExpertSource& source, ExpertSlotPool pool,
                         const CacheOptions& options)
    : gpu_(gpu), source_(source), pool_(std::move(pool)), upload_(&gpu.transfer()), slots_(pool_.slots()),
      stamps_(options.timestamps ? StampLog(gpu.device(), static_cast<int32_t>(gpu.transfer().queue().family()))
                                 : StampLog()) {
  stats_.upload_timed = stamps_.enabled();
  if (options.zero_copy)
    windows_ = FileWindows::import(gpu.device(), source.file_bytes(), source.all_tensor_spans(),
                                   source.max_matrix_bytes(), 256ull << 20);
  if (!windows_)
    ring_.emplace(gpu.device(), &gpu.budget(), std::max<uint64_t>(options.staging_bytes, pool_.layout().slot_bytes),
                  gpu.transfer().queue());
  PolicyOptions po;
  po.slots = pool_.slots();
  po.future = options.future;
  policy_ = make_policy(options.policy, po);
  for (uint32_t s = pool_.slots(); s-- > 0;) free_.push_back(s);
}

ops::ExpertLayer ExpertCache::layer_view(uint32_t layer) const {
  return {pool_.pages(), source_.gate_up_type(layer), source_.down_type(layer), source_.n_embd(), source_.n_ff()};
}

ops::ExpertSlot ExpertCache::address(uint32_t slot) const {
  const uint32_t page = pool_.page_of(slot);
  const uint64_t base = pool_.offset_of(slot);
  const SlotLayout& l = pool_.layout();
  auto u32 = [](uint64_t v) { return static_cast<uint32_t>(v); };
  return {0, 0, 0, page, u32(base + l.gate_offset), page, u32(base + l.up_offset), page, u32(base + l.down_offset)};
}

std::optional<uint32_t> ExpertCache::take_slot() {
  if (!free_.empty()) {
    const uint32_t s = free_.back();
    free_.pop_back();
    return s;
  }
  const auto victim = policy_->victim([&](ExpertKey k) { return slots_[where_.at(k)].pinned; });
  if (!victim) return std::nullopt;
  const uint32_t s = where_.at(*victim);
  policy_->on_evict(*victim);
  where_.erase(*victim);
  slots_[s].used = false;
  ++stats_.evictions;
  return s;
}

void ExpertCache::record_staged_copies(vk::Recorder& rec, const ExpertMatrices& m, const vk::BufferView& dst) {
  const SlotLayout& l = pool_.layout();
  const vk::BufferView stage = ring_->alloc(l.down_offset + m.down.size());
  // The decode thread copies the expert from the file's pages into staging: CPU work on the
  // schedule (a recording copies nothing: no kernel would read the bytes).
  if (vk::ScheduleLog* log = gpu_.device().schedule_tap().log)
    log->cpu_work("expert memcpy into staging", {m.bytes(), m.bytes(), 0});
  if (!gpu_.device().record_only()) {
    std::memcpy(stage.mapped + l.gate_offset, m.gate.data(), m.gate.size());
    std::memcpy(stage.mapped + l.up_offset, m.up.data(), m.up.size());
    std::memcpy(stage.mapped + l.down_offset, m.down.data(), m.down.size());
  }
  rec.upload(stage.sub(l.gate_offset, m.gate.size()), dst.sub(l.gate_offset, m.gate.size()));
  rec.upload(stage.sub(l.up_offset, m.up.size()), dst.sub(l.up_offset, m.up.size()));
  rec.upload(stage.sub(l.down_offset, m.down.size()), dst.sub(l.down_offset, m.down.size()));
}

void ExpertCache::record_direct_copies(vk::Recorder& rec, const ExpertMatrices& m, const vk::BufferView& dst) {
  const SlotLayout& l = pool_.layout();
  const std::pair<std::span<const std::byte>, uint64_t> parts[] = {
      {m.gate, l.gate_offset}, {m.up, l.up_offset}, {m.down, l.down_offset}};
  for (const auto& [bytes, offset] : parts) {
    const FileWindows::Location at = windows_->locate(bytes);
    rec.upload(windows_->view(at.window).sub(at.offset, bytes.size()), dst.sub(offset, bytes.size()));
  }
}

uint64_t ExpertCache::upload(uint32_t slot, ExpertKey key) {
  const ExpertMatrices m = source_.matrices(key.layer, key.expert);
  const vk::BufferView dst = pool_.slot_view(slot);
  if (stamps_.nearly_full()) collect_timing();
  vk::Recorder rec = upload_->begin();
  const int32_t start = stamps_.stamp(rec, true);
  if (windows_) record_direct_copies(rec, m, dst);
  else record_staged_copies(rec, m, dst);
  timed_.push_back({start, stamps_.stamp(rec, false)});
  // Write-after-read: the slot's previous expert may still be read by submitted compute work.
  const vk::SemaphoreWait wait{&gpu_.compute().queue().timeline(), slots_[slot].last_use,
                               VK_PIPELINE_STAGE_2_TRANSFER_BIT};
  const uint64_t value = upload_->submit(rec, {&wait, slots_[slot].last_use ? 1u : 0u});
  if (ring_) ring_->retire(value);
  ++stats_.uploads;
  stats_.bytes_uploaded += m.bytes();
  return value;
}

std::vector<ExpertCache::Acquired> ExpertCache::acquire(uint32_t layer, std::span<const uint32_t> experts) {
  std::vector<Acquired> out;
  out.reserve(experts.size());
  for (uint32_t e : experts) {
    const ExpertKey key{static_cast<uint16_t>(layer), static_cast<uint16_t>(e)};
    ++stats_.accesses;
    policy_->on_access(key);
    auto it = where_.find(key);
    uint32_t s;
    bool hit = it != where_.end();
    if (hit) {
      s = it->second;
      ++stats_.hits;
      if (slots_[s].prefetched) {
        ++stats_.prefetch_hits;
        ++stats_.prefetch_used;
        slots_[s].prefetched = false;
      }
    } else {
      const auto taken = take_slot();
      if (!taken)
        throw Error(ErrorKind::Internal, "expert slot pool of " + std::to_string(pool_.slots()) +
                                             " slots cannot hold the " + std::to_string(experts.size()) +
                                             " experts of one layer step");
      s = *taken;
      slots_[s] = Slot{true, key, upload(s, key), slots_[s].last_use, false, false};
      where_[key] = s;
      policy_->on_insert(key);
    }
    if (!slots_[s].pinned) {
      slots_[s].pinned = true;
      pinned_.push_back(s);
    }
    Acquired a{address(s), slots_[s].ready, hit};
    out.push_back(a);
  }
  return out;
}

void ExpertCache::release(uint64_t compute_value) {
  for (uint32_t s : pinned_) {
    slots_[s].pinned = false;
    slots_[s].last_use = std::max(slots_[s].last_use, compute_value);
  }
  pinned_.clear();
}

uint32_t ExpertCache::prefetch(uint32_t layer, std::span<const uint32_t> experts) {
  uint32_t started = 0;
  for (uint32_t e : experts) {
    const ExpertKey key{static_cast<uint16_t>(layer), static_cast<uint16_t>(e)};
    if (where_.count(key)) continue;
    const auto taken = take_slot();
    if (!taken) break;
    const uint32_t s = *taken;
    slots_[s] = Slot{true, key, upload(s, key), slots_[s].last_use, false, true};
    where_[key] = s;
    policy_->on_insert(key);
    ++stats_.prefetch_uploads;
    ++started;
  }
  return started;
}

bool ExpertCache::preload_all() {
  const uint32_t layers = source_.layers(), experts = source_.experts();
  if (all_resident_ || uint64_t{layers} * experts > pool_.slots()) return all_resident_;
  for (uint32_t l = 0; l < layers; ++l)
    for (uint32_t e = 0; e < experts; ++e) {
      const ExpertKey key{static_cast<uint16_t>(l), static_cast<uint16_t>(e)};
      if (where_.count(key)) continue;
      const uint32_t s = *take_slot();  // a free slot: there is one for every expert
      slots_[s] = Slot{true, key, upload(s, key), slots_[s].last_use, false, false};
      where_[key] = s;
      policy_->on_insert(key);
      ++stats_.preloaded;
    }
  upload_->queue().wait_idle();
  // The run's statistics start after loading: the preload is neither uploads nor upload time.
  collect_timing();
  stats_.uploads = stats_.bytes_uploaded = 0;
  stats_.upload_gpu_seconds = 0;
  all_resident_ = true;
  return true;
}

std::vector<ops::ExpertSlot> ExpertCache::slot_map() const {
  std::vector<ops::ExpertSlot> map;
  if (!all_resident_) return map;
  for (uint32_t l = 0; l < source_.layers(); ++l)
    for (uint32_t e = 0; e < source_.experts(); ++e)
      map.push_back(address(where_.at({static_cast<uint16_t>(l), static_cast<uint16_t>(e)})));
  return map;
}

void ExpertCache::note_routed(uint32_t layer, std::span<const uint32_t> experts) {
  for (uint32_t e : experts) {
    ++stats_.accesses;
    ++stats_.hits;
    policy_->on_access({static_cast<uint16_t>(layer), static_cast<uint16_t>(e)});
  }
}

}  // namespace rotary

namespace rotary {

void ExpertCache::collect_timing() {
  for (const auto& [start, end] : timed_) stats_.upload_gpu_seconds += stamps_.ns(start, end) * 1e-9;
  timed_.clear();
  stamps_.clear();
}

}  // namespace rotary

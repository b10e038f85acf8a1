#include "runtime/models/dense_weights.h"

#include <algorithm>
#include <cstring>

#include "base/progress.h"
#include "loader/model_catalog.h"
#include "runtime/ops/weight_types.h"
#include "runtime/vk/staging.h"

namespace rotary {

bool DenseWeights::wanted(const GgufTensorInfo& t, const ModelHparams& h) {
  if (is_routed_expert_tensor(t.name)) return false;
  const auto block = tensor_block_index(t.name);
  return !(block && h.is_mtp(*block));
}

uint64_t DenseWeights::planned_bytes(const GgufFile& file, const ModelHparams& h, const vk::DeviceCaps& caps) {
  const uint64_t align = vk::binding_alignment(caps);
  uint64_t total = 0;
  for (const auto& t : file.tensors())
    if (wanted(t, h)) total += vk::align_up(t.n_bytes, align);
  return total;
}

uint64_t DenseWeights::lookup_table_bytes(const GgufFile& file) {
  for (const auto& t : file.tensors())
    if (ops::weight_type_reads_tables(t.type)) return vk::ShaderTables::bytes();
  return 0;
}

DenseWeights DenseWeights::load(vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h, bool progress) {
  if (lookup_table_bytes(file)) (void)gpu.pipelines().tables();
  DenseWeights w(vk::WeightArena(gpu.device(), &gpu.budget(), vk::MemoryUse::Weights));
  const uint64_t total = planned_bytes(file, h, gpu.caps());
  w.arena_.reserve(total, "dense weights");

  const uint64_t ring_bytes = 64ull << 20, piece = 16ull << 20;
  vk::StagingRing ring(gpu.device(), &gpu.budget(), ring_bytes, gpu.compute().queue());
  ProgressBar bar("loading weights", total, progress);
  uint64_t done = 0;
  vk::Recorder rec = gpu.compute().begin();
  uint64_t in_batch = 0;
  auto flush = [&](bool last) {
    if (last) rec.barrier(vk::access::kTransferWrite, vk::access::kComputeRead);
    ring.retire(gpu.compute().submit(rec));
    if (!last) rec = gpu.compute().begin();
    in_batch = 0;
  };
  for (const auto& t : file.tensors()) {
    if (!wanted(t, h)) continue;
    const vk::BufferView dst = w.arena_.alloc(t.n_bytes, t.name);
    for (uint64_t off = 0; off < t.n_bytes; off += piece) {
      const uint64_t n = std::min(piece, t.n_bytes - off);
      if (in_batch + n > ring_bytes / 2) flush(false);
      const vk::BufferView s = ring.alloc(n);
      if (!gpu.device().record_only()) std::memcpy(s.mapped, t.data.data() + off, n);  // nothing will read it
      rec.upload(s, dst.sub(off, n));
      in_batch += n;
      bar.update(done += n);
    }
    w.tensors_.emplace(t.name, Entry{dst, t.type, t.shape});
  }
  flush(true);
  gpu.compute().queue().wait_idle();
  bar.finish();
  return w;
}

const DenseWeights::Entry& DenseWeights::entry(std::string_view name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(ErrorKind::InvalidModel, "the model has no tensor " + std::string(name));
  return it->second;
}

ops::WeightView DenseWeights::matrix(std::string_view name) const {
  const Entry& e = entry(name);
  uint64_t rows = 1;
  for (size_t i = 1; i < e.shape.size(); ++i) rows *= e.shape[i];
  return {e.view, e.type, static_cast<uint32_t>(e.shape.empty() ? 0 : e.shape[0]), static_cast<uint32_t>(rows)};
}

vk::BufferView DenseWeights::vector(std::string_view name) const {
  const Entry& e = entry(name);
  require(e.type == GgmlType::F32, ErrorKind::Unsupported,
          std::string(name) + " is " + std::string(ggml_type_name(e.type)) + "; rotary expects F32 here");
  return e.view;
}

}  // namespace rotary

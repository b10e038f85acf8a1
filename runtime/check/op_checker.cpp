#include "runtime/check/op_checker.h"

#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace rotary::check {

namespace {
// Everything an op before or after may have done to a buffer the checker reads: compute writes,
// transfer writes (copies, fills), host writes (tables, token ids: visible at submission).
constexpr vk::Access kAnyWrite{
    VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_TRANSFER_BIT,
    VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT};
// Everything that may come after the checker's copies and write what they read.
constexpr vk::Access kAnyLater{
    VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_TRANSFER_BIT,
    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT |
        VK_ACCESS_2_TRANSFER_WRITE_BIT};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string ordinal(uint32_t n) {
  const uint32_t mod100 = n % 100, mod10 = n % 10;
  const char* suffix = (mod100 >= 11 && mod100 <= 13) ? "th"
                       : mod10 == 1                   ? "st"
                       : mod10 == 2                   ? "nd"
                       : mod10 == 3                   ? "rd"
                                                      : "th";
  return std::to_string(n) + suffix;
}
}  // namespace

OpChecker::OpChecker(vk::GpuContext& gpu, const CheckOptions& options)
    : gpu_(gpu), options_(options) {}

void OpChecker::add_weight(const vk::BufferView& gpu, std::span<const std::byte> file_bytes,
                           std::string name) {
  require(gpu.size == file_bytes.size(), ErrorKind::Internal,
          "check-ops: " + name + ": VRAM and file sizes differ");
  weights_[gpu.buffer][gpu.offset] = Weight{gpu.size, file_bytes, std::move(name)};
}

void OpChecker::set_label(std::string label) {
  label_ = std::move(label);
  counts_.clear();
}

const OpChecker::Weight* OpChecker::find_weight(const vk::BufferView& view, uint64_t& skip) const {
  const auto b = weights_.find(view.buffer);
  if (b == weights_.end()) return nullptr;
  auto it = b->second.upper_bound(view.offset);
  if (it == b->second.begin()) return nullptr;
  --it;
  if (view.offset + view.size > it->first + it->second.size) return nullptr;
  skip = view.offset - it->first;
  return &it->second;
}

void OpChecker::submit_and_wait(vk::Recorder& rec) {
  // Expert uploads may still be in flight on the transfer queue; the model's own submissions wait
  // for exactly theirs, the checker's for all of them (its copies and the op may read any slot).
  const vk::Queue& uploads = gpu_.transfer().queue();
  const vk::SemaphoreWait wait{&uploads.timeline(), uploads.last_submitted(),
                               VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
  const uint64_t done = gpu_.compute().submit(rec, {&wait, wait.value ? 1u : 0u});
  gpu_.compute().queue().wait(done);
  rec = gpu_.compute().begin();
}

std::vector<Bytes> OpChecker::download(vk::Recorder& rec,
                                       const std::vector<vk::BufferView>& views) {
  uint64_t total = 0;
  for (const vk::BufferView& v : views) total += (v.size + 15) & ~uint64_t{15};
  std::vector<Bytes> out(views.size());
  if (total == 0) return out;
  if (readback_.size() < total)
    readback_ = vk::Buffer::create(gpu_.device(), nullptr, total, vk::MemoryKind::Readback,
                                   vk::MemoryUse::Readback, "check-ops readback");
  rec.barrier(kAnyWrite, vk::access::kTransferRead);
  uint64_t at = 0;
  std::vector<uint64_t> offsets;
  for (const vk::BufferView& v : views) {
    offsets.push_back(at);
    if (v.size) rec.read_back(v, readback_.view(at, v.size));
    at += (v.size + 15) & ~uint64_t{15};
  }
  rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
  rec.barrier(vk::access::kTransferRead, kAnyLater);
  submit_and_wait(rec);
  readback_.invalidate(0, total);
  for (size_t i = 0; i < views.size(); ++i) {
    out[i].resize(views[i].size);
    std::memcpy(out[i].data(), readback_.mapped() + offsets[i], views[i].size);
  }
  return out;
}

void OpChecker::before(vk::Recorder& rec, const CheckedOp& op) {
  Pending p;
  p.occurrence = ++counts_[op.name];
  std::vector<vk::BufferView> wanted = op.inputs;
  std::vector<size_t> unregistered;  // weights the model did not register: downloaded
  for (size_t i = 0; i < op.weights.size(); ++i) {
    uint64_t skip = 0;
    const Weight* w = find_weight(op.weights[i], skip);
    p.weight_names.push_back(w ? w->name : "");
    p.data.weights.push_back(w ? w->bytes.subspan(skip, op.weights[i].size)
                               : std::span<const std::byte>{});
    if (!w) {
      unregistered.push_back(i);
      wanted.push_back(op.weights[i]);
    }
  }
  std::vector<Bytes> got = download(rec, wanted);
  for (size_t j = 0; j < unregistered.size(); ++j)
    p.weight_copies.push_back(std::move(got[op.inputs.size() + j]));
  for (size_t j = 0; j < unregistered.size(); ++j)
    p.data.weights[unregistered[j]] = p.weight_copies[j];
  got.resize(op.inputs.size());
  p.data.inputs = std::move(got);
  if (op.more) p.data.more = download(rec, op.more(p.data));
  pending_.push_back(std::move(p));  // moving keeps the copies' heap bytes where the spans point
}

void OpChecker::maybe_perturb(vk::Recorder& rec, const CheckedOp& op, const OpData& inputs) {
  if (perturbed_ || options_.perturb_op.empty() || op.name != options_.perturb_op ||
      label_.rfind(options_.perturb_label, 0) != 0 || op.outputs.empty() || op.outputs[0].size < 4)
    return;
  perturbed_ = true;
  const uint64_t at = op.first_written ? op.first_written(inputs) : 0;
  rec.barrier(kAnyWrite, vk::access::kTransferWrite);
  rec.fill(op.outputs[0].sub(at, 4), 0x447A0000u);  // 1000.0f
}

void OpChecker::after(vk::Recorder& rec, const CheckedOp& op) {
  require(!pending_.empty(), ErrorKind::Internal, "check-ops: after() without before()");
  Pending p = std::move(pending_.back());
  pending_.pop_back();
  maybe_perturb(rec, op, p.data);
  p.data.outputs = download(rec, op.outputs);
  const Verdict v = op.compare(p.data);
  if (!v.ok) throw Error(ErrorKind::Internal, report(op, p, v));
  ++checked_;
}

void OpChecker::abandon() noexcept {
  if (!pending_.empty()) pending_.pop_back();
}

std::string OpChecker::report(const CheckedOp& op, const Pending& p, const Verdict& v) const {
  std::string weights;
  for (const std::string& n : p.weight_names)
    if (!n.empty()) weights += (weights.empty() ? " of " : ", ") + n;
  return "check-ops: " + op.name + weights + " (the " + ordinal(p.occurrence) + " " + op.name +
         " in " + label_ + "; " + op.shape + ") diverges from its CPU reference: " + v.output +
         "[" + std::to_string(v.index) + "] is " + number(v.got) + ", the reference " +
         number(v.want) + " (tolerance " + number(v.tolerance) + "); max |error| " +
         number(v.max_error) + ". It is the first op that diverged; " + std::to_string(checked_) +
         " ops before it matched.";
}

}  // namespace rotary::check

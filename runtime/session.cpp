#include "runtime/session.h"

#include <algorithm>
#include <cstdio>

#include "base/json.h"
#include "base/units.h"
#include "loader/tokenizer/tokenizer.h"
#include "runtime/models/moe_model.h"

namespace rotary {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::Length: return "length";
    case StopReason::EndOfGeneration: return "eos";
    case StopReason::Stopped: return "interrupted";
    case StopReason::ContextFull: return "context_full";
  }
  return "?";
}

std::optional<double> RunStats::prompt_tps() const {
  if (prompt_tokens == 0 || prompt_seconds <= 0) return std::nullopt;
  return prompt_tokens / prompt_seconds;
}

std::optional<double> RunStats::generate_tps() const {
  if (decode_steps == 0 || decode_seconds <= 0) return std::nullopt;
  return decode_steps / decode_seconds;
}

namespace {
// "at 12.3 tok/s", or why there is no rate.
std::string rate_text(std::optional<double> tps) {
  if (!tps) return "(no rate: too few tokens)";
  char buf[64];
  std::snprintf(buf, sizeof buf, "at %.1f tok/s", *tps);
  return buf;
}
}  // namespace

std::string RunStats::line() const {
  char buf[768];
  const auto& r = model.residency;
  const double per_token = generated_tokens ? static_cast<double>(r.bytes_uploaded) / (prompt_tokens + generated_tokens) : 0;
  std::snprintf(buf, sizeof buf,
                "prompt %u tokens %s | decode %u tokens %s | peak VRAM %s%s%s | expert hit rate "
                "%.1f%% | uploaded %s per token",
                prompt_tokens, rate_text(prompt_tps()).c_str(), generated_tokens, rate_text(generate_tps()).c_str(),
                format_bytes(peak_vram).c_str(),
                driver_peak_vram ? " (driver " : "", driver_peak_vram ? (format_bytes(driver_peak_vram) + ")").c_str() : "",
                100.0 * r.hit_rate(), format_bytes(static_cast<uint64_t>(per_token)).c_str());
  std::string out = buf;
  if (!r.upload_timed && r.bytes_uploaded > 0) out += " (GB/s, hidden: n/a without --timestamps)";
  if (r.upload_timed && r.upload_gpu_seconds > 0) {
    std::snprintf(buf, sizeof buf, " at %.2f GB/s", r.upload_gbps());
    out += buf;
    if (model.moe.wait_timed) {
      std::snprintf(buf, sizeof buf, ", %.0f%% hidden",
                    100.0 * std::clamp(1.0 - model.moe.upload_wait_seconds / r.upload_gpu_seconds, 0.0, 1.0));
      out += buf;
    }
  }
  const DecodeSchedule& d = model.decode;
  if (d.steps) {
    std::snprintf(buf, sizeof buf, " | per token %.1f submits, %.1f waits, %.1f cmd buffers, %.0f dispatches, %.0f barriers",
                  d.per_step(d.work.submits), d.per_step(d.work.host_waits), d.per_step(d.work.command_buffers),
                  d.per_step(d.work.dispatches), d.per_step(d.work.barriers));
    out += buf;
  }
  return out;
}

RunStats RunStats::since(const RunStats& e) const {
  RunStats d = *this;
  d.prompt_tokens -= e.prompt_tokens;
  d.prompt_seconds -= e.prompt_seconds;
  d.generated_tokens -= e.generated_tokens;
  d.generate_seconds -= e.generate_seconds;
  d.decode_steps -= e.decode_steps;
  d.decode_seconds -= e.decode_seconds;
  d.model = stats_since(model, e.model);
  return d;
}

Json stats_json(const RunStats& s) {
  const auto& r = s.model.residency;
  const auto& m = s.model.moe;
  const uint32_t tokens = s.prompt_tokens + s.generated_tokens;
  // A figure that cannot be measured (too few tokens, no GPU timestamps) is null: n/a.
  auto or_null = [](bool known, double v) { return known ? Json(v) : Json(nullptr); };
  auto per = [](double part, double whole) { return whole ? part / whole : 0.0; };
  Json j;
  j["prompt_tokens"] = s.prompt_tokens;
  j["prompt_seconds"] = s.prompt_seconds;
  j["prompt_tps"] = or_null(s.prompt_tps().has_value(), s.prompt_tps().value_or(0));
  j["generated_tokens"] = s.generated_tokens;
  j["generate_seconds"] = s.generate_seconds;
  j["decode_steps"] = s.decode_steps;
  j["decode_seconds"] = s.decode_seconds;
  j["generate_tps"] = or_null(s.generate_tps().has_value(), s.generate_tps().value_or(0));
  j["peak_vram"] = s.peak_vram;
  j["driver_peak_vram"] = s.driver_peak_vram;
  Json& res = j["residency"];
  res["mode"] = s.model.residency_mode;
  res["accesses"] = r.accesses;
  res["hits"] = r.hits;
  res["hit_rate"] = r.hit_rate();
  res["uploads"] = r.uploads;
  res["bytes_uploaded"] = r.bytes_uploaded;
  res["bytes_uploaded_per_token"] = per(static_cast<double>(r.bytes_uploaded), tokens);
  res["preloaded"] = r.preloaded;
  res["evictions"] = r.evictions;
  res["prefetch_uploads"] = r.prefetch_uploads;
  res["prefetch_used"] = r.prefetch_used;
  res["prefetch_precision"] =
      per(static_cast<double>(r.prefetch_used), static_cast<double>(r.prefetch_uploads));
  res["prediction_recall"] =
      per(static_cast<double>(m.predicted_correct), static_cast<double>(m.predicted_total));
  res["expert_dispatch_groups"] = m.dispatch_groups;
  // GPU timestamps: how fast uploads ran and how much of their time compute spent waiting.
  // Without them (--timestamps off, or a queue without timestamps) these are null.
  res["timestamps"] = r.upload_timed || m.wait_timed;
  res["upload_gpu_seconds"] = or_null(r.upload_timed, r.upload_gpu_seconds);
  res["upload_gbps"] = or_null(r.upload_timed, r.upload_timed ? r.upload_gbps() : 0.0);
  res["upload_wait_seconds"] = or_null(m.wait_timed, m.upload_wait_seconds);
  res["upload_wait_ms_per_token"] = or_null(m.wait_timed, per(1e3 * m.upload_wait_seconds, tokens));
  const bool hidden = r.upload_timed && m.wait_timed && r.upload_gpu_seconds > 0;
  res["upload_hidden_fraction"] = or_null(
      hidden,
      hidden ? std::clamp(1.0 - m.upload_wait_seconds / r.upload_gpu_seconds, 0.0, 1.0) : 0.0);
  // Per decoded token (a single-token evaluation): the host's scheduling work.
  const DecodeSchedule& d = s.model.decode;
  Json& sched = j["schedule"];
  sched["decode_steps"] = d.steps;
  sched["submits_per_token"] = d.per_step(d.work.submits);
  sched["host_waits_per_token"] = d.per_step(d.work.host_waits);
  sched["command_buffers_per_token"] = d.per_step(d.work.command_buffers);
  sched["dispatches_per_token"] = d.per_step(d.work.dispatches);
  sched["barriers_per_token"] = d.per_step(d.work.barriers);
  sched["bytes_uploaded_per_token"] = d.per_step(d.bytes_uploaded);
  return j;
}

Session::Session(vk::GpuContext& gpu, Model& model, const Tokenizer* tokenizer, const SamplingParams& sampling)
    : gpu_(gpu), model_(model), tokenizer_(tokenizer), sampler_(sampling) {}

void Session::set_sampling(const SamplingParams& sampling) {
  sampler_ = Sampler(sampling);
  sampler_.set_history(tokens_);
}

void Session::reset() {
  model_.reset();
  pos_ = 0;
  tokens_.clear();
  sampler_.set_history({});
}

bool Session::can_rewind() const { return model_.can_rewind(); }

void Session::rewind(uint32_t pos) {
  require(pos <= pos_, ErrorKind::InvalidArgument,
          "cannot rewind to position " + std::to_string(pos) + ": the session holds " + std::to_string(pos_));
  require(pos == pos_ || can_rewind(), ErrorKind::Unsupported,
          "this model keeps recurrent state or a sliding window's ring, which cannot be rewound: reset the "
          "session and evaluate again");
  pos_ = pos;
  tokens_.resize(pos);
  sampler_.set_history(tokens_);
}

LogitsRequest Session::request(bool want_rows) const {
  LogitsRequest r;
  const uint32_t need = sampler_.candidates_needed();
  if (want_rows || need == 0 || need > MoeModel::kMaxTopK) r.kind = LogitsRequest::Kind::Full;
  else if (need == 1 && sampler_.greedy()) r.kind = LogitsRequest::Kind::Argmax;
  else {
    r.kind = LogitsRequest::Kind::TopK;
    r.k = need;
  }
  return r;
}

int32_t Session::choose(const StepResult& r) {
  if (!r.logits.empty()) {
    const size_t vocab = model_.hparams().n_vocab;
    return sampler_.sample_row(std::span<const float>(r.logits.data() + r.logits.size() - vocab, vocab));
  }
  if (!r.candidates.empty()) return sampler_.sample(r.candidates);
  return r.argmax;
}

void Session::sample_vram() {
  stats_.peak_vram = std::max(stats_.peak_vram, gpu_.budget().peak());
  uint64_t usage = 0;
  for (const auto& h : gpu_.device().heap_budgets())
    if (h.device_local) usage += h.usage;
  stats_.driver_peak_vram = std::max(stats_.driver_peak_vram, usage);
}

std::vector<int32_t> Session::generate(std::span<const int32_t> prompt, const GenerateOptions& o) {
  std::vector<int32_t> out;
  require(!prompt.empty(), ErrorKind::InvalidArgument, "the prompt is empty");
  // The history is what the cache holds (a previous answer's last token, never evaluated, comes
  // back in this prompt) plus the prompt.
  sampler_.set_history(tokens_);
  for (int32_t t : prompt) sampler_.accept(t);
  const bool rows = o.logits_out != nullptr;
  auto t0 = Clock::now();
  LogitsRequest req = request(rows);
  req.all_positions = rows;
  StepResult r = model_.eval(prompt, pos_, o.max_tokens ? req : LogitsRequest{LogitsRequest::Kind::None});
  pos_ += static_cast<uint32_t>(prompt.size());
  tokens_.insert(tokens_.end(), prompt.begin(), prompt.end());
  stats_.prompt_tokens += static_cast<uint32_t>(prompt.size());
  stats_.prompt_seconds += since(t0);
  if (rows)
    for (uint32_t i = 0; i < r.rows; ++i) o.logits_out->write_row(r.logits.data() + uint64_t{i} * model_.hparams().n_vocab);
  sample_vram();

  t0 = Clock::now();
  stop_ = StopReason::Length;
  for (uint32_t i = 0; i < o.max_tokens; ++i) {
    const int32_t token = choose(r);
    sampler_.accept(token);
    out.push_back(token);
    ++stats_.generated_tokens;
    bool stop = false;
    if (o.stop_at_end_of_generation && tokenizer_ && tokenizer_->is_end_of_generation(token)) {
      stop = true;
      stop_ = StopReason::EndOfGeneration;
    } else if (o.on_token && !o.on_token(token)) {
      stop = true;
      stop_ = StopReason::Stopped;
    }
    // With rows requested, the last token is evaluated too so that its row exists (as llama.cpp's
    // reference does); otherwise the final token needs no evaluation.
    if ((stop || i + 1 == o.max_tokens) && !rows) break;
    if (pos_ >= model_.context()) {  // no room to evaluate it: what was generated is the answer
      if (!stop && i + 1 < o.max_tokens) stop_ = StopReason::ContextFull;
      break;
    }
    const int32_t one[1] = {token};
    const auto step = Clock::now();
    r = model_.eval(one, pos_, request(rows));
    stats_.decode_seconds += since(step);
    ++stats_.decode_steps;
    ++pos_;
    tokens_.push_back(token);
    if (rows) o.logits_out->write_row(r.logits.data());
    if (stop) break;
  }
  stats_.generate_seconds += since(t0);
  sample_vram();
  stats_.model = model_.stats();
  return out;
}

}  // namespace rotary

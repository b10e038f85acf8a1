#include "bench/model/harness.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "base/error.h"
#include "base/units.h"

namespace rotary::bench {

namespace {

constexpr uint64_t kSeedBase = 1000;  // repetition r uses seed kSeedBase + r in every configuration

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

bool wants(const std::vector<std::string>& backends, const char* backend) {
  return std::find(backends.begin(), backends.end(), backend) != backends.end();
}

std::string rate_text(uint64_t tokens, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f t/s", static_cast<double>(tokens) / seconds);
  return buf;
}

double ratio_or_none(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : -1;
}

// The residency figures of the timed repetitions (`s` summed over them, `tokens` in all).
void residency_figures(BenchResult& r, const ModelStats& s, const MemoryPlan& plan, double tokens) {
  const ResidencyStats& x = s.residency;
  r.residency = s.residency_mode;
  r.slots = plan.slots;
  r.all_experts = plan.all_experts;
  r.hit_rate = ratio_or_none(x.hits, x.accesses);
  r.upload_bytes_per_token = static_cast<double>(x.bytes_uploaded) / tokens;
  r.prefetch_precision = ratio_or_none(x.prefetch_used, x.prefetch_uploads);
  r.prediction_recall = ratio_or_none(s.moe.predicted_correct, s.moe.predicted_total);
  if (x.upload_timed && x.upload_gpu_seconds > 0) r.upload_gbps = x.upload_gbps();
  if (s.moe.wait_timed) r.upload_wait_ms_per_token = 1e3 * s.moe.upload_wait_seconds / tokens;
  if (s.decode.steps) {
    r.submits_per_token = s.decode.per_step(s.decode.work.submits);
    r.host_waits_per_token = s.decode.per_step(s.decode.work.host_waits);
  }
  if (x.upload_timed && s.moe.wait_timed && x.upload_gpu_seconds > 0)
    r.upload_hidden = std::clamp(1.0 - s.moe.upload_wait_seconds / x.upload_gpu_seconds, 0.0, 1.0);
}

// "" when equal, else where they part.
std::string compare_tokens(const std::vector<int32_t>& got, const std::vector<int32_t>& want) {
  for (size_t i = 0; i < std::max(got.size(), want.size()); ++i)
    if (i >= got.size() || i >= want.size() || got[i] != want[i])
      return "token " + std::to_string(i) + " of " + std::to_string(want.size());
  return "";
}

class BenchLoop {
 public:
  BenchLoop(RotaryEngine& rotary, LlamaEngine* llama, const HarnessOptions& o, BenchReport& report)
      : rotary_(rotary), llama_(llama), o_(o), report_(report) {
    total_ = static_cast<uint32_t>(o.budgets.size() * o.policies.size() * o.tests.size() *
                                   o.repetitions);
  }

  void run() {
    std::vector<uint64_t> bytes;  // all first: resolving needs the probe context, loading drops it
    for (const BudgetSpec& b : o_.budgets) bytes.push_back(rotary_.resolve(b));
    for (size_t b = 0; b < o_.budgets.size(); ++b)
      for (size_t p = 0; p < o_.policies.size(); ++p)
        run_config(o_.budgets[b], bytes[b], o_.policies[p], p == 0, b == 0 && p == 0);
  }

 private:
  void say(const std::string& what) {
    if (o_.progress) std::fprintf(stderr, "bench: %s\n", what.c_str());
  }

  std::vector<ExpertKey> future(PolicyKind policy) const {
    if (policy != PolicyKind::Belady) return {};
    std::vector<uint64_t> segments{
        o_.check_tokens};  // the check, then each test's warm-up and repetitions
    for (const TestSpec& t : o_.tests)
      segments.insert(segments.end(), o_.repetitions + 1, t.tokens);
    return replay_future(*o_.replay, segments);
  }

  // The configuration's greedy tokens against the first configuration's (and llama.cpp's, once).
  std::string check(const std::string& config) {
    const auto prompt =
        check_prompt_tokens(o_.replay ? 1 : o_.check_prompt, rotary_.hparams().n_vocab);
    say(config + ": checking " + std::to_string(o_.check_tokens) + " greedy tokens");
    const std::vector<int32_t> tokens = rotary_.greedy(prompt, o_.check_tokens);
    if (reference_.empty()) {
      reference_ = tokens;
      reference_config_ = config;
      if (llama_) {
        const std::string at = compare_tokens(llama_->greedy(prompt, o_.check_tokens), tokens);
        llama_check_ = at.empty()
                           ? "ok: same greedy tokens as rotary"
                           : "differs from rotary at " + at +
                                 " (llama.cpp rounds activations to 8 bits in quantised products)";
        say("llama.cpp check: " + llama_check_);
      }
      return "ok";
    }
    const std::string at = compare_tokens(tokens, reference_);
    return at.empty() ? "ok"
                      : "FAILED: greedy tokens differ from " + reference_config_ + " at " + at;
  }

  void run_config(const BudgetSpec& budget, uint64_t bytes, PolicyKind policy, bool with_vulkan,
                  bool with_cpu) {
    const std::string config = std::string("rotary ") + to_string(policy) + " at " + budget.text +
                               " (" + format_bytes(bytes) + ")";
    const size_t first_row = report_.results.size();
    std::string verdict;
    try {
      rotary_.load(bytes, policy, future(policy), o_.replay);
      verdict = check(config);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Budget) throw;
      verdict = "does not fit: " + first_line(e.what());
      say(config + ": " + verdict);
    }
    for (const TestSpec& t : o_.tests)
      run_test(t, budget, bytes, policy, verdict, with_vulkan, with_cpu);
    for (size_t i = first_row; i < report_.results.size(); ++i)
      if (report_.results[i].engine == "rotary") {
        report_.results[i].vram = rotary_.peak_vram();
        report_.results[i].driver_vram = rotary_.driver_vram();
      }
    rotary_.unload();
  }

  BenchResult rotary_row(const TestSpec& t, const BudgetSpec& budget, uint64_t bytes,
                         PolicyKind policy, const std::string& verdict) const {
    BenchResult r;
    r.policy = to_string(policy);
    r.budget = budget.text;
    r.budget_bytes = bytes;
    r.test = t;
    r.check = verdict;
    return r;
  }

  void run_test(const TestSpec& t, const BudgetSpec& budget, uint64_t bytes, PolicyKind policy,
                const std::string& verdict, bool with_vulkan, bool with_cpu);
  void finish_llama(BenchResult r, const std::vector<LlamaRun>& runs);

  RotaryEngine& rotary_;
  LlamaEngine* llama_;
  const HarnessOptions& o_;
  BenchReport& report_;
  uint32_t total_ = 0, step_ = 0;
  std::vector<int32_t> reference_;
  std::string reference_config_, llama_check_;
};

void BenchLoop::run_test(const TestSpec& t, const BudgetSpec& budget, uint64_t bytes,
                         PolicyKind policy, const std::string& verdict, bool with_vulkan,
                         bool with_cpu) {
  const bool ran = rotary_.loaded();
  const bool vulkan = llama_ && with_vulkan && wants(o_.llama_backends, "vulkan");
  const bool cpu = llama_ && with_cpu && wants(o_.llama_backends, "cpu");
  const int32_t n_cpu_moe = vulkan ? llama_->fit_n_cpu_moe(t, bytes) : -1;
  std::vector<double> rs;
  std::vector<LlamaRun> vruns, cruns;
  ModelStats sum;
  // One untimed run first, as llama-bench (and rotary-oracle) warm up each test: pipelines are
  // made on first use, and the expert cache starts from where the check left it.
  if (ran) rotary_.run(t, kSeedBase - 1);
  for (uint32_t r = 0; r < o_.repetitions; ++r) {
    // A line per engine as each finishes: llama.cpp's Vulkan runs take minutes on lavapipe.
    const std::string step = "[" + std::to_string(++step_) + "/" + std::to_string(total_) + "] " +
                             to_string(policy) + " " + t.name() + " at " + budget.text +
                             ", repetition " + std::to_string(r + 1) + "/" +
                             std::to_string(o_.repetitions) + ": ";
    if (ran) {
      const RotaryRun x = rotary_.run(t, kSeedBase + r);
      rs.push_back(x.seconds);
      add_stats(sum, x.stats);
      say(step + "rotary " + rate_text(t.tokens, x.seconds));
    }
    if (vulkan && n_cpu_moe >= 0) {
      vruns.push_back(llama_->run(t, "vulkan", n_cpu_moe));
      say(step + "llama.cpp vulkan " + rate_text(t.tokens, vruns.back().seconds));
    }
    if (cpu) {
      cruns.push_back(llama_->run(t, "cpu", 0));
      say(step + "llama.cpp cpu " + rate_text(t.tokens, cruns.back().seconds));
    }
  }
  BenchResult r = rotary_row(t, budget, bytes, policy, verdict);
  if (ran) {
    r.seconds = rs;
    r.tps = summarize_rates(t.tokens, rs);
    residency_figures(r, sum, rotary_.plan(), static_cast<double>(t.tokens) * rs.size());
  }
  report_.results.push_back(r);
  if (vulkan) {
    BenchResult v;
    v.engine = "llama.cpp";
    v.budget = budget.text;
    v.budget_bytes = bytes;
    v.test = t;
    v.n_cpu_moe = n_cpu_moe;
    if (n_cpu_moe < 0)
      v.check = "does not fit: llama.cpp's part without experts exceeds the budget";
    finish_llama(v, vruns);
  }
  if (cpu) {
    BenchResult c;
    c.engine = "llama.cpp";
    c.backend = "cpu";
    c.test = t;
    finish_llama(c, cruns);
  }
}

void BenchLoop::finish_llama(BenchResult r, const std::vector<LlamaRun>& runs) {
  std::vector<double> seconds;
  for (const LlamaRun& x : runs) seconds.push_back(x.seconds);
  if (!seconds.empty()) {
    r.seconds = seconds;
    r.tps = summarize_rates(r.test.tokens, seconds);
    r.check = llama_check_;
  }
  for (const LlamaRun& x : runs) {
    r.vram = std::max(r.vram, x.vram_buffers);
    r.driver_vram = std::max(r.driver_vram, x.vram_driver);
  }
  if (r.backend == "vulkan" && r.budget_bytes && r.vram > r.budget_bytes)
    r.check += "; its buffers (" + format_bytes(r.vram) + ") exceed the budget";
  report_.results.push_back(std::move(r));
}

}  // namespace

std::vector<int32_t> check_prompt_tokens(uint32_t n, uint32_t n_vocab) {
  std::mt19937_64 rng(7);
  std::vector<int32_t> t(n);
  for (int32_t& v : t) v = static_cast<int32_t>(rng() % std::max<uint32_t>(n_vocab, 1));
  return t;
}

void validate(const HarnessOptions& o) {
  require(!o.tests.empty(), ErrorKind::InvalidArgument, "no tests: -p and -n are all 0");
  require(o.repetitions >= 1, ErrorKind::InvalidArgument, "-r must be at least 1");
  require(o.check_tokens >= 1, ErrorKind::InvalidArgument, "--check-tokens must be at least 1");
  const bool belady =
      std::find(o.policies.begin(), o.policies.end(), PolicyKind::Belady) != o.policies.end();
  require(!belady || o.replay, ErrorKind::InvalidArgument,
          "--policy belady needs the future: replay a routing trace (--routing-trace FILE or "
          "--synthetic-trace)");
  if (!o.replay) return;
  require(o.llama_backends.empty(), ErrorKind::InvalidArgument,
          "--llama cannot replay a routing trace (llama.cpp has no residency to compare)");
  for (const TestSpec& t : o.tests)
    require(
        t.kind == TestKind::Generate && t.depth == 0, ErrorKind::InvalidArgument,
        "a routing-trace replay runs generation from an empty context: use -p 0 and no -d (not " +
            t.name() + ")");
}

void run_benchmark(RotaryEngine& rotary, LlamaEngine* llama, const HarnessOptions& options,
                   BenchReport& report) {
  validate(options);
  BenchLoop(rotary, llama, options, report).run();
}

}  // namespace rotary::bench

// Statistics arithmetic (runtime/models/model_stats.cpp): every counter is added and subtracted,
// the flags and the mode follow the newer figures. A counter the list forgets keeps its old
// value and fails the field-by-field comparison below.
#include <doctest/doctest.h>

#include "base/json.h"
#include "runtime/models/model.h"
#include "runtime/session.h"

namespace rotary {
namespace {

// Each counter a different value, so that a swapped pair fails too.
ModelStats numbered(uint64_t base) {
  ModelStats s;
  auto& r = s.residency;
  r.accesses = base + 1, r.hits = base + 2, r.prefetch_hits = base + 3, r.uploads = base + 4;
  r.prefetch_uploads = base + 5, r.prefetch_used = base + 6, r.bytes_uploaded = base + 7;
  r.evictions = base + 8, r.upload_gpu_seconds = static_cast<double>(base) + 9.5;
  auto& m = s.moe;
  m.layer_steps = base + 10, m.upload_wait_seconds = static_cast<double>(base) + 11.5;
  m.dispatch_groups = base + 12, m.predictions = base + 13, m.predicted_correct = base + 14;
  m.predicted_total = base + 15;
  auto& d = s.decode;
  d.steps = base + 16, d.work.submits = base + 17, d.work.host_waits = base + 18;
  d.work.command_buffers = base + 19, d.work.dispatches = base + 20, d.work.barriers = base + 21;
  d.bytes_uploaded = base + 22;
  r.preloaded = base + 23;
  return s;
}

void check_numbered(const ModelStats& s, uint64_t base) {
  const auto& r = s.residency;
  CHECK(r.accesses == base + 1);
  CHECK(r.hits == base + 2);
  CHECK(r.prefetch_hits == base + 3);
  CHECK(r.uploads == base + 4);
  CHECK(r.prefetch_uploads == base + 5);
  CHECK(r.prefetch_used == base + 6);
  CHECK(r.bytes_uploaded == base + 7);
  CHECK(r.evictions == base + 8);
  CHECK(r.upload_gpu_seconds == static_cast<double>(base) + 9.5);
  const auto& m = s.moe;
  CHECK(m.layer_steps == base + 10);
  CHECK(m.upload_wait_seconds == static_cast<double>(base) + 11.5);
  CHECK(m.dispatch_groups == base + 12);
  CHECK(m.predictions == base + 13);
  CHECK(m.predicted_correct == base + 14);
  CHECK(m.predicted_total == base + 15);
  const auto& d = s.decode;
  CHECK(d.steps == base + 16);
  CHECK(d.work.submits == base + 17);
  CHECK(d.work.host_waits == base + 18);
  CHECK(d.work.command_buffers == base + 19);
  CHECK(d.work.dispatches == base + 20);
  CHECK(d.work.barriers == base + 21);
  CHECK(d.bytes_uploaded == base + 22);
  CHECK(r.preloaded == base + 23);
}

TEST_CASE("model stats: add_stats adds every counter, stats_since takes every one away") {
  ModelStats total;  // zero
  ModelStats more = numbered(100);
  more.residency.upload_timed = true;
  more.moe.wait_timed = true;
  more.residency_mode = "copy";
  add_stats(total, more);
  check_numbered(total, 100);
  CHECK(total.residency.upload_timed);
  CHECK(total.moe.wait_timed);
  CHECK(total.residency_mode == "copy");

  // numbered(1000) - numbered(100) is 900 in every counter; adding numbered(100) back gives
  // numbered(1000) only if every counter was subtracted (add_stats is checked above).
  ModelStats later = numbered(1000);
  later.residency_mode = "in-place";
  ModelStats d = stats_since(later, numbered(100));
  CHECK(d.residency.accesses == 900);
  CHECK(d.residency.upload_gpu_seconds == 900.0);
  CHECK(d.moe.predicted_total == 900);
  CHECK(d.residency_mode == "in-place");
  add_stats(d, numbered(100));
  check_numbered(d, 1000);
}

TEST_CASE("run stats: no decode rate from fewer than two generated tokens (no decode step)") {
  RunStats one;
  one.prompt_tokens = 2, one.prompt_seconds = 0.5;
  one.generated_tokens = 1, one.generate_seconds = 1e-6;  // chosen from the prompt's logits
  CHECK(!one.generate_tps().has_value());
  CHECK(one.prompt_tps().value() == doctest::Approx(4.0));
  CHECK(one.line().find("decode 1 tokens (no rate: too few tokens)") != std::string::npos);
  const Json j = stats_json(one);
  CHECK(j.at("generate_tps").is_null());
  CHECK(dump_json(j).find("\"generate_tps\":null") != std::string::npos);
  RunStats three = one;
  three.generated_tokens = 3, three.decode_steps = 2, three.decode_seconds = 0.5;
  CHECK(three.generate_tps().value() == doctest::Approx(4.0));  // steps per second of steps
  const RunStats d = three.since(one);
  CHECK(d.decode_steps == 2);
  CHECK(d.decode_seconds == doctest::Approx(0.5));
  CHECK(!RunStats{}.prompt_tps().has_value());
}

}  // namespace
}  // namespace rotary

// `rotary bench`: statistics, test and budget parsing, and the result formats (JSON and CSV read
// back exactly what was written, so results from several machines merge).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "base/json.h"
#include "bench/model/harness.h"
#include "bench/model/report.h"
#include "tests/support/check_error.h"

namespace rotary::bench {

namespace {

bool near(double got, double ref, double rel = 1e-8) {
  return std::fabs(got - ref) <= rel * std::fabs(ref);
}

BenchReport sample_report(const std::string& device) {
  BenchReport r;
  r.rotary_version = "0.1.0";
  r.date = "2026-01-02T03:04:05Z";
  r.command = "rotary bench -m synth:tiny-qwen3moe --vram-budget 24M,50%";
  r.host_cpu = "AMD EPYC \"Genoa\"";
  r.device = {
      device,    "Mesa",    0x10005,       7,   "cpu", "llvmpipe", "Mesa 22.3.6 (LLVM 15.0.6)",
      0x5803006, "1.3.230", 2147483648ull, true};
  r.model = {"synth:tiny-qwen3moe", "/tmp/x.gguf", "qwen3moe", 4961488, 8130000, 4, 8, 2};
  r.settings = {3, 640, "f16", true, 16, 2, ""};
  BenchResult a;
  a.policy = "lru";
  a.budget = "50%";
  a.budget_bytes = 4123456;
  a.test = {TestKind::Generate, 128, 512};
  a.seconds = {1.25, 1.5, 1.0};
  a.tps = summarize_rates(128, a.seconds);
  a.slots = 16;
  a.all_experts = 32;
  a.hit_rate = 0.8125;
  a.upload_bytes_per_token = 12345.5;
  a.residency = "copy (zero-copy uploads)";
  a.upload_gbps = 7.29;
  a.upload_wait_ms_per_token = 1.5;
  a.upload_hidden = 0.25;
  a.prefetch_precision = 0.5;
  a.prediction_recall = 0.875;
  a.submits_per_token = 1.0;
  a.host_waits_per_token = 49.25;
  a.vram = 4000000;
  a.check = "ok";
  BenchResult b;
  b.engine = "llama.cpp";
  b.budget = "50%";
  b.budget_bytes = 4123456;
  b.test = {TestKind::Prompt, 512, 0};
  b.seconds = {2.0};
  b.tps = summarize_rates(512, b.seconds);
  b.n_cpu_moe = 3;
  b.vram = 2244000;
  b.driver_vram = 3000000;
  b.check = "differs from rotary at token 3 of 16, \"quoted\"\nsecond line";
  r.results = {a, b};
  return r;
}

void check_same_result(const BenchResult& got, const BenchResult& want) {
  CHECK(got.engine == want.engine);
  CHECK(got.backend == want.backend);
  CHECK(got.policy == want.policy);
  CHECK(got.budget == want.budget);
  CHECK(got.budget_bytes == want.budget_bytes);
  CHECK(got.test == want.test);
  CHECK(got.tps.n == want.tps.n);
  // Written with 9 significant digits.
  CHECK(near(got.tps.mean, want.tps.mean));
  CHECK(std::fabs(got.tps.stddev - want.tps.stddev) <= 1e-8 * want.tps.mean);
  CHECK(got.slots == want.slots);
  CHECK(got.all_experts == want.all_experts);
  CHECK(got.hit_rate == doctest::Approx(want.hit_rate).epsilon(1e-8));
  CHECK(got.upload_bytes_per_token == doctest::Approx(want.upload_bytes_per_token).epsilon(1e-8));
  CHECK(got.residency == want.residency);
  CHECK(got.upload_gbps == doctest::Approx(want.upload_gbps).epsilon(1e-8));  // -1 (absent) too
  CHECK(got.upload_wait_ms_per_token == doctest::Approx(want.upload_wait_ms_per_token).epsilon(1e-8));
  CHECK(got.upload_hidden == doctest::Approx(want.upload_hidden).epsilon(1e-8));
  CHECK(got.prefetch_precision == doctest::Approx(want.prefetch_precision).epsilon(1e-8));
  CHECK(got.prediction_recall == doctest::Approx(want.prediction_recall).epsilon(1e-8));
  CHECK(got.submits_per_token == doctest::Approx(want.submits_per_token).epsilon(1e-8));
  CHECK(got.host_waits_per_token == doctest::Approx(want.host_waits_per_token).epsilon(1e-8));
  CHECK(got.vram == want.vram);
  CHECK(got.driver_vram == want.driver_vram);
  CHECK(got.n_cpu_moe == want.n_cpu_moe);
  CHECK(got.check == want.check);
}

}  // namespace

TEST_CASE("bench statistics: mean and sample standard deviation of per-repetition rates") {
  const double values[] = {2, 4, 4, 4, 5, 5, 7, 9};  // squared deviations from 5 sum to 32
  const Summary s = summarize(values);
  CHECK(s.n == 8);
  CHECK(s.mean == 5.0);
  CHECK(std::fabs(s.stddev - std::sqrt(32.0 / 7.0)) <= 1e-12);
  // 128 tokens in 1 s and in 2 s: 128 and 64 tok/s (the mean of rates, as llama-bench).
  const double seconds[] = {1.0, 2.0};
  const Summary r = summarize_rates(128, seconds);
  CHECK(r.mean == 96.0);
  CHECK(std::fabs(r.stddev - std::sqrt(2.0 * 32.0 * 32.0)) <= 1e-12);
  const double one[] = {0.5};
  CHECK(summarize_rates(7, one).stddev == 0.0);
  CHECK(summarize({}).n == 0);
  const double zero[] = {1.0, 0.0};
  CHECK_ROTARY_ERROR(summarize_rates(7, zero), ErrorKind::InvalidArgument, "no measurable time");
}

TEST_CASE("bench spec: tests in llama-bench's order and names") {
  const auto tests = make_tests({512, 0}, {128}, {0, 4096});
  REQUIRE(tests.size() == 4);
  CHECK(tests[0].name() == "pp512");
  CHECK(tests[1].name() == "pp512 @ d4096");
  CHECK(tests[2].name() == "tg128");
  CHECK(tests[3].name() == "tg128 @ d4096");
  for (const TestSpec& t : tests) CHECK(parse_test_name(t.name()) == t);
  CHECK(make_tests({0}, {0}, {}).empty());
  for (const char* bad : {"pp", "xx12", "pp12 @ dx", "tg-1", "pp12@d3"})
    CHECK_ROTARY_ERROR(parse_test_name(bad), ErrorKind::InvalidArgument, "not a test name");
}

TEST_CASE("bench spec: budgets, policies, counts and backends from the command line") {
  const auto b = parse_budgets({"device,24M", "25%"});
  REQUIRE(b.size() == 3);
  CHECK(b[0].kind == BudgetSpec::Kind::Device);
  CHECK(b[1].kind == BudgetSpec::Kind::Bytes);
  CHECK(b[1].bytes == 24ull << 20);
  CHECK(b[2].kind == BudgetSpec::Kind::ExpertPercent);
  CHECK(b[2].percent == 25.0);
  CHECK(parse_budgets({}).front().kind == BudgetSpec::Kind::Device);
  CHECK_ROTARY_ERROR(parse_budget("0%"), ErrorKind::InvalidArgument, "(0, 100]");
  CHECK_ROTARY_ERROR(parse_budget("150%"), ErrorKind::InvalidArgument, "(0, 100]");
  CHECK_ROTARY_ERROR(parse_budget("x%"), ErrorKind::InvalidArgument, "percentage");
  CHECK_ROTARY_ERROR(parse_budget("lots"), ErrorKind::InvalidArgument, "lots");
  CHECK_ROTARY_ERROR(parse_budgets({"24M,,8M"}), ErrorKind::InvalidArgument, "");

  const auto p = parse_policies({"lru,belady"});
  REQUIRE(p.size() == 2);
  CHECK(p[1] == PolicyKind::Belady);
  CHECK_ROTARY_ERROR(parse_policies({"fifo"}), ErrorKind::InvalidArgument, "fifo");

  CHECK(parse_counts({"128,512", "7"}, "-p") == std::vector<uint32_t>{128, 512, 7});
  CHECK_ROTARY_ERROR(parse_counts({"12x"}, "-p"), ErrorKind::InvalidArgument,
                     "-p takes token counts");
  CHECK_ROTARY_ERROR(parse_counts({"-3"}, "-n"), ErrorKind::InvalidArgument,
                     "-n takes token counts");

  CHECK(parse_llama_backends({"vulkan,cpu,vulkan"}) == std::vector<std::string>{"vulkan", "cpu"});
  CHECK_ROTARY_ERROR(parse_llama_backends({"metal"}), ErrorKind::InvalidArgument, "metal");
}

TEST_CASE("bench harness: options that cannot run are argument errors") {
  RoutingTrace trace{4, 8, 2, {}};
  HarnessOptions o;
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "no tests");
  o.tests = make_tests({512}, {128}, {});
  o.policies = {PolicyKind::LRU, PolicyKind::Belady};
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "belady needs the future");
  o.replay = &trace;
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "use -p 0");
  o.tests = make_tests({}, {128}, {64});
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "tg128 @ d64");
  o.tests = make_tests({}, {128}, {});
  CHECK_NOTHROW(validate(o));
  o.llama_backends = {"vulkan"};
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "cannot replay");
  o.llama_backends.clear();
  o.repetitions = 0;
  CHECK_ROTARY_ERROR(validate(o), ErrorKind::InvalidArgument, "-r");
}

TEST_CASE("bench report: JSON reads back what was written") {
  const BenchReport r = sample_report("llvmpipe (LLVM 15.0.6, 256 bits)");
  const std::string text = to_json(r);
  const Json j = parse_json(text, "t.json");
  CHECK(j.at("schema") == "rotary-bench/1");
  const BenchReport b = report_from_json(text, "t.json");
  CHECK(b.rotary_version == r.rotary_version);
  CHECK(b.date == r.date);
  CHECK(b.command == r.command);
  CHECK(b.host_cpu == r.host_cpu);
  CHECK(b.device.name == r.device.name);
  CHECK(b.device.vendor_id == r.device.vendor_id);
  CHECK(b.device.driver_version == r.device.driver_version);
  CHECK(b.device.api_version == r.device.api_version);
  CHECK(b.device.vram_bytes == r.device.vram_bytes);
  CHECK(b.device.unified_memory);
  CHECK(b.model.params == r.model.params);
  CHECK(b.model.experts_used == 2);
  CHECK(b.settings.ctx == 640);
  CHECK(b.settings.check_tokens == 16);
  REQUIRE(b.results.size() == 2);
  for (size_t i = 0; i < 2; ++i) check_same_result(b.results[i], r.results[i]);
  CHECK(b.results[0].seconds == r.results[0].seconds);

  CHECK_ROTARY_ERROR(report_from_json("{\"schema\":\"other\"}", "x.json"),
                     ErrorKind::InvalidArgument, "x.json is not a rotary bench result");
  CHECK_ROTARY_ERROR(report_from_json("[1,2", "y.json"), ErrorKind::InvalidArgument,
                     "y.json is not valid JSON: parse error at line 1, column 5");
  CHECK_ROTARY_ERROR(report_from_json("{\"schema\":\"rotary-bench/1\"}", "z.json"),
                     ErrorKind::InvalidArgument, "z.json: JSON member 'device' is missing");
}

TEST_CASE("bench report: CSV rows read back, also from concatenated files of two machines") {
  const BenchReport a = sample_report("llvmpipe (LLVM 15.0.6, 256 bits)");
  const BenchReport b = sample_report("NVIDIA GeForce RTX 4060 Laptop GPU");
  const std::string one = to_csv({a}), two = to_csv({b});
  for (const std::string& text : {to_csv({a, b}), one + two}) {
    const auto back = reports_from_csv(text, "t.csv");
    REQUIRE(back.size() == 2);
    CHECK(back[0].device.name == a.device.name);  // a comma inside a quoted field
    CHECK(back[1].device.name == b.device.name);
    CHECK(back[1].host_cpu == b.host_cpu);  // doubled quotes
    CHECK(back[0].device.driver_info == a.device.driver_info);
    CHECK(back[0].model.size_bytes == a.model.size_bytes);
    REQUIRE(back[1].results.size() == 2);
    for (size_t i = 0; i < 2; ++i)
      check_same_result(back[1].results[i], b.results[i]);  // a line break too
  }
  CHECK_ROTARY_ERROR(reports_from_csv("a,b\n1,2\n", "x.csv"), ErrorKind::InvalidArgument,
                     "not a rotary bench CSV");
  const std::string header = one.substr(0, one.find('\n') + 1);
  CHECK_ROTARY_ERROR(reports_from_csv(header + "1,2,3\n", "y.csv"), ErrorKind::InvalidArgument,
                     "row 2 has 3 fields");
  CHECK_ROTARY_ERROR(reports_from_csv(one + "\"open", "z.csv"), ErrorKind::InvalidArgument,
                     "not closed");
}

TEST_CASE("bench report: the tables hold every result and the ratios") {
  const BenchReport r = sample_report("llvmpipe (LLVM 15.0.6, 256 bits)");
  const std::string table = to_table({r});
  CHECK(table.find("| model ") == 0);
  CHECK(table.find("tg128 @ d512") != std::string::npos);
  CHECK(table.find("rotary lru") != std::string::npos);
  CHECK(table.find("llama.cpp vulkan ncmoe 3") != std::string::npos);
  CHECK(table.find("81.2% (16/32)") != std::string::npos);
  // Every line of the table is as wide as the header (aligned columns; "±" is one column).
  auto columns = [](const std::string& s) {
    return std::count_if(s.begin(), s.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  };
  const auto width = columns(table.substr(0, table.find('\n')));
  for (size_t at = 0; at < table.size(); at = table.find('\n', at) + 1)
    CHECK(columns(table.substr(at, table.find('\n', at) - at)) == width);
  CHECK(ratio_table(r).empty());  // the rotary and llama.cpp rows are of different tests
  BenchReport same = r;
  same.results[1].test = same.results[0].test;
  const std::string ratios = ratio_table(same);
  // rotary: mean of 128/1.25, 128/1.5, 128/1.0 = 102.4, 85.33, 128 -> 105.24; llama.cpp: 256.
  CHECK(ratios.find("105.24") != std::string::npos);
  CHECK(ratios.find("0.411") != std::string::npos);
}

}  // namespace rotary::bench

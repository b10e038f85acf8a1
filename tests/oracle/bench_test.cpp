// `rotary bench` beside llama.cpp: rotary-oracle bench's device-memory report (what the VRAM fit
// of --n-cpu-moe rests on) and its depth, then the whole side-by-side run on a synth tiny model.
#include <doctest/doctest.h>

#include <cmath>

#include "base/json.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "loader/synth/synth_model.h"
#include "tests/oracle/oracle_test.h"

namespace rotary {

namespace {

std::string write_tiny(const test::TempDir& dir) {
  const std::string path = dir.file("tiny.gguf");
  synth::SynthOptions o;
  o.quant = synth::SynthQuant::Q4_K_M;
  synth::write_synth_model(synth::plan_synth_model(synth::find_synth_preset("tiny-qwen3moe"), o),
                           path);
  return path;
}

Json oracle_json(const std::vector<std::string>& args) {
  return parse_json(test::run_oracle(args), "rotary-oracle --json");
}

}  // namespace

TEST_CASE(
    "rotary-oracle bench: device buffers without and with the experts on the host, and a depth") {
  test::TempDir dir("bench");
  const std::string model = write_tiny(dir);
  const GgufFile file = GgufFile::open(model);
  const WeightSummary w = summarize_weights(read_hparams(file.metadata()), file);
  auto memory = [&](const char* n_cpu_moe) {
    return oracle_json({"bench", model, "-p", "8", "-n", "0", "--backend", "vulkan", "--n-cpu-moe",
                        n_cpu_moe, "--memory-only", "--json"});
  };
  const Json all = memory("0"), none = memory("4");
  CHECK(all.at("pp_ms").empty());  // --memory-only times nothing
  CHECK(!all.at("device").get<std::string>().empty());
  // Moving every routed expert to the host frees exactly their bytes on the device, up to the log's
  // rounding to 0.01 MiB per buffer and a compute buffer a few KiB smaller: 64 KiB.
  const double freed = all.at("vram_buffers").get<double>() - none.at("vram_buffers").get<double>();
  CHECK(std::fabs(freed - static_cast<double>(w.expert_bytes)) <= 65536);

  const Json cpu =
      oracle_json({"bench", model, "-p", "0", "-n", "3", "-d", "5", "-r", "2", "--json"});
  CHECK(cpu.at("depth").get<double>() == 5);
  CHECK(cpu.at("tg_ms").size() == 2);
  CHECK(cpu.at("vram_buffers").get<double>() == 0);  // the CPU backend has no device buffers
}

TEST_CASE(
    "rotary bench --llama: rotary and llama.cpp (Vulkan at the same budget, CPU) on one file") {
  test::TempDir dir("bench-llama");
  const test::ProcessResult r = test::run_process(ROTARY_CLI_EXE, {"bench",
                                                               "-m",
                                                               "synth:tiny-qwen3moe",
                                                               "--synth-dir",
                                                               dir.path(),
                                                               "-p",
                                                               "8",
                                                               "-n",
                                                               "3",
                                                               "-r",
                                                               "1",
                                                               "--vram-budget",
                                                               "device,25%",
                                                               "--llama",
                                                               "vulkan,cpu",
                                                               "--llama-threads",
                                                               "1",
                                                               "--check-tokens",
                                                               "6",
                                                               "--oracle",
                                                               test::oracle_exe(),
                                                               "--json",
                                                               "--no-progress"});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const Json report = parse_json(r.out, "rotary bench --json");
  CHECK(report.at("device").at("api_version").get<std::string>().size() >= 5);
  int rotary = 0, vulkan = 0, cpu = 0;
  for (const Json& x : report.at("results")) {
    const std::string engine = x.at("engine").get<std::string>(),
                      backend = x.at("backend").get<std::string>();
    CAPTURE(engine);
    CAPTURE(x.at("check").get<std::string>());
    CHECK(x.at("tps").get<double>() > 0);
    if (engine == "rotary") {
      ++rotary;
      CHECK(x.at("check").get<std::string>() == "ok");
      continue;
    }
    // On this model llama.cpp's greedy tokens (CPU, F16 cache) are rotary's.
    CHECK(x.at("check").get<std::string>() == "ok: same greedy tokens as rotary");
    if (backend == "cpu") {
      ++cpu;
      continue;
    }
    ++vulkan;
    // At 25% the experts of some layers stay on the host, and llama.cpp's buffers fit the budget.
    if (x.at("budget").get<std::string>() == "25%") {
      CHECK(x.at("n_cpu_moe").get<double>() > 0);
      CHECK(x.at("vram").get<double>() <= x.at("budget_bytes").get<double>());
    } else {
      CHECK(x.at("n_cpu_moe").get<double>() == 0);
    }
  }
  CHECK(rotary == 4);
  CHECK(vulkan == 4);
  CHECK(cpu == 2);
}

}  // namespace rotary

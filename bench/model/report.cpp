#include "bench/model/report.h"

#include <cstdio>

#include "base/error.h"
#include "base/json.h"

namespace rotary::bench {

std::string BenchResult::label() const {
  if (engine == "rotary") return "rotary " + policy;
  std::string l = engine + " " + backend;
  if (backend == "vulkan" && n_cpu_moe > 0) l += " ncmoe " + std::to_string(n_cpu_moe);
  return l;
}

std::string format_params(uint64_t params) {
  char buf[32];
  const double p = static_cast<double>(params);
  if (p >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2fB", p / 1e9);
  else if (p >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", p / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.0f", p);
  return buf;
}

namespace {

Json device_json(const DeviceIdentity& d) {
  return {{"name", d.name},
          {"vendor", d.vendor},
          {"vendor_id", d.vendor_id},
          {"device_id", d.device_id},
          {"type", d.type},
          {"driver_name", d.driver_name},
          {"driver_info", d.driver_info},
          {"driver_version", d.driver_version},
          {"api_version", d.api_version},
          {"vram_bytes", d.vram_bytes},
          {"unified_memory", d.unified_memory}};
}

Json model_json(const ModelIdentity& m) {
  return {{"name", m.name},       {"path", m.path},
          {"arch", m.arch},       {"size_bytes", m.size_bytes},
          {"params", m.params},   {"layers", m.layers},
          {"experts", m.experts}, {"experts_used", m.experts_used}};
}

Json settings_json(const BenchSettings& s) {
  return {{"repetitions", s.repetitions},
          {"ctx", s.ctx},
          {"kv_type", s.kv_type},
          {"prefetch", s.prefetch},
          {"check_tokens", s.check_tokens},
          {"llama_threads", s.llama_threads},
          {"trace", s.trace}};
}

// A figure that may not apply: null when negative.
Json optional(double v) {
  return v < 0 ? Json(nullptr) : Json(v);
}

Json result_json(const BenchResult& r) {
  return {{"engine", r.engine},
          {"backend", r.backend},
          {"policy", r.policy},
          {"budget", r.budget},
          {"budget_bytes", r.budget_bytes},
          {"test", r.test.name()},
          {"kind", r.test.kind == TestKind::Prompt ? "pp" : "tg"},
          {"tokens", r.test.tokens},
          {"depth", r.test.depth},
          {"repetitions", r.tps.n},
          {"tps", r.tps.mean},
          {"tps_stddev", r.tps.stddev},
          {"seconds", r.seconds},
          {"residency", r.residency},
          {"slots", r.slots},
          {"all_experts", r.all_experts},
          {"hit_rate", optional(r.hit_rate)},
          {"upload_bytes_per_token", r.upload_bytes_per_token},
          {"upload_gbps", optional(r.upload_gbps)},
          {"upload_wait_ms_per_token", optional(r.upload_wait_ms_per_token)},
          {"upload_hidden", optional(r.upload_hidden)},
          {"prefetch_precision", optional(r.prefetch_precision)},
          {"prediction_recall", optional(r.prediction_recall)},
          {"submits_per_token", optional(r.submits_per_token)},
          {"host_waits_per_token", optional(r.host_waits_per_token)},
          {"vram", r.vram},
          {"driver_vram", r.driver_vram},
          {"n_cpu_moe", r.n_cpu_moe < 0 ? Json(nullptr) : Json(r.n_cpu_moe)},
          {"check", r.check}};
}

Json simulation_json(const SimulationResult& s) {
  return {{"kind", "PROJECTION (schedule simulation, not a measurement)"},
          {"device", s.device},
          {"device_name", s.device_name},
          {"budget", s.budget},
          {"residency", s.residency},
          {"slots", s.slots},
          {"hit_rate", s.hit_rate},
          {"kernel_efficiency", s.kernel_efficiency},
          {"steps", s.steps},
          {"tps", s.tps},
          {"ms_per_token", s.ms},
          {"kernel_ms", s.kernel_ms},
          {"upload_wait_ms", s.upload_wait_ms},
          {"host_gap_ms", s.host_gap_ms},
          {"cpu_work_ms", s.cpu_work_ms},
          {"upload_busy_ms", s.upload_busy_ms},
          {"submits_per_token", s.submits},
          {"host_waits_per_token", s.host_waits},
          {"command_buffers_per_token", s.command_buffers},
          {"dispatches_per_token", s.dispatches},
          {"barriers_per_token", s.barriers},
          {"upload_mb_per_token", s.upload_mb},
          {"dispatch_mb_per_token", s.dispatch_mb},
          {"note", s.note}};
}

uint32_t u32(const Json& o, const char* key) {
  return static_cast<uint32_t>(json_number_or(o, key, 0));
}
uint64_t u64(const Json& o, const char* key) {
  return static_cast<uint64_t>(json_number_or(o, key, 0));
}
std::string str(const Json& o, const char* key) {
  return json_string_or(o, key, "");
}

BenchResult read_result(const Json& o) {
  BenchResult r;
  r.engine = str(o, "engine");
  r.backend = str(o, "backend");
  r.policy = str(o, "policy");
  r.budget = str(o, "budget");
  r.budget_bytes = u64(o, "budget_bytes");
  r.test = parse_test_name(json_string(o, "test"));
  r.tps.mean = json_number_or(o, "tps", 0);
  r.tps.stddev = json_number_or(o, "tps_stddev", 0);
  r.tps.n = u32(o, "repetitions");
  if (o.contains("seconds"))
    for (const Json& v : json_array(o, "seconds")) r.seconds.push_back(json_number(v));
  r.residency = str(o, "residency");
  r.slots = u32(o, "slots");
  r.all_experts = u32(o, "all_experts");
  r.hit_rate = json_number_or(o, "hit_rate", -1);
  r.upload_bytes_per_token = json_number_or(o, "upload_bytes_per_token", 0);
  r.upload_gbps = json_number_or(o, "upload_gbps", -1);
  r.upload_wait_ms_per_token = json_number_or(o, "upload_wait_ms_per_token", -1);
  r.upload_hidden = json_number_or(o, "upload_hidden", -1);
  r.prefetch_precision = json_number_or(o, "prefetch_precision", -1);
  r.prediction_recall = json_number_or(o, "prediction_recall", -1);
  r.submits_per_token = json_number_or(o, "submits_per_token", -1);
  r.host_waits_per_token = json_number_or(o, "host_waits_per_token", -1);
  r.vram = u64(o, "vram");
  r.driver_vram = u64(o, "driver_vram");
  r.n_cpu_moe = static_cast<int32_t>(json_number_or(o, "n_cpu_moe", -1));
  r.check = str(o, "check");
  return r;
}

}  // namespace

std::string to_json(const BenchReport& r) {
  Json j = {{"schema", r.schema},
            {"rotary_version", r.rotary_version},
            {"date", r.date},
            {"command", r.command},
            {"host_cpu", r.host_cpu},
            {"device", device_json(r.device)},
            {"model", model_json(r.model)},
            {"settings", settings_json(r.settings)},
            {"copy_gbps", r.copy_gbps},
            {"kernel_efficiency", r.kernel_efficiency},
            {"results", Json::array()}};
  for (const BenchResult& res : r.results) j["results"].push_back(result_json(res));
  if (!r.simulations.empty()) {
    j["simulation_method"] = r.simulation_method;
    j["simulations"] = Json::array();
    for (const SimulationResult& s : r.simulations) j["simulations"].push_back(simulation_json(s));
  }
  return dump_json(j);
}

BenchReport report_from_json(const std::string& text, const std::string& source) {
  const Json root = parse_json(text, source);
  require(root.is_object() && json_string_or(root, "schema", "") == kReportSchema,
          ErrorKind::InvalidArgument,
          source + " is not a rotary bench result (schema " + kReportSchema +
              "; write one with rotary bench --json)");
  BenchReport r;
  try {
    r.rotary_version = str(root, "rotary_version");
    r.date = str(root, "date");
    r.command = str(root, "command");
    r.host_cpu = str(root, "host_cpu");
    const Json& d = json_member(root, "device");
    r.device = {str(d, "name"),
                str(d, "vendor"),
                u32(d, "vendor_id"),
                u32(d, "device_id"),
                str(d, "type"),
                str(d, "driver_name"),
                str(d, "driver_info"),
                u32(d, "driver_version"),
                str(d, "api_version"),
                u64(d, "vram_bytes"),
                json_bool_or(d, "unified_memory", false)};
    const Json& m = json_member(root, "model");
    r.model = {str(m, "name"),   str(m, "path"),   str(m, "arch"),    u64(m, "size_bytes"),
               u64(m, "params"), u32(m, "layers"), u32(m, "experts"), u32(m, "experts_used")};
    if (root.contains("settings")) {
      const Json& s = root["settings"];
      r.settings = {u32(s, "repetitions"),  u32(s, "ctx"),
                    str(s, "kv_type"),      json_bool_or(s, "prefetch", true),
                    u32(s, "check_tokens"), u32(s, "llama_threads"),
                    str(s, "trace")};
    }
    r.copy_gbps = json_number_or(root, "copy_gbps", 0);
    r.kernel_efficiency = json_number_or(root, "kernel_efficiency", 0);
    for (const Json& v : json_array(root, "results")) r.results.push_back(read_result(v));
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, source + ": " + e.what());
  }
  return r;
}

}  // namespace rotary::bench

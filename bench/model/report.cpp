#include "bench/model/report.h"

#include <cstdio>

#include "base/error.h"
#include "base/json.h"
#include "base/json_value.h"

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

void write_device(JsonWriter& w, const DeviceIdentity& d) {
  w.key("device").begin_object();
  w.field("name", d.name)
      .field("vendor", d.vendor)
      .field("vendor_id", d.vendor_id)
      .field("device_id", d.device_id);
  w.field("type", d.type).field("driver_name", d.driver_name).field("driver_info", d.driver_info);
  w.field("driver_version", d.driver_version).field("api_version", d.api_version);
  w.field("vram_bytes", d.vram_bytes).field("unified_memory", d.unified_memory).end_object();
}

void write_model(JsonWriter& w, const ModelIdentity& m) {
  w.key("model").begin_object();
  w.field("name", m.name)
      .field("path", m.path)
      .field("arch", m.arch)
      .field("size_bytes", m.size_bytes);
  w.field("params", m.params).field("layers", m.layers).field("experts", m.experts);
  w.field("experts_used", m.experts_used).end_object();
}

void write_settings(JsonWriter& w, const BenchSettings& s) {
  w.key("settings").begin_object();
  w.field("repetitions", s.repetitions).field("ctx", s.ctx).field("kv_type", s.kv_type);
  w.field("prefetch", s.prefetch)
      .field("check_tokens", s.check_tokens)
      .field("llama_threads", s.llama_threads);
  w.field("trace", s.trace).end_object();
}

// A figure that may not apply: null when negative.
void optional(JsonWriter& w, const char* key, double v) {
  w.key(key);
  if (v < 0)
    w.null();
  else
    w.value(v);
}

void write_result(JsonWriter& w, const BenchResult& r) {
  w.begin_object().field("engine", r.engine).field("backend", r.backend).field("policy", r.policy);
  w.field("budget", r.budget).field("budget_bytes", r.budget_bytes).field("test", r.test.name());
  w.field("kind", r.test.kind == TestKind::Prompt ? "pp" : "tg").field("tokens", r.test.tokens);
  w.field("depth", r.test.depth).field("repetitions", r.tps.n).field("tps", r.tps.mean);
  w.field("tps_stddev", r.tps.stddev).key("seconds").begin_array();
  for (double s : r.seconds) w.value(s);
  w.end_array().field("residency", r.residency).field("slots", r.slots);
  w.field("all_experts", r.all_experts);
  optional(w, "hit_rate", r.hit_rate);
  w.field("upload_bytes_per_token", r.upload_bytes_per_token);
  optional(w, "upload_gbps", r.upload_gbps);
  optional(w, "upload_wait_ms_per_token", r.upload_wait_ms_per_token);
  optional(w, "upload_hidden", r.upload_hidden);
  optional(w, "prefetch_precision", r.prefetch_precision);
  optional(w, "prediction_recall", r.prediction_recall);
  optional(w, "submits_per_token", r.submits_per_token);
  optional(w, "host_waits_per_token", r.host_waits_per_token);
  w.field("vram", r.vram).field("driver_vram", r.driver_vram);
  optional(w, "n_cpu_moe", r.n_cpu_moe);
  w.field("check", r.check).end_object();
}

void write_projection(JsonWriter& w, const Projection& p) {
  w.begin_object().field("kind", "projection (not a measurement)").field("target", p.target);
  w.field("target_name", p.target_name).field("budget", p.budget).field("slots", p.inputs.slots);
  w.field("hit_rate", p.inputs.hit_rate).field("hit_rate_source", p.inputs.hit_rate_source);
  w.field("kernel_efficiency", p.inputs.kernel_efficiency)
      .field("efficiency_source", p.inputs.efficiency_source);
  w.field("hidden_upload", p.inputs.hidden_upload).field("in_place", p.inputs.in_place);
  w.field("compute_ms", p.compute_ms);
  w.field("upload_ms", p.upload_ms)
      .field("tps", p.tps)
      .field("tps_all_resident", p.tps_all_resident);
  w.field("note", p.note).end_object();
}

uint32_t u32(const JsonValue& o, const char* key) {
  return static_cast<uint32_t>(o.number_or(key, 0));
}
uint64_t u64(const JsonValue& o, const char* key) {
  return static_cast<uint64_t>(o.number_or(key, 0));
}

BenchResult read_result(const JsonValue& o) {
  BenchResult r;
  r.engine = o.string_or("engine", "");
  r.backend = o.string_or("backend", "");
  r.policy = o.string_or("policy", "");
  r.budget = o.string_or("budget", "");
  r.budget_bytes = u64(o, "budget_bytes");
  r.test = parse_test_name(o.at("test").as_string());
  r.tps.mean = o.number_or("tps", 0);
  r.tps.stddev = o.number_or("tps_stddev", 0);
  r.tps.n = u32(o, "repetitions");
  if (const JsonValue* s = o.find("seconds"))
    for (const JsonValue& v : s->as_array()) r.seconds.push_back(v.as_number());
  r.residency = o.string_or("residency", "");
  r.slots = u32(o, "slots");
  r.all_experts = u32(o, "all_experts");
  r.hit_rate = o.number_or("hit_rate", -1);
  r.upload_bytes_per_token = o.number_or("upload_bytes_per_token", 0);
  r.upload_gbps = o.number_or("upload_gbps", -1);
  r.upload_wait_ms_per_token = o.number_or("upload_wait_ms_per_token", -1);
  r.upload_hidden = o.number_or("upload_hidden", -1);
  r.prefetch_precision = o.number_or("prefetch_precision", -1);
  r.prediction_recall = o.number_or("prediction_recall", -1);
  r.submits_per_token = o.number_or("submits_per_token", -1);
  r.host_waits_per_token = o.number_or("host_waits_per_token", -1);
  r.vram = u64(o, "vram");
  r.driver_vram = u64(o, "driver_vram");
  r.n_cpu_moe = static_cast<int32_t>(o.number_or("n_cpu_moe", -1));
  r.check = o.string_or("check", "");
  return r;
}

Projection read_projection(const JsonValue& o) {
  Projection p;
  p.target = o.string_or("target", "");
  p.target_name = o.string_or("target_name", "");
  p.budget = u64(o, "budget");
  p.inputs.slots = u32(o, "slots");
  p.inputs.hit_rate = o.number_or("hit_rate", 0);
  p.inputs.hit_rate_source = o.string_or("hit_rate_source", "");
  p.inputs.kernel_efficiency = o.number_or("kernel_efficiency", 0);
  p.inputs.efficiency_source = o.string_or("efficiency_source", "");
  p.inputs.hidden_upload = o.number_or("hidden_upload", 0);
  p.inputs.in_place = o.find("in_place") && o.at("in_place").as_bool();
  p.compute_ms = o.number_or("compute_ms", 0);
  p.upload_ms = o.number_or("upload_ms", 0);
  p.tps = o.number_or("tps", 0);
  p.tps_all_resident = o.number_or("tps_all_resident", 0);
  p.note = o.string_or("note", "");
  return p;
}

}  // namespace

std::string to_json(const BenchReport& r) {
  JsonWriter w;
  w.begin_object()
      .field("schema", r.schema)
      .field("rotary_version", r.rotary_version)
      .field("date", r.date);
  w.field("command", r.command).field("host_cpu", r.host_cpu);
  write_device(w, r.device);
  write_model(w, r.model);
  write_settings(w, r.settings);
  w.field("copy_gbps", r.copy_gbps).field("kernel_efficiency", r.kernel_efficiency);
  w.key("results").begin_array();
  for (const BenchResult& res : r.results) write_result(w, res);
  w.end_array().key("projections").begin_array();
  for (const Projection& p : r.projections) write_projection(w, p);
  w.end_array().end_object();
  return w.str();
}

BenchReport report_from_json(const std::string& text, const std::string& source) {
  const JsonValue root = JsonValue::parse(text, source);
  require(root.is_object() && root.string_or("schema", "") == kReportSchema,
          ErrorKind::InvalidArgument,
          source + " is not a rotary bench result (schema " + kReportSchema +
              "; write one with rotary bench --json)");
  BenchReport r;
  try {
    r.rotary_version = root.string_or("rotary_version", "");
    r.date = root.string_or("date", "");
    r.command = root.string_or("command", "");
    r.host_cpu = root.string_or("host_cpu", "");
    const JsonValue& d = root.at("device");
    r.device = {d.string_or("name", ""),
                d.string_or("vendor", ""),
                u32(d, "vendor_id"),
                u32(d, "device_id"),
                d.string_or("type", ""),
                d.string_or("driver_name", ""),
                d.string_or("driver_info", ""),
                u32(d, "driver_version"),
                d.string_or("api_version", ""),
                u64(d, "vram_bytes"),
                d.find("unified_memory") && d.at("unified_memory").as_bool()};
    const JsonValue& m = root.at("model");
    r.model = {m.string_or("name", ""), m.string_or("path", ""), m.string_or("arch", ""),
               u64(m, "size_bytes"),    u64(m, "params"),        u32(m, "layers"),
               u32(m, "experts"),       u32(m, "experts_used")};
    if (const JsonValue* s = root.find("settings")) {
      r.settings = {
          u32(*s, "repetitions"),      u32(*s, "ctx"),
          s->string_or("kv_type", ""), !s->find("prefetch") || s->at("prefetch").as_bool(),
          u32(*s, "check_tokens"),     u32(*s, "llama_threads"),
          s->string_or("trace", "")};
    }
    r.copy_gbps = root.number_or("copy_gbps", 0);
    r.kernel_efficiency = root.number_or("kernel_efficiency", 0);
    for (const JsonValue& v : root.at("results").as_array()) r.results.push_back(read_result(v));
    if (const JsonValue* p = root.find("projections"))
      for (const JsonValue& v : p->as_array()) r.projections.push_back(read_projection(v));
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, source + ": " + e.what());
  }
  return r;
}

}  // namespace rotary::bench

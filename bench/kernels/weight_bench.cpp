// matvec and matmul of every weight type on the shapes of Qwen3-30B-A3B and Qwen3.5-35B-A3B.
// Each case checks a sample of rows against the CPU reference once, then times the kernel.
// Shapes are ggml's {input, output}: a "2048x4096" weight maps 2048 inputs to 4096 outputs.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/kernels/harness.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "runtime/reference/weights.h"

namespace rotary::bench {

namespace {

struct Shape {
  const char* what;
  uint32_t cols, rows;
};

// Qwen3-30B-A3B: attn_q, attn_output, expert gate/up and down, output head; Qwen3.5: attn_qkv
// (GDN), expert gate/up and down (512 wide).
constexpr Shape kShapes[] = {{"qwen3 attn_q", 2048, 4096},      {"qwen3 attn_output", 4096, 2048},
                             {"qwen3 expert gate", 2048, 768},  {"qwen3 expert down", 768, 2048},
                             {"qwen3 head", 2048, 151936},      {"qwen35 attn_qkv", 2048, 8192},
                             {"qwen35 expert gate", 2048, 512}, {"qwen35 expert down", 512, 2048}};

// A weight on the device and on the host (for the check).
struct BenchWeight {
  std::vector<std::byte> host;
  vk::Buffer buffer;
  ops::WeightView view;
};

std::optional<BenchWeight> make_weight(Bench& b, GgmlType type, const Shape& s, uint64_t seed) {
  const uint64_t bytes = *ggml_row_bytes(type, s.cols) * s.rows;
  if (bytes * 3 > b.gpu().budget().available()) return std::nullopt;
  BenchWeight w;
  w.host = ref::random_weight(type, s.rows, s.cols, seed);
  w.buffer = b.upload(w.host.data(), bytes, "bench weight");
  w.view = {w.buffer.view(), type, s.cols, s.rows};
  return w;
}

// Checks up to 48 rows (spread over the matrix, both ends included) of every token against the
// reference, with the tests' tolerance (K + 8) u sum|w x|.
std::string check(const BenchWeight& w, const std::vector<float>& x, uint32_t n,
                  const std::vector<float>& got) {
  const uint32_t rows = w.view.rows, cols = w.view.cols;
  const uint64_t rb = w.view.row_bytes();
  const uint32_t samples = std::min<uint32_t>(rows, 48);
  uint32_t bad = 0;
  for (uint32_t i = 0; i < samples; ++i) {
    const uint32_t r =
        samples == 1 ? 0 : static_cast<uint32_t>(uint64_t{i} * (rows - 1) / (samples - 1));
    const ref::HostWeight row{w.view.type, cols, 1, std::span(w.host).subspan(r * rb, rb)};
    std::vector<float> want(n), mag(n);
    ref::matmul(row, x, n, want);
    ref::matmul_magnitude(row, x, n, mag);
    for (uint32_t t = 0; t < n; ++t)
      bad += !(std::fabs(got[uint64_t{t} * rows + r] - want[t]) <=
               (cols + 8.0) * 0x1p-24 * mag[t] + 1e-30);
  }
  return bad ? std::to_string(bad) + " MISMATCHES" : "ok";
}

// max |got - ref| / max |ref| over the sampled rows, as "rel err 3.1e-03".
std::string rel_error(const BenchWeight& w, const std::vector<float>& x, const std::vector<float>& got) {
  const uint32_t rows = w.view.rows, cols = w.view.cols;
  const uint64_t rb = w.view.row_bytes();
  double worst = 0, scale = 0;
  for (uint32_t r = 0; r < rows; r += std::max<uint32_t>(1, rows / 48)) {
    const ref::HostWeight row{w.view.type, cols, 1, std::span(w.host).subspan(r * rb, rb)};
    std::vector<float> want(1);
    ref::matmul(row, x, 1, want);
    worst = std::max(worst, std::fabs(static_cast<double>(got[r]) - want[0]));
    scale = std::max(scale, std::fabs(static_cast<double>(want[0])));
  }
  char text[48];
  std::snprintf(text, sizeof text, "rel err %.1e", scale > 0 ? worst / scale : worst);
  return text;
}

std::string case_name(GgmlType type, const Shape& s, uint32_t n = 0) {
  std::string name = std::string(ggml_type_name(type)) + " " + std::to_string(s.cols) + "x" +
                     std::to_string(s.rows);
  return n ? name + " n=" + std::to_string(n) : name;
}

void matvec_case(Bench& b, GgmlType type, const Shape& s) {
  const std::string name = case_name(type, s);
  if (!b.selected("matvec " + name)) return;
  auto w = make_weight(b, type, s, s.rows * 31 + s.cols);
  if (!w) return b.report({"matvec", name, 0, 0, 0, "skipped: larger than a third of the budget"});
  const std::vector<float> x = ref::random_floats(s.cols, 7);
  vk::Buffer dx = b.upload(x.data(), x.size() * 4, "bench x");
  vk::Buffer dy = b.scratch(s.rows * 4ull, "bench y");
  b.gpu().compute().run_now(
      [&](vk::Recorder& rec) { ops::matvec(rec, w->view, dx.view(), dy.view()); });
  const std::string ok = check(*w, x, 1, b.download(dy, s.rows));
  const double us =
      b.time_us([&](vk::Recorder& rec) { ops::matvec(rec, w->view, dx.view(), dy.view()); });
  b.report({"matvec", name, us, static_cast<double>(w->host.size()), 2.0 * s.rows * s.cols, ok});
}

// The matvec paths side by side on one weight (docs/kernels.md, "matvec paths"): "wg lanes" is
// u32 with one row group per workgroup (the mapping before row groups), then u32, u16 and dot
// (quantize_q8_1 + matvec_q8_1, timed together) with the default lanes. Paths the device lacks
// are reported as skipped.
void matvec_paths_case(Bench& b, GgmlType type, const Shape& s) {
  const std::string name = case_name(type, s);
  if (!b.selected("matvec-paths " + name)) return;
  auto w = make_weight(b, type, s, s.rows * 31 + s.cols);
  if (!w) return;
  const std::vector<float> x = ref::random_floats(s.cols, 7);
  vk::Buffer dx = b.upload(x.data(), x.size() * 4, "bench x");
  vk::Buffer dy = b.scratch(s.rows * 4ull, "bench y");
  vk::Buffer dq = b.scratch(ops::q8_1_bytes(s.cols), "bench x q8_1");
  const vk::DeviceCaps& caps = b.gpu().caps();
  const ops::MatvecTuning def = ops::resolve(ops::MatvecTuning{}, caps, ops::row_units(type, s.cols));
  struct Variant {
    const char* label;
    ops::MatvecTuning tuning;
  };
  const Variant variants[] = {
      {"wg lanes", {.workgroup_size = def.workgroup_size, .lanes = def.workgroup_size, .path = vk::MatvecPath::u32}},
      {"u32", {.path = vk::MatvecPath::u32}},
      {"u16", {.path = vk::MatvecPath::u16}},
      {"dot", {.path = vk::MatvecPath::dot}}};
  for (const Variant& v : variants) {
    const std::string label = name + " [" + v.label + "]";
    const std::string why = vk::matvec_path_unsupported(caps, v.tuning.path);
    if (!why.empty() || (v.tuning.path == vk::MatvecPath::dot && !ops::has_dot_kernels(type))) {
      b.report({"matvec-paths", label, 0, 0, 0, "skipped: " + (why.empty() ? "no dot kernels" : why)});
      continue;
    }
    const auto record = [&](vk::Recorder& rec) {
      if (v.tuning.path != vk::MatvecPath::dot) return ops::matvec(rec, w->view, dx.view(), dy.view(), v.tuning);
      ops::quantize_q8_1(rec, dx.view(), s.cols, dq.view());
      rec.compute_barrier();
      ops::matvec_q8_1(rec, w->view, dq.view(), dy.view(), v.tuning);
    };
    b.gpu().compute().run_now(record);
    // dot: the reference on f32 x; Q8_1 rounding (up to d/2 per value) exceeds the f32 tolerance,
    // so its check column reports the relative error instead.
    const std::vector<float> got = b.download(dy, s.rows);
    const std::string ok = v.tuning.path == vk::MatvecPath::dot ? rel_error(*w, x, got) : check(*w, x, 1, got);
    const double us = b.time_us(record);
    b.report({"matvec-paths", label, us, static_cast<double>(w->host.size()), 2.0 * s.rows * s.cols, ok});
  }
}

void matmul_case(Bench& b, GgmlType type, const Shape& s, uint32_t n) {
  const std::string name = case_name(type, s, n);
  if (!b.selected("matmul " + name)) return;
  auto w = make_weight(b, type, s, s.rows * 31 + s.cols);
  if (!w) return b.report({"matmul", name, 0, 0, 0, "skipped: larger than a third of the budget"});
  const std::vector<float> x = ref::random_floats(uint64_t{n} * s.cols, 11);
  vk::Buffer dx = b.upload(x.data(), x.size() * 4, "bench x");
  vk::Buffer dy = b.scratch(uint64_t{n} * s.rows * 4, "bench y");
  b.gpu().compute().run_now(
      [&](vk::Recorder& rec) { ops::matmul(rec, w->view, dx.view(), dy.view(), n); });
  const std::string ok = check(*w, x, n, b.download(dy, uint64_t{n} * s.rows));
  const double us =
      b.time_us([&](vk::Recorder& rec) { ops::matmul(rec, w->view, dx.view(), dy.view(), n); });
  b.report(
      {"matmul", name, us, static_cast<double>(w->host.size()), 2.0 * n * s.rows * s.cols, ok});
}

bool quick_type(GgmlType t) {
  return t == GgmlType::Q4_K || t == GgmlType::Q6_K;
}

}  // namespace

void run_matvec(Bench& b) {
  b.copy_gbps();
  for (GgmlType type : ops::weight_kernel_types())
    for (const Shape& s : kShapes) {
      // Quick (lavapipe): every type on one shape, the 4-bit and head types on all.
      if (b.options().quick && !(s.rows == 4096 || quick_type(type))) continue;
      matvec_case(b, type, s);
    }
}

void run_matvec_paths(Bench& b) {
  b.copy_gbps();
  for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K})
    for (const Shape& s : kShapes) {
      if (s.rows == 151936 || s.rows == 8192) continue;
      if (b.options().quick && !(s.rows == 4096 || s.cols == 768 || s.cols == 512)) continue;
      matvec_paths_case(b, type, s);
    }
}

void run_matmul(Bench& b) {
  b.copy_gbps();
  for (GgmlType type : ops::weight_kernel_types())
    for (const Shape& s : kShapes) {
      if (s.rows == 151936) continue;  // the head runs for one token at a time
      if (b.options().quick && !(s.rows == 768 && s.cols == 2048 && quick_type(type))) continue;
      for (uint32_t n : {16u, 64u, 512u}) matmul_case(b, type, s, n);
    }
}

}  // namespace rotary::bench

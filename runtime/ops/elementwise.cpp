#include "runtime/ops/elementwise.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {

// Floats spanned by n_rows rows of n_cols, `stride` apart.
uint64_t rows_floats(uint32_t n_rows, uint32_t stride, uint32_t n_cols) {
  return (n_rows - 1) * uint64_t{stride} + n_cols;
}

struct BoundRows {
  BoundRange bound;
  uint32_t stride;
};

BoundRows bind_rows(const vk::Recorder& rec, const Rows& r, uint32_t n_cols, uint32_t n_rows,
                    const char* op) {
  const uint32_t stride = r.stride ? r.stride : n_cols;
  require(stride >= n_cols, ErrorKind::InvalidArgument,
          std::string(op) + ": a row stride is shorter than the row");
  return {bind_elements(rec.caps(), r.view, rows_floats(n_rows, stride, n_cols), "elementwise"),
          stride};
}

// One dispatch of an eltwise.comp variant: element c of row r reads a and b and writes y.
void dispatch_rows(vk::Recorder& rec, const char* shader, const BoundRows& a, const BoundRows& b,
                   const BoundRows& y, uint32_t n_cols, uint32_t n_rows, float scalar,
                   const ElementwiseTuning& tuning) {
  require(uint64_t{n_cols} * n_rows < (1ull << 32), ErrorKind::InvalidArgument,
          std::string(shader) + ": more than 2^32 elements in one dispatch");
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size, 256, shader);
  const vk::Pipeline& p = rec.pipeline({shader, {wg}, 3, sizeof(push::EltwisePush)});
  const push::EltwisePush pc{n_cols,   n_rows,         a.bound.offset, a.stride, b.bound.offset,
                             b.stride, y.bound.offset, y.stride,       scalar};
  const Grid g = grid_for(rec.caps(), uint64_t{n_cols} * n_rows, wg);
  rec.dispatch(p, {a.bound.binding, b.bound.binding, y.bound.binding}, pc, g.x, g.y);
}

}  // namespace

void add(vk::Recorder& rec, const vk::BufferView& a, const vk::BufferView& b,
         const vk::BufferView& y, uint32_t n, const ElementwiseTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::add(a, b, y, n); });
  if (n == 0) return;
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size, 256, "add");
  const BoundRange ba = bind_elements(rec.caps(), a, n, "elementwise");
  const BoundRange bb = bind_elements(rec.caps(), b, n, "elementwise");
  const BoundRange by = bind_elements(rec.caps(), y, n, "elementwise");
  const vk::Pipeline& p = rec.pipeline({"add", {wg}, 3, sizeof(push::BinaryPush)});
  const push::BinaryPush pc{n, ba.offset, bb.offset, by.offset};
  const Grid g = grid_for(rec.caps(), n, wg);
  rec.dispatch(p, {ba.binding, bb.binding, by.binding}, pc, g.x, g.y);
}

void scale(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& y, uint32_t n, float s,
           const ElementwiseTuning& tuning) {
  if (n == 0) return;
  const check::OpScope checked(rec, [&] { return check::scale(x, y, n, s); });
  const BoundRows bx = bind_rows(rec, {x, n}, n, 1, "scale");
  const BoundRows by = bind_rows(rec, {y, n}, n, 1, "scale");
  dispatch_rows(rec, "scale", bx, bx, by, n, 1, s, tuning);
}

void swiglu(vk::Recorder& rec, const Rows& gate, const Rows& up, const Rows& y, uint32_t n_cols,
            uint32_t n_rows, const ElementwiseTuning& tuning) {
  if (n_cols == 0 || n_rows == 0) return;
  const check::OpScope checked(rec, [&] { return check::swiglu(gate, up, y, n_cols, n_rows); });
  dispatch_rows(rec, "swiglu", bind_rows(rec, gate, n_cols, n_rows, "swiglu"),
                bind_rows(rec, up, n_cols, n_rows, "swiglu"),
                bind_rows(rec, y, n_cols, n_rows, "swiglu"), n_cols, n_rows, 0.0f, tuning);
}

void swiglu_merged(vk::Recorder& rec, const vk::BufferView& gate_up, const vk::BufferView& y,
                   uint32_t n_ff, uint32_t n_rows, const ElementwiseTuning& tuning) {
  if (n_ff == 0 || n_rows == 0) return;
  require(gate_up.size >= 4ull * n_ff, ErrorKind::InvalidArgument,
          "swiglu_merged: gate_up view too small");
  swiglu(rec, {gate_up, 2 * n_ff}, {gate_up.sub(4ull * n_ff, gate_up.size - 4ull * n_ff), 2 * n_ff},
         {y, n_ff}, n_ff, n_rows, tuning);
}

void mul_sigmoid(vk::Recorder& rec, const Rows& x, const Rows& gate, const Rows& y, uint32_t n_cols,
                 uint32_t n_rows, const ElementwiseTuning& tuning) {
  if (n_cols == 0 || n_rows == 0) return;
  const check::OpScope checked(rec,
                               [&] { return check::mul_sigmoid(x, gate, y, n_cols, n_rows); });
  dispatch_rows(rec, "mul_sigmoid", bind_rows(rec, x, n_cols, n_rows, "mul_sigmoid"),
                bind_rows(rec, gate, n_cols, n_rows, "mul_sigmoid"),
                bind_rows(rec, y, n_cols, n_rows, "mul_sigmoid"), n_cols, n_rows, 0.0f, tuning);
}

void mul_sigmoid_row(vk::Recorder& rec, const Rows& x, const vk::BufferView& s, const Rows& y,
                     uint32_t n_cols, uint32_t n_rows, const ElementwiseTuning& tuning) {
  if (n_cols == 0 || n_rows == 0) return;
  const check::OpScope checked(rec,
                               [&] { return check::mul_sigmoid_row(x, s, y, n_cols, n_rows); });
  const BoundRows bs{bind_elements(rec.caps(), s, n_rows, "elementwise"), 1};
  dispatch_rows(rec, "mul_sigmoid_row", bind_rows(rec, x, n_cols, n_rows, "mul_sigmoid_row"), bs,
                bind_rows(rec, y, n_cols, n_rows, "mul_sigmoid_row"), n_cols, n_rows, 0.0f, tuning);
}

void add_bias(vk::Recorder& rec, const Rows& x, const vk::BufferView& bias, const Rows& y,
              uint32_t n_cols, uint32_t n_rows, const ElementwiseTuning& tuning) {
  if (n_cols == 0 || n_rows == 0) return;
  const check::OpScope checked(rec, [&] { return check::add_bias(x, bias, y, n_cols, n_rows); });
  const BoundRows bb{bind_elements(rec.caps(), bias, n_cols, "elementwise"), 0};
  dispatch_rows(rec, "add_bias", bind_rows(rec, x, n_cols, n_rows, "add_bias"), bb,
                bind_rows(rec, y, n_cols, n_rows, "add_bias"), n_cols, n_rows, 0.0f, tuning);
}

}  // namespace rotary::ops

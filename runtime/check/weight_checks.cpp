// The weight ops for the checker: get_rows, matvec, matmul (runtime/check/op_checks.h).
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/tolerance.h"
#include "runtime/reference/weights.h"

namespace rotary::check {

namespace {
ref::HostWeight host(const ops::WeightView& w, std::span<const std::byte> bytes) {
  return {w.type, w.cols, w.rows, bytes};
}
std::string weight_shape(const ops::WeightView& w) {
  return std::string(ggml_type_name(w.type)) + " " + std::to_string(w.cols) + " -> " +
         std::to_string(w.rows);
}
vk::BufferView weight_bytes(const ops::WeightView& w) {
  return prefix(w.data, uint64_t{w.rows} * w.row_bytes());
}

// matvec and matmul: n rows of x through w, within the product tolerance.
Verdict weight_product(const ops::WeightView& w, const OpData& d, uint32_t n) {
  const ref::HostWeight hw = host(w, d.weights[0]);
  const std::span<const float> x = as<float>(d.inputs[0]);
  std::vector<float> want(uint64_t{n} * w.rows), mag(want.size()), tol(want.size());
  ref::matmul(hw, x, n, want);
  ref::matmul_magnitude(hw, x, n, mag);
  for (size_t i = 0; i < want.size(); ++i) tol[i] = product_tolerance(w.cols, mag[i], want[i]);
  return compare("y", as<float>(d.outputs[0]), want, tol);
}
}  // namespace

CheckedOp get_rows(const ops::WeightView& w, const vk::BufferView& ids, uint32_t count,
                   const vk::BufferView& out) {
  CheckedOp op;
  op.name = "get_rows";
  op.shape = std::to_string(count) + " rows of " + weight_shape(w);
  op.weights = {weight_bytes(w)};
  op.inputs = {prefix(ids, uint64_t{count} * 4)};
  op.outputs = {prefix(out, uint64_t{count} * w.cols * 4)};
  op.compare = [w, count](const OpData& d) {
    const std::span<const uint32_t> id = as<uint32_t>(d.inputs[0]);
    for (uint32_t i = 0; i < count; ++i)
      if (id[i] >= w.rows) {
        Verdict v;
        v.ok = false;
        v.output = "ids";
        v.index = i;
        v.got = id[i];
        v.want = w.rows - 1;  // the largest valid id
        return v;
      }
    std::vector<float> want(uint64_t{count} * w.cols);
    ref::get_rows(host(w, d.weights[0]), id, want);
    return exact("out", as<float>(d.outputs[0]), want);
  };
  return op;
}

CheckedOp matvec(const ops::WeightView& w, const vk::BufferView& x, const vk::BufferView& y) {
  CheckedOp op;
  op.name = "matvec";
  op.shape = weight_shape(w);
  op.weights = {weight_bytes(w)};
  op.inputs = {prefix(x, uint64_t{w.cols} * 4)};
  op.outputs = {prefix(y, uint64_t{w.rows} * 4)};
  op.compare = [w](const OpData& d) { return weight_product(w, d, 1); };
  return op;
}

CheckedOp matmul(const ops::WeightView& w, const vk::BufferView& x, const vk::BufferView& y,
                 uint32_t n) {
  CheckedOp op;
  op.name = "matmul";
  op.shape = weight_shape(w) + ", " + std::to_string(n) + " tokens";
  op.weights = {weight_bytes(w)};
  op.inputs = {prefix(x, uint64_t{n} * w.cols * 4)};
  op.outputs = {prefix(y, uint64_t{n} * w.rows * 4)};
  op.compare = [w, n](const OpData& d) { return weight_product(w, d, n); };
  return op;
}

}  // namespace rotary::check

#include "runtime/check/checked_op.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"

namespace rotary::check {

vk::BufferView prefix(const vk::BufferView& view, uint64_t bytes) {
  require(bytes <= view.size, ErrorKind::Internal,
          "check-ops: a view is smaller than its op's shape");
  return view.sub(0, bytes);
}

Verdict compare(const char* output, std::span<const float> got, std::span<const float> want,
                std::span<const float> tol) {
  require(got.size() == want.size() && tol.size() == want.size(), ErrorKind::Internal,
          std::string("check-ops: ") + output + ": sizes differ");
  Verdict v;
  v.output = output;
  for (size_t i = 0; i < want.size(); ++i) {
    double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (std::isnan(err)) err = INFINITY;
    const bool bad = !(err <= tol[i]);
    const double ratio = tol[i] > 0 ? err / tol[i] : (err > 0 ? INFINITY : 0);
    v.max_error = std::max(v.max_error, err);
    // Reported: the worst element among the failures, or overall while everything passes.
    const bool take =
        bad ? (v.ok || ratio > v.worst_ratio) : (v.ok && (i == 0 || ratio > v.worst_ratio));
    if (bad) v.ok = false;
    if (take) {
      v.worst_ratio = ratio;
      v.index = i;
      v.got = got[i];
      v.want = want[i];
      v.tolerance = tol[i];
    }
  }
  return v;
}

Verdict compare(const char* output, std::span<const float> got, std::span<const float> want,
                double abs, double rel) {
  std::vector<float> tol(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    tol[i] = static_cast<float>(abs + rel * std::fabs(want[i]));
  return compare(output, got, want, tol);
}

namespace {
template <typename T>
Verdict exact_bits(const char* output, std::span<const T> got, std::span<const T> want) {
  require(got.size() == want.size(), ErrorKind::Internal,
          std::string("check-ops: ") + output + ": sizes differ");
  Verdict v;
  v.output = output;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(T)) == 0) continue;
    const double err = std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
    if (v.ok || !(err <= v.max_error)) {
      v.index = i;
      v.got = static_cast<double>(got[i]);
      v.want = static_cast<double>(want[i]);
    }
    v.ok = false;
    v.worst_ratio = INFINITY;
    v.max_error = std::isnan(err) ? INFINITY : std::max(v.max_error, err);
  }
  return v;
}
}  // namespace

Verdict exact(const char* output, std::span<const float> got, std::span<const float> want) {
  return exact_bits(output, got, want);
}
Verdict exact(const char* output, std::span<const uint32_t> got, std::span<const uint32_t> want) {
  return exact_bits(output, got, want);
}

Verdict worse(Verdict a, const Verdict& b) {
  const double max_error = std::max(a.max_error, b.max_error);
  Verdict out =
      (a.ok && !b.ok) || (a.ok == b.ok && b.worst_ratio > a.worst_ratio) ? b : std::move(a);
  out.max_error = max_error;
  return out;
}

}  // namespace rotary::check

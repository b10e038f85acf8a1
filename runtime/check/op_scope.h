#pragma once
// The hook line each op opens at its top (runtime/check/op_checker.h):
//   const check::OpScope checked(rec, [&] { return check::matvec(w, x, y); });
// Without a checker on the recorder (the normal case) it costs one pointer test and the lambda is
// never called. With one, the inputs are snapshot now and the outputs verified when the scope
// closes, after the op recorded its dispatches; a divergence throws from there.
#include <exception>
#include <string>
#include <utility>

#include "runtime/check/op_checker.h"

namespace rotary::check {

class OpScope {
 public:
  template <typename Describe>
  OpScope(vk::Recorder& rec, Describe&& describe) : rec_(rec) {
    if (OpChecker* c = rec.checker()) {
      op_ = std::forward<Describe>(describe)();
      c->before(rec, op_);
      active_ = true;
    }
  }
  // Verifies unless the op is leaving by an exception of its own (then the snapshot is dropped).
  ~OpScope() noexcept(false) {
    if (!active_) return;
    if (std::uncaught_exceptions() > exceptions_)
      rec_.checker()->abandon();
    else
      rec_.checker()->after(rec_, op_);
  }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  vk::Recorder& rec_;
  CheckedOp op_;
  bool active_ = false;
  int exceptions_ = std::uncaught_exceptions();
};

// Where the model is, for the reports: "layer 3, positions 8-15" (layer < 0: `what` alone names
// the part, "the embedding"; n = 0: no positions). Free without a checker.
inline void label(vk::Recorder& rec, const char* what, int layer, uint32_t pos, uint32_t n) {
  OpChecker* c = rec.checker();
  if (!c) return;
  std::string s = std::string(what) + (layer >= 0 ? " " + std::to_string(layer) : "");
  if (n == 1) s += ", position " + std::to_string(pos);
  if (n > 1) s += ", positions " + std::to_string(pos) + "-" + std::to_string(pos + n - 1);
  c->set_label(std::move(s));
}

}  // namespace rotary::check

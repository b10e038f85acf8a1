// The comparisons behind --check-ops (runtime/check/checked_op.h): what passes, what fails, and
// which element a report names.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "runtime/check/checked_op.h"

using namespace rotary;

TEST_CASE(
    "check compare: within tolerance passes, the worst element relative to its tolerance is "
    "reported") {
  const std::vector<float> want = {1.0f, 2.0f, 3.0f, 4.0f};
  const std::vector<float> tol = {0.1f, 0.1f, 1.0f, 0.1f};
  const check::Verdict ok =
      check::compare("y", std::vector<float>{1.05f, 2.0f, 3.5f, 4.0f}, want, tol);
  CHECK(ok.ok);
  CHECK(ok.index == 2);  // 0.5 / 1.0 is the largest ratio
  CHECK(ok.max_error == doctest::Approx(0.5).epsilon(1e-6));

  // Two failures: element 1 (0.3 / 0.1 = 3) is worse than element 2 (2 / 1 = 2), though its error
  // is smaller.
  const check::Verdict bad =
      check::compare("y", std::vector<float>{1.0f, 2.3f, 5.0f, 4.0f}, want, tol);
  CHECK_FALSE(bad.ok);
  CHECK(bad.output == "y");
  CHECK(bad.index == 1);
  CHECK(bad.got == doctest::Approx(2.3));
  CHECK(bad.want == 2.0);
  CHECK(bad.tolerance == doctest::Approx(0.1));
  CHECK(bad.max_error == doctest::Approx(2.0).epsilon(1e-6));
}

TEST_CASE("check compare: NaN never passes; abs + rel tolerances") {
  const std::vector<float> want = {1.0f, 100.0f};
  CHECK_FALSE(check::compare("y", std::vector<float>{NAN, 100.0f}, want, 1.0, 0.0).ok);
  CHECK(check::compare("y", std::vector<float>{1.0f, 100.9f}, want, 0.0, 0.01).ok);  // 0.9 <= 1
  CHECK_FALSE(
      check::compare("y", std::vector<float>{1.0f, 101.1f}, want, 0.0, 0.01).ok);  // 1.1 > 1
  CHECK(check::compare("y", std::vector<float>{1.5f, 100.0f}, want, 0.5, 0.0).ok);
}

TEST_CASE("check exact: bit for bit, -0 differs from +0; worse() keeps the failure") {
  CHECK(check::exact("y", std::vector<float>{1.0f, -2.0f}, std::vector<float>{1.0f, -2.0f}).ok);
  const check::Verdict zero =
      check::exact("y", std::vector<float>{0.0f}, std::vector<float>{-0.0f});
  CHECK_FALSE(zero.ok);
  const check::Verdict ids =
      check::exact("ids", std::vector<uint32_t>{3, 7, 9}, std::vector<uint32_t>{3, 8, 9});
  CHECK_FALSE(ids.ok);
  CHECK(ids.index == 1);
  CHECK(ids.got == 7);
  CHECK(ids.want == 8);
  const check::Verdict pass = check::exact("y", std::vector<float>{1.0f}, std::vector<float>{1.0f});
  CHECK(check::worse(pass, ids).output == "ids");
  CHECK(check::worse(ids, pass).output == "ids");
  CHECK_FALSE(check::worse(pass, ids).ok);
}

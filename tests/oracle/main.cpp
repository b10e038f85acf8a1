// The oracle suite: tests that compare rotary against llama.cpp. It is built only when the oracle
// is configured, and refuses to run (a failure, never a skip) when rotary-oracle is missing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>

#include "tests/oracle/oracle_gpu.h"
#include "tests/oracle/oracle_test.h"

int main(int argc, char** argv) {
  const std::string exe = rotary::test::oracle_exe();
  if (access(exe.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "FAILED: oracle tests: %s is missing; build the rotary-oracle target\n", exe.c_str());
    return 1;
  }
  doctest::Context context(argc, argv);
  const int rc = context.run();
  rotary::test::release_oracle_gpu();
  return rc;
}

// rotary-oracle as a process: what needs no model file (arguments, failures).
#include <doctest/doctest.h>

#include <fstream>

#include "tests/oracle/oracle_test.h"

using namespace rotary::test;

TEST_CASE("rotary-oracle: every subcommand has help and the Vulkan build is there") {
  for (const char* sub : {"quantize", "eval", "tokenize", "detokenize", "bench"}) {
    const ProcessResult r = run_process(oracle_exe(), {sub, "--help"});
    CAPTURE(sub);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
  CHECK(oracle_has_vulkan());
}

TEST_CASE("rotary-oracle: failures exit non-zero with a message that names the problem") {
  TempDir dir("tool");
  const std::string missing = dir.file("missing.gguf");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const Case cases[] = {
      {{"eval", missing, "--tokens", "1,2"}, 2, "no such model file"},
      {{"eval", missing, "--tokens", "1,2", "--backend", "vulkan"}, 2, "no such model file"},  // via the sibling
      {{"eval", missing, "--tokens", "1,2", "--backend", "metal"}, 2, "cpu or vulkan"},
      {{"eval", missing}, 2, "--tokens"},
      {{"tokenize", missing, "hello"}, 2, "no such model file"},
      {{"detokenize", missing, "1,x"}, 2, "no such model file"},
      {{"bench", missing, "-p", "8", "-n", "8"}, 2, "no such model file"},
      {{"quantize", missing, dir.file("out.gguf"), "Q4_K_M"}, 2, "no such model file"},
      {{"quantize", missing, dir.file("out.gguf"), "Q4_K_Q"}, 2, "unknown quantisation type"},
  };
  for (const Case& c : cases) {
    const ProcessResult r = run_process(oracle_exe(), c.args);
    CAPTURE(c.args[0]);
    CAPTURE(r.err);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find(c.says) != std::string::npos);
  }

  // A file that is not a GGUF: llama.cpp refuses it and so does the tool, with its own message.
  const std::string junk = dir.file("junk.gguf");
  std::ofstream(junk) << "this is not a GGUF file\n";
  const ProcessResult r = run_process(oracle_exe(), {"eval", junk, "--tokens", "1"});
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("could not load") != std::string::npos);
}

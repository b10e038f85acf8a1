// rotary-oracle quantize: llama_model_quantize with a llama ftype given by name.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <string>

#include "base/error.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"

namespace rotary::oracle {

namespace {

struct FtypeName {
  const char* name;
  llama_ftype ftype;
};

// The names llama.cpp's quantize tool accepts, including its aliases Q3_K, Q4_K, Q5_K (the _M mix).
constexpr FtypeName kFtypes[] = {
    {"F32", LLAMA_FTYPE_ALL_F32},           {"ALL_F32", LLAMA_FTYPE_ALL_F32},
    {"F16", LLAMA_FTYPE_MOSTLY_F16},        {"BF16", LLAMA_FTYPE_MOSTLY_BF16},
    {"Q4_0", LLAMA_FTYPE_MOSTLY_Q4_0},      {"Q4_1", LLAMA_FTYPE_MOSTLY_Q4_1},
    {"Q5_0", LLAMA_FTYPE_MOSTLY_Q5_0},      {"Q5_1", LLAMA_FTYPE_MOSTLY_Q5_1},
    {"Q8_0", LLAMA_FTYPE_MOSTLY_Q8_0},      {"Q2_K", LLAMA_FTYPE_MOSTLY_Q2_K},
    {"Q2_K_S", LLAMA_FTYPE_MOSTLY_Q2_K_S},  {"Q3_K", LLAMA_FTYPE_MOSTLY_Q3_K_M},
    {"Q3_K_S", LLAMA_FTYPE_MOSTLY_Q3_K_S},  {"Q3_K_M", LLAMA_FTYPE_MOSTLY_Q3_K_M},
    {"Q3_K_L", LLAMA_FTYPE_MOSTLY_Q3_K_L},  {"Q4_K", LLAMA_FTYPE_MOSTLY_Q4_K_M},
    {"Q4_K_S", LLAMA_FTYPE_MOSTLY_Q4_K_S},  {"Q4_K_M", LLAMA_FTYPE_MOSTLY_Q4_K_M},
    {"Q5_K", LLAMA_FTYPE_MOSTLY_Q5_K_M},    {"Q5_K_S", LLAMA_FTYPE_MOSTLY_Q5_K_S},
    {"Q5_K_M", LLAMA_FTYPE_MOSTLY_Q5_K_M},  {"Q6_K", LLAMA_FTYPE_MOSTLY_Q6_K},
    {"IQ1_S", LLAMA_FTYPE_MOSTLY_IQ1_S},    {"IQ1_M", LLAMA_FTYPE_MOSTLY_IQ1_M},
    {"IQ2_XXS", LLAMA_FTYPE_MOSTLY_IQ2_XXS}, {"IQ2_XS", LLAMA_FTYPE_MOSTLY_IQ2_XS},
    {"IQ2_S", LLAMA_FTYPE_MOSTLY_IQ2_S},    {"IQ2_M", LLAMA_FTYPE_MOSTLY_IQ2_M},
    {"IQ3_XXS", LLAMA_FTYPE_MOSTLY_IQ3_XXS}, {"IQ3_XS", LLAMA_FTYPE_MOSTLY_IQ3_XS},
    {"IQ3_S", LLAMA_FTYPE_MOSTLY_IQ3_S},    {"IQ3_M", LLAMA_FTYPE_MOSTLY_IQ3_M},
    {"IQ4_NL", LLAMA_FTYPE_MOSTLY_IQ4_NL},  {"IQ4_XS", LLAMA_FTYPE_MOSTLY_IQ4_XS},
    {"TQ1_0", LLAMA_FTYPE_MOSTLY_TQ1_0},    {"TQ2_0", LLAMA_FTYPE_MOSTLY_TQ2_0},
    {"MXFP4_MOE", LLAMA_FTYPE_MOSTLY_MXFP4_MOE}, {"NVFP4", LLAMA_FTYPE_MOSTLY_NVFP4},
    {"Q1_0", LLAMA_FTYPE_MOSTLY_Q1_0},      {"Q2_0", LLAMA_FTYPE_MOSTLY_Q2_0},
};

llama_ftype parse_ftype(const std::string& name) {
  std::string upper;
  std::transform(name.begin(), name.end(), std::back_inserter(upper),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const FtypeName& f : kFtypes) {
    if (upper == f.name) return f.ftype;
  }
  std::string known;
  for (const FtypeName& f : kFtypes) known += std::string(known.empty() ? "" : ", ") + f.name;
  throw Error(ErrorKind::InvalidArgument, "unknown quantisation type '" + name + "'; known: " + known);
}

}  // namespace

void run_quantize(const QuantizeOptions& o) {
  const llama_ftype ftype = parse_ftype(o.type);
  require_model_file(o.input);
  require(std::filesystem::weakly_canonical(o.input) != std::filesystem::weakly_canonical(o.output),
          ErrorKind::InvalidArgument, "quantize: the output must not be the input file");
  init_llama(false);
  llama_model_quantize_params params = llama_model_quantize_default_params();
  params.ftype = ftype;
  params.nthread = o.threads;
  params.allow_requantize = o.allow_requantize;
  params.pure = o.pure;
  if (llama_model_quantize(o.input.c_str(), o.output.c_str(), &params) == 0) return;
  std::error_code ec;
  std::filesystem::remove(o.output, ec);  // no half-written file left behind
  throw Error(ErrorKind::InvalidModel,
          "llama_model_quantize " + o.input + " -> " + o.output + " (" + o.type +
              ") failed: see llama.cpp's message above" +
              (o.allow_requantize ? "" : " (an already quantised input needs --allow-requantize)"));
}

}  // namespace rotary::oracle

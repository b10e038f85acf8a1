// rotary-oracle quantize: llama_model_quantize with a llama ftype given by name.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <string>

#include "base/error.h"
#include "loader/ggml_types.h"
#include "loader/gguf_reader.h"
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

// The --tensor-type overrides, terminated as llama.cpp expects (pattern nullptr).
struct TensorTypes {
  std::vector<std::string> patterns;
  std::vector<llama_model_tensor_override> list;
};
TensorTypes parse_tensor_types(const std::vector<std::string>& items) {
  TensorTypes t;
  for (const std::string& item : items) {
    const size_t eq = item.rfind('=');
    require(eq != std::string::npos && eq > 0, ErrorKind::InvalidArgument,
            "--tensor-type '" + item + "': expected PATTERN=TYPE");
    const std::optional<GgmlType> type = ggml_type_from_name(item.substr(eq + 1));
    require(type.has_value(), ErrorKind::InvalidArgument, "--tensor-type '" + item + "': unknown ggml type");
    t.patterns.push_back(item.substr(0, eq));
    t.list.push_back({nullptr, static_cast<ggml_type>(*type)});
  }
  for (size_t i = 0; i < t.patterns.size(); ++i) t.list[i].pattern = t.patterns[i].c_str();
  t.list.push_back({nullptr, GGML_TYPE_COUNT});
  return t;
}

// Ones for every matrix of the input: ne[0] x ne[2] values per tensor (one row of weights per
// expert), the size llama.cpp's quantiser checks.
struct OnesImatrix {
  std::vector<std::string> names;
  std::vector<float> ones;
  std::vector<llama_model_imatrix_data> list;
};
OnesImatrix ones_imatrix(const std::string& path) {
  const GgufFile file = GgufFile::open(path);
  OnesImatrix m;
  size_t longest = 0;
  std::vector<size_t> sizes;
  for (const GgufTensorInfo& t : file.tensors()) {
    if (t.shape.size() < 2) continue;
    m.names.push_back(t.name);
    sizes.push_back(t.shape[0] * (t.shape.size() > 2 ? t.shape[2] : 1));
    longest = std::max(longest, sizes.back());
  }
  m.ones.assign(longest, 1.0f);
  for (size_t i = 0; i < m.names.size(); ++i) m.list.push_back({m.names[i].c_str(), m.ones.data(), sizes[i]});
  m.list.push_back({nullptr, nullptr, 0});
  return m;
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
  const TensorTypes overrides = parse_tensor_types(o.tensor_types);
  if (!o.tensor_types.empty()) params.tt_overrides = overrides.list.data();
  OnesImatrix imatrix;
  if (o.imatrix_ones) {
    imatrix = ones_imatrix(o.input);
    params.imatrix = imatrix.list.data();
  }
  if (llama_model_quantize(o.input.c_str(), o.output.c_str(), &params) == 0) return;
  std::error_code ec;
  std::filesystem::remove(o.output, ec);  // no half-written file left behind
  throw Error(ErrorKind::InvalidModel,
          "llama_model_quantize " + o.input + " -> " + o.output + " (" + o.type +
              ") failed: see llama.cpp's message above" +
              (o.allow_requantize ? "" : " (an already quantised input needs --allow-requantize)"));
}

}  // namespace rotary::oracle

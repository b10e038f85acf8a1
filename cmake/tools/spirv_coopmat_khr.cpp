// Build tool: rewrites a SPIR-V module that glslang compiled with GL_NV_cooperative_matrix into
// one that uses SPV_KHR_cooperative_matrix, and writes it as a C header (the form every shader
// takes, cmake/Shaders.cmake). Debian bookworm's glslang 12 and SPIRV-Tools 2023.1 know only the
// NV extension; the KHR one adds a "use" operand to the matrix type (A, B or accumulator) and
// reorders the load/store operands. The shader marks its B matrices with workgroup scope
// (shaders/matmul_coopmat.comp); this tool maps
//   half/float matrix, subgroup scope  -> MatrixAKHR (f16) or MatrixAccumulatorKHR (f32)
//   half matrix, workgroup scope       -> MatrixBKHR, subgroup scope
//   OpCooperativeMatrix{Load,Store,MulAdd,Length}NV -> the KHR opcodes; column-major flag ->
//   layout constant (RowMajorKHR 0, ColumnMajorKHR 1)
// and refuses anything else (exit 1 with a message), so a module it cannot rewrite fails the build.
//   spirv_coopmat_khr IN.spv OUT.h VARIABLE_NAME
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

enum : uint32_t {
  kOpExtension = 10,
  kOpCapability = 17,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpConstantTrue = 41,
  kOpConstantFalse = 42,
  kOpConstant = 43,
  kCapCoopNV = 5357,
  kCapCoopKHR = 6022,
  kOpTypeCoopNV = 5358,
  kOpLoadNV = 5359,
  kOpStoreNV = 5360,
  kOpMulAddNV = 5361,
  kOpLengthNV = 5362,
  kOpTypeCoopKHR = 4456,
  kOpLoadKHR = 4457,
  kOpStoreKHR = 4458,
  kOpMulAddKHR = 4459,
  kOpLengthKHR = 4460,
  kScopeWorkgroup = 2,
  kScopeSubgroup = 3,
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "spirv_coopmat_khr: %s\n", what.c_str());
  std::exit(1);
}

std::vector<uint32_t> words_of_string(const std::string& s) {
  std::vector<uint32_t> w((s.size() + 4) / 4, 0);
  for (size_t i = 0; i < s.size(); ++i) w[i / 4] |= uint32_t(uint8_t(s[i])) << (8 * (i % 4));
  return w;
}

struct Module {
  std::vector<uint32_t> header;
  std::vector<std::vector<uint32_t>> insts;  // each: opcode word first
};

Module parse(const std::vector<uint32_t>& w) {
  if (w.size() < 5 || w[0] != 0x07230203u) fail("not a SPIR-V module");
  Module m{{w.begin(), w.begin() + 5}, {}};
  for (size_t i = 5; i < w.size();) {
    const uint32_t n = w[i] >> 16;
    if (n == 0 || i + n > w.size()) fail("truncated instruction");
    m.insts.emplace_back(w.begin() + i, w.begin() + i + n);
    i += n;
  }
  return m;
}

uint32_t op(const std::vector<uint32_t>& in) { return in[0] & 0xFFFFu; }
std::vector<uint32_t> inst(uint32_t opcode, std::vector<uint32_t> operands) {
  operands.insert(operands.begin(), (uint32_t(operands.size() + 1) << 16) | opcode);
  return operands;
}

void rewrite(Module& m) {
  std::map<uint32_t, uint32_t> constant_value, float_width;
  std::set<uint32_t> trues, falses;
  uint32_t uint_type = 0;
  for (const auto& in : m.insts) {
    if (op(in) == kOpTypeInt && in[2] == 32 && in[3] == 0 && !uint_type) uint_type = in[1];
    if (op(in) == kOpTypeFloat) float_width[in[1]] = in[2];
    if (op(in) == kOpConstant && in.size() == 4) constant_value[in[2]] = in[3];
    if (op(in) == kOpConstantTrue) trues.insert(in[2]);
    if (op(in) == kOpConstantFalse) falses.insert(in[2]);
  }
  if (!uint_type) fail("no 32-bit unsigned integer type");
  // New constants 0..3 (layouts, uses, subgroup scope), declared right after the uint type.
  uint32_t& bound = m.header[3];
  uint32_t k[4] = {0, 0, 0, 0};
  std::vector<std::vector<uint32_t>> out;
  for (auto& in : m.insts) {
    if ((op(in) == kOpTypeCoopNV || op(in) == kOpLoadNV || op(in) == kOpStoreNV) && !k[0])
      fail("a cooperative matrix instruction before the uint type");
    switch (op(in)) {
      case kOpCapability:
        if (in[1] == kCapCoopNV) in[1] = kCapCoopKHR;
        break;
      case kOpExtension:
        if (in.size() > 1 && std::string(reinterpret_cast<const char*>(&in[1])) == "SPV_NV_cooperative_matrix")
          in = inst(kOpExtension, words_of_string("SPV_KHR_cooperative_matrix"));
        break;
      case kOpTypeCoopNV: {  // result, component, scope, rows, cols
        const uint32_t width = float_width.count(in[2]) ? float_width[in[2]] : 0;
        const uint32_t scope = constant_value.count(in[3]) ? constant_value[in[3]] : ~0u;
        uint32_t use;
        if (width == 16 && scope == kScopeSubgroup) use = 0;
        else if (width == 16 && scope == kScopeWorkgroup) use = 1;
        else if (width == 32 && scope == kScopeSubgroup) use = 2;
        else fail("a cooperative matrix type that is not f16 A/B or an f32 accumulator");
        in = inst(kOpTypeCoopKHR, {in[1], in[2], k[kScopeSubgroup], in[4], in[5], k[use]});
        break;
      }
      case kOpLoadNV: {  // rtype, result, pointer, stride, column-major, [memory operands]
        const uint32_t layout = trues.count(in[5]) ? 1 : falses.count(in[5]) ? 0 : 2;
        if (layout == 2) fail("a load whose column-major flag is not a constant");
        std::vector<uint32_t> ops{in[1], in[2], in[3], k[layout], in[4]};
        ops.insert(ops.end(), in.begin() + 6, in.end());
        in = inst(kOpLoadKHR, ops);
        break;
      }
      case kOpStoreNV: {  // pointer, object, stride, column-major, [memory operands]
        const uint32_t layout = trues.count(in[4]) ? 1 : falses.count(in[4]) ? 0 : 2;
        if (layout == 2) fail("a store whose column-major flag is not a constant");
        std::vector<uint32_t> ops{in[1], in[2], k[layout], in[3]};
        ops.insert(ops.end(), in.begin() + 5, in.end());
        in = inst(kOpStoreKHR, ops);
        break;
      }
      case kOpMulAddNV:
        in[0] = (in[0] & 0xFFFF0000u) | kOpMulAddKHR;
        break;
      case kOpLengthNV:
        in[0] = (in[0] & 0xFFFF0000u) | kOpLengthKHR;
        break;
      default:
        break;
    }
    out.push_back(in);
    if (op(in) == kOpTypeInt && in[1] == uint_type)
      for (uint32_t v = 0; v < 4; ++v) {
        k[v] = bound++;
        out.push_back(inst(kOpConstant, {uint_type, k[v], v}));
      }
  }
  m.insts = out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) fail("usage: spirv_coopmat_khr IN.spv OUT.h VARIABLE_NAME");
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) fail(std::string("cannot read ") + argv[1]);
  if (bytes.size() % 4) fail("the module is not a whole number of words");
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), bytes.size());
  Module m = parse(words);
  rewrite(m);
  std::ofstream out(argv[2]);
  out << "// Generated by cmake/tools/spirv_coopmat_khr.cpp. Do not edit.\n#pragma once\n#include <cstdint>\n";
  out << "const uint32_t " << argv[3] << "[] = {\n";
  size_t col = 0;
  auto put = [&](uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x,", v);
    out << buf << (++col % 8 ? " " : "\n");
  };
  for (uint32_t v : m.header) put(v);
  for (const auto& i : m.insts)
    for (uint32_t v : i) put(v);
  out << "};\n";
  if (!out) fail(std::string("cannot write ") + argv[2]);
  return 0;
}

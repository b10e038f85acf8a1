#include "tests/oracle/tool/tensor_dump.h"

#include <ggml-backend.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/json.h"
#include "base/npy.h"

namespace rotary::oracle {

namespace {

bool is_view_op(ggml_op op) {
  return op == GGML_OP_NONE || op == GGML_OP_VIEW || op == GGML_OP_RESHAPE || op == GGML_OP_PERMUTE ||
         op == GGML_OP_TRANSPOSE;
}

// Copies the tensor's elements in logical order (ne0 fastest) out of its raw bytes, which for a
// non-contiguous tensor span more than the elements.
template <typename Convert>
void gather(const ggml_tensor* t, const uint8_t* raw, Convert convert) {
  int64_t out = 0;
  for (int64_t i3 = 0; i3 < t->ne[3]; ++i3)
    for (int64_t i2 = 0; i2 < t->ne[2]; ++i2)
      for (int64_t i1 = 0; i1 < t->ne[1]; ++i1)
        for (int64_t i0 = 0; i0 < t->ne[0]; ++i0) {
          const size_t at = static_cast<size_t>(i0 * static_cast<int64_t>(t->nb[0]) +
                                                i1 * static_cast<int64_t>(t->nb[1]) +
                                                i2 * static_cast<int64_t>(t->nb[2]) +
                                                i3 * static_cast<int64_t>(t->nb[3]));
          convert(raw + at, out++);
        }
}

}  // namespace

TensorDump::TensorDump(std::string dir, std::vector<std::string> filters)
    : dir_(std::move(dir)), filters_(std::move(filters)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  require(!ec && std::filesystem::is_directory(dir_), ErrorKind::Io,
          "cannot create the tensor dump folder " + dir_ + (ec ? ": " + ec.message() : ""));
}

bool TensorDump::wanted(const ggml_tensor* t) const {
  if (!enabled_ || t->name[0] == '\0' || is_view_op(t->op)) return false;
  if (filters_.empty()) return true;
  for (const std::string& f : filters_) {
    if (std::strstr(t->name, f.c_str()) != nullptr) return true;
  }
  return false;
}

bool TensorDump::callback(ggml_tensor* t, bool ask, void* user) {
  auto* self = static_cast<TensorDump*>(user);
  if (ask) return self->wanted(t);
  // Called from inside llama_decode (C code): an exception must not cross it.
  try {
    self->save(t);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rotary-oracle: dumping %s failed: %s\n", t->name, e.what());
    return false;  // cancels the graph; llama_decode then reports the failure
  }
  return true;
}

std::string TensorDump::file_name_for(const std::string& name) {
  std::string safe;
  for (char c : name) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  const int n = seen_[name]++;
  return n == 0 ? safe + ".npy" : safe + "." + std::to_string(n) + ".npy";
}

void TensorDump::save(const ggml_tensor* t) {
  Entry e{t->name, "", ggml_op_desc(t), ggml_type_name(t->type), {}, ""};
  for (int d = ggml_n_dims(t) - 1; d >= 0; --d) e.shape.push_back(t->ne[d]);
  const int64_t n = ggml_nelements(t);
  const bool floating = t->type == GGML_TYPE_F32 || t->type == GGML_TYPE_F16 || t->type == GGML_TYPE_BF16;
  if ((!floating && t->type != GGML_TYPE_I32) || n == 0) {
    e.skipped = n == 0 ? "empty" : std::string("type ") + e.type + " is not dumped";
    entries_.push_back(std::move(e));
    return;
  }
  // The raw span (device memory on Vulkan): ggml_nbytes covers the strided extent.
  std::vector<uint8_t> raw(ggml_nbytes(t));
  ggml_backend_tensor_get(t, raw.data(), 0, raw.size());
  e.file = file_name_for(e.name);
  // Written as float32 [rows, ne0] (ggml's row layout); the full shape is in index.json. I32
  // tensors (expert ids) are exact in float32.
  std::vector<float> v(static_cast<size_t>(n));
  const ggml_to_float_t to_float =
      floating && t->type != GGML_TYPE_F32 ? ggml_get_type_traits(t->type)->to_float : nullptr;
  gather(t, raw.data(), [&](const uint8_t* p, int64_t i) {
    float& dst = v[static_cast<size_t>(i)];
    if (t->type == GGML_TYPE_I32) {
      int32_t id;
      std::memcpy(&id, p, 4);
      dst = static_cast<float>(id);
    } else if (to_float) {
      to_float(p, &dst, 1);
    } else {
      std::memcpy(&dst, p, 4);
    }
  });
  const auto cols = static_cast<uint64_t>(t->ne[0]);
  write_npy((std::filesystem::path(dir_) / e.file).string(), {static_cast<uint64_t>(n) / cols, cols, std::move(v)});
  entries_.push_back(std::move(e));
}

void TensorDump::write_index() const {
  Json j = Json::array();
  for (const Entry& e : entries_) {
    Json& x =
        j.emplace_back(Json{{"name", e.name}, {"op", e.op}, {"type", e.type}, {"shape", e.shape}});
    if (e.skipped.empty()) {
      x["file"] = e.file;
    } else {
      x["skipped"] = e.skipped;
    }
  }
  const std::string path = (std::filesystem::path(dir_) / "index.json").string();
  std::ofstream out(path, std::ios::trunc);
  out << dump_json(j) << "\n";
  require(out.good(), ErrorKind::Io, "cannot write " + path);
}

}  // namespace rotary::oracle

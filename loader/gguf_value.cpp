#include "loader/gguf_value.h"

#include <cstdio>
#include <limits>
#include <type_traits>

namespace rotary {

std::string_view gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::U8:
      return "u8";
    case GgufType::I8:
      return "i8";
    case GgufType::U16:
      return "u16";
    case GgufType::I16:
      return "i16";
    case GgufType::U32:
      return "u32";
    case GgufType::I32:
      return "i32";
    case GgufType::F32:
      return "f32";
    case GgufType::Bool:
      return "bool";
    case GgufType::String:
      return "str";
    case GgufType::Array:
      return "arr";
    case GgufType::U64:
      return "u64";
    case GgufType::I64:
      return "i64";
    case GgufType::F64:
      return "f64";
  }
  return "?";
}

uint32_t gguf_type_size(GgufType type) {
  switch (type) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::Bool:
      return 1;
    case GgufType::U16:
    case GgufType::I16:
      return 2;
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::F32:
      return 4;
    case GgufType::U64:
    case GgufType::I64:
    case GgufType::F64:
      return 8;
    case GgufType::String:
    case GgufType::Array:
      return 0;
  }
  return 0;
}

size_t GgufArray::size() const {
  return std::visit([](const auto& v) { return v.size(); }, elements_);
}

bool GgufArray::operator==(const GgufArray& other) const {
  return elements_ == other.elements_;
}

std::optional<uint64_t> GgufValue::as_uint() const {
  return std::visit(
      [](const auto& v) -> std::optional<uint64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (v < 0) return std::nullopt;
          }
          return static_cast<uint64_t>(v);
        } else {
          return std::nullopt;
        }
      },
      storage_);
}

std::optional<int64_t> GgufValue::as_int() const {
  return std::visit(
      [](const auto& v) -> std::optional<int64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_same_v<T, uint64_t>) {
            if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
          }
          return static_cast<int64_t>(v);
        } else {
          return std::nullopt;
        }
      },
      storage_);
}

std::optional<double> GgufValue::as_float() const {
  if (const auto* f = get_if<float>()) return *f;
  if (const auto* d = get_if<double>()) return *d;
  return std::nullopt;
}

namespace {

template <typename T>
std::string scalar_to_display(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    constexpr size_t kMaxChars = 60;
    std::string shown = v.size() > kMaxChars ? v.substr(0, kMaxChars) + "..." : v;
    for (char& c : shown)
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return "\"" + shown + "\"";
  } else if constexpr (std::is_floating_point_v<T>) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
    return buf;
  } else if constexpr (std::is_same_v<T, GgufArray>) {
    return "";  // handled by array_to_display
  } else {
    return std::to_string(v);
  }
}

std::string array_to_display(const GgufArray& a, size_t max_elements) {
  const std::string type(gguf_type_name(a.element_type()));
  if (a.size() > max_elements) return "[" + type + " x " + std::to_string(a.size()) + "]";
  return std::visit(
      [&](const auto& vec) {
        std::string out = "[";
        for (size_t i = 0; i < vec.size(); ++i) {
          if (i) out += ", ";
          using E = std::decay_t<decltype(vec[i])>;
          if constexpr (std::is_same_v<E, GgufArray>) {
            out += array_to_display(vec[i], max_elements);
          } else {
            const E element = vec[i];  // std::vector<bool> yields a proxy
            out += scalar_to_display(element);
          }
        }
        return out + "]";
      },
      a.elements());
}

}  // namespace

std::string GgufValue::to_display(size_t max_elements) const {
  if (const auto* a = as_array()) return array_to_display(*a, max_elements);
  return std::visit([](const auto& v) { return scalar_to_display(v); }, storage_);
}

}  // namespace rotary

#pragma once
// A GGUF metadata value: one of the 13 GGUF value types, arrays included (arrays of arrays too).
// Arrays are stored typed (a std::vector<std::string> for a string array, not a vector of
// values) so that a 250k-entry vocabulary costs what its strings cost and the tokenizer gets it
// without conversion.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace rotary {

// GGUF value type ids as files store them (uint32).
enum class GgufType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
inline constexpr uint32_t kGgufTypeCount = 13;

// "u32", "str", "arr", ... (the names llama.cpp prints).
std::string_view gguf_type_name(GgufType type);
// Bytes of one value of a fixed-size type; 0 for String and Array.
uint32_t gguf_type_size(GgufType type);

class GgufArray;

// Calls f(std::type_identity<T>{}) with the C++ type that holds GGUF type `type` (GgufArray for
// Array, std::string for String).
template <typename F>
decltype(auto) visit_gguf_type(GgufType type, F&& f);

namespace detail {
// The alternative at index i holds GGUF type i, so variant::index() is the type id.
template <template <typename> class Wrap>
using GgufAlternatives =
    std::variant<Wrap<uint8_t>, Wrap<int8_t>, Wrap<uint16_t>, Wrap<int16_t>, Wrap<uint32_t>,
                 Wrap<int32_t>, Wrap<float>, Wrap<bool>, Wrap<std::string>, Wrap<GgufArray>,
                 Wrap<uint64_t>, Wrap<int64_t>, Wrap<double>>;
template <typename T>
using Same = T;
template <typename T>
using VectorOf = std::vector<T>;
}  // namespace detail

// A homogeneous array. Elements of type Array are themselves arrays (each with its own type).
class GgufArray {
 public:
  using Elements = detail::GgufAlternatives<detail::VectorOf>;

  GgufArray() : elements_(std::vector<uint8_t>{}) {}
  template <typename T>
  explicit GgufArray(std::vector<T> elements) : elements_(std::move(elements)) {}

  GgufType element_type() const { return static_cast<GgufType>(elements_.index()); }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // The elements as a vector of T, or nullptr when the element type is not T.
  template <typename T>
  const std::vector<T>* get_if() const {
    return std::get_if<std::vector<T>>(&elements_);
  }
  const Elements& elements() const { return elements_; }

  bool operator==(const GgufArray& other) const;

 private:
  Elements elements_;
};

class GgufValue {
 public:
  using Storage = detail::GgufAlternatives<detail::Same>;

  GgufValue() : storage_(uint8_t{0}) {}
  // Exactly the C++ type of the GGUF type wanted: GgufValue(uint32_t{48}), GgufValue(1e-6f),
  // GgufValue(std::string("gpt2")). (const char* is taken as a string, not as a bool.)
  template <typename T>
  requires(!std::is_same_v<T, GgufValue> &&
           std::is_constructible_v<Storage, T>) explicit GgufValue(T value)
      : storage_(std::move(value)) {}
  explicit GgufValue(const char* text) : storage_(std::string(text)) {}

  GgufType type() const { return static_cast<GgufType>(storage_.index()); }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&storage_);
  }
  const Storage& storage() const { return storage_; }

  // Conversions for readers that accept any integer or float width. nullopt when the value is
  // of another kind or does not fit.
  std::optional<uint64_t> as_uint() const;
  std::optional<int64_t> as_int() const;
  std::optional<double> as_float() const;  // F32 or F64 only
  const std::string* as_string() const { return get_if<std::string>(); }
  const GgufArray* as_array() const { return get_if<GgufArray>(); }

  // For people: "48", "1e-06", "\"gpt2\"", "[str x 151936]" (arrays longer than
  // `max_elements` are summarised by type and count).
  std::string to_display(size_t max_elements = 8) const;

  bool operator==(const GgufValue& other) const { return storage_ == other.storage_; }

 private:
  Storage storage_;
};

template <typename F>
decltype(auto) visit_gguf_type(GgufType type, F&& f) {
  switch (type) {
    case GgufType::U8:
      return f(std::type_identity<uint8_t>{});
    case GgufType::I8:
      return f(std::type_identity<int8_t>{});
    case GgufType::U16:
      return f(std::type_identity<uint16_t>{});
    case GgufType::I16:
      return f(std::type_identity<int16_t>{});
    case GgufType::U32:
      return f(std::type_identity<uint32_t>{});
    case GgufType::I32:
      return f(std::type_identity<int32_t>{});
    case GgufType::F32:
      return f(std::type_identity<float>{});
    case GgufType::Bool:
      return f(std::type_identity<bool>{});
    case GgufType::String:
      return f(std::type_identity<std::string>{});
    case GgufType::Array:
      return f(std::type_identity<GgufArray>{});
    case GgufType::U64:
      return f(std::type_identity<uint64_t>{});
    case GgufType::I64:
      return f(std::type_identity<int64_t>{});
    case GgufType::F64:
      return f(std::type_identity<double>{});
  }
  return f(std::type_identity<uint8_t>{});  // not reached for valid enum values
}

}  // namespace rotary

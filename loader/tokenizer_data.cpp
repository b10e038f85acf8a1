#include "loader/tokenizer_data.h"

#include <limits>
#include <utility>

namespace rotary {

namespace {

const std::vector<std::string>* string_array(const GgufMetadata& m, std::string_view key) {
  const auto* a = m.get_array(key);
  if (!a) return nullptr;
  const auto* strings = a->get_if<std::string>();
  if (!strings && !a->empty())
    m.fail(key,
           "is an array of " + std::string(gguf_type_name(a->element_type())) + ", expected str");
  static const std::vector<std::string> kEmpty;
  return strings ? strings : &kEmpty;
}

// token_type: llama.cpp writes i32; any integer width is accepted.
std::vector<int32_t> token_types(const GgufMetadata& m, std::string_view key) {
  const auto* a = m.get_array(key);
  if (!a) return {};
  std::vector<int32_t> out;
  out.reserve(a->size());
  std::visit(
      [&](const auto& vec) {
        using E = typename std::decay_t<decltype(vec)>::value_type;
        if constexpr (std::is_integral_v<E> && !std::is_same_v<E, bool>) {
          for (const E e : vec) {
            if (std::cmp_less(e, std::numeric_limits<int32_t>::min()) ||
                std::cmp_greater(e, std::numeric_limits<int32_t>::max()))
              m.fail(key, "entry " + std::to_string(e) + " does not fit in int32");
            out.push_back(static_cast<int32_t>(e));
          }
        } else if (!vec.empty()) {
          m.fail(key, "is an array of " + std::string(gguf_type_name(a->element_type())) +
                          ", expected i32");
        }
      },
      a->elements());
  return out;
}

std::vector<float> scores(const GgufMetadata& m, std::string_view key) {
  const auto* a = m.get_array(key);
  if (!a) return {};
  if (const auto* f = a->get_if<float>()) return *f;
  if (const auto* d = a->get_if<double>()) return {d->begin(), d->end()};
  if (!a->empty())
    m.fail(key,
           "is an array of " + std::string(gguf_type_name(a->element_type())) + ", expected f32");
  return {};
}

}  // namespace

TokenizerData read_tokenizer_data(const GgufMetadata& m) {
  TokenizerData t;
  t.model = m.require_string("tokenizer.ggml.model");
  if (const auto* pre = m.get_string("tokenizer.ggml.pre")) t.pre = *pre;
  const auto* tokens = string_array(m, "tokenizer.ggml.tokens");
  if (!tokens || tokens->empty())
    m.fail("tokenizer.ggml.tokens", "is missing or empty (the vocabulary)");
  t.tokens = *tokens;
  t.token_types = token_types(m, "tokenizer.ggml.token_type");
  if (!t.token_types.empty() && t.token_types.size() != t.tokens.size())
    m.fail("tokenizer.ggml.token_type", "has " + std::to_string(t.token_types.size()) +
                                            " entries for " + std::to_string(t.tokens.size()) +
                                            " tokens");
  t.scores = scores(m, "tokenizer.ggml.scores");
  if (!t.scores.empty() && t.scores.size() != t.tokens.size())
    m.fail("tokenizer.ggml.scores", "has " + std::to_string(t.scores.size()) + " entries for " +
                                        std::to_string(t.tokens.size()) + " tokens");
  if (const auto* merges = string_array(m, "tokenizer.ggml.merges")) t.merges = *merges;
  t.bos_id = m.get_u32("tokenizer.ggml.bos_token_id");
  t.eos_id = m.get_u32("tokenizer.ggml.eos_token_id");
  t.eot_id = m.get_u32("tokenizer.ggml.eot_token_id");
  t.eom_id = m.get_u32("tokenizer.ggml.eom_token_id");
  t.unknown_id = m.get_u32("tokenizer.ggml.unknown_token_id");
  t.separator_id = m.get_u32("tokenizer.ggml.seperator_token_id");
  t.padding_id = m.get_u32("tokenizer.ggml.padding_token_id");
  t.mask_id = m.get_u32("tokenizer.ggml.mask_token_id");
  t.add_bos_token = m.get_bool("tokenizer.ggml.add_bos_token");
  t.add_eos_token = m.get_bool("tokenizer.ggml.add_eos_token");
  if (const auto* tmpl = m.get_string("tokenizer.chat_template")) t.chat_template = *tmpl;
  return t;
}

}  // namespace rotary

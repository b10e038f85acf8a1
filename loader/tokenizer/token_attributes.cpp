#include "loader/tokenizer/token_attributes.h"

#include <algorithm>
#include <initializer_list>

#include "loader/tokenizer/tokenizer.h"

namespace rotary {
namespace {

uint8_t attr_of_type(int32_t type) {
  switch (static_cast<TokenType>(type)) {
    case TokenType::Normal:
      return kAttrNormal;
    case TokenType::Unknown:
      return kAttrUnknown;
    case TokenType::Control:
      return kAttrControl;
    case TokenType::UserDefined:
      return kAttrUserDefined;
    case TokenType::Unused:
      return kAttrUnused;
    case TokenType::Byte:
      return kAttrByte;
    case TokenType::Undefined:
      break;
  }
  return kAttrUndefined;
}

// llama-vocab.cpp's lists, in its order.
constexpr std::string_view kEndOfGenerationTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<\xEF\xBD\x9C"
    "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",  // <｜end▁of▁sentence｜>
    "[e~[",
};

struct FimKind {
  std::initializer_list<std::string_view> texts;
  bool ends_generation;
};
const FimKind kFimKinds[] = {
    {{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
      "<\xEF\xBD\x9C"
      "fim\xE2\x96\x81"
      "begin\xEF\xBD\x9C>",
      "<PRE>", "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"},
     false},
    {{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
      "<\xEF\xBD\x9C"
      "fim\xE2\x96\x81"
      "hole\xEF\xBD\x9C>",
      "<SUF>", "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"},
     false},
    {{"<|fim_middle|>", "<fim-middle>", "<fim_middle>",
      "<\xEF\xBD\x9C"
      "fim\xE2\x96\x81"
      "end\xEF\xBD\x9C>",
      "<MID>", "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"},
     false},
    {{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}, true},
    {{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}, true},
    {{"<|file_sep|>"}, true},
};

constexpr std::string_view kGptOssUserDefined[] = {"<|channel|>", "<|message|>", "<|start|>",
                                                   "<|constrain|>"};

}  // namespace

TokenAttributes derive_token_attributes(const TokenizerData& data,
                                        const std::function<int32_t(std::string_view)>& find) {
  const size_t n = data.tokens.size();
  TokenAttributes out;
  out.attrs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.attrs.push_back(data.token_types.empty() ? uint8_t{kAttrNormal}
                                                 : attr_of_type(data.token_types[i]));
  }
  std::vector<int32_t>& eog = out.end_of_generation;
  auto has_eog_text = [&](std::string_view text) {
    const int32_t id = find(text);
    return id >= 0 && std::find(eog.begin(), eog.end(), id) != eog.end() ? id : -1;
  };

  for (const FimKind& kind : kFimKinds) {
    for (std::string_view text : kind.texts) {
      const int32_t id = find(text);
      if (id < 0) continue;
      out.attrs[id] |= kAttrControl;
      if (kind.ends_generation) eog.push_back(id);
      break;
    }
  }
  for (std::string_view text : kEndOfGenerationTexts) {
    const int32_t id = find(text);
    if (id < 0) continue;
    out.attrs[id] |= kAttrControl;
    eog.push_back(id);
  }
  for (std::string_view text : kGptOssUserDefined) {
    if (const int32_t id = find(text); id >= 0) out.attrs[id] = kAttrUserDefined;
  }
  for (const auto& key : {data.eos_id, data.eot_id, data.eom_id}) {
    if (key && *key < n) eog.push_back(static_cast<int32_t>(*key));
  }

  // "<|end|>" ends a message, not generation, where the format has its own end tokens.
  const int32_t end = has_eog_text("<|end|>");
  const bool has_call = has_eog_text("<|call|>") >= 0 || has_eog_text("<|calls|>") >= 0;
  if (end >= 0 && has_call && (has_eog_text("<|return|>") >= 0 || has_eog_text("<|flush|>") >= 0)) {
    std::erase(eog, end);
    out.attrs[end] = kAttrUserDefined;
  }
  const int32_t s = has_eog_text("</s>");
  if (s >= 0 && has_eog_text("<|tool_response>") >= 0) {
    std::erase(eog, s);
    out.attrs[s] = kAttrNormal;
  }

  std::sort(eog.begin(), eog.end());
  eog.erase(std::unique(eog.begin(), eog.end()), eog.end());
  return out;
}

}  // namespace rotary

#include "tests/oracle/hf_tokenizer.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "base/json_value.h"

namespace rotary::test {
namespace {

JsonValue read_json(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  require(f.good(), ErrorKind::Io, "cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return JsonValue::parse(ss.str(), path);
}

// convert_hf_to_gguf.py's does_token_look_special, for the byte-level vocabularies used here.
bool looks_special(const std::string& t) {
  auto wrapped = [&](std::string_view open, std::string_view close) {
    return t.size() >= open.size() + close.size() && t.starts_with(open) && t.ends_with(close);
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") || wrapped("<unused", ">");
}

}  // namespace

TokenizerData read_hf_tokenizer(const std::string& models_dir, uint32_t vocab_size, std::string pre,
                                std::optional<uint32_t> bos_id) {
  const JsonValue tok = read_json(models_dir + "/tokenizer.json");
  const JsonValue config = read_json(models_dir + "/tokenizer_config.json");
  const JsonValue& model = tok.at("model");
  require(model.at("type").as_string() == "BPE", ErrorKind::Unsupported, "not a BPE tokenizer.json");

  std::map<uint32_t, std::string> by_id;
  for (const auto& [piece, id] : model.at("vocab").as_object())
    by_id[static_cast<uint32_t>(id.as_number())] = piece;
  std::map<uint32_t, bool> added_special;
  for (const JsonValue& a : tok.at("added_tokens").as_array()) {
    const auto id = static_cast<uint32_t>(a.at("id").as_number());
    by_id[id] = a.at("content").as_string();
    added_special[id] = a.at("special").as_bool();
  }

  TokenizerData d;
  d.model = "gpt2";
  d.pre = std::move(pre);
  for (uint32_t id = 0; id < vocab_size; ++id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      d.tokens.push_back("[PAD" + std::to_string(id) + "]");
      d.token_types.push_back(5);  // UNUSED
      continue;
    }
    d.tokens.push_back(it->second);
    auto added = added_special.find(id);
    if (added == added_special.end()) {
      d.token_types.push_back(1);  // NORMAL
    } else {
      d.token_types.push_back(
          added->second || looks_special(it->second) ? 3 : 4);  // CONTROL : USER_DEFINED
    }
  }
  for (const JsonValue& m : model.at("merges").as_array()) {
    // Newer tokenizer.json files store merges as [left, right], older ones as "left right".
    d.merges.push_back(m.is_array()
                           ? m.as_array().at(0).as_string() + " " + m.as_array().at(1).as_string()
                           : m.as_string());
  }
  using Type = JsonValue::Type;
  if (const JsonValue* eos = config.find("eos_token"); eos && eos->type() == Type::String) {
    for (uint32_t id = 0; id < d.tokens.size(); ++id) {
      if (d.tokens[id] == eos->as_string()) d.eos_id = id;
    }
  }
  if (const JsonValue* add = config.find("add_bos_token"); add && add->type() == Type::Bool) {
    d.add_bos_token = add->as_bool();
  }
  d.bos_id = bos_id;
  if (const JsonValue* t = config.find("chat_template"); t && t->type() == Type::String) {
    d.chat_template = t->as_string();
  }
  return d;
}

}  // namespace rotary::test

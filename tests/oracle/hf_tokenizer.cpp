#include "tests/oracle/hf_tokenizer.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace rotary::test {
namespace {

// Sorted objects: the vocabulary is one object of 151643 members, which an ordered object would
// read in quadratic time.
nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  require(f.good(), ErrorKind::Io, "cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_json_sorted(ss.str(), path);
}

// convert_hf_to_gguf.py's does_token_look_special, for the byte-level vocabularies used here.
bool looks_special(const std::string& t) {
  auto wrapped = [&](std::string_view open, std::string_view close) {
    return t.size() >= open.size() + close.size() && t.starts_with(open) && t.ends_with(close);
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") || wrapped("<unused", ">");
}

TokenizerData read_from(const nlohmann::json& tok, const nlohmann::json& config,
                        uint32_t vocab_size, std::string pre, std::optional<uint32_t> bos_id) {
  const nlohmann::json& model = tok.at("model");
  require(model.at("type").get<std::string>() == "BPE", ErrorKind::Unsupported,
          "not a BPE tokenizer.json");

  std::map<uint32_t, std::string> by_id;
  for (const auto& [piece, id] : model.at("vocab").items()) by_id[id.get<uint32_t>()] = piece;
  std::map<uint32_t, bool> added_special;
  for (const nlohmann::json& a : tok.at("added_tokens")) {
    const auto id = a.at("id").get<uint32_t>();
    by_id[id] = a.at("content").get<std::string>();
    added_special[id] = a.at("special").get<bool>();
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
  for (const nlohmann::json& m : model.at("merges")) {
    // Newer tokenizer.json files store merges as [left, right], older ones as "left right".
    d.merges.push_back(m.is_array() ? m.at(0).get<std::string>() + " " + m.at(1).get<std::string>()
                                    : m.get<std::string>());
  }
  auto string_member = [&](const char* key) {
    return config.contains(key) && config[key].is_string() ? config[key].get<std::string>() : "";
  };
  const std::string eos = string_member("eos_token");
  for (uint32_t id = 0; id < d.tokens.size() && !eos.empty(); ++id) {
    if (d.tokens[id] == eos) d.eos_id = id;
  }
  if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean())
    d.add_bos_token = config["add_bos_token"].get<bool>();
  d.bos_id = bos_id;
  if (!string_member("chat_template").empty()) d.chat_template = string_member("chat_template");
  return d;
}

}  // namespace

TokenizerData read_hf_tokenizer(const std::string& models_dir, uint32_t vocab_size, std::string pre,
                                std::optional<uint32_t> bos_id) {
  const std::string path = models_dir + "/tokenizer.json";
  const nlohmann::json tok = read_json(path);
  const nlohmann::json config = read_json(models_dir + "/tokenizer_config.json");
  try {
    return read_from(tok, config, vocab_size, std::move(pre), bos_id);
  } catch (const nlohmann::json::exception& e) {  // a member missing or of another type
    throw Error(ErrorKind::InvalidArgument, path + " (or its tokenizer_config.json): " + e.what());
  }
}

}  // namespace rotary::test

#include "tests/oracle/hf_tokenizer.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "loader/tokenizer/unicode.h"

namespace rotary::test {
namespace {

// Just enough JSON for Hugging Face tokenizer files: objects keep their keys in order.
struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;        // array elements, or object values
  std::vector<std::string> keys;  // object keys, parallel to items

  const Json* get(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &items[i];
    }
    return nullptr;
  }
  const Json& at(std::string_view key) const {
    const Json* v = get(key);
    require(v != nullptr, ErrorKind::InvalidModel, "JSON: no key '" + std::string(key) + "'");
    return *v;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  Json parse() {
    Json v = value();
    skip_space();
    require(i_ == s_.size(), ErrorKind::InvalidModel, "JSON: trailing data at byte " + at());
    return v;
  }

 private:
  std::string at() const { return std::to_string(i_); }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  void expect(char c) {
    skip_space();
    require(i_ < s_.size() && s_[i_] == c, ErrorKind::InvalidModel,
            std::string("JSON: expected '") + c + "' at byte " + at());
    ++i_;
  }
  bool accept(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool accept_word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  Json value() {
    skip_space();
    require(i_ < s_.size(), ErrorKind::InvalidModel, "JSON: unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      v.kind = Json::Kind::Object;
      ++i_;
      if (accept('}')) return v;
      do {
        skip_space();
        v.keys.push_back(string());
        expect(':');
        v.items.push_back(value());
      } while (accept(','));
      expect('}');
    } else if (c == '[') {
      v.kind = Json::Kind::Array;
      ++i_;
      if (accept(']')) return v;
      do v.items.push_back(value());
      while (accept(','));
      expect(']');
    } else if (c == '"') {
      v.kind = Json::Kind::String;
      v.string = string();
    } else if (accept_word("true") || accept_word("false")) {
      v.kind = Json::Kind::Bool;
      v.boolean = c == 't';
    } else if (accept_word("null")) {
      v.kind = Json::Kind::Null;
    } else {
      v.kind = Json::Kind::Number;
      size_t used = 0;
      v.number = std::stod(std::string(s_.substr(i_, 32)), &used);
      i_ += used;
    }
    return v;
  }

  uint32_t hex4() {
    require(i_ + 4 <= s_.size(), ErrorKind::InvalidModel, "JSON: short \\u escape");
    const uint32_t v =
        static_cast<uint32_t>(std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16));
    i_ += 4;
    return v;
  }

  std::string string() {
    require(i_ < s_.size() && s_[i_] == '"', ErrorKind::InvalidModel,
            "JSON: expected a string at " + at());
    ++i_;
    std::string out;
    while (true) {
      require(i_ < s_.size(), ErrorKind::InvalidModel, "JSON: unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = s_[i_++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
          }
          unicode::append_utf8(cp, out);
          break;
        }
        default:
          out.push_back(e);
          break;  // \" \\ \/
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

Json read_json(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  require(f.good(), ErrorKind::Io, "cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  return JsonParser(text).parse();
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
  const Json tok = read_json(models_dir + "/tokenizer.json");
  const Json config = read_json(models_dir + "/tokenizer_config.json");
  const Json& model = tok.at("model");
  require(model.at("type").string == "BPE", ErrorKind::Unsupported, "not a BPE tokenizer.json");

  std::map<uint32_t, std::string> by_id;
  const Json& vocab = model.at("vocab");
  for (size_t i = 0; i < vocab.keys.size(); ++i) {
    by_id[static_cast<uint32_t>(vocab.items[i].number)] = vocab.keys[i];
  }
  std::map<uint32_t, bool> added_special;
  for (const Json& a : tok.at("added_tokens").items) {
    const auto id = static_cast<uint32_t>(a.at("id").number);
    by_id[id] = a.at("content").string;
    added_special[id] = a.at("special").boolean;
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
  for (const Json& m : model.at("merges").items) {
    // Newer tokenizer.json files store merges as [left, right], older ones as "left right".
    d.merges.push_back(
        m.kind == Json::Kind::Array ? m.items.at(0).string + " " + m.items.at(1).string : m.string);
  }
  if (const Json* eos = config.get("eos_token"); eos && eos->kind == Json::Kind::String) {
    for (uint32_t id = 0; id < d.tokens.size(); ++id) {
      if (d.tokens[id] == eos->string) d.eos_id = id;
    }
  }
  if (const Json* add = config.get("add_bos_token"); add && add->kind == Json::Kind::Bool) {
    d.add_bos_token = add->boolean;
  }
  d.bos_id = bos_id;
  if (const Json* t = config.get("chat_template"); t && t->kind == Json::Kind::String) {
    d.chat_template = t->string;
  }
  return d;
}

}  // namespace rotary::test

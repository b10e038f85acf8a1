// rotary-oracle tokenize / detokenize: llama_tokenize and llama_token_to_piece.
#include <cstdio>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"

namespace rotary::oracle {

std::vector<int32_t> parse_ids(const std::string& list, const char* what) {
  std::vector<int32_t> ids;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == ',')) ++i;
    if (i >= list.size()) break;
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(list.substr(i), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    require(used > 0 && v >= 0 && v <= INT32_MAX, ErrorKind::InvalidArgument,
            std::string(what) + ": expected comma-separated token ids, got '" + list + "'");
    ids.push_back(static_cast<int32_t>(v));
    i += used;
    require(i >= list.size() || list[i] == ',' || list[i] == ' ', ErrorKind::InvalidArgument,
            std::string(what) + ": expected comma-separated token ids, got '" + list + "'");
  }
  require(!ids.empty(), ErrorKind::InvalidArgument, std::string(what) + ": no token ids given");
  return ids;
}

void run_tokenize(const TokenizeOptions& o) {
  require_model_file(o.model);
  init_llama(o.verbose);
  ModelPtr model = load_model(o.model, {.vocab_only = true});
  const std::vector<llama_token> ids = tokenize_text(model.get(), o.text, o.add_bos, o.parse_special);
  if (o.json) {
    Json j = Json::array();
    for (llama_token t : ids) j.push_back(static_cast<int64_t>(t));
    std::printf("%s\n", dump_json(j).c_str());
    return;
  }
  std::string line;
  for (llama_token t : ids) line += (line.empty() ? "" : ",") + std::to_string(t);
  std::printf("%s\n", line.c_str());
}

void run_detokenize(const DetokenizeOptions& o) {
  require_model_file(o.model);
  const std::vector<int32_t> ids = parse_ids(o.ids, "detokenize");
  init_llama(o.verbose);
  ModelPtr model = load_model(o.model, {.vocab_only = true});
  check_tokens(model.get(), ids);
  std::string text;
  std::vector<char> piece(64);
  for (int32_t id : ids) {
    int32_t n = llama_token_to_piece(vocab_of(model.get()), id, piece.data(), static_cast<int32_t>(piece.size()), 0,
                                     o.render_special);
    if (n < 0) {
      piece.resize(static_cast<size_t>(-n));
      n = llama_token_to_piece(vocab_of(model.get()), id, piece.data(), static_cast<int32_t>(piece.size()), 0,
                               o.render_special);
    }
    require(n >= 0, ErrorKind::Internal, "llama_token_to_piece failed for token " + std::to_string(id));
    text.append(piece.data(), static_cast<size_t>(n));
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace rotary::oracle

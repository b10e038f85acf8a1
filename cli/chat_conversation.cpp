#include "cli/chat_conversation.h"

#include <algorithm>

#include "base/error.h"

namespace rotary::cli {

ChatConversation::ChatConversation(const Tokenizer& tokenizer, ChatTemplate chat_template,
                                   std::optional<std::string> system)
    : tokenizer_(tokenizer),
      template_(chat_template),
      bos_(tokenizer.adds_bos() && tokenizer.bos()) {
  if (system) messages_.push_back({"system", *system});
}

TurnPlan ChatConversation::plan(const std::string& user_text, uint32_t cached,
                                bool can_rewind) const {
  require(cached <= tokens_.size(), ErrorKind::Internal,
          "the session holds " + std::to_string(cached) + " tokens of a " +
              std::to_string(tokens_.size()) + "-token conversation");
  TurnPlan p;
  p.messages = messages_;
  p.messages.push_back({"user", user_text});
  p.text = template_.render(p.messages, options_);

  // The tokens whose text lies within the common start of the old text and the new rendering.
  const size_t common = static_cast<size_t>(
      std::mismatch(text_.begin(), text_.end(), p.text.begin(), p.text.end()).first -
      text_.begin());
  size_t k =
      static_cast<size_t>(std::upper_bound(ends_.begin(), ends_.end(), common) - ends_.begin());
  if (k < cached && !can_rewind) k = 0;
  const size_t matched = k ? ends_[k - 1] : 0;

  std::vector<int32_t> tokens(tokens_.begin(), tokens_.begin() + static_cast<ptrdiff_t>(k));
  std::vector<size_t> ends(ends_.begin(), ends_.begin() + static_cast<ptrdiff_t>(k));
  if (tokens.empty() && bos_) {
    tokens.push_back(*tokenizer_.bos());
    ends.push_back(0);
  }
  encode_with_ends(std::string_view(p.text).substr(matched), matched, tokens, ends);

  p.keep = static_cast<uint32_t>(std::min<size_t>(k, cached));
  p.rewound = cached - p.keep;
  p.feed.assign(tokens.begin() + p.keep, tokens.end());
  p.feed_ends.assign(ends.begin() + p.keep, ends.end());
  p.feed_text = p.text.substr(p.keep ? ends[p.keep - 1] : 0);
  return p;
}

void ChatConversation::encode_with_ends(std::string_view text, size_t offset,
                                        std::vector<int32_t>& tokens,
                                        std::vector<size_t>& ends) const {
  const EncodeOptions options{.add_special = false, .parse_special = true};
  // Pieces that start at the template's markers; the tokenizer cuts the text at special tokens
  // first, so encoding them apart gives the same tokens (checked: else one piece).
  std::vector<std::string_view> pieces;
  for (size_t begin = 0; begin < text.size();) {
    size_t next = text.size();
    for (std::string_view marker : {"<|im_start|>", "<|im_end|>"})
      next = std::min(next, text.find(marker, begin + 1));
    pieces.push_back(text.substr(begin, next - begin));
    begin = next;
  }
  std::vector<std::vector<int32_t>> encoded;
  std::vector<int32_t> joined;
  for (std::string_view piece : pieces) {
    encoded.push_back(tokenizer_.encode(piece, options));
    joined.insert(joined.end(), encoded.back().begin(), encoded.back().end());
  }
  if (joined != tokenizer_.encode(text, options)) {
    pieces.assign(1, text);
    encoded.assign(1, joined = tokenizer_.encode(text, options));
  }
  // Each token's end where decoding gives the piece back; where it does not (malformed UTF-8),
  // every token of the piece ends where the piece does, so that it is only ever reused whole.
  for (size_t i = 0; i < pieces.size(); ++i) {
    const size_t first = ends.size();
    size_t end = offset;
    for (int32_t t : encoded[i]) {
      end += tokenizer_.piece(t, /*render_special=*/true).size();
      ends.push_back(end);
    }
    offset += pieces[i].size();
    if (tokenizer_.decode(encoded[i], /*render_special=*/true) != pieces[i])
      std::fill(ends.begin() + static_cast<ptrdiff_t>(first), ends.end(), offset);
    tokens.insert(tokens.end(), encoded[i].begin(), encoded[i].end());
  }
}

void ChatConversation::begin_turn(const TurnPlan& plan) {
  messages_ = plan.messages;
  text_ = plan.text;
  tokens_.resize(plan.keep);
  ends_.resize(plan.keep);
  tokens_.insert(tokens_.end(), plan.feed.begin(), plan.feed.end());
  ends_.insert(ends_.end(), plan.feed_ends.begin(), plan.feed_ends.end());
}

void ChatConversation::end_turn(std::span<const int32_t> answer) {
  const size_t start = text_.size();
  for (int32_t t : answer) {
    tokenizer_.append_piece(t, /*render_special=*/true, text_);
    tokens_.push_back(t);
    ends_.push_back(text_.size());
  }
  messages_.push_back({"assistant", text_.substr(start)});
}

void ChatConversation::reset() {
  if (!messages_.empty() && messages_.front().role == "system")
    messages_.resize(1);
  else
    messages_.clear();
  tokens_.clear();
  ends_.clear();
  text_.clear();
}

}  // namespace rotary::cli

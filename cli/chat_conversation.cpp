#include "cli/chat_conversation.h"

#include <algorithm>

#include "base/error.h"

namespace rotary::cli {

namespace {

constexpr std::string_view kThinkOpen = "<think>", kThinkClose = "</think>";

// The special tokens (control and user-defined) whose text the template writes, or that are the
// BOS and EOS: the tokenizer cuts the text at special tokens before anything else, so the
// rendering can be encoded in pieces that start at them.
std::vector<std::string> special_markers(const Tokenizer& tokenizer, const ChatTemplate& t) {
  std::vector<std::string> markers;
  for (size_t id = 0; id < tokenizer.vocab_size(); ++id) {
    const auto i = static_cast<int32_t>(id);
    const TokenType type = tokenizer.token_type(i);
    if (type != TokenType::Control && type != TokenType::UserDefined) continue;
    const std::string& text = tokenizer.token_text(i);
    if (text.empty()) continue;
    if (t.source().find(text) != std::string::npos || text == t.bos_token() ||
        text == t.eos_token())
      markers.push_back(text);
  }
  return markers;
}

}  // namespace

bool ends_in_reasoning(std::string_view text) {
  const size_t open = text.rfind(kThinkOpen);
  if (open == std::string_view::npos) return false;
  const size_t close = text.rfind(kThinkClose);
  return close == std::string_view::npos || close < open;
}

ChatMessage assistant_message(std::string_view answer, bool in_reasoning) {
  ChatMessage m{"assistant", std::string(answer)};
  size_t open = 0;  // where the reasoning starts
  if (!in_reasoning) {
    const size_t at = answer.find(kThinkOpen);
    if (at == std::string_view::npos) return m;
    open = at + kThinkOpen.size();
  }
  // As Qwen's templates split a think block out of a content: the newlines around the reasoning
  // and before the content are the block's, not the text's.
  const auto strip_newlines = [](std::string_view s, bool front, bool back) {
    while (front && !s.empty() && s.front() == '\n') s.remove_prefix(1);
    while (back && !s.empty() && s.back() == '\n') s.remove_suffix(1);
    return std::string(s);
  };
  const size_t close = answer.find(kThinkClose, open);
  if (close == std::string_view::npos) {  // stopped while reasoning
    m.reasoning_content = strip_newlines(answer.substr(open), true, true);
    m.content.clear();
  } else {
    m.reasoning_content = strip_newlines(answer.substr(open, close - open), true, true);
    m.content = strip_newlines(answer.substr(close + kThinkClose.size()), true, false);
  }
  return m;
}

ChatConversation::ChatConversation(const Tokenizer& tokenizer, ChatTemplate chat_template,
                                   std::optional<std::string> system)
    : tokenizer_(tokenizer),
      template_(std::move(chat_template)),
      markers_(special_markers(tokenizer, template_)),
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
  p.in_reasoning = ends_in_reasoning(p.text);
  return p;
}

void ChatConversation::encode_with_ends(std::string_view text, size_t offset,
                                        std::vector<int32_t>& tokens,
                                        std::vector<size_t>& ends) const {
  const EncodeOptions options{.add_special = false, .parse_special = true};
  // Pieces that start at the template's special tokens; the tokenizer cuts the text at special
  // tokens first, so encoding them apart gives the same tokens (checked: else one piece).
  std::vector<size_t> starts{0, text.size()};
  for (const std::string& marker : markers_)
    for (size_t at = text.find(marker); at != std::string_view::npos;
         at = text.find(marker, at + 1))
      starts.push_back(at);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<std::string_view> pieces;
  for (size_t i = 0; i + 1 < starts.size(); ++i)
    pieces.push_back(text.substr(starts[i], starts[i + 1] - starts[i]));
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
  in_reasoning_ = plan.in_reasoning;
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
  messages_.push_back(assistant_message(std::string_view(text_).substr(start), in_reasoning_));
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

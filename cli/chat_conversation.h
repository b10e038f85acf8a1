#pragma once
// A chat as the model's template renders it, kept as tokens so that each turn evaluates only what
// is new. The KV cache holds a prefix of tokens(); a turn renders the whole conversation with the
// template and compares it, as text, with what the tokens already say:
//   - normally the tokens are a prefix of the rendering, and only the rest is tokenised and fed
//     (the closing "<|im_end|>\n" of the last answer, the user's turn, the generation prompt);
//   - where the template rewrites history (Qwen3 drops an answer's reasoning once a later
//     question comes, and the empty think block of --no-think), the tokens are kept up to the
//     first one that disagrees and the rest is evaluated again, so the cache always holds exactly
//     what the template renders. A model that cannot rewind (recurrent state) starts over.
// An answer's tokens stay as the model chose them (its tokenisation may differ from encode()'s);
// a stopping token (<|im_end|>) is not part of the answer: the template writes the close.
// An answer's reasoning (from <think>, or from the start when the generation prompt opened a
// think block, to </think>) is stored as the message's reasoning_content and the rest as its
// content: the template decides what history keeps of each.
// The comparison uses the text each token was made from, not its decoding: encode() turns
// malformed UTF-8 (an answer cut inside a character) into U+FFFD, and the tokens of such a text
// are only ever reused whole.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loader/tokenizer/chat_template.h"
#include "loader/tokenizer/tokenizer.h"

namespace rotary::cli {

// What one turn must evaluate.
struct TurnPlan {
  std::vector<ChatMessage> messages;  // the conversation with the new user message
  std::string text;                   // its rendering, generation prompt included
  uint32_t keep = 0;                  // cached tokens that stay; rewind the session here first
  uint32_t rewound = 0;               // cached tokens that go (cached - keep)
  std::vector<int32_t> feed;          // tokens to evaluate at position `keep`
  std::vector<size_t> feed_ends;      // where each one's text ends in `text`
  std::string feed_text;              // the text they stand for
  bool in_reasoning = false;          // the generation prompt leaves a think block open
};

// An assistant message from the text of an answer: the reasoning (newlines around it stripped)
// and the content after </think> (newlines before it stripped). `in_reasoning`: the answer
// began inside a think block that the generation prompt opened.
ChatMessage assistant_message(std::string_view answer, bool in_reasoning);

// Whether `text` ends inside a think block: its last "<think>" comes after its last "</think>".
bool ends_in_reasoning(std::string_view text);

class ChatConversation {
 public:
  // `tokenizer` must outlive the conversation. `system`: an optional first system message.
  ChatConversation(const Tokenizer& tokenizer, ChatTemplate chat_template,
                   std::optional<std::string> system);

  const ChatTemplate& chat_template() const { return template_; }

  ChatTemplateOptions& template_options() { return options_; }
  const ChatTemplateOptions& template_options() const { return options_; }

  // Works out the turn for `user_text` given that the session holds the first `cached` tokens.
  // Changes nothing: begin_turn() applies the plan once it is certain to run.
  TurnPlan plan(const std::string& user_text, uint32_t cached, bool can_rewind) const;
  void begin_turn(const TurnPlan& plan);
  // The answer's tokens, without the token that stopped it (if any).
  void end_turn(std::span<const int32_t> answer);
  // Back to the system message only, with no tokens.
  void reset();

  const std::vector<ChatMessage>& messages() const { return messages_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }
  // The text the tokens stand for: the last rendering and the answer after it.
  const std::string& text() const { return text_; }

 private:
  // Appends the tokens of `text` (which starts at `offset` of the rendering) and their ends.
  void encode_with_ends(std::string_view text, size_t offset, std::vector<int32_t>& tokens,
                        std::vector<size_t>& ends) const;

  const Tokenizer& tokenizer_;
  ChatTemplate template_;
  ChatTemplateOptions options_;
  std::vector<ChatMessage> messages_;
  std::vector<int32_t> tokens_;  // the conversation; the session holds a prefix of them
  std::vector<size_t> ends_;     // where each token's text ends in text_ (0 for a BOS)
  std::string text_;
  std::vector<std::string> markers_;  // special token texts: the rendering is encoded in pieces
                                      // that start at them
  bool in_reasoning_ = false;         // the current answer began inside a think block
  bool bos_ = false;  // tokens_ starts with a BOS that the template does not write
};

}  // namespace rotary::cli

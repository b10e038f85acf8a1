#pragma once
// Streams an answer as it is generated: text as soon as its UTF-8 characters are complete, and on
// a terminal the reasoning (from <think> to </think>) dimmed so that the answer stands out, and
// control characters (but newline and tab) shown as U+FFFD. On a pipe the text is written as it
// is, think tags included. The reasoning starts with a <think> token, or with the answer when
// the generation prompt opened the block (start()).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "base/utf8.h"
#include <string_view>

#include "loader/tokenizer/stream_decoder.h"

namespace rotary::cli {

class AnswerPrinter {
 public:
  // `tokenizer` must outlive the printer. `terminal`: `out` is a terminal (ANSI dimming).
  AnswerPrinter(const Tokenizer& tokenizer, std::FILE* out, bool terminal);

  // Before an answer: `in_reasoning` when the generation prompt opened a think block (the answer
  // starts as reasoning, dimmed on a terminal).
  void start(bool in_reasoning);
  void push(int32_t token);
  // Writes what is held back, ends the dimming and the line. The printer can then start again.
  void finish();

 private:
  void write(const std::string& text);

  StreamDecoder decoder_;
  std::FILE* out_;
  bool terminal_;
  std::optional<int32_t> think_open_, think_close_;
  bool dim_ = false;
  char last_ = '\n';
};


}  // namespace rotary::cli

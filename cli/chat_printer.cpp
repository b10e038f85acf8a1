#include "cli/chat_printer.h"

#include "loader/tokenizer/tokenizer.h"

namespace rotary::cli {

namespace {
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kNormal = "\x1b[0m";
}  // namespace

AnswerPrinter::AnswerPrinter(const Tokenizer& tokenizer, std::FILE* out, bool terminal)
    : decoder_(tokenizer),
      out_(out),
      terminal_(terminal),
      think_open_(tokenizer.find_token("<think>")),
      think_close_(tokenizer.find_token("</think>")) {}

void AnswerPrinter::write(const std::string& text) {
  if (text.empty()) return;
  if (!terminal_) {
    std::fwrite(text.data(), 1, text.size(), out_);
  } else {
    // A model's bytes must not drive the terminal (escape sequences, bells, carriage returns):
    // control characters other than newline and tab are shown as U+FFFD.
    for (const char c : text) {
      const auto b = static_cast<unsigned char>(c);
      if ((b < 0x20 && c != '\n' && c != '\t') || b == 0x7F)
        std::fputs("\xEF\xBF\xBD", out_);
      else
        std::fputc(c, out_);
    }
  }
  last_ = text.back();
}

void AnswerPrinter::start(bool in_reasoning) {
  if (terminal_ && in_reasoning && !dim_) {
    std::fputs(kDim, out_);
    dim_ = true;
  }
}

void AnswerPrinter::push(int32_t token) {
  const std::string piece = decoder_.push(token);
  if (terminal_ && token == think_open_ && !dim_) {
    std::fputs(kDim, out_);
    dim_ = true;
  }
  write(piece);
  if (terminal_ && token == think_close_ && dim_) {
    std::fputs(kNormal, out_);
    dim_ = false;
  }
  std::fflush(out_);
}

void AnswerPrinter::finish() {
  write(decoder_.flush());
  if (dim_) std::fputs(kNormal, out_);
  dim_ = false;
  if (last_ != '\n') std::fputc('\n', out_);
  last_ = '\n';
  std::fflush(out_);
}

}  // namespace rotary::cli

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

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xE  ? 3
                       : (c >> 3) == 0x1E ? 4
                                          : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t j = 1; ok && j < len; ++j)
      ok = (static_cast<unsigned char>(s[i + j]) & 0xC0) == 0x80;
    if (ok && len > 1) {  // no overlong forms, surrogates or code points past U+10FFFF
      uint32_t cp = c & (0x7Fu >> len);
      for (size_t j = 1; j < len; ++j)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace rotary::cli

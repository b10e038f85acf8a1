#include "loader/tokenizer/stream_decoder.h"

#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/unicode.h"

namespace rotary {

size_t StreamDecoder::complete_prefix(const std::string& bytes) {
  // Only a lead byte among the last three bytes can start a sequence that is still open.
  const size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<uint8_t>(bytes[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    const int len = unicode::utf8_sequence_length(b);
    return len > static_cast<int>(back) ? n - back : n;
  }
  return n;
}

std::string StreamDecoder::push(int32_t token) {
  tokenizer_->append_piece(token, render_special_, pending_);
  const size_t ready = complete_prefix(pending_);
  std::string out = pending_.substr(0, ready);
  pending_.erase(0, ready);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

}  // namespace rotary

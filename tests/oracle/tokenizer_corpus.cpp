#include "tests/oracle/tokenizer_corpus.h"

#include <random>
#include <string_view>

namespace rotary::test {

std::vector<std::string> tokenizer_cases() {
  return {
      // prose
      "Hello world",
      "The quick brown fox jumps over the lazy dog. It's a test, isn't it?",
      "Mixture-of-Experts models route each token to a few experts; the rest stay idle.\n\n"
      "A second paragraph, with \"quotes\", (parentheses) and an em dash \u2014 like this.",
      // code with tabs and indentation
      "def f(x):\n\tif x > 0:\n\t\treturn x * 2\n    else:\n        return -x\n",
      "int main() {\n    printf(\"%d\\n\", 42);\n\treturn 0;\n}\n",
      "for (int i = 0; i < n; ++i) {\n  \tsum += a[i] * b[i];  // mixed indent\n}\n",
      // digits and decimals
      "1234567890123456789012345678901234567890",
      std::string(100, '7'),
      "3.14159 2.71828 -0.5 1e-10 1,000,000.00 0.000001 v2.0.1",
      // CJK, Hangul
      "你好，世界！这是一个测试。",
      "日本語のテキスト、カタカナとひらがな。",
      "한국어 텍스트입니다.",
      // emoji: plain, ZWJ family, flag, skin tone
      "🚀🦙😀 👨\u200d👩\u200d👧\u200d👦 🇺🇸 👍🏽 ✅",
      // accents: precomposed and with combining marks
      "café naïve résumé Ångström façade",
      "cafe\u0301 nai\u0308ve",
      "Ünïcödé ÀÉÎÕÜ",
      // contractions in several cases
      "I've you'll he's we'd they're I'M YOU'LL HE'S WE'D THEY'RE I'Ve It\u2019s don\u2019t",
      "'s 'S 'll 'LL 'Re 'rE x'd",
      // runs of spaces and newlines
      "a  b   c    d\n\n\ne\r\n\r\nf \n \n  \n",
      "   leading spaces",
      "trailing spaces   ",
      "\t\ttabs\t\tand\ttabs\t",
      "\n\n\n",
      " ",
      "  ",
      "\n",
      "line1\rline2\r\rline3",
      "   \t  \n\t \n",
      "x\u2028y\u2029z\u0085w",
      "\u00a0\u3000\u2003 nbsp",
      // ChatML special tokens and Qwen3's user-defined ones
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
      "<|im_start|>assistant\n",
      "<think>\nreasoning\n</think>\n\nanswer",
      "<tool_call>{\"a\":1}</tool_call>",
      "x<|im_end|>y<|endoftext|>",
      "<|im_start|><|im_start|>",
      "<|im_start",
      // "</s>" is a NORMAL token of Qwen3 that llama.cpp makes CONTROL (token_attributes.h)
      "end</s>next <s> </s>",
      "<|fim_prefix|>def<|fim_suffix|>\n<|fim_middle|>",
      // other scripts and symbols
      "Ġ Ċ ĉ",
      "ﬁ ﬂ ℌ ½ ² ①",
      "Привет, мир! Ελληνικά",
      "مرحبا بالعالم ١٢٣",
      "नमस्ते दुनिया",
      "สวัสดีครับ",
      "a\u200db\u200cc\ufeffd",
      "!!!???...,,,;;;:::---===+++",
      "$100 €200 £300 ¥400",
      "C++ && C# || Go -> Rust => ok",
      "http://example.com/a?b=c&d=e#f",
      "e = mc²; ∑x_i ≤ ∞",
      // malformed UTF-8: each bad byte is U+FFFD for both tokenizers
      "a\xff"
      "b",
      "\xe4\xbd",
      "\xc3(",
      "\x80\x80x",
      "ok\xf0\x9f\x9a",
  };
}

std::vector<std::string> tokenizer_random_mixes(uint32_t seed, size_t count, size_t pieces) {
  static constexpr std::string_view kPieces[] = {
      "abcXYZ",
      "0123456789",
      " ",
      "  ",
      "\t",
      "\n",
      "\r\n",
      "'",
      "'s",
      "'LL",
      ".,!?;:-_()[]{}",
      "<>\"/\\|@#$%^&*+=~`",
      "你好世界中文",
      "日本語カタカナ",
      "한국어",
      "é",
      "e\u0301",
      "\u0300\u0301\u0308",
      "नमस्ते",
      "🚀😀👍🏽",
      "👨\u200d👩\u200d👧",
      "\u00a0",
      "\u3000",
      "\u2003",
      "Ωπλ",
      "²½①",
      "<|im_start|>",
      "<think>",
      "<|endoftext|>",
      "\u200d",
      "\uffff",
      "\U000e0001",
      "\ue000",
      "ﬁ",
      "١٢٣",
      "\xff",
  };
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string text;
    for (size_t k = 0; k < pieces; ++k) text += kPieces[rng() % std::size(kPieces)];
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace rotary::test

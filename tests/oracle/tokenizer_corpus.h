#pragma once
// Texts for comparing rotary's tokenizer with llama.cpp's: every case class of the tokenizer
// issue written out (prose, code with tabs and indentation, long digit runs, decimals, CJK, emoji,
// accents composed and decomposed, contractions in several cases, runs of spaces and newlines,
// ChatML special tokens, Qwen3's <think>, malformed UTF-8), and seeded random mixes of the same
// classes, where the boundaries between classes fall at random.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rotary::test {

std::vector<std::string> tokenizer_cases();

// `count` texts, each the concatenation of `pieces` random pieces from the case classes.
std::vector<std::string> tokenizer_random_mixes(uint32_t seed, size_t count, size_t pieces);

}  // namespace rotary::test

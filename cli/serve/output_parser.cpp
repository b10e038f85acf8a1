#include "cli/serve/output_parser.h"

#include <algorithm>

namespace rotary::serve {

namespace {

constexpr std::string_view kThink = "<think>", kThinkEnd = "</think>";

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// The length of the longest end of `text` that is the start of `tag` (a tag cut by the stream).
size_t partial_tag(std::string_view text, std::string_view tag) {
  for (size_t n = std::min(tag.size() - 1, text.size()); n > 0; --n)
    if (text.substr(text.size() - n) == tag.substr(0, n)) return n;
  return 0;
}

void drop_leading_space(std::string& s) {
  s.erase(0, std::find_if(s.begin(), s.end(), [](char c) { return !is_space(c); }) - s.begin());
}

}  // namespace

bool prompt_opens_reasoning(std::string_view prompt) {
  const size_t open = prompt.rfind(kThink);
  if (open == std::string_view::npos) return false;
  const size_t close = prompt.rfind(kThinkEnd);
  return close == std::string_view::npos || close < open;
}

OutputParser::OutputParser(Options options)
    : options_(options),
      state_(options.in_reasoning ? State::Reasoning : State::Start),
      trim_front_(options.in_reasoning) {}

OutputDelta OutputParser::push(std::string_view text) {
  held_.append(text);
  OutputDelta out;
  State before;
  do {
    before = state_;
    switch (state_) {
      case State::Start:
        start(out);
        break;
      case State::Reasoning:
        reasoning(out);
        break;
      case State::Content:
        content(out);
        break;
      case State::ToolCalls:
        break;
    }
  } while (state_ != before);
  return out;
}

void OutputParser::start(OutputDelta&) {
  const size_t first = held_.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return;  // only whitespace yet
  const std::string_view rest = std::string_view(held_).substr(first);
  if (rest.size() < kThink.size() && kThink.starts_with(rest)) return;  // maybe "<think>" coming
  if (rest.starts_with(kThink)) {
    held_.erase(0, first + kThink.size());
    state_ = State::Reasoning;
    trim_front_ = true;
  } else {
    state_ = State::Content;
  }
}

void OutputParser::reasoning(OutputDelta& out) {
  if (trim_front_) {
    drop_leading_space(held_);
    if (held_.empty()) return;
    trim_front_ = false;
  }
  const size_t end = held_.find(kThinkEnd);
  if (end != std::string::npos) {
    std::string_view r = std::string_view(held_).substr(0, end);
    while (!r.empty() && is_space(r.back())) r.remove_suffix(1);
    out.reasoning.append(r);
    held_.erase(0, end + kThinkEnd.size());
    state_ = State::Content;
    trim_front_ = true;
    return;
  }
  // Hold back a cut "</think>" and trailing whitespace (dropped if "</think>" follows).
  size_t keep = partial_tag(held_, kThinkEnd);
  while (keep < held_.size() && is_space(held_[held_.size() - keep - 1])) ++keep;
  out.reasoning.append(held_, 0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
}

void OutputParser::content(OutputDelta& out) {
  if (trim_front_) {
    drop_leading_space(held_);
    if (held_.empty()) return;
    trim_front_ = false;
  }
  if (!options_.tool_calls) {
    out.content.append(held_);
    held_.clear();
    return;
  }
  const size_t call = held_.find(kToolCallOpen);
  if (call != std::string::npos) {
    out.content.append(held_, 0, call);
    held_.erase(0, call);
    state_ = State::ToolCalls;
    return;
  }
  const size_t keep = partial_tag(held_, kToolCallOpen);
  out.content.append(held_, 0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
}

OutputDelta OutputParser::finish(const nlohmann::ordered_json& tools,
                                 std::vector<ToolCall>& calls) {
  OutputDelta out;
  switch (state_) {
    case State::Start:
    case State::Content:
      if (!trim_front_) out.content = std::move(held_);
      break;
    case State::Reasoning: {
      std::string_view r = held_;
      while (!r.empty() && is_space(r.back())) r.remove_suffix(1);
      if (!trim_front_) out.reasoning = r;
      break;
    }
    case State::ToolCalls: {
      ToolCallSplit split = extract_tool_calls(held_, tools);
      calls = std::move(split.calls);
      // Text around the calls: kept unless it is only the whitespace between them.
      if (split.text.find_first_not_of(" \t\r\n") != std::string::npos)
        out.content = std::move(split.text);
      break;
    }
  }
  held_.clear();
  return out;
}

}  // namespace rotary::serve

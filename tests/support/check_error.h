#pragma once
// CHECK_ROTARY_ERROR(expr, kind, "text"): expr throws rotary::Error of that kind whose message
// contains the text. Anything else (no throw, another exception type) fails the test.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "base/error.h"

#define CHECK_ROTARY_ERROR(expr, error_kind, substring)                                           \
  do {                                                                                            \
    bool rotary_thrown_ = false;                                                                  \
    try {                                                                                         \
      (void)(expr);                                                                               \
    } catch (const ::rotary::Error& rotary_e_) {                                                  \
      rotary_thrown_ = true;                                                                      \
      CHECK_MESSAGE(rotary_e_.kind() == (error_kind), std::string(rotary_e_.what()));             \
      CHECK_MESSAGE(std::string_view(rotary_e_.what()).find(substring) != std::string_view::npos, \
                    "message: ", std::string(rotary_e_.what()), " lacks: ", substring);           \
    }                                                                                             \
    CHECK_MESSAGE(rotary_thrown_, "no rotary::Error from " #expr);                                \
  } while (0)

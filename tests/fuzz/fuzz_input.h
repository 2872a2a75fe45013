// What every fuzz target shares: the input as text, and the rule that vodctl::Error is the
// one acceptable way to refuse it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vodctl/error.h"

namespace vodctl::fuzz {

inline std::string Text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `parse`; an Error is a clean refusal. Any other exception escapes to libFuzzer, which
// reports it as a crash: at the CLI it would be exit 70, "internal error".
template <typename Parse>
void Refusable(Parse&& parse) {
  try {
    parse();
  } catch (const Error&) {
  }
}

}  // namespace vodctl::fuzz

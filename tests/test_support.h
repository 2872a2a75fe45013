// Helpers shared by the unit tests.
#pragma once

#include "vodctl/error.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace vodctl::testing {

// A fresh folder under the system temp folder, removed with everything in it at the end.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vodctl-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The Error that `action` throws; a test failure (std::logic_error) when it throws none.
template <typename Action>
Error ErrorFrom(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  throw std::logic_error("expected a vodctl::Error");
}

// Matches an Error with `code` whose message contains `fragment`.
class IsError : public Catch::MatcherBase<Error> {
 public:
  IsError(ExitCode code, std::string fragment) : code_(code), fragment_(std::move(fragment)) {}
  bool match(const Error& e) const override {
    return e.code() == code_ && std::string(e.what()).find(fragment_) != std::string::npos;
  }
  std::string describe() const override {
    return fmt::format("is an Error with exit code {} containing \"{}\"", static_cast<int>(code_),
                       fragment_);
  }

 private:
  ExitCode code_;
  std::string fragment_;
};

}  // namespace vodctl::testing

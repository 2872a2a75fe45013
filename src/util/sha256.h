// Incremental SHA-256 (OpenSSL's libcrypto), for checksums computed while a file is written.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace vodctl {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(const void* data, size_t size);
  std::string HexDigest();  // finishes; the object is spent afterwards

  static std::string Of(std::string_view bytes);
  static std::string OfFile(const std::string& path);  // Error(kIoError) if unreadable

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vodctl

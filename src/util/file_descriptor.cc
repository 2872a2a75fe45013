#include "util/file_descriptor.h"

#include "vodctl/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vodctl {

FileDescriptor::FileDescriptor(std::string path, int flags, mode_t mode)
    : path_(std::move(path)), fd_(::open(path_.c_str(), flags | O_CLOEXEC, mode)) {
  if (fd_ < 0) FailErrno("cannot open");
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

void FileDescriptor::FailErrno(std::string_view what) const {
  Fail(ExitCode::kIoError, "{} '{}': {}", what, path_, std::strerror(errno));
}

void FileDescriptor::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      FailErrno("cannot write");
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

size_t FileDescriptor::ReadSome(char* buffer, size_t size) {
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, size);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) FailErrno("cannot read");
  }
}

size_t FileDescriptor::ReadAt(int64_t offset, char* buffer, size_t size) {
  for (;;) {
    const ssize_t got = ::pread(fd_, buffer, size, offset);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) FailErrno("cannot read");
  }
}

int64_t FileDescriptor::Size() const {
  struct stat info;
  if (::fstat(fd_, &info) != 0) FailErrno("cannot stat");
  return info.st_size;
}

void FileDescriptor::Sync() {
  if (::fsync(fd_) != 0) FailErrno("cannot sync");
}

void FileDescriptor::Truncate() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) FailErrno("cannot truncate");
}

void FileDescriptor::Close() {
  if (::close(std::exchange(fd_, -1)) != 0) FailErrno("cannot close");
}

}  // namespace vodctl

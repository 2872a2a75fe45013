// An open POSIX file descriptor that names its file in every failure (Error(kIoError)).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vodctl {

class FileDescriptor {
 public:
  FileDescriptor(std::string path, int flags, mode_t mode = 0666);
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();

  void WriteAll(std::string_view bytes);
  size_t ReadSome(char* buffer, size_t size);  // 0 at the end of the file
  size_t ReadAt(int64_t offset, char* buffer, size_t size);
  int64_t Size() const;
  void Sync();
  void Truncate();  // to zero bytes, position back at the start
  // Some file systems (NFS) report write errors only at close, so a writer closes explicitly
  // instead of leaving it to the destructor, which has to ignore them.
  void Close();

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void FailErrno(std::string_view what) const;
  std::string path_;
  int fd_;
};

}  // namespace vodctl

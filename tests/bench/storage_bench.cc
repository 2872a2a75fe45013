// vodctl_storage_bench: moves one file through vodctl's Storage layer, for scripts/bench.sh
// to time against curl on the same server.
//
//   vodctl_storage_bench put LOCAL_FILE URL KEY   upload (multipart above the part size)
//   vodctl_storage_bench get URL KEY LOCAL_FILE   download (LocalPathForRead: one streamed GET,
//                                                 as vodctl fetches intermediate files)
//   vodctl_storage_bench read URL KEY LOCAL_FILE  read in place (OpenForRead: ranged GETs with
//                                                 one window ahead, as a source is demuxed)
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "util/file_descriptor.h"
#include "vodctl/error.h"
#include "vodctl/storage.h"

#include <fcntl.h>

namespace {

using namespace vodctl;

void Put(const std::string& local_file, const std::string& url, const std::string& key) {
  std::unique_ptr<Storage> storage = OpenStorage(url);
  // PutFile consumes its file: give it a hard link so the caller's copy stays.
  const std::string scratch = storage->ScratchPath(key);
  if (::link(local_file.c_str(), scratch.c_str()) != 0) {
    Fail(ExitCode::kIoError, "cannot link '{}' to '{}': {}", local_file, scratch,
         std::strerror(errno));
  }
  storage->PutFile(key, scratch);
}

// Moves `from` to `to`, on the same file system.
void Move(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    Fail(ExitCode::kIoError, "cannot move '{}' to '{}': {}", from, to, std::strerror(errno));
  }
}

void Get(const std::string& url, const std::string& key, const std::string& local_file) {
  std::unique_ptr<Storage> storage = OpenStorage(url);
  Move(storage->LocalPathForRead(key), local_file);
}

void ReadInPlace(const std::string& url, const std::string& key, const std::string& local_file) {
  std::unique_ptr<Storage> storage = OpenStorage(url);
  std::unique_ptr<RandomAccessReader> reader = storage->OpenForRead(key);
  FileDescriptor out(local_file, O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<char> buffer(1 << 20);
  for (int64_t offset = 0; offset < reader->size();) {
    const size_t got = reader->ReadAt(offset, buffer.data(), buffer.size());
    out.WriteAll({buffer.data(), got});
    offset += static_cast<int64_t>(got);
  }
  out.Close();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 4 && args[0] == "put") {
      Put(args[1], args[2], args[3]);
    } else if (args.size() == 4 && args[0] == "get") {
      Get(args[1], args[2], args[3]);
    } else if (args.size() == 4 && args[0] == "read") {
      ReadInPlace(args[1], args[2], args[3]);
    } else {
      std::fprintf(stderr, "usage: vodctl_storage_bench put FILE URL KEY | get|read URL KEY FILE\n");
      return static_cast<int>(ExitCode::kUsage);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "vodctl_storage_bench: %s\n", e.what());
    return static_cast<int>(e.code());
  }
  return 0;
}

#include "storage/local_storage.h"

#include "util/file_descriptor.h"
#include "util/gzip.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <system_error>
#include <utility>

#include "util/unique_name.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

namespace fs = std::filesystem;

// Names this class creates next to objects; List() hides them.
constexpr std::string_view kTempPrefix = ".tmp-";
constexpr std::string_view kScratchFolder = ".scratch";

std::error_code LastError() { return {errno, std::generic_category()}; }

[[noreturn]] void FailIo(std::string_view what, const fs::path& path, std::error_code error) {
  Fail(ExitCode::kIoError, "{} '{}': {}", what, path.string(), error.message());
}

[[noreturn]] void FailErrno(std::string_view what, const fs::path& path) {
  FailIo(what, path, LastError());
}

using Fd = FileDescriptor;

void SyncFolder(const fs::path& folder) { Fd(folder, O_RDONLY | O_DIRECTORY).Sync(); }

// Like mkdir -p for an absolute path, but syncs each new folder into its parent so that the
// path to a published file survives a crash along with the file.
void MakeFolders(const fs::path& folder) {
  struct stat info;
  if (::stat(folder.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return;
    FailIo("cannot create folder", folder, std::make_error_code(std::errc::not_a_directory));
  }
  if (errno != ENOENT) FailErrno("cannot create folder", folder);
  MakeFolders(folder.parent_path());
  // EEXIST: another process created it since the stat.
  if (::mkdir(folder.c_str(), 0777) != 0 && errno != EEXIST) {
    FailErrno("cannot create folder", folder);
  }
  SyncFolder(folder.parent_path());
}

// Fills a temporary file beside `target`, makes it durable and renames it over `target`, so a
// reader (or a restart after a crash) sees the old object or the complete new one.
void WriteAtomically(const fs::path& target, const std::function<void(Fd&)>& fill) {
  MakeFolders(target.parent_path());
  // Truncated so that the name with its prefix and UniqueName() (at most 113 characters)
  // stays under NAME_MAX.
  const fs::path temp =
      target.parent_path() /
      fmt::format("{}{}-{}", kTempPrefix, target.filename().string().substr(0, 120), UniqueName());
  try {
    Fd file(temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    fill(file);
    file.Sync();
    file.Close();
    if (::rename(temp.c_str(), target.c_str()) != 0) FailErrno("cannot replace", target);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  SyncFolder(target.parent_path());
}

// The POSIX portable file name character set: safe on any file system and in any shell.
bool IsPortableFileNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

std::string SanitizedHint(std::string_view hint) {
  if (hint.empty()) return "scratch";
  // The tail holds the extension, which tools such as libavformat use to pick a format.
  constexpr size_t kMaxLength = 100;
  if (hint.size() > kMaxLength) hint.remove_prefix(hint.size() - kMaxLength);
  std::string name(hint);
  std::replace_if(name.begin(), name.end(), std::not_fn(IsPortableFileNameChar), '_');
  return name;
}

class LocalFileReader : public RandomAccessReader {
 public:
  explicit LocalFileReader(const std::string& path)
      : file_(path, O_RDONLY), size_(file_.Size()) {}

  int64_t size() const override { return size_; }
  const std::string& name() const override { return file_.path(); }

  size_t ReadAt(int64_t offset, char* buffer, size_t capacity) override {
    size_t done = 0;
    while (done < capacity) {
      const size_t got = file_.ReadAt(offset + done, buffer + done, capacity - done);
      if (got == 0) break;
      done += got;
    }
    return done;
  }

 private:
  Fd file_;
  int64_t size_;
};

}  // namespace

std::unique_ptr<RandomAccessReader> OpenLocalFileForRead(const std::string& path) {
  return std::make_unique<LocalFileReader>(path);
}

LocalStorage::LocalStorage(fs::path root, std::optional<PublishPolicy> publish)
    : root_(std::move(root)), publish_(std::move(publish)) {}

std::string LocalStorage::url() const { return root_.string(); }

std::string LocalStorage::Describe(const std::string& key) const { return (root_ / key).string(); }

fs::path LocalStorage::PathFor(const std::string& key) const {
  ValidateKey(key);
  return root_ / key;
}

std::optional<ObjectInfo> LocalStorage::Stat(const std::string& key) {
  const fs::path path = PathFor(key);
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    // ENOTDIR: a parent of the key is a file, so the key cannot exist either.
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    FailErrno("cannot stat", path);
  }
  if (!S_ISREG(info.st_mode)) return std::nullopt;
  return ObjectInfo{key, static_cast<int64_t>(info.st_size)};
}

std::string LocalStorage::LocalPathForRead(const std::string& key) {
  if (!Stat(key)) Fail(ExitCode::kNoInput, "missing '{}'", Describe(key));
  return Describe(key);
}

std::unique_ptr<RandomAccessReader> LocalStorage::OpenForRead(const std::string& key) {
  return OpenLocalFileForRead(PathFor(key));
}

std::string LocalStorage::Read(const std::string& key) {
  Fd file(PathFor(key), O_RDONLY);
  std::string bytes;
  std::array<char, 64 * 1024> chunk;
  while (const size_t got = file.ReadSome(chunk.data(), chunk.size())) {
    bytes.append(chunk.data(), got);
  }
  return bytes;
}

void LocalStorage::Write(const std::string& key, std::string_view bytes) {
  if (publish_ && publish_->Compresses(key)) {
    const std::string compressed = Gzip(bytes);
    WriteAtomically(PathFor(key + ".gz"), [&compressed](Fd& file) { file.WriteAll(compressed); });
  } else if (publish_ && PublishPolicy::Compressible(key)) {
    Remove(key + ".gz");  // an earlier publish's, which a web server would serve instead
  }
  WriteAtomically(PathFor(key), [bytes](Fd& file) { file.WriteAll(bytes); });
}

void LocalStorage::PutFile(const std::string& key, const std::string& local_file) {
  const fs::path target = PathFor(key);
  Fd source(local_file, O_RDONLY);
  // A rename is only as durable as the data it points to.
  source.Sync();
  MakeFolders(target.parent_path());
  if (::rename(local_file.c_str(), target.c_str()) == 0) {
    SyncFolder(target.parent_path());
    return;
  }
  if (errno != EXDEV) {
    const std::error_code error = LastError();
    FailIo(fmt::format("cannot move '{}' to", local_file), target, error);
  }
  WriteAtomically(target, [&source](Fd& file) {
    std::vector<char> chunk(1 << 20);
    while (const size_t got = source.ReadSome(chunk.data(), chunk.size())) {
      file.WriteAll({chunk.data(), got});
    }
  });
  if (::unlink(local_file.c_str()) != 0) FailErrno("cannot remove", local_file);
}

std::string LocalStorage::ScratchPath(const std::string& hint) {
  const fs::path folder = root_ / kScratchFolder;
  MakeFolders(folder);
  // Created here, with O_EXCL, so that the name is this caller's even should another writer
  // of a shared --tmp come up with it too; the caller then writes over the empty file.
  for (;;) {
    const fs::path path = folder / fmt::format("{}-{}", UniqueName(), SanitizedHint(hint));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return path.string();
    }
    if (errno != EEXIST) FailErrno("cannot create scratch file", path);
  }
}

std::vector<ObjectInfo> LocalStorage::List(const std::string& prefix) {
  // Walks only the deepest folder the prefix names, not the whole tree.
  const size_t slash = prefix.rfind('/');
  const fs::path start = slash == std::string::npos ? root_ : PathFor(prefix.substr(0, slash));
  const fs::path scratch = root_ / kScratchFolder;
  std::vector<ObjectInfo> objects;
  try {
    if (!fs::is_directory(start)) return objects;
    for (auto it = fs::recursive_directory_iterator(start);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->path() == scratch) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_directory() || it->path().filename().string().starts_with(kTempPrefix)) continue;
      const std::string key = it->path().lexically_relative(root_).generic_string();
      if (!key.starts_with(prefix)) continue;
      // Stat() rather than the entry, so that a file removed during the walk is skipped.
      if (std::optional<ObjectInfo> info = Stat(key)) objects.push_back(std::move(*info));
    }
  } catch (const fs::filesystem_error& e) {
    FailIo("cannot list", e.path1(), e.code());
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return objects;
}

void LocalStorage::RemoveLeftovers() {
  std::vector<fs::path> leftovers;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root_, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name == kScratchFolder || name.starts_with(kTempPrefix)) {
      leftovers.push_back(it->path());
      it.disable_recursion_pending();
    }
  }
  if (error) FailIo("cannot list", root_, error);
  for (const fs::path& path : leftovers) {
    fs::remove_all(path, error);
    if (error) FailIo("cannot remove", path, error);
  }
}

void LocalStorage::Remove(const std::string& key) {
  const fs::path path = PathFor(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    FailErrno("cannot remove", path);
  }
}

void LocalStorage::RemovePrefix(const std::string& prefix) {
  // Only a whole folder: "720p/" and "720p" both name the folder 720p.
  std::string folder = prefix;
  if (folder.ends_with('/')) folder.pop_back();
  const fs::path path = prefix.empty() ? root_ : PathFor(folder);
  std::error_code error;
  fs::remove_all(path, error);
  if (error) FailIo("cannot remove", path, error);
}

}  // namespace vodctl

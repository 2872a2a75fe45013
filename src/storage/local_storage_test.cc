#include "storage/local_storage.h"
#include "util/gzip.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "test_support.h"
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/unique_name.h"
#include "vodctl/error.h"
#include "vodctl/storage.h"

namespace vodctl {
namespace {

using testing::ErrorFrom;

using testing::IsError;
using testing::TempFolder;

namespace fs = std::filesystem;

std::string FileContents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void MakeFile(const fs::path& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

std::vector<std::string> KeysOf(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const ObjectInfo& object : objects) keys.push_back(object.key);
  return keys;
}

std::vector<std::string> NamesIn(const fs::path& folder) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("LocalStorage writes, reads, lists and removes objects") {
  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  storage->Write("master.m3u8", "#EXTM3U\n");
  storage->Write("720p/index.m3u8", "playlist");
  storage->Write("720p/seg_00000.m4s", std::string("\0\1\2", 3));
  storage->Write("720p/seg_00001.m4s", "");
  storage->Write("360p/seg_00000.m4s", "x");

  CHECK(storage->Read("720p/index.m3u8") == "playlist");
  CHECK(storage->Read("720p/seg_00000.m4s") == std::string("\0\1\2", 3));
  CHECK(FileContents(temp.path() / "master.m3u8") == "#EXTM3U\n");

  REQUIRE(storage->Stat("720p/seg_00000.m4s").has_value());
  CHECK(storage->Stat("720p/seg_00000.m4s")->size == 3);
  CHECK(storage->Stat("720p/seg_00000.m4s")->key == "720p/seg_00000.m4s");
  CHECK_FALSE(storage->Stat("absent.m4s").has_value());
  CHECK_FALSE(storage->Stat("720p").has_value());  // a folder is not an object
  CHECK_FALSE(storage->Stat("master.m3u8/below").has_value());

  CHECK(KeysOf(storage->List("")) ==
        std::vector<std::string>{"360p/seg_00000.m4s", "720p/index.m3u8", "720p/seg_00000.m4s",
                                 "720p/seg_00001.m4s", "master.m3u8"});
  CHECK(KeysOf(storage->List("720p/")) ==
        std::vector<std::string>{"720p/index.m3u8", "720p/seg_00000.m4s", "720p/seg_00001.m4s"});
  CHECK(KeysOf(storage->List("720p/seg_")) ==
        std::vector<std::string>{"720p/seg_00000.m4s", "720p/seg_00001.m4s"});
  CHECK(KeysOf(storage->List("7")).size() == 3);
  CHECK(storage->List("1080p/").empty());
  CHECK(storage->List("720p/seg_00000.m4s")[0].size == 3);

  CHECK(storage->Describe("720p/index.m3u8") == (temp.path() / "720p/index.m3u8").string());
  CHECK(storage->LocalPathForRead("master.m3u8") == (temp.path() / "master.m3u8").string());
  const Error missing = ErrorFrom([&] { storage->LocalPathForRead("gone.m4s"); });
  CHECK(missing.code() == ExitCode::kNoInput);
  CHECK(missing.what() == fmt::format("missing '{}'", (temp.path() / "gone.m4s").string()));
  const Error unreadable = ErrorFrom([&] { storage->Read("gone.m4s"); });
  CHECK(unreadable.code() == ExitCode::kIoError);
  CHECK_THAT(unreadable.what(), Catch::Contains((temp.path() / "gone.m4s").string()) &&
                                    Catch::Contains("No such file or directory"));

  storage->Remove("master.m3u8");
  storage->Remove("master.m3u8");  // absent is fine
  CHECK_FALSE(fs::exists(temp.path() / "master.m3u8"));
  storage->RemovePrefix("720p/");
  storage->RemovePrefix("1080p");  // absent is fine
  CHECK_FALSE(fs::exists(temp.path() / "720p"));
  CHECK(KeysOf(storage->List("")) == std::vector<std::string>{"360p/seg_00000.m4s"});
}

TEST_CASE("LocalStorage reads objects in place at any offset") {
  TempFolder folder;
  LocalStorage storage(folder.path());
  storage.Write("src/a.mp4", "0123456789");
  std::unique_ptr<RandomAccessReader> reader = storage.OpenForRead("src/a.mp4");
  CHECK(reader->size() == 10);
  CHECK(reader->name() == (folder.path() / "src/a.mp4").string());
  char buffer[8];
  CHECK(reader->ReadAt(3, buffer, 4) == 4);
  CHECK(std::string(buffer, 4) == "3456");
  CHECK(reader->ReadAt(7, buffer, 8) == 3);  // short only at the end
  CHECK(std::string(buffer, 3) == "789");
  CHECK(reader->ReadAt(10, buffer, 8) == 0);
  CHECK_THROWS_MATCHES(storage.OpenForRead("src/missing.mp4"), Error,
                       IsError(ExitCode::kIoError, "missing.mp4"));
}

TEST_CASE("LocalStorage scratch names are this process's alone, claimed with O_EXCL") {
  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  const std::string scratch = storage->ScratchPath("chunks/00001.nut");
  // Host, pid and the process's nonce: a shared --tmp seen from two hosts, or from two
  // containers whose processes are all PID 1, gets no name twice.
  CHECK(fs::path(scratch).filename().string().starts_with(ProcessTag() + "-"));
  // The file exists already, empty: another writer coming up with the same name fails its
  // O_EXCL instead of sharing the file.
  REQUIRE(fs::is_regular_file(scratch));
  CHECK(fs::file_size(scratch) == 0);
  CHECK(::open(scratch.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0666) == -1);
  CHECK(errno == EEXIST);
  // Writers open it again by name and write over it.
  MakeFile(scratch, "chunk bytes");
  storage->PutFile("chunks/00001.nut", scratch);
  CHECK(storage->Read("chunks/00001.nut") == "chunk bytes");
}

TEST_CASE("LocalStorage publishes keys whose names reach NAME_MAX") {
  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  const std::string key = "720p/" + std::string(250, 's') + ".m4s";
  storage->Write(key, "segment");
  CHECK(storage->Read(key) == "segment");
}

TEST_CASE("LocalStorage publishes scratch files by moving them") {
  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  const std::string scratch = storage->ScratchPath("720p/seg 1.m4s");
  const std::string other = storage->ScratchPath("720p/seg 1.m4s");

  CHECK(scratch != other);
  CHECK(fs::path(scratch).parent_path() == temp.path() / ".scratch");
  CHECK(fs::is_directory(fs::path(scratch).parent_path()));
  // The extension survives so that tools can infer the format from the name.
  CHECK_THAT(scratch, Catch::EndsWith("-720p_seg_1.m4s"));

  MakeFile(scratch, "segment bytes");
  struct stat before;
  REQUIRE(::stat(scratch.c_str(), &before) == 0);
  storage->PutFile("720p/seg_00001.m4s", scratch);

  CHECK_FALSE(fs::exists(scratch));
  CHECK(storage->Read("720p/seg_00001.m4s") == "segment bytes");
  struct stat after;
  REQUIRE(::stat(storage->Describe("720p/seg_00001.m4s").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);  // renamed, not copied
  // Scratch files are not objects.
  MakeFile(other, "unpublished");
  CHECK(KeysOf(storage->List("")) == std::vector<std::string>{"720p/seg_00001.m4s"});

  const Error no_source = ErrorFrom([&] { storage->PutFile("x.m4s", scratch); });
  CHECK(no_source.code() == ExitCode::kIoError);
  CHECK_THAT(no_source.what(), Catch::Contains(scratch));
}

TEST_CASE("LocalStorage copies a file from another file system") {
  TempFolder temp;
  // /dev/shm is a tmpfs on Linux; the temp folder usually is not.
  struct stat shm;
  struct stat root;
  if (::stat("/dev/shm", &shm) != 0 || ::stat(temp.path().c_str(), &root) != 0 ||
      shm.st_dev == root.st_dev) {
    WARN("no second file system available; cross-device PutFile not tested");
    return;
  }
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  const fs::path source = fs::path("/dev/shm") / fmt::format("vodctl-test-{}.m4s", ::getpid());
  MakeFile(source, std::string(3 << 20, 'v'));  // several copy chunks
  storage->PutFile("a/b.m4s", source.string());

  CHECK_FALSE(fs::exists(source));
  CHECK(storage->Read("a/b.m4s") == std::string(3 << 20, 'v'));
  CHECK(NamesIn(temp.path() / "a") == std::vector<std::string>{"b.m4s"});
}

TEST_CASE("LocalStorage replaces objects atomically") {
  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
  storage->Write("720p/index.m3u8", "old");

  SECTION("a reader holding the old object keeps it whole") {
    std::ifstream reader(temp.path() / "720p/index.m3u8", std::ios::binary);
    storage->Write("720p/index.m3u8", "new and longer");
    CHECK(std::string(std::istreambuf_iterator<char>(reader), {}) == "old");
    CHECK(storage->Read("720p/index.m3u8") == "new and longer");
    CHECK(NamesIn(temp.path() / "720p") == std::vector<std::string>{"index.m3u8"});
  }

  SECTION("a failed write leaves the old object and no temporary file") {
    // Past RLIMIT_FSIZE, write(2) fails with EFBIG once SIGXFSZ is ignored.
    rlimit saved;
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
    const Error error =
        ErrorFrom([&] { storage->Write("720p/index.m3u8", std::string(4096, 'n')); });
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, saved_handler);

    CHECK(error.code() == ExitCode::kIoError);
    CHECK_THAT(error.what(),
               Catch::StartsWith("cannot write '" + (temp.path() / "720p/.tmp-").string()) &&
                   Catch::Contains("File too large"));
    CHECK(storage->Read("720p/index.m3u8") == "old");
    CHECK(NamesIn(temp.path() / "720p") == std::vector<std::string>{"index.m3u8"});
  }
}

TEST_CASE("ValidateKey keeps keys relative and below the root") {
  for (const std::string key : {"a", "720p/seg_00001.m4s", ".hidden", "a..b/c", "a/.../b"}) {
    CAPTURE(key);
    CHECK_NOTHROW(ValidateKey(key));
  }
  for (const std::string& key :
       {std::string(), std::string("/etc/passwd"), std::string("a/"), std::string("a//b"),
        std::string("."), std::string(".."), std::string("a/../../b"), std::string("./a"),
        std::string("a\\..\\..\\b"), std::string("..\\x")}) {
    CAPTURE(key);
    const Error error = ErrorFrom([&] { ValidateKey(key); });
    CHECK(error.code() == ExitCode::kUsage);
    CHECK(error.what() == "invalid storage key '" + key + "'");
  }
  const Error nul = ErrorFrom([] { ValidateKey(std::string("a\0b\n", 4)); });
  CHECK(nul.code() == ExitCode::kUsage);
  CHECK(nul.what() == std::string("invalid storage key 'a\\x00b\\x0a'"));
  CHECK(ErrorFrom([] { ValidateKey("audio\n/x"); }).code() == ExitCode::kUsage);

  TempFolder temp;
  const std::unique_ptr<Storage> storage = OpenStorage((temp.path() / "root").string());
  CHECK(ErrorFrom([&] { storage->Write("../escaped", "x"); }).code() == ExitCode::kUsage);
  CHECK(ErrorFrom([&] { storage->Read("/etc/hostname"); }).code() == ExitCode::kUsage);
  CHECK(ErrorFrom([&] { storage->List("../"); }).code() == ExitCode::kUsage);
  CHECK(ErrorFrom([&] { storage->RemovePrefix("/"); }).code() == ExitCode::kUsage);
  CHECK_FALSE(fs::exists(temp.path() / "escaped"));
}

TEST_CASE("OpenStorage opens local paths and file URLs") {
  TempFolder temp;

  SECTION("an absolute path is created with its parents") {
    const fs::path root = temp.path() / "a" / "b";
    const std::unique_ptr<Storage> storage = OpenStorage(root.string() + "/");
    CHECK(fs::is_directory(root));
    CHECK(storage->url() == root.string());
  }

  SECTION("a relative path is resolved against the current folder") {
    const fs::path saved = fs::current_path();
    fs::current_path(temp.path());
    const std::unique_ptr<Storage> storage = OpenStorage("out/./hls");
    fs::current_path(saved);
    CHECK(fs::is_directory(temp.path() / "out/hls"));
    CHECK(storage->url() == (temp.path() / "out/hls").string());
  }

  SECTION("a file URL is percent-decoded") {
    const std::unique_ptr<Storage> storage =
        OpenStorage("file://" + temp.path().string() + "/with%20space/%C3%A9t%c3%a9");
    const fs::path root = temp.path() / "with space" / "\xC3\xA9t\xC3\xA9";
    CHECK(fs::is_directory(root));
    storage->Write("k", "v");
    CHECK(FileContents(root / "k") == "v");
  }

  SECTION("malformed file URLs are usage errors") {
    for (const std::string url :
         {"file://host/out", "file:///out%2", "file:///out%zz", "file:///a%00b"}) {
      CAPTURE(url);
      CHECK(ErrorFrom([&] { OpenStorage(url); }).code() == ExitCode::kUsage);
    }
  }

  SECTION("other schemes are not supported yet") {
    for (const std::string url : {"http://example.com/out", "HTTPS://x/y"}) {
      const Error error = ErrorFrom([&] { OpenStorage(url); });
      CHECK(error.code() == ExitCode::kUsage);
      CHECK(error.what() ==
            "unsupported storage URL '" + url + "': only local paths and file:// for now");
    }
  }

  SECTION("a root that cannot be created is an I/O error") {
    MakeFile(temp.path() / "file", "not a folder");
    const fs::path root = temp.path() / "file" / "sub";
    const Error error = ErrorFrom([&] { OpenStorage(root.string()); });
    CHECK(error.code() == ExitCode::kIoError);
    CHECK(error.what() == "cannot create output folder '" + root.string() + "': Not a directory");
  }

  SECTION("a folder that cannot be created below the root is an I/O error") {
    const std::unique_ptr<Storage> storage = OpenStorage(temp.path().string());
    storage->Write("720p", "a file where a folder should be");
    const Error error = ErrorFrom([&] { storage->Write("720p/seg.m4s", "x"); });
    CHECK(error.code() == ExitCode::kIoError);
    CHECK_THAT(error.what(), Catch::Contains((temp.path() / "720p").string()));
  }
}

TEST_CASE("Compressed playlists get a gzip twin beside them locally") {
  testing::TempFolder folder;
  PublishPolicy compressing;
  compressing.compress_playlists = true;
  LocalStorage output(folder.path(), compressing);
  output.Write("720p/index.m3u8", "#EXTM3U\n");
  output.Write("720p/seg_0123456789_00000.m4s", "media");
  CHECK(output.Stat("720p/index.m3u8.gz").has_value());
  CHECK_FALSE(output.Stat("720p/seg_0123456789_00000.m4s.gz").has_value());
  CHECK(output.Read("720p/index.m3u8") == "#EXTM3U\n");
  CHECK(Gunzip(output.Read("720p/index.m3u8.gz"), "twin") == "#EXTM3U\n");

  LocalStorage republished(folder.path(), PublishPolicy{});  // not compressing this time
  republished.Write("720p/index.m3u8", "#EXTM3U\n#EXT-X-VERSION:7\n");
  CHECK_FALSE(output.Stat("720p/index.m3u8.gz").has_value());
}

}  // namespace
}  // namespace vodctl

// The boundary to where files live: sources, tmp and output. The pipeline reaches the file
// system (and, later, S3) only through this interface, the way LevelDB reaches it through Env.
//
// Keys are '/'-separated paths relative to the storage's root URL; they never contain "..",
// empty components or a leading '/'.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vodctl/publish_policy.h"

namespace vodctl {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
};

// An object opened for reading at any offset, so a demuxer can seek in it without the whole
// object being fetched first. Errors are thrown (vodctl::Error), naming the object.
class RandomAccessReader {
 public:
  virtual ~RandomAccessReader() = default;
  virtual int64_t size() const = 0;
  // Copies up to `capacity` bytes from `offset` into `buffer`; fewer only at the end of the
  // object, 0 at or past it.
  virtual size_t ReadAt(int64_t offset, char* buffer, size_t capacity) = 0;
  // For messages: the file or URL read.
  virtual const std::string& name() const = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The URL this storage is rooted at, for messages.
  virtual std::string url() const = 0;
  // A human-readable location of `key`, for messages ("/data/out/720p/seg_00001.m4s").
  virtual std::string Describe(const std::string& key) const = 0;

  virtual std::optional<ObjectInfo> Stat(const std::string& key) = 0;
  // A local file holding the object's bytes, valid while the storage lives. Local storage
  // returns the file itself; remote storage a downloaded copy.
  virtual std::string LocalPathForRead(const std::string& key) = 0;
  virtual std::string Read(const std::string& key) = 0;
  // Reads the object in place: local storage from the file, S3 by ranged GETs of a bounded
  // window, so memory use does not grow with the object. Error(kIoError) when it is missing.
  virtual std::unique_ptr<RandomAccessReader> OpenForRead(const std::string& key) = 0;

  // Atomic: a reader sees the old object or all of the new one, never a part.
  virtual void Write(const std::string& key, std::string_view bytes) = 0;
  // Publishes a finished local file under `key`, atomically. The file is consumed (moved when
  // possible). `local_file` should come from ScratchPath() so a move is a rename.
  virtual void PutFile(const std::string& key, const std::string& local_file) = 0;
  // A fresh local path, on the same file system as the storage when it is local, where a file
  // can be prepared before PutFile. Its parent exists.
  virtual std::string ScratchPath(const std::string& hint) = 0;

  virtual std::vector<ObjectInfo> List(const std::string& prefix) = 0;  // sorted by key
  virtual void Remove(const std::string& key) = 0;                      // absent is fine
  // Removes every object under `prefix`; the empty prefix removes everything, root included.
  virtual void RemovePrefix(const std::string& prefix) = 0;
  // Removes what a writer killed mid-write left behind (local temporary files and scratch
  // space, unfinished multipart uploads). The caller must be the only writer.
  virtual void RemoveLeftovers() {}
};

// Opens storage for a URL: a local path or file:// URL (created if missing), or
// s3://bucket/prefix. Other schemes are Error(kUsage).
std::unique_ptr<Storage> OpenStorage(const std::string& url);
// The same for a job's output: its objects published under `policy` (Cache-Control by kind
// on S3, playlists compressed where the policy says).
std::unique_ptr<Storage> OpenOutputStorage(const std::string& url, const PublishPolicy& policy);
// The same for storage that must be there already, for reading: a local folder that does not
// exist is Error(kIoError) instead of being created.
std::unique_ptr<Storage> OpenExistingStorage(const std::string& url);

// Opens a local file for RandomAccessReader-style reading. Error(kIoError) when it cannot.
std::unique_ptr<RandomAccessReader> OpenLocalFileForRead(const std::string& path);

// Checks a key is relative and stays below the root. Error(kUsage) otherwise.
void ValidateKey(const std::string& key);

}  // namespace vodctl

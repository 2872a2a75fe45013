// Storage on a local (or locally mounted) file system. Every publish is a rename of a fully
// written and fsynced file, so a crash or a concurrent reader never sees a partial object.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vodctl/publish_policy.h"
#include "vodctl/storage.h"

namespace vodctl {

class LocalStorage : public Storage {
 public:
  // `root` must be an absolute path to an existing folder; OpenStorage() ensures both.
  // `publish`: an output's policy; a local file has no headers to carry its caching (the
  // web server in front sets them, README), but playlists it compresses get a NAME.gz twin.
  explicit LocalStorage(std::filesystem::path root, std::optional<PublishPolicy> publish = {});

  std::string url() const override;
  std::string Describe(const std::string& key) const override;

  std::optional<ObjectInfo> Stat(const std::string& key) override;
  std::string LocalPathForRead(const std::string& key) override;
  std::string Read(const std::string& key) override;
  std::unique_ptr<RandomAccessReader> OpenForRead(const std::string& key) override;

  // The NAME.gz twin of a playlist the policy compresses goes first, so the plain file,
  // which is what a job checks for, is never there without it; an output that does not
  // compress loses the twin an earlier publish left.
  void Write(const std::string& key, std::string_view bytes) override;
  void PutFile(const std::string& key, const std::string& local_file) override;
  std::string ScratchPath(const std::string& hint) override;

  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Remove(const std::string& key) override;
  void RemovePrefix(const std::string& prefix) override;
  void RemoveLeftovers() override;

 private:
  // Validates `key` and maps it below root_.
  std::filesystem::path PathFor(const std::string& key) const;

  std::filesystem::path root_;
  std::optional<PublishPolicy> publish_;
};

}  // namespace vodctl

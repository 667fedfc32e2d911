#pragma once
// PrivateDirectory: a temporary directory only this user can enter, for the
// named resources a transport needs in the file system (socket files, FIFOs).
//
// create() makes "<temp>/ipc_bench-<pid>-XXXXXX" with mkdtemp: created
// exclusively, mode 0700, so nobody but this user (and root) can reach what
// is inside.  <temp> is std::filesystem::temp_directory_path() ($TMPDIR, else
// /tmp).  remove() unlinks every entry named through entry() and then the
// directory; the owner calls it as soon as both sides have their resources
// open, and the destructor at the latest, so nothing outlives a run.
#include <string>
#include <string_view>
#include <vector>

namespace ipc {

class PrivateDirectory {
 public:
  static PrivateDirectory create();

  PrivateDirectory(PrivateDirectory&& other) noexcept;
  PrivateDirectory& operator=(PrivateDirectory&&) = delete;
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;
  ~PrivateDirectory() { remove(); }

  // The path of `name` inside the directory.  Whatever the caller creates
  // there under that name is removed with the directory.
  [[nodiscard]] std::string entry(std::string_view name);

  // Unlinks the entries, then the directory.  Idempotent.
  void remove() noexcept;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  explicit PrivateDirectory(std::string path) noexcept : path_(std::move(path)) {}

  std::string path_;  // empty once removed
  std::vector<std::string> entries_;
};

}  // namespace ipc

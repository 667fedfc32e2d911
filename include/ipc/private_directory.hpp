#pragma once
// PrivateDirectory: a fresh directory only this user may enter, for the
// named resources that must be paths in the file system (a mapped file,
// socket files, FIFOs).
//
// create() makes "<temp>/ipc_bench-<pid>-XXXXXX" with mkdtemp, which picks
// an unused random name and creates the directory with mode 0700: nobody
// else can look into it or plant anything in it.  <temp> is $TMPDIR when
// set, else /tmp.  The directory is removed with whatever is still in it by
// remove(), or at the latest on destruction, so none outlives a run.
#include <string>
#include <string_view>

namespace ipc {

class PrivateDirectory {
 public:
  static PrivateDirectory create();

  PrivateDirectory(PrivateDirectory&& other) noexcept;
  PrivateDirectory& operator=(PrivateDirectory&&) = delete;
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;
  ~PrivateDirectory() { remove(); }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // The path of `name` inside the directory.
  [[nodiscard]] std::string entry(std::string_view name) const;

  // Removes the directory and everything in it.  Idempotent.
  void remove() noexcept;

 private:
  explicit PrivateDirectory(std::string path) noexcept : path_(std::move(path)), exists_(true) {}

  std::string path_;
  bool exists_ = false;  // still there, and ours to remove
};

}  // namespace ipc

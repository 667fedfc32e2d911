#include "ipc/stale_names.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <initializer_list>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "ipc/unique_fd.hpp"

namespace ipc {
namespace {

constexpr std::string_view kPrefix = "ipc_bench-";

bool all_of(std::string_view text, bool (*fits)(char)) { return std::ranges::all_of(text, fits); }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
// mkdtemp's alphabet.
bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The pid in "ipc_bench-<pid>-<rest>", with <rest> returned through `rest`;
// nullopt unless <pid> is a positive decimal number written as getpid()
// would (no sign, no leading zero).
std::optional<pid_t> creator(std::string_view name, std::string_view& rest) {
  if (!name.starts_with(kPrefix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || name[0] == '0') return std::nullopt;
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + dash, pid);
  if (error != std::errc() || end != name.data() + dash || pid <= 0) return std::nullopt;
  rest = name.substr(dash + 1);
  return pid;
}

// unguessable_name: "ipc_bench-<pid>-<16 lower-case hex digits>", then
// `suffix` (the message queues add "-ping" and "-pong").
std::optional<pid_t> unguessable_creator(std::string_view name, std::initializer_list<std::string_view> suffixes) {
  std::string_view rest;
  const auto pid = creator(name, rest);
  if (!pid || rest.size() < 16 || !all_of(rest.substr(0, 16), is_lower_hex)) return std::nullopt;
  return std::ranges::find(suffixes, rest.substr(16)) != suffixes.end() ? pid : std::nullopt;
}

// PrivateDirectory: "ipc_bench-<pid>-XXXXXX" as mkdtemp completes it.
std::optional<pid_t> directory_creator(std::string_view name) {
  std::string_view rest;
  const auto pid = creator(name, rest);
  return pid && rest.size() == 6 && all_of(rest, is_alnum) ? pid : std::nullopt;
}

bool gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// The entry's own status, a symbolic link not followed.
std::optional<struct stat> status_of(int directory, const char* name) {
  struct stat st {};
  if (::fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return st;
}

UniqueFd open_directory(int at, const char* path) {
  return UniqueFd(::openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// The names in an open directory, "." and ".." left out.  Reads through a
// duplicate, so that `directory` stays usable for the *at() calls.
std::vector<std::string> names_in(int directory) {
  std::vector<std::string> names;
  const int copy = ::openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) return names;
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    ::close(copy);
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  return names;
}

bool ours(const struct stat& st) { return st.st_uid == ::geteuid(); }

// A regular file: a shared-memory segment or a message queue.
void remove_files(const char* where, std::initializer_list<std::string_view> suffixes,
                  std::vector<std::string>& removed) {
  const UniqueFd directory = open_directory(AT_FDCWD, where);
  if (!directory) return;  // not there (no mqueue file system mounted): nothing of ours either
  for (const std::string& name : names_in(directory.get())) {
    const auto pid = unguessable_creator(name, suffixes);
    if (!pid || !gone(*pid)) continue;
    const auto st = status_of(directory.get(), name.c_str());
    if (!st || !S_ISREG(st->st_mode) || !ours(*st)) continue;
    if (::unlinkat(directory.get(), name.c_str(), 0) == 0) removed.push_back(fmt::format("{}/{}", where, name));
  }
}

// What may be inside a private directory, each of the type ipc_bench makes.
bool expected_entry(std::string_view name, mode_t mode) {
  if (name == "socket") return S_ISSOCK(mode);
  if (name == "ping" || name == "pong") return S_ISFIFO(mode);
  if (name == "segment") return S_ISREG(mode);
  return false;
}

// One private directory `name` in `temp`, if it holds only what ipc_bench
// puts there.  Opened with O_NOFOLLOW and checked to be the same directory
// as examined, so that nothing swapped in meanwhile is emptied.
bool remove_private_directory(int temp, const std::string& name, const struct stat& examined) {
  const UniqueFd directory = open_directory(temp, name.c_str());
  struct stat st {};
  if (!directory || ::fstat(directory.get(), &st) != 0 || st.st_dev != examined.st_dev || st.st_ino != examined.st_ino)
    return false;
  const std::vector<std::string> entries = names_in(directory.get());
  for (const std::string& entry : entries) {
    const auto entry_st = status_of(directory.get(), entry.c_str());
    if (!entry_st || !expected_entry(entry, entry_st->st_mode)) return false;
  }
  for (const std::string& entry : entries)
    if (::unlinkat(directory.get(), entry.c_str(), 0) != 0 && errno != ENOENT) return false;
  return ::unlinkat(temp, name.c_str(), AT_REMOVEDIR) == 0;
}

void remove_directories(std::vector<std::string>& removed) {
  std::error_code ec;
  const std::filesystem::path temp = std::filesystem::temp_directory_path(ec);
  if (ec) return;
  // $TMPDIR itself may be a symbolic link: it is the user's own choice, as
  // for PrivateDirectory.  Nothing inside it is followed.
  const UniqueFd directory(::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory) return;
  for (const std::string& name : names_in(directory.get())) {
    const auto pid = directory_creator(name);
    if (!pid || !gone(*pid)) continue;
    const auto st = status_of(directory.get(), name.c_str());
    // mkdtemp makes it 0700: a directory others could write to is not one of ours.
    if (!st || !S_ISDIR(st->st_mode) || !ours(*st) || (st->st_mode & 077) != 0) continue;
    if (remove_private_directory(directory.get(), name, *st)) removed.push_back((temp / name).string());
  }
}

}  // namespace

std::vector<std::string> remove_stale_names() noexcept {
  std::vector<std::string> removed;
  try {
    remove_files("/dev/shm", {"", "-ping", "-pong"}, removed);  // segments; boost_mq's queues
    remove_files("/dev/mqueue", {"-ping", "-pong"}, removed);
    remove_directories(removed);
  } catch (...) {  // out of memory: what was removed so far is still reported
  }
  return removed;
}

std::string stale_names_note(const std::vector<std::string>& removed) {
  if (removed.empty()) return {};
  return fmt::format("removed {} object{} left by ipc_bench processes that no longer run: {}", removed.size(),
                     removed.size() == 1 ? "" : "s", fmt::join(removed, ", "));
}

}  // namespace ipc

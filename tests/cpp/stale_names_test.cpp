// Names outliving a SIGKILL (issue 12, item 7): ipc_bench removes at start
// exactly the objects that ipc_bench processes no longer running left
// behind, and zmq_ipc, killed mid-run, leaves no directory.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ipc/child_process.hpp"
#include "ipc/error.hpp"
#include "ipc/unique_fd.hpp"
#include "test_support.hpp"
#include "temp_tree.hpp"

namespace ipc {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The pid of a child that has exited and been reaped: no process has it,
// until the kernel hands it out again (it cycles through pid_max first).
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) ::_exit(0);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return pid;
}

// Whether anything, even a dangling symbolic link, is at `path`.
bool present(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

void touch(const fs::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) throw_errno("open " + path.string());
}

void make_fifo(const fs::path& path) {
  if (::mkfifo(path.c_str(), 0600) != 0) throw_errno("mkfifo " + path.string());
}

// A socket file, as a unix_stream or zmq_ipc producer binds it.
void make_socket(const fs::path& path) {
  const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw_errno("bind " + path.string());
}

void make_directory(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0) throw_errno("mkdir " + path.string());
}

// Objects created here for the test, removed at the end whatever happened.
class Planted {
 public:
  Planted() = default;
  Planted(const Planted&) = delete;
  Planted& operator=(const Planted&) = delete;
  ~Planted() {
    for (const std::string& name : queues_) ::mq_unlink(name.c_str());
    std::error_code ec;
    for (const fs::path& path : paths_) fs::remove_all(path, ec);
  }

  fs::path shm(const std::string& name) {
    const fs::path path = fs::path("/dev/shm") / name;
    touch(path);
    paths_.push_back(path);
    return path;
  }
  // True if the queue "/<name>" could be made.
  bool queue(const std::string& name) {
    mq_attr attr{};
    attr.mq_maxmsg = 1;
    attr.mq_msgsize = 8;
    const mqd_t q = ::mq_open(("/" + name).c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
    if (q == static_cast<mqd_t>(-1)) return false;
    ::mq_close(q);
    queues_.push_back("/" + name);
    return true;
  }
  void keep(const fs::path& path) { paths_.push_back(path); }

 private:
  std::vector<fs::path> paths_;
  std::vector<std::string> queues_;
};

constexpr const char* kHex = "0123456789abcdef";

// f_type of an mqueue file system (linux/magic.h does not export it).
constexpr unsigned long kMqueueMagic = 0x19800202;

bool mqueue_mounted() {
  struct statfs fs {};
  return ::statfs("/dev/mqueue", &fs) == 0 && static_cast<unsigned long>(fs.f_type) == kMqueueMagic;
}

// Whether the message queue "/<name>" exists: seen without /dev/mqueue.
bool queue_present(const std::string& name) {
  const mqd_t q = ::mq_open(("/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (q == static_cast<mqd_t>(-1)) return errno != ENOENT;
  ::mq_close(q);
  return true;
}

// How ipc_bench can be run so that it sees this IPC namespace's message
// queues in /dev/mqueue: directly where an mqueue file system is mounted
// there; else, given the privilege, in a mount namespace of its own with
// one mounted (the queues are the same: the IPC namespace is); else not.
std::optional<std::vector<std::string>> with_mqueue_visible() {
  if (mqueue_mounted()) return std::vector<std::string>{};
  if (test::run_command({"/usr/bin/unshare", "-m", "/bin/sh", "-c", "mount -t mqueue mqueue /dev/mqueue"}).exit_code != 0)
    return std::nullopt;
  return std::vector<std::string>{"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                                  "mount -t mqueue mqueue /dev/mqueue && exec \"$0\" \"$@\""};
}

test::CommandResult run_bench(const fs::path& temp, std::vector<std::string> wrapper = {}) {
  for (const char* arg : {"-t", "pipe", "-n", "10", "--warmup", "0"}) wrapper.emplace_back(arg);
  wrapper.insert(wrapper.end() - 6, test::built("ipc_bench"));
  return test::run_command(wrapper, 120s, {"TMPDIR=" + temp.string()});
}

TEST(StaleNames, ObjectsOfDeadIpcBenchProcessesAreRemovedAndNothingElse) {
  const pid_t dead = dead_pid();
  ASSERT_FALSE(test::process_exists(dead)) << "pid " << dead << " was reused at once";
  const pid_t live = ::getpid();
  const std::string hex = kHex;
  const std::string of_dead = fmt::format("ipc_bench-{}-", dead), of_live = fmt::format("ipc_bench-{}-", live);
  const test::TempTree temp;
  Planted planted;

  // /dev/shm: a segment of the dead process goes; one of a live process,
  // and names that are not unguessable_name's, stay.
  const fs::path shm_gone = planted.shm(of_dead + hex);
  // boost_mq's two queues are /dev/shm files too.
  const std::vector<fs::path> shm_queues_gone = {planted.shm(of_dead + hex + "-ping"),
                                                 planted.shm(of_dead + hex + "-pong")};
  const std::vector<fs::path> shm_kept = {planted.shm(of_live + hex), planted.shm(of_dead + hex.substr(1)),
                                          planted.shm(of_dead + hex + "-x"), planted.shm(of_dead + "0123456789ABCDEF"),
                                          planted.shm(fmt::format("ipc_bench-0{}-{}", dead, hex))};

  // $TMPDIR: private directories as PrivateDirectory makes them.
  const fs::path dir_gone = temp.root() / (of_dead + "Ab3dE9");
  make_directory(dir_gone);
  make_socket(dir_gone / "socket");
  const fs::path fifo_gone = temp.root() / (of_dead + "fifo01");
  make_directory(fifo_gone);
  make_fifo(fifo_gone / "ping");
  make_fifo(fifo_gone / "pong");
  const fs::path empty_gone = temp.root() / (of_dead + "ZZZZZZ");
  make_directory(empty_gone);
  // Kept: a live process's; one holding something ipc_bench never puts
  // there; "segment" that is not a regular file; a name mkdtemp cannot make;
  // one others may write to; a symbolic link to a directory of the same
  // shape (neither it nor what it points to is touched).
  const fs::path dir_live = temp.root() / (of_live + "Ab3dE9");
  make_directory(dir_live);
  make_fifo(dir_live / "ping");
  const fs::path dir_foreign = temp.root() / (of_dead + "foreig");
  make_directory(dir_foreign);
  make_fifo(dir_foreign / "ping");
  touch(dir_foreign / "notes.txt");
  const fs::path dir_wrong_type = temp.root() / (of_dead + "wrongt");
  make_directory(dir_wrong_type);
  make_directory(dir_wrong_type / "segment");
  const fs::path dir_long = temp.root() / (of_dead + "Ab3dE9x");
  make_directory(dir_long);
  const fs::path dir_open = temp.root() / (of_dead + "open01");
  make_directory(dir_open);
  ASSERT_EQ(::chmod(dir_open.c_str(), 0777), 0);
  const fs::path target = temp.root() / "target";
  make_directory(target);
  make_fifo(target / "ping");
  const fs::path link = temp.root() / (of_dead + "link01");
  fs::create_directory_symlink(target, link);

  // As root: a dead process's segment that belongs to another user stays.
  std::optional<fs::path> shm_other_user;
  if (::geteuid() == 0) {
    shm_other_user = planted.shm(fmt::format("ipc_bench-{}-{}", dead, "fedcba9876543210"));
    ASSERT_EQ(::chown(shm_other_user->c_str(), 65534, 65534), 0);
  }

  // Message queues, where they can be made and ipc_bench can see them.
  std::vector<std::string> queues_gone, queues_kept;
  const auto wrapper = with_mqueue_visible();
  if (!wrapper) {
    std::printf("note: no mqueue file system at /dev/mqueue and none can be mounted: the message-queue part is "
                "skipped\n");
  } else if (!planted.queue(of_dead + hex + "-ping")) {
    std::printf("note: mq_open: %s: the message-queue part is skipped\n", std::strerror(errno));
  } else {
    queues_gone = {of_dead + hex + "-ping", of_dead + hex + "-pong"};
    queues_kept = {of_live + hex + "-ping", of_dead + hex + "-pang"};
    for (const std::string& name : {queues_gone[1], queues_kept[0], queues_kept[1]})
      ASSERT_TRUE(planted.queue(name)) << name << ": " << std::strerror(errno);
  }

  const auto result = run_bench(temp.root(), wrapper.value_or(std::vector<std::string>{}));
  EXPECT_EQ(result.exit_code, 0) << result.err;

  for (const fs::path& path : {shm_gone, dir_gone, fifo_gone, empty_gone}) EXPECT_FALSE(present(path)) << path;
  for (const std::string& name : queues_gone) EXPECT_FALSE(queue_present(name)) << name;
  for (const fs::path& path : shm_queues_gone) EXPECT_FALSE(present(path)) << path;
  for (const fs::path& path : shm_kept) EXPECT_TRUE(present(path)) << path;
  for (const std::string& name : queues_kept) EXPECT_TRUE(queue_present(name)) << name;
  if (shm_other_user) {
    EXPECT_TRUE(present(*shm_other_user)) << *shm_other_user;
  }
  for (const fs::path& path : {dir_live / "ping", dir_foreign / "ping", dir_foreign / "notes.txt",
                               dir_wrong_type / "segment", dir_long, dir_open, link, target / "ping"})
    EXPECT_TRUE(present(path)) << path;

  // One line names them.  The directories are in this test's own TMPDIR,
  // which no other run sweeps, so this run is the one that removed them
  // (another ipc_bench running meanwhile may have taken the /dev/shm ones).
  std::vector<std::string> notes;
  for (const std::string& line : test::lines(result.err))
    if (line.starts_with("ipc_bench: removed ")) notes.push_back(line);
  ASSERT_EQ(notes.size(), 1u) << result.err;
  EXPECT_NE(notes[0].find(" left by ipc_bench processes that no longer run: "), std::string::npos) << notes[0];
  for (const fs::path& path : {dir_gone, fifo_gone, empty_gone})
    EXPECT_NE(notes[0].find(path.filename().string()), std::string::npos) << notes[0];
}

// /proc/<pid>/status's voluntary_ctxt_switches of its main thread.
std::optional<long> voluntary_switches(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("voluntary_ctxt_switches:")) return std::stol(line.substr(line.find(':') + 1));
  return std::nullopt;
}

TEST(StaleNames, ZmqIpcKilledMidRunLeavesNoDirectory) {
  const test::TempTree temp;
  // Its consumer, orphaned by the SIGKILL, is reparented to us and reaped here.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const char* old = std::getenv("TMPDIR");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  ::setenv("TMPDIR", temp.root().c_str(), 1);
  const UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ChildProcess bench = ChildProcess::spawn(
      {test::built("ipc_bench"),
       {"-t", "zmq_ipc", "-n", "100000000"},
       {{quiet.get(), STDOUT_FILENO}, {quiet.get(), STDERR_FILENO}},
       {}});
  if (saved) {
    ::setenv("TMPDIR", saved->c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }

  // Mid-run: the consumer is in its loop of blocking receives, i.e. has
  // slept far more often than its start-up and handshake take.
  pid_t consumer = 0;
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the consumer never got going";
    const auto children = test::children_of(bench.pid());
    if (!children.empty()) {
      consumer = children.front();
      const auto switches = voluntary_switches(consumer);
      ASSERT_TRUE(switches.has_value()) << "no /proc/" << consumer << "/status";
      if (*switches > 2000) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  const pid_t bench_pid = bench.pid();
  ASSERT_EQ(::kill(bench_pid, SIGKILL), 0);
  const auto status = bench.wait_for(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL);
  ::kill(consumer, SIGKILL);  // ours now (or already dead of PR_SET_PDEATHSIG)
  while (::waitpid(consumer, nullptr, 0) < 0 && errno == EINTR) {
  }

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(temp.root())) left.push_back(entry.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{});
  EXPECT_EQ(test::leftovers_of(bench_pid), std::vector<std::string>{});
}

}  // namespace
}  // namespace ipc

// A transport the kernel refuses, for real: io_uring switched off with the
// sysctl kernel.io_uring_disabled (Linux 6.6), as root, for the length of
// the test.  ipc_bench must skip the transport with a note saying why and
// how to enable it, run the rest, and fail with that one line when nothing
// is left.  The test runs ipc_bench as a child: this process's answer about
// io_uring is remembered from its first question.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

constexpr const char* kSysctl = "/proc/sys/kernel/io_uring_disabled";

std::optional<std::string> read_sysctl() {
  std::ifstream in(kSysctl);
  std::string value;
  if (!(in >> value)) return std::nullopt;
  return value;
}

bool write_sysctl(const std::string& value) {
  std::ofstream out(kSysctl);
  out << value << '\n';
  out.flush();
  return static_cast<bool>(out);
}

// Sets the sysctl for its lifetime; the destructor puts the old value back
// whatever happens in between (a failed ASSERT returns through it too).
class IoUringDisabled {
 public:
  explicit IoUringDisabled(std::string old) : old_(std::move(old)) { ok_ = write_sysctl("2"); }
  IoUringDisabled(const IoUringDisabled&) = delete;
  IoUringDisabled& operator=(const IoUringDisabled&) = delete;
  ~IoUringDisabled() { EXPECT_TRUE(write_sysctl(old_)) << "could not restore " << kSysctl << " to " << old_; }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  std::string old_;
  bool ok_ = false;
};

TEST(RefusedTransport, IoUringDisabledBySysctlIsSkippedWithItsNote) {
  const std::optional<std::string> old = read_sysctl();
  if (!old) GTEST_SKIP() << kSysctl << " does not exist (a kernel before 6.6)";
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to set " << kSysctl;
  if (*old != "0") GTEST_SKIP() << kSysctl << " is " << *old << " already";
  ASSERT_EQ(unavailable_here(*find_transport("uring_unix")), "");

  const std::string ipc_bench = test::built("ipc_bench");
  test::CommandResult mixed, alone, list;
  {
    const IoUringDisabled disabled(*old);
    if (!disabled.ok()) GTEST_SKIP() << "cannot write " << kSysctl << " (read-only /proc/sys in a container?)";
    mixed = test::run_command({ipc_bench, "-t", "uring_unix,pipe", "-n", "100", "--warmup", "0"});
    alone = test::run_command({ipc_bench, "-t", "uring_msg_ring"});
    list = test::run_command({ipc_bench, "--list"});
  }
  ASSERT_EQ(read_sysctl(), old);

  const std::string why = "io_uring_setup: Operation not permitted: kernel.io_uring_disabled=2";
  EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
  // Said once, in its summary row ("all" payloads, "all" placements).
  const std::string out = test::unwrapped(mixed.out);
  EXPECT_NE(out.find("skipped: " + why), std::string::npos) << mixed.out;
  EXPECT_NE(out.find("sysctl -w kernel.io_uring_disabled=0"), std::string::npos) << mixed.out;
  EXPECT_EQ(mixed.err.find("skipping uring_unix"), std::string::npos) << mixed.err;
  EXPECT_NE(mixed.out.find("pipe"), std::string::npos) << mixed.out;
  EXPECT_EQ(mixed.out.find("uring_unix/"), std::string::npos) << mixed.out;

  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_EQ(test::lines(alone.err).size(), 1u) << alone.err;
  EXPECT_NE(alone.err.find("uring_msg_ring is not available here: " + why), std::string::npos) << alone.err;

  EXPECT_EQ(list.exit_code, 0);
  // --list wraps long entries at 100 columns: compare with the line breaks and indents as single spaces.
  const auto flat = [](const std::string& text) {
    std::string out;
    for (const char c : text) {
      const char d = c == '\n' ? ' ' : c;
      if (!(d == ' ' && !out.empty() && out.back() == ' ')) out.push_back(d);
    }
    return out;
  };
  EXPECT_NE(flat(list.out).find("(not available here: " + flat(why)), std::string::npos) << list.out;
}

}  // namespace
}  // namespace ipc

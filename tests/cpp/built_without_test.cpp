// A transport whose library the build lacked (not installed, or switched
// off: -DIPC_BENCH_WITH_BOOST=OFF, -DIPC_BENCH_WITH_GRPC=OFF) stays in the
// registry and is refused in one line: alone, exit 2; beside others, skipped
// with its note while the others run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

std::vector<const Transport*> built_without() {
  std::vector<const Transport*> found;
  for (const Transport& t : transports())
    if (t.unavailable != nullptr && t.unavailable().starts_with("built without ")) found.push_back(&t);
  return found;
}

TEST(BuiltWithout, TransportIsRefusedInOneLineAndSkippedBesideOthers) {
  const auto missing = built_without();
  if (missing.empty()) GTEST_SKIP() << "this build has every optional library";
  const std::string ipc_bench = test::built("ipc_bench");
  for (const Transport* t : missing) {
    const std::string name(t->name);
    SCOPED_TRACE(name);
    const std::string why = t->unavailable();
    const auto alone = test::run_command({ipc_bench, "-t", name});
    EXPECT_EQ(alone.exit_code, 2);
    EXPECT_EQ(test::lines(alone.err).size(), 1u) << alone.err;
    EXPECT_NE(alone.err.find(name + " is not available here: " + why), std::string::npos) << alone.err;
    const auto mixed = test::run_command({ipc_bench, "-t", name + ",pipe", "-n", "100", "--warmup", "0"});
    EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
    EXPECT_NE(test::unwrapped(mixed.out).find("skipped: " + why), std::string::npos) << mixed.out;
  }
}

}  // namespace
}  // namespace ipc

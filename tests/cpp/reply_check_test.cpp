// Every pong is checked: a stale, corrupted, short or duplicated reply is an
// error naming the round trip and what was wrong.  Driven through the pipe
// transport with a consumer that misbehaves on purpose.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "ipc/error.hpp"
#include "ipc/message.hpp"
#include "ipc/registry.hpp"
#include "test_support.hpp"

namespace ipc {
namespace {

std::string failure_of(const std::string& fault, std::size_t payload) {
  ::setenv("FAULTY_CONSUMER", fault.c_str(), 1);
  const auto runner = find_transport("pipe")->start({payload, test::built("faulty_pipe_consumer"), {}, std::chrono::seconds(5)});
  ::unsetenv("FAULTY_CONSUMER");
  try {
    runner->round_trips(100);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ReplyCheck, StaleReplyNamesTheSequence) {
  EXPECT_EQ(failure_of("stale:7", 64).rfind("round trip 7: reply carries sequence 6, expected 7 (stale or duplicated)", 0), 0u)
      << failure_of("stale:7", 64);
}

TEST(ReplyCheck, CorruptedReplyNamesTheByte) {
  const std::string what = failure_of("corrupt:3", 64);
  EXPECT_EQ(what.rfind("round trip 3: reply corrupted at byte 63", 0), 0u) << what;
}

TEST(ReplyCheck, ShortReplyIsAnError) {
  const std::string what = failure_of("short:5", 64);
  EXPECT_EQ(what.rfind("round trip 5: short message: peer closed after 63 of 64 bytes", 0), 0u) << what;
}

TEST(ReplyCheck, DuplicatedReplyIsSeenAtTheNextRoundTrip) {
  const std::string what = failure_of("duplicate:4", 8);
  EXPECT_EQ(what.rfind("round trip 5: reply carries sequence 4, expected 5", 0), 0u) << what;
}

TEST(ReplyCheck, OneBytePayloadStillCarriesTheLowSequenceByte) {
  const std::string what = failure_of("stale:2", 1);
  EXPECT_EQ(what.rfind("round trip 2: reply carries sequence 1, expected 2", 0), 0u) << what;
}

TEST(Message, PingCarriesSequenceThenFiller) {
  Message message(12);
  message.stamp(0x0102030405060708ULL);
  const auto ping = message.ping();
  EXPECT_EQ(ping[0], std::byte{0x08});
  EXPECT_EQ(ping[7], std::byte{0x01});
  EXPECT_EQ(ping[8], filler_byte(8));
  EXPECT_EQ(message.sequence_of(ping), 0x0102030405060708ULL);
}

TEST(Message, VerifyAcceptsAnExactEchoOnly) {
  Message message(16);
  message.stamp(42);
  std::vector<std::byte> echo(message.ping().begin(), message.ping().end());
  EXPECT_NO_THROW(message.verify(echo, echo.size()));
  EXPECT_THROW(message.verify(echo, echo.size() - 1), Error);
  echo[15] ^= std::byte{1};
  EXPECT_THROW(message.verify(echo, echo.size()), Error);
}

}  // namespace
}  // namespace ipc

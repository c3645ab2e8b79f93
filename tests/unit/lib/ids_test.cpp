// Unit tests of Snowflake ids (lib/ids.h): ordering under a misbehaving clock, the bit layout, and
// the strict decimal form ids take on the wire.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "lib/ids.h"

using chatctl::IdGenerator;
using chatctl::IdNode;
using chatctl::IdTimestampMs;
using chatctl::IdToString;
using chatctl::kIdEpochMs;
using chatctl::MessageId;
using chatctl::ParseId;

namespace {

constexpr std::int64_t kSomeTimeMs = 1732280000123;

// A clock the test moves by hand.
struct FakeClock {
  std::int64_t now = kSomeTimeMs;
  IdGenerator::Clock AsClock() {
    return [this] { return now; };
  }
};

}  // namespace

TEST_CASE("ids from the system clock strictly increase", "[ids]") {
  IdGenerator ids(7);
  MessageId previous = ids.Next();
  for (int i = 0; i < 20000; ++i) {
    MessageId next = ids.Next();
    REQUIRE(next > previous);
    previous = next;
  }
  CHECK(IdNode(previous) == 7);
}

TEST_CASE("an id carries its millisecond and its node", "[ids]") {
  FakeClock clock;
  IdGenerator ids(513, clock.AsClock());
  MessageId id = ids.Next();
  CHECK(IdTimestampMs(id) == kSomeTimeMs);
  CHECK(IdNode(id) == 513);
  CHECK((id & 0xFFF) == 0);
  CHECK(id >> 22 == static_cast<MessageId>(kSomeTimeMs - kIdEpochMs));
}

TEST_CASE("ids never go backwards when the clock steps back", "[ids]") {
  FakeClock clock;
  IdGenerator ids(1, clock.AsClock());
  MessageId before = ids.Next();
  clock.now -= 5000;
  MessageId after_step = ids.Next();
  CHECK(after_step > before);
  CHECK(IdTimestampMs(after_step) == kSomeTimeMs);  // held at the last millisecond
  clock.now += 4999;
  CHECK(ids.Next() > after_step);
  clock.now += 2;  // now past the old time: the time part moves on again
  MessageId caught_up = ids.Next();
  CHECK(IdTimestampMs(caught_up) == kSomeTimeMs + 1);
  CHECK((caught_up & 0xFFF) == 0);
}

TEST_CASE("ids count on when the clock stands still", "[ids]") {
  FakeClock clock;
  IdGenerator ids(3, clock.AsClock());
  MessageId a = ids.Next();
  MessageId b = ids.Next();
  MessageId c = ids.Next();
  CHECK(b == a + 1);
  CHECK(c == b + 1);
  CHECK(IdTimestampMs(c) == kSomeTimeMs);
}

TEST_CASE("a sequence overflow borrows the next millisecond", "[ids]") {
  FakeClock clock;
  IdGenerator ids(2, clock.AsClock());
  std::vector<MessageId> got;
  for (int i = 0; i < 4096 + 10; ++i) got.push_back(ids.Next());
  for (std::size_t i = 1; i < got.size(); ++i) REQUIRE(got[i] > got[i - 1]);
  CHECK(IdTimestampMs(got[4095]) == kSomeTimeMs);
  CHECK((got[4095] & 0xFFF) == 4095);
  CHECK(IdTimestampMs(got[4096]) == kSomeTimeMs + 1);
  CHECK((got[4096] & 0xFFF) == 0);
  CHECK(IdNode(got[4096]) == 2);
  // The clock reaching the borrowed millisecond does not reuse any of its ids.
  clock.now += 1;
  CHECK(ids.Next() > got.back());
}

TEST_CASE("ids print as decimal and parse back", "[ids]") {
  FakeClock clock;
  IdGenerator ids(1023, clock.AsClock());
  MessageId id = ids.Next();
  std::string text = IdToString(id);
  CHECK(text.find_first_not_of("0123456789") == std::string::npos);
  CHECK(ParseId(text) == id);
  CHECK(IdToString(7262352354123776001ull) == "7262352354123776001");
  CHECK(ParseId("0") == MessageId{0});
  CHECK(ParseId("9223372036854775807") == MessageId{9223372036854775807ull});
}

TEST_CASE("ParseId rejects anything but plain decimal digits within 63 bits", "[ids]") {
  CHECK_FALSE(ParseId(""));
  CHECK_FALSE(ParseId("-1"));
  CHECK_FALSE(ParseId("+1"));
  CHECK_FALSE(ParseId("12a"));
  CHECK_FALSE(ParseId(" 12"));
  CHECK_FALSE(ParseId("1.0"));
  CHECK_FALSE(ParseId("9223372036854775808"));   // 2^63
  CHECK_FALSE(ParseId("18446744073709551616"));  // 2^64
  CHECK_FALSE(ParseId("99999999999999999999999999"));
}

TEST_CASE("ids go above a floor from before a restart, even with the clock behind it", "[ids]") {
  FakeClock earlier;
  IdGenerator before(900, earlier.AsClock());
  MessageId newest_stored = before.Next();  // node 900 ran with a clock an hour ahead...

  FakeClock behind;
  behind.now = earlier.now - 3600 * 1000;
  IdGenerator after(3, behind.AsClock());  // ...and node 3 (a lower node id) starts behind it
  after.AdvancePast(newest_stored);
  MessageId first = after.Next();
  CHECK(first > newest_stored);
  CHECK(after.Next() > first);
  CHECK(IdNode(first) == 3);

  // A floor from the past changes nothing.
  FakeClock now;
  IdGenerator fresh(3, now.AsClock());
  MessageId a = fresh.Next();
  fresh.AdvancePast(a - (MessageId{1} << 30));
  CHECK(fresh.Next() == a + 1);
}

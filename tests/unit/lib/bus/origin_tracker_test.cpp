// Replication bookkeeping (lib/bus/origin_tracker.h): in-order release, duplicates, holes and
// what must be fetched to fill them.
#include <catch2/catch.hpp>

#include "lib/bus/origin_tracker.h"

using chatctl::Message;
using chatctl::bus::Gap;
using chatctl::bus::OriginTracker;

namespace {

Message Event(std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.id = origin * 1000000 + seq;
  m.channel = "room";
  m.from = "u";
  m.origin = origin;
  m.seq = seq;
  return m;
}

std::vector<std::uint64_t> Seqs(const std::vector<Message>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& m : events) out.push_back(m.seq);
  return out;
}

}  // namespace

TEST_CASE("events in order are released at once, duplicates never", "[tracker]") {
  OriginTracker t(100);
  CHECK(Seqs(t.Offer({Event(1, 1), Event(1, 2)})) == std::vector<std::uint64_t>{1, 2});
  CHECK(t.Offer({Event(1, 2), Event(1, 1)}).empty());
  CHECK(t.applied(1) == 2);
  CHECK(t.Gaps().empty());
}

TEST_CASE("events after a hole wait for it, and the hole is a gap to fetch", "[tracker]") {
  OriginTracker t(100);
  t.SetApplied(4, 10);
  CHECK(t.Offer({Event(4, 13), Event(4, 14)}).empty());
  auto gaps = t.Gaps();
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].origin == 4);
  CHECK(gaps[0].after == 10);
  CHECK(gaps[0].until == 14);
  // The fetch answer fills the hole, and what was held follows in order, once.
  CHECK(Seqs(t.Offer({Event(4, 11), Event(4, 12), Event(4, 13)})) ==
        std::vector<std::uint64_t>{11, 12, 13, 14});
  CHECK(t.applied(4) == 14);
  CHECK(t.Gaps().empty());
}

TEST_CASE("a head heard in a heartbeat is a gap until applied", "[tracker]") {
  OriginTracker t(100);
  t.NoteHead(2, 5);
  REQUIRE(t.Gaps().size() == 1);
  CHECK(t.Gaps()[0].until == 5);
  t.Offer({Event(2, 1), Event(2, 2), Event(2, 3), Event(2, 4), Event(2, 5)});
  CHECK(t.Gaps().empty());
}

TEST_CASE("origins are independent, and each keeps its own order", "[tracker]") {
  OriginTracker t(100);
  auto ready = t.Offer({Event(2, 1), Event(3, 2), Event(3, 1), Event(2, 2)});
  REQUIRE(ready.size() == 4);
  CHECK(t.applied(2) == 2);
  CHECK(t.applied(3) == 2);
  std::uint64_t last2 = 0, last3 = 0;
  for (const auto& m : ready) {
    auto& last = m.origin == 2 ? last2 : last3;
    CHECK(m.seq == last + 1);
    last = m.seq;
  }
}

TEST_CASE("held events are bounded; what is dropped is fetched later", "[tracker]") {
  OriginTracker t(3);
  CHECK(t.Offer({Event(1, 5), Event(1, 6), Event(1, 7), Event(1, 8), Event(1, 9)}).empty());
  // Only 3 held; the gap still reaches the highest seq seen, so a fetch covers the rest.
  CHECK(t.Gaps()[0].until == 9);
  auto ready = t.Offer({Event(1, 1), Event(1, 2), Event(1, 3), Event(1, 4)});
  CHECK(Seqs(ready) == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7});
  CHECK(t.Gaps()[0].after == 7);
}

TEST_CASE("a refused apply rewinds, so the same events are taken again", "[tracker]") {
  OriginTracker t(100);
  CHECK(t.Offer({Event(1, 1), Event(1, 2)}).size() == 2);
  t.Rewind(1, 0);
  CHECK(t.applied(1) == 0);
  CHECK(Seqs(t.Offer({Event(1, 1), Event(1, 2)})) == std::vector<std::uint64_t>{1, 2});
}

// A session's outbox: lines queued by fan-out, coalesced into newline-joined frames.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "relay/sessions/session.h"

using chatctl::Limits;
using chatctl::relay::Line;
using chatctl::relay::Session;

namespace {

Line MakeLine(const std::string& text) { return std::make_shared<const std::string>(text); }

std::string Body(const std::vector<unsigned char>& frame, std::size_t prefix) {
  return std::string(frame.begin() + static_cast<std::ptrdiff_t>(prefix), frame.end());
}

}  // namespace

TEST_CASE("queued lines leave in order, joined by newlines, within the frame size", "[session]") {
  Limits limits;
  Session s(1, nullptr, limits, 0);
  CHECK_FALSE(s.has_output());
  for (const char* text : {"aaaa", "bbbb", "cccc", "dddd"}) REQUIRE(s.Enqueue(MakeLine(text)));
  CHECK(s.queued_bytes() == 20);

  std::vector<unsigned char> frame;
  s.TakeFrame(16, 9, frame);  // room for two lines and the newline between them
  REQUIRE(frame.size() == 16 + 9);
  CHECK(Body(frame, 16) == "aaaa\nbbbb");
  CHECK(s.queued_bytes() == 10);
  s.TakeFrame(16, 1000, frame);
  CHECK(Body(frame, 16) == "cccc\ndddd");
  CHECK_FALSE(s.has_output());
  CHECK(s.queued_bytes() == 0);

  // A line longer than the frame size still goes, alone.
  REQUIRE(s.Enqueue(MakeLine(std::string(50, 'x'))));
  REQUIRE(s.Enqueue(MakeLine("y")));
  s.TakeFrame(0, 10, frame);
  CHECK(Body(frame, 0) == std::string(50, 'x'));
  s.TakeFrame(0, 10, frame);
  CHECK(Body(frame, 0) == "y");
  CHECK_FALSE(s.has_output());
}

TEST_CASE("a shared line is released once every session has written it", "[session]") {
  Limits limits;
  Session a(1, nullptr, limits, 0), b(2, nullptr, limits, 0);
  Line line = MakeLine("shared");
  std::weak_ptr<const std::string> watch = line;
  REQUIRE(a.Enqueue(line));
  REQUIRE(b.Enqueue(std::move(line)));
  std::vector<unsigned char> frame;
  a.TakeFrame(0, 100, frame);
  CHECK_FALSE(watch.expired());
  b.TakeFrame(0, 100, frame);
  CHECK(watch.expired());
}

TEST_CASE("the outbox refuses past its byte limit, and a discarding close empties it",
          "[session]") {
  Limits limits;
  limits.max_outbound_bytes = 100;
  Session s(1, nullptr, limits, 0);
  for (int i = 0; i < 9; ++i) REQUIRE(s.Enqueue(MakeLine(std::string(10, 'z'))));  // 99 bytes
  CHECK_FALSE(s.Enqueue(MakeLine("over")));
  s.RequestClose(4408, "too slow", true);
  CHECK(s.closing());
  CHECK_FALSE(s.has_output());
  CHECK(s.queued_bytes() == 0);
  CHECK(s.Enqueue(MakeLine("ignored")));  // nothing more is queued on the way out
  CHECK_FALSE(s.has_output());
}

TEST_CASE("an outbox that is never quite empty does not grow", "[session]") {
  Limits limits;
  Session s(1, nullptr, limits, 0);
  std::vector<unsigned char> frame;
  REQUIRE(s.Enqueue(MakeLine("first")));
  for (int i = 0; i < 10000; ++i) {
    REQUIRE(s.Enqueue(MakeLine("line " + std::to_string(i))));
    s.TakeFrame(0, 8, frame);  // one line a frame: one stays queued
    REQUIRE(s.has_output());
  }
  CHECK(s.held_lines() <= 4);
  s.TakeFrame(0, 8, frame);
  CHECK(Body(frame, 0) == "line 9999");
  CHECK_FALSE(s.has_output());
}

TEST_CASE("a drained outbox keeps room for a burst like the last, and gives back an outsized one",
          "[session]") {
  Limits limits;
  Session s(1, nullptr, limits, 0);
  std::vector<unsigned char> frame;
  auto burst = [&](int lines) {
    for (int i = 0; i < lines; ++i) REQUIRE(s.Enqueue(MakeLine("x")));
    s.TakeFrame(0, 1 << 20, frame);
    REQUIRE_FALSE(s.has_output());
  };
  burst(100);
  std::size_t kept = s.outbox_capacity();
  CHECK(kept >= 100);
  burst(100);
  CHECK(s.outbox_capacity() == kept);  // the same burst again: no regrowth
  burst(10000);
  CHECK(s.outbox_capacity() >= 10000);
  burst(10);
  CHECK(s.outbox_capacity() <= 64);  // after a quiet drain, the outsized room is gone
}

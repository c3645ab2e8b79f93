// The load generator's reading of a node's lines: what it counts must be what the node said,
// whatever order the node writes its keys in.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "loadgen/dialect.h"

using chatctl::loadgen::ConversationEvents;
using chatctl::loadgen::MakeDialect;

namespace {

struct Recorded final : ConversationEvents {
  int greeted = 0, subscribed = 0, flushed = 0;
  std::vector<std::pair<std::uint64_t, bool>> done;
  std::vector<std::string> deliveries, failures, replies;
  void OnGreeted() override { ++greeted; }
  void OnSubscribed() override { ++subscribed; }
  void OnPublishDone(std::uint64_t ref, bool ok) override { done.emplace_back(ref, ok); }
  void OnFlushed() override { ++flushed; }
  void OnDelivery(std::string_view payload) override { deliveries.emplace_back(payload); }
  void OnFailure(std::string_view why) override { failures.emplace_back(why); }
  void OnReply(std::string bytes) override { replies.push_back(std::move(bytes)); }
};

}  // namespace

TEST_CASE("the chatctl dialect reads a batch of lines as the node writes them", "[loadgen]") {
  auto dialect = MakeDialect("chatctl");
  REQUIRE(dialect.ok());
  auto talk = dialect.value()->NewConversation();
  Recorded events;
  talk->Feed(R"({"type":"welcome","user":"u","node":"n0","protocol":1,"server_time":1})"
             "\n"
             R"({"type":"joined","ref":0,"channel":"bench-0","messages":[]})",
             events);
  CHECK(events.greeted == 1);
  CHECK(events.subscribed == 1);

  talk->Feed(R"({"type":"ack","ref":6,"id":"9","channel":"bench-0","ts":1})"
             "\n"
             R"({"type":"msg","id":"9","channel":"bench-0","from":"u","text":"m123 xx","ts":1})"
             "\n"
             R"({"type":"error","ref":8,"code":"rate_limited","message":"slow down"})"
             "\n"
             R"({"type":"presence","channel":"bench-0","user":"v","online":true})",
             events);
  REQUIRE(events.done.size() == 2);
  CHECK(events.done[0] == std::make_pair(std::uint64_t{6}, true));
  CHECK(events.done[1] == std::make_pair(std::uint64_t{8}, false));
  CHECK(events.deliveries == std::vector<std::string>{"m123 xx"});
  CHECK(events.failures.empty());
}

TEST_CASE("the chatctl dialect finds the text wherever the key is", "[loadgen]") {
  auto talk = MakeDialect("chatctl").value()->NewConversation();
  Recorded events;
  // The text key first, last, after a value that looks like a key, and with spaces (slow path).
  talk->Feed(R"({"type":"msg","text":"first","id":"1","channel":"c","from":"u","ts":1})", events);
  talk->Feed(R"({"type":"msg","id":"2","channel":"c","from":"u","ts":1,"text":"last"})", events);
  talk->Feed(R"({"type":"msg","from":"\"text\":","channel":"c","text":"quoted","ts":1})", events);
  talk->Feed(R"({ "text": "spaced", "type": "msg", "id": "3" })", events);
  // The node's order, but a sender with an escaped quote: the short hops give up, the search not.
  talk->Feed(R"({"type":"msg","id":"4","channel":"c","from":"a\"b","text":"escaped","ts":1})",
             events);
  CHECK(events.deliveries ==
        std::vector<std::string>{"first", "last", "quoted", "spaced", "escaped"});
}

TEST_CASE("the chatctl dialect reports an error without a ref as a failure", "[loadgen]") {
  auto talk = MakeDialect("chatctl").value()->NewConversation();
  Recorded events;
  talk->Feed(R"({"type":"error","code":"unauthorized","message":"bad token"})", events);
  REQUIRE(events.failures.size() == 1);
  CHECK(events.failures[0].find("unauthorized") != std::string::npos);
  CHECK(events.done.empty());
}

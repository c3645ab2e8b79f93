// A client's resume cursors (lib/client/resume_cursors.h): taken from `joined`, advanced by each
// message given, and dropped (back to `since`) when a node gives no cursor or no seq.
#include "lib/client/resume_cursors.h"

#include <catch2/catch.hpp>

namespace chatctl {
namespace {

using json = nlohmann::json;

Message Given(const std::string& channel, std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.channel = channel;
  m.origin = origin;
  m.seq = seq;
  return m;
}

}  // namespace

TEST_CASE("a channel's cursor is the joined one, advanced by every message given after it",
          "[cursor][client]") {
  ResumeCursors cursors;
  CHECK_FALSE(cursors.For("news"));
  cursors.Joined("news", json{{"type", "joined"}, {"cursor", "1.5,2.9"}});
  cursors.Given(Given("news", 2, 11));
  cursors.Given(Given("news", 3, 1));
  cursors.Given(Given("news", 1, 4));     // older than the cursor: no change
  cursors.Given(Given("other", 1, 100));  // another channel, not followed
  CHECK(cursors.For("news") == "1.5,2.11,3.1");
  CHECK_FALSE(cursors.For("other"));
}

TEST_CASE("a node without cursors or seqs leaves the channel to since", "[cursor][client]") {
  ResumeCursors cursors;
  cursors.Joined("news", json{{"type", "joined"}, {"cursor", "1.5"}});
  cursors.Joined("news", json{{"type", "joined"}});
  CHECK_FALSE(cursors.For("news"));
  cursors.Joined("news", json{{"type", "joined"}, {"cursor", "1.5"}});
  cursors.Given(Given("news", 1, 0));
  CHECK_FALSE(cursors.For("news"));
  cursors.Joined("news", json{{"type", "joined"}, {"cursor", "not one"}});
  CHECK_FALSE(cursors.For("news"));
  cursors.Joined("news", json{{"type", "joined"}, {"cursor", ""}});
  CHECK(cursors.For("news") == "");
}

}  // namespace chatctl

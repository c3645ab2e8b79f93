// What ZeroMQ mesh nodes say to each other, as JSON. Every decoder takes bytes from the network:
// it checks every field and answers nullopt for anything malformed, never throws.
//
// On the PUB socket (multipart: topic, body):
//   "E" events: [[id, channel, from, text, ts, origin, seq], ...]; a control event (lib/control.h)
//       adds its kind: [id, key, actor, args JSON, ts, origin, seq, kind]
//   "H" heartbeat: {"node", "pub", "router", "key", "head", "applied": {"origin": seq},
//                   "peers": [[node, pub, key], ...], "pv": presence version, "presence": {...}?}
//   ("key" is the node's CURVE public key, "" in an unsecured mesh.)
// On the ROUTER socket (multipart: kind, body; a DEALER asks, the ROUTER answers):
//   "F" fetch {"origin", "after", "limit"}  ->  "R" {"origin", "events": [...as above]}
//   "A" announce: a heartbeat's introduction (node, pub, router, key, head), sent to a node
//       that does not hear this one yet so that it subscribes; not answered
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/message.h"

namespace chatctl::bus {

constexpr std::string_view kTopicEvents = "E";
constexpr std::string_view kTopicHeartbeat = "H";
constexpr std::string_view kKindFetch = "F";     // dealer -> router: a range, please
constexpr std::string_view kKindAnnounce = "A";  // dealer -> router: I exist, subscribe to me
constexpr std::string_view kKindReply = "R";     // router -> dealer: the range

struct Heartbeat {
  std::uint32_t node = 0;
  std::string pub;     // where its events and heartbeats are published
  std::string router;  // where it answers fetches
  std::string key;     // its CURVE public key ("" when the mesh is not secured)
  std::uint64_t head = 0;
  std::map<std::uint32_t, std::uint64_t> applied;  // per origin, what it holds with no hole
  struct PeerEntry {
    std::uint32_t node = 0;
    std::string pub;
    std::string key;
    bool operator==(const PeerEntry&) const = default;
  };
  std::vector<PeerEntry> peers;  // live nodes it hears
  std::uint64_t presence_version = 0;
  std::optional<PresenceMap> presence;  // sent when it changed, and now and then in full
};

struct FetchRequest {
  std::uint32_t origin = 0;
  std::uint64_t after = 0;
  int limit = 0;
};

struct FetchReply {
  std::uint32_t origin = 0;
  std::vector<Message> events;
};

std::string EncodeEvents(const std::vector<Message>& events);
std::optional<std::vector<Message>> DecodeEvents(std::string_view body);

std::string EncodeHeartbeat(const Heartbeat& hb);
std::optional<Heartbeat> DecodeHeartbeat(std::string_view body);

std::string EncodeFetch(const FetchRequest& request);
std::optional<FetchRequest> DecodeFetch(std::string_view body);
std::string EncodeFetchReply(const FetchReply& reply);
std::optional<FetchReply> DecodeFetchReply(std::string_view body);

}  // namespace chatctl::bus

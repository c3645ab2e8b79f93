// Mesh messages to and from JSON (see mesh_wire.h).
#include "lib/bus/mesh_wire.h"

#include <nlohmann/json.hpp>

#include "lib/control.h"
#include "lib/ids.h"
#include "lib/names.h"

namespace chatctl::bus {
namespace {

using nlohmann::json;

std::optional<json> Parse(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

bool IsNodeId(const json& j) {
  return j.is_number_unsigned() && j.get<std::uint64_t>() <= kMaxNodeId;
}

json EventJson(const Message& m) {
  json j = json::array({m.id, m.channel, m.from, m.text, m.ts, m.origin, m.seq});
  if (m.is_control()) j.push_back(m.kind);  // a chat message stays 7 fields, as before
  return j;
}

// An event is checked as strictly as a client's `send`: a bad peer must not plant rows that
// clients cannot parse.
std::optional<Message> EventFrom(const json& j) {
  if (!j.is_array() || (j.size() != 7 && j.size() != 8)) return std::nullopt;
  if (!j[0].is_number_unsigned() || !j[1].is_string() || !j[2].is_string() || !j[3].is_string() ||
      !j[4].is_number_integer() || !IsNodeId(j[5]) || !j[6].is_number_unsigned()) {
    return std::nullopt;
  }
  Message m;
  m.id = j[0].get<MessageId>();
  m.channel = j[1].get<std::string>();
  m.from = j[2].get<std::string>();
  m.text = j[3].get<std::string>();
  m.ts = j[4].get<std::int64_t>();
  m.origin = j[5].get<std::uint32_t>();
  m.seq = j[6].get<std::uint64_t>();
  if (m.id == 0 || m.seq == 0 || !IsValidUserName(m.from)) return std::nullopt;
  if (j.size() == 8) {
    // A control event: a key of the right shape, arguments as an object. A kind this build does not
    // know (a newer node's) is kept and replicated but not folded: refusing it would stall the
    // origin's whole stream here.
    if (!j[7].is_string()) return std::nullopt;
    m.kind = j[7].get<std::string>();
    if (!control::IsPlausibleKind(m.kind)) return std::nullopt;
    if (control::IsKnownKind(m.kind) && !control::IsValidKey(m.kind, m.channel))
      return std::nullopt;
    if (m.channel.empty() || (m.channel[0] != '@' && m.channel[0] != '#' && m.channel[0] != '%')) {
      return std::nullopt;
    }
    if (!json::parse(m.text, nullptr, /*allow_exceptions=*/false).is_object()) return std::nullopt;
    return m;
  }
  bool channel_ok = IsValidRoomName(m.channel) || ParseDmChannel(m.channel).has_value();
  if (!channel_ok) return std::nullopt;
  return m;
}

std::optional<std::vector<Message>> EventsFrom(const json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<Message> events;
  events.reserve(j.size());
  for (const json& e : j) {
    auto m = EventFrom(e);
    if (!m) return std::nullopt;
    events.push_back(std::move(*m));
  }
  return events;
}

std::optional<PresenceMap> PresenceFrom(const json& j) {
  if (!j.is_object()) return std::nullopt;
  PresenceMap map;
  for (const auto& [channel, users] : j.items()) {
    if (!IsValidRoomName(channel) || !users.is_array()) return std::nullopt;
    auto& set = map[channel];
    for (const json& u : users) {
      if (!u.is_string() || !IsValidUserName(u.get<std::string>())) return std::nullopt;
      set.insert(u.get<std::string>());
    }
  }
  return map;
}

}  // namespace

std::string EncodeEvents(const std::vector<Message>& events) {
  json j = json::array();
  for (const Message& m : events) j.push_back(EventJson(m));
  return j.dump();
}

std::optional<std::vector<Message>> DecodeEvents(std::string_view body) {
  auto j = Parse(body);
  if (!j) return std::nullopt;
  return EventsFrom(*j);
}

std::string EncodeHeartbeat(const Heartbeat& hb) {
  json applied = json::object();
  for (const auto& [origin, seq] : hb.applied) applied[std::to_string(origin)] = seq;
  json peers = json::array();
  for (const auto& p : hb.peers) peers.push_back(json::array({p.node, p.pub, p.key}));
  json j = {
      {"node", hb.node}, {"pub", hb.pub},      {"router", hb.router}, {"key", hb.key},
      {"head", hb.head}, {"applied", applied}, {"peers", peers},      {"pv", hb.presence_version}};
  if (hb.presence) {
    json presence = json::object();
    for (const auto& [channel, users] : *hb.presence) presence[channel] = users;
    j["presence"] = presence;
  }
  return j.dump();
}

std::optional<Heartbeat> DecodeHeartbeat(std::string_view body) {
  auto parsed = Parse(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const json& j = *parsed;
  Heartbeat hb;
  auto node = j.find("node");
  auto pub = j.find("pub");
  auto router = j.find("router");
  auto key = j.find("key");
  auto head = j.find("head");
  auto applied = j.find("applied");
  auto peers = j.find("peers");
  auto pv = j.find("pv");
  if (node == j.end() || !IsNodeId(*node) || pub == j.end() || !pub->is_string() ||
      router == j.end() || !router->is_string() || key == j.end() || !key->is_string() ||
      head == j.end() || !head->is_number_unsigned() || applied == j.end() ||
      !applied->is_object() || peers == j.end() || !peers->is_array() || pv == j.end() ||
      !pv->is_number_unsigned()) {
    return std::nullopt;
  }
  hb.node = node->get<std::uint32_t>();
  hb.pub = pub->get<std::string>();
  hb.router = router->get<std::string>();
  hb.key = key->get<std::string>();
  hb.head = head->get<std::uint64_t>();
  hb.presence_version = pv->get<std::uint64_t>();
  for (const auto& [origin_text, seq] : applied->items()) {
    auto origin = ParseId(origin_text);
    if (!origin || *origin > kMaxNodeId || !seq.is_number_unsigned()) return std::nullopt;
    hb.applied[static_cast<std::uint32_t>(*origin)] = seq.get<std::uint64_t>();
  }
  for (const json& p : *peers) {
    if (!p.is_array() || p.size() != 3 || !IsNodeId(p[0]) || !p[1].is_string() ||
        !p[2].is_string()) {
      return std::nullopt;
    }
    hb.peers.push_back(
        {p[0].get<std::uint32_t>(), p[1].get<std::string>(), p[2].get<std::string>()});
  }
  if (auto presence = j.find("presence"); presence != j.end()) {
    hb.presence = PresenceFrom(*presence);
    if (!hb.presence) return std::nullopt;
  }
  return hb;
}

std::string EncodeFetch(const FetchRequest& request) {
  return json{{"origin", request.origin}, {"after", request.after}, {"limit", request.limit}}
      .dump();
}

std::optional<FetchRequest> DecodeFetch(std::string_view body) {
  auto j = Parse(body);
  if (!j || !j->is_object()) return std::nullopt;
  auto origin = j->find("origin");
  auto after = j->find("after");
  auto limit = j->find("limit");
  if (origin == j->end() || !IsNodeId(*origin) || after == j->end() ||
      !after->is_number_unsigned() || limit == j->end() || !limit->is_number_unsigned()) {
    return std::nullopt;
  }
  FetchRequest r;
  r.origin = origin->get<std::uint32_t>();
  r.after = after->get<std::uint64_t>();
  r.limit = static_cast<int>(std::min<std::uint64_t>(limit->get<std::uint64_t>(), 100000));
  return r;
}

std::string EncodeFetchReply(const FetchReply& reply) {
  json events = json::array();
  for (const Message& m : reply.events) events.push_back(EventJson(m));
  return json{{"origin", reply.origin}, {"events", events}}.dump();
}

std::optional<FetchReply> DecodeFetchReply(std::string_view body) {
  auto j = Parse(body);
  if (!j || !j->is_object()) return std::nullopt;
  auto origin = j->find("origin");
  auto events = j->find("events");
  if (origin == j->end() || !IsNodeId(*origin) || events == j->end()) return std::nullopt;
  auto decoded = EventsFrom(*events);
  if (!decoded) return std::nullopt;
  FetchReply reply;
  reply.origin = origin->get<std::uint32_t>();
  reply.events = std::move(*decoded);
  for (const Message& m : reply.events) {
    if (m.origin != reply.origin) return std::nullopt;
  }
  return reply;
}

}  // namespace chatctl::bus

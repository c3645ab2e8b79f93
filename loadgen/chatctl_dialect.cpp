// chatctl's own protocol (docs/protocol.md): JSON lines, every publish acked with its ref.
#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "lib/protocol.h"
#include "loadgen/dialects.h"

namespace chatctl::loadgen {
namespace {

using json = nlohmann::json;

std::string Quoted(std::string_view text) { return json(std::string(text)).dump(); }

// Nodes write "type" first, so the common lines are told apart by a prefix; anything else is
// parsed properly. Payloads of the load generator never need JSON escapes, so a delivery's text
// is the bytes between its quotes.
std::uint64_t NumberAfter(std::string_view line, std::string_view key) {
  auto at = line.find(key);
  if (at == std::string_view::npos) return 0;
  std::uint64_t value = 0;
  const char* begin = line.data() + at + key.size();
  std::from_chars(begin, line.data() + line.size(), value);
  return value;
}

// The text of a msg line written in the order docs/protocol.md shows (type, id, channel, from,
// text): three short hops over values that never hold a quote (digits and names). nullopt when
// the line is laid out otherwise.
std::optional<std::string_view> TextInNodeOrder(std::string_view line) {
  std::size_t at = 0;
  auto expect = [&](std::string_view literal) {
    if (line.substr(at, literal.size()) != literal) return false;
    at += literal.size();
    return true;
  };
  auto skip_value = [&] {  // to the value's closing quote
    at = line.find('"', at);
    return at != std::string_view::npos;
  };
  if (!expect(R"({"type":"msg","id":")") || !skip_value() || !expect(R"(","channel":")") ||
      !skip_value() || !expect(R"(","from":")") || !skip_value() || !expect(R"(","text":")")) {
    return std::nullopt;
  }
  auto end = line.find('"', at);
  if (end == std::string_view::npos) return std::nullopt;
  return line.substr(at, end - at);
}

std::string_view TextOf(std::string_view line) {
  if (auto text = TextInNodeOrder(line)) return *text;
  // Any other order: Horspool skips up to the key's 8 bytes a step (string_view::find would call
  // memchr for every '"' on the way).
  static constexpr std::string_view kKey = "\"text\":\"";
  static const std::boyer_moore_horspool_searcher search(kKey.begin(), kKey.end());
  auto [at, at_end] = search(line.begin(), line.end());
  if (at == line.end()) return {};
  auto begin = static_cast<std::size_t>(at_end - line.begin());
  auto end = line.find('"', begin);
  if (end == std::string_view::npos) return {};
  return line.substr(begin, end - begin);
}

class ChatctlConversation final : public Conversation {
 public:
  std::string Greeting(const std::string& user, const std::string& token) override {
    if (!token.empty()) return R"({"type":"hello","token":)" + Quoted(token) + "}";
    return R"({"type":"hello","user":)" + Quoted(user) + "}";
  }

  std::string Subscribe(const std::string& channel) override {
    // ref 0 is the join's; publishes are numbered from 1.
    return R"({"type":"join","ref":0,"channel":)" + Quoted(channel) + "}";
  }

  void AppendPublish(std::string& frame, const std::string& channel, std::string_view payload,
                     std::uint64_t ref) override {
    if (!frame.empty()) frame += '\n';
    frame += R"({"type":"send","ref":)";
    frame += std::to_string(ref);
    frame += R"(,"channel":")";
    frame += channel;  // channel names need no escapes (lib/names.h)
    frame += R"(","text":")";
    frame += payload;
    frame += "\"}";
  }

  void AppendFlush(std::string&) override {}

  void Feed(std::string_view message, ConversationEvents& events) override {
    while (!message.empty()) {
      auto nl = message.find('\n');
      std::string_view line = message.substr(0, nl);
      if (!line.empty()) Line(line, events);
      if (nl == std::string_view::npos) break;
      message.remove_prefix(nl + 1);
    }
  }

 private:
  static void Line(std::string_view line, ConversationEvents& events) {
    constexpr std::string_view kPrefix = R"({"type":")";
    if (line.substr(0, kPrefix.size()) != kPrefix) return Parsed(line, events);
    std::string_view rest = line.substr(kPrefix.size());
    auto starts = [&](std::string_view type) {
      return rest.substr(0, type.size()) == type && rest.size() > type.size() &&
             rest[type.size()] == '"';
    };
    if (starts("msg")) {
      events.OnDelivery(TextOf(line));
    } else if (starts("ack")) {
      events.OnPublishDone(NumberAfter(line, "\"ref\":"), true);
    } else if (starts("welcome")) {
      events.OnGreeted();
    } else if (starts("joined")) {
      events.OnSubscribed();
    } else if (starts("error")) {
      std::uint64_t ref = NumberAfter(line, "\"ref\":");
      if (ref > 0) {
        events.OnPublishDone(ref, false);
      } else {
        events.OnFailure(line);
      }
    }
    // presence, pong and anything newer: not the load generator's business
  }

  // The slow path, for a node that orders its keys differently.
  static void Parsed(std::string_view line, ConversationEvents& events) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return;
    std::string dumped = R"({"type":)" + j["type"].dump();
    j.erase("type");
    std::string rest = j.dump(-1, ' ', false, json::error_handler_t::replace);
    Line(rest.size() > 2 ? dumped + "," + rest.substr(1) : dumped + "}", events);
  }
};

class ChatctlDialect final : public Dialect {
 public:
  const char* name() const override { return "chatctl"; }
  const char* subprotocol() const override { return protocol::kSubprotocol; }
  bool binary_frames() const override { return false; }
  bool acks_each_publish() const override { return true; }
  std::unique_ptr<Conversation> NewConversation() const override {
    return std::make_unique<ChatctlConversation>();
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeChatctlDialect() { return std::make_unique<ChatctlDialect>(); }

}  // namespace chatctl::loadgen

// Reading node replies back, for clients (see client.h). Never throws: whatever a node or a
// stranger sends, a client skips what it cannot read.
#include "lib/protocol/client.h"

#include <climits>
#include <cstdint>
#include <exception>
#include <string>

#include "lib/ids.h"

namespace chatctl::protocol {

std::optional<Message> MessageFromJson(const nlohmann::json& j) {
  try {
    if (!j.is_object()) return std::nullopt;
    if (auto type = j.find("type"); type == j.end() || *type != "msg") return std::nullopt;
    auto id = j.find("id");
    auto channel = j.find("channel");
    auto from = j.find("from");
    auto text = j.find("text");
    auto ts = j.find("ts");
    if (id == j.end() || channel == j.end() || from == j.end() || text == j.end() ||
        ts == j.end()) {
      return std::nullopt;
    }
    if (!id->is_string() || !channel->is_string() || !from->is_string() || !text->is_string() ||
        !ts->is_number_integer()) {
      return std::nullopt;
    }
    if (ts->is_number_unsigned() &&
        ts->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::nullopt;
    }
    auto parsed_id = ParseId(id->get_ref<const std::string&>());
    if (!parsed_id) return std::nullopt;
    Message m;
    m.id = *parsed_id;
    m.channel = channel->get<std::string>();
    m.from = from->get<std::string>();
    m.text = text->get<std::string>();
    m.ts = ts->get<std::int64_t>();
    m.origin = IdNode(m.id);
    // Where the node says (an extension; lib/cursor.h): a resume cursor is folded from these.
    auto origin = j.find("origin");
    auto seq = j.find("seq");
    if (origin != j.end() && seq != j.end() && origin->is_number_unsigned() &&
        seq->is_number_unsigned() && origin->get<std::uint64_t>() <= kMaxNodeId &&
        seq->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
      m.origin = static_cast<std::uint32_t>(origin->get<std::uint64_t>());
      m.seq = seq->get<std::uint64_t>();
    }
    return m;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace chatctl::protocol

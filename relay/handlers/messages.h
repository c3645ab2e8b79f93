// Chat requests over WebSocket: join (with history replayed through the history reader), leave,
// send (to the store with the frame's other sends), history pages, presence, ping. Runs on the
// gateway thread, which owns this object.
//
// A join that replays history subscribes at once and holds the live messages that arrive during
// the read (JoinedChannel::held), so that `joined` and what follows neither overlap nor leave a
// gap; ReadDone sends the page, then what was held.
#pragma once

#include "lib/protocol.h"
#include "relay/events.h"
#include "relay/gateway_context.h"

namespace chatctl::relay {

class Messages {
 public:
  explicit Messages(GatewayContext& gw) : gw_(gw) {}

  void Join(Session& s, const protocol::Ref& ref, const protocol::Join& join);
  void Leave(Session& s, const protocol::Ref& ref, const protocol::Leave& leave);
  void Send(Session& s, const protocol::Ref& ref, protocol::Send send);
  void History(Session& s, const protocol::Ref& ref, const protocol::History& history);
  void Presence(Session& s, const protocol::Ref& ref, const protocol::PresenceQuery& query);
  // The history reader's answer to a join or a history request.
  void ReadDone(relay::ReadDone done);

 private:
  GatewayContext& gw_;
};

}  // namespace chatctl::relay

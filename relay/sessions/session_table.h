// The gateway's sessions by id, owning: a session is created on a WebSocket's ESTABLISHED and
// deleted on its CLOSED, after it has left every index (ChannelIndex::Remove). Other parts name
// sessions by id across callbacks (a reply may come back after its session is gone) and look them
// up here. Gateway thread only.
#pragma once

#include <memory>
#include <unordered_map>

#include "relay/sessions/session.h"

namespace chatctl::relay {

class SessionTable {
 public:
  Session& Add(std::unique_ptr<Session> session) {
    Session& s = *session;
    sessions_.emplace(s.id, std::move(session));
    return s;
  }
  void Remove(SessionId id) { sessions_.erase(id); }
  // nullptr when the session has closed meanwhile.
  Session* Find(SessionId id) const {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.get();
  }
  std::size_t size() const { return sessions_.size(); }
  bool empty() const { return sessions_.empty(); }
  SessionId NextId() { return next_id_++; }

  template <class F>
  void ForEach(F&& f) const {
    for (const auto& [id, s] : sessions_) f(*s);
  }

 private:
  SessionId next_id_ = 1;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
};

}  // namespace chatctl::relay

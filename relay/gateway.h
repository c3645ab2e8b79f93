// The gateway: the libwebsockets service thread. It alone owns the client sessions, the channel ->
// sessions index, the user -> sessions index and the presence of its own sessions, and it alone
// calls into lws (other threads only Post() to it, which wakes it with lws_cancel_service).
//
// Life of a `send`: validate -> id -> StoreWriter::SubmitAll (with the frame's other sends) ->
// (writer commits) -> Committed comes back through the inbox -> ack to the sender, fan-out to
// sessions. Nothing reaches a client before it is durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/config.h"
#include "lib/ids.h"
#include "lib/protocol.h"
#include "lib/result.h"
#include "relay/directory.h"
#include "relay/events.h"
#include "relay/http_routes.h"
#include "relay/session.h"
#include "relay/work_queue.h"

struct lws;
struct lws_context;

namespace chatctl::relay {

class StoreWriter;
class HistoryReader;
class Worker;
struct TickTimer;  // gateway.cpp

struct GatewayConfig {
  std::string host = "127.0.0.1";
  int port = protocol::kDefaultPort;  // 0 picks a free port (see Gateway::port())
  unsigned node_id = 0;
  std::optional<std::string> secret;  // HS256 key; none = tokens cannot be verified
  bool open_mode = false;             // trust the user name in `hello`
  MessageId id_floor = 0;             // the store's newest id; new ids go above it
  bool allow_register = false;        // self sign-up with `register`
  Limits limits;
};

class Gateway {
 public:
  // Creates the lws context and starts listening (so the port is known before Run()).
  static Result<std::unique_ptr<Gateway>> Create(GatewayConfig config);
  ~Gateway();

  int port() const { return port_; }

  // Before Run(): the rooms and restricted users as the store has them.
  Status LoadDirectory(Store& store) { return directory_.Load(store); }
  // Runs the service loop on the calling thread until a requested stop has drained. `queries`
  // reads the store for the admin API and moderation; `passwords` hashes and checks passwords.
  void Run(StoreWriter& writer, HistoryReader& reader, bus::Bus& bus, Worker& queries,
           Worker& passwords);

  // Any thread (and the signal thread): begin a graceful stop.
  void RequestStop();
  // Any thread: hand a result to the gateway and wake it.
  void Post(GatewayEvent event);

  // lws callbacks land here (static trampolines in gateway.cpp).
  int OnCallback(lws* wsi, int reason, void* user, void* in, std::size_t len);
  void OnTick();

 private:
  explicit Gateway(GatewayConfig config);

  // Inbound.
  int OnReceive(Session& s, const char* data, std::size_t len);
  void HandleFrame(Session& s, std::string_view frame);
  void HandleHello(Session& s, const protocol::Ref& ref, const protocol::Hello& hello);
  void HandleJoin(Session& s, const protocol::Ref& ref, const protocol::Join& join);
  void HandleLeave(Session& s, const protocol::Ref& ref, const protocol::Leave& leave);
  void HandleSend(Session& s, const protocol::Ref& ref, protocol::Send send);
  void FlushWrites();  // frame_writes_ to the writer, or each refused with `unavailable`
  void HandleHistory(Session& s, const protocol::Ref& ref, const protocol::History& history);
  void HandlePresence(Session& s, const protocol::Ref& ref, const protocol::PresenceQuery& q);

  // Accounts, rooms, moderation (gateway_control.cpp).
  void HandlePasswordHello(Session& s, const protocol::Ref& ref, const std::string& user,
                           const std::string& password);
  void HandleRegister(Session& s, const protocol::Ref& ref, const protocol::Register& r);
  void Welcome(Session& s, const std::string& user, bool admin, bool with_token);
  void HandleRoomOp(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op);
  void HandleMessageOp(Session& s, const protocol::Ref& ref, const protocol::MessageOp& op);
  // Why the session may not moderate `room` as `op` needs, or nullopt.
  std::optional<Error> RefuseModeration(const Session& s, const protocol::RoomOp& op) const;
  // Hands a control event to the store; `done` runs on this thread once it is durable (or not).
  // False, with nothing submitted, when the store's queue is full or the node drains.
  bool SubmitControl(Message event,
                     std::function<void(const WriteJob&, const std::optional<Error>&)> done);
  // What a durable control event changes here: the directory, sessions closed or taken out of a
  // room, live events to the room's sessions.
  void ApplyControl(const WriteJob& job);
  void SendToChannel(const std::string& channel, const Line& line);
  void CloseUserSessions(const std::string& user, const std::string& room, std::uint16_t code,
                         const std::string& reason);
  void RemoveFromRoom(const std::string& room, const std::string& user, const std::string& reason);
  // Runs `job` on a worker; what it returns runs back here. False when the worker is busy.
  bool Errand(Worker& worker, std::function<std::function<void()>(Store&)> job);

  // The admin HTTP API (gateway_api.cpp). Answers now or, for what needs the store, later
  // through Respond().
  void HandleApi(std::uint64_t http_id, const HttpRequest& request);
  void Respond(std::uint64_t http_id, HttpReply reply);
  // Why the caller may not use the API, or nullopt with `actor` set to who it is.
  std::optional<Error> RefuseApiCaller(const HttpRequest& request, std::string& actor) const;

  // Results from the other threads.
  void DrainInbox();
  void OnCommitted(Committed committed);
  void OnReadDone(ReadDone done);
  void OnRemotePresence(RemotePresence remote);

  // Outbound.
  void SendLine(Session& s, Line line);
  void SendText(Session& s, std::string text) {
    SendLine(s, std::make_shared<const std::string>(std::move(text)));
  }
  void Deliver(Session& s, const std::string& channel, MessageId id, const Line& line);
  void FanOut(const Message& m);
  void CloseSession(Session& s, std::uint16_t code, std::string reason, bool discard = false);
  int OnWritable(Session& s);

  // Membership and presence.
  // Why the session may not join, read or send to a channel (a dm of others, a private room, a
  // ban), or nullopt.
  std::optional<Error> RefuseAccess(const Session& s, const std::string& channel) const;
  void Subscribe(Session& s, const std::string& channel);
  // By value: callers pass the key of s.channels, which this erases.
  void Unsubscribe(Session& s, std::string channel);
  void OnSessionClosed(Session* s);
  // Online anywhere in the cluster: on this node, or on another node but `except_node`.
  bool PresentLocally(const std::string& channel, const std::string& user) const;
  bool PresentRemotely(const std::string& channel, const std::string& user,
                       std::optional<std::uint32_t> except_node = std::nullopt) const;
  // Tells this node's sessions in the channel (but `skip`) that a user came or went.
  void AnnouncePresence(const std::string& channel, const std::string& user, bool joined,
                        SessionId skip = 0);
  Session* FindSession(SessionId id);
  // Users online in a channel on any node.
  std::vector<std::string> OnlineIn(const std::string& channel) const;

  std::int64_t NowMs() const;

  const GatewayConfig config_;
  lws_context* context_ = nullptr;
  int port_ = 0;
  StoreWriter* writer_ = nullptr;    // set by Run()
  HistoryReader* reader_ = nullptr;  // set by Run()
  bus::Bus* bus_ = nullptr;          // set by Run()
  Worker* queries_ = nullptr;        // set by Run()
  Worker* passwords_ = nullptr;      // set by Run()
  IdGenerator ids_;

  WorkQueue<GatewayEvent> inbox_{SIZE_MAX};  // any thread pushes; the gateway drains
  std::atomic<bool> stop_requested_{false};

  // Everything below belongs to the gateway thread.
  SessionId next_session_id_ = 1;
  std::unordered_map<SessionId, Session*> sessions_;  // owning (deleted on close)
  // Sessions by id, with the pointer beside it: fan-out needs no lookup per delivery. A session
  // leaves every index (OnSessionClosed) before it is deleted.
  using SessionSet = std::map<SessionId, Session*>;
  std::unordered_map<std::string, SessionSet> channel_index_;  // rooms -> joined sessions
  std::unordered_map<std::string, SessionSet> user_index_;     // user -> sessions (DMs)
  std::unordered_map<std::string, std::map<std::string, int>> presence_;  // room -> user -> count
  std::map<std::uint32_t, bus::PresenceMap> remote_presence_;  // other node -> room -> users
  bool presence_dirty_ = false;  // presence_ changed since the bus last had it
  bus::ClusterView cluster_;     // the bus's latest view
  std::uint64_t writes_in_flight_ = 0;
  // The sends of the frame being read. They go to the writer together when the frame is done: one
  // wake-up, and one commit for a frame of many sends rather than one for the first and another
  // for the rest. Flushed before any other write, so the writer sees requests in their order.
  std::vector<WriteJob> frame_writes_;
  bool draining_ = false;
  bool closing_all_ = false;
  bool done_ = false;
  std::int64_t drain_started_ms_ = 0;
  std::vector<unsigned char> frame_;  // scratch buffer for outbound frames
  GatewayStats stats_;
  Directory directory_;
  std::uint64_t next_http_id_ = 1;
  std::unordered_map<std::uint64_t, lws*> http_waiting_;  // API requests answered later
  // Failed password logins per client address: a burst, then one every few seconds. Guessing is
  // slow and so is argon2id; this keeps one address from keeping the password worker busy.
  std::unordered_map<std::string, TokenBucket> failed_logins_;
  std::unique_ptr<TickTimer> tick_;  // housekeeping: hello deadlines, the drain
};

}  // namespace chatctl::relay

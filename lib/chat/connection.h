// The chat client's network side: one thread that owns the ChatClient (lib/client), joins the
// rooms the UI asks for, sends its requests one at a time, hands every reply and live frame back
// through a WakeQueue, and when the connection is lost reconnects with back-off along the URL
// list and joins each room again `since` the newest message it delivered, so nothing is missed
// (the UI drops what comes twice by id). Requests made while disconnected wait and go out after
// the rejoin; a request already sent when the connection dropped is answered "unavailable".
//
// Threads: Start() runs the network thread, which alone touches the ChatClient, `joined_` and
// the back-off. The UI thread calls Post() and Stop() and reads events(). Exceptions stop at the
// thread's edge and come back as a kFatal event.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/chat/wake_queue.h"
#include "lib/client/chat_client.h"
#include "lib/client/resume_cursors.h"
#include "lib/ids.h"
#include "lib/result.h"
#include "lib/thread_annotations.h"

namespace chatctl::chat {

// What the UI wants done: a protocol request (ref is added here) and how to file the reply.
struct Outgoing {
  nlohmann::json request;
  std::uint64_t tag = 0;  // the UI's number for it (a pending line's local number, ...)
};

struct NetEvent {
  enum Kind {
    kConnected,  // text: "user@node url"; user, node
    kLost,       // text: why; reconnecting
    kFatal,      // text: why; the thread has ended (refused credentials, kicked, banned)
    kFrame,      // frame: a live frame (msg, presence, topic, edit, ...)
    kJoined,     // frame: the `joined` reply (also after a reconnect's rejoin); replay: true then
    kReply,      // tag, frame: the reply to an Outgoing; or error when it failed
  };
  Kind kind = kFrame;
  std::string text;
  std::string user;
  std::string node;
  nlohmann::json frame;
  std::uint64_t tag = 0;
  bool failed = false;
  Error error;
};

struct ConnectionOptions {
  std::vector<WsUrl> urls;
  Credentials credentials;
  int last = 50;  // how much history a first join shows
};

class Connection {
 public:
  explicit Connection(ConnectionOptions options);
  ~Connection();  // stops and joins the thread
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects with `first` (already connected by the caller, who reported its errors) and runs.
  void Start(std::unique_ptr<ChatClient> first);
  // Asks the thread to join `channel` and to keep it joined across reconnects.
  void Join(const std::string& channel);
  void Leave(const std::string& channel);
  void Post(Outgoing out);
  void Stop();

  WakeQueue<NetEvent>& events() { return events_; }

 private:
  struct Command {
    enum Kind { kJoin, kLeave, kRequest } kind;
    std::string channel;
    Outgoing out;
  };
  void Run(std::unique_ptr<ChatClient> client);
  // One connection's life: rejoin, then requests and live frames until it is lost or we stop.
  void Serve(ChatClient& client);
  bool JoinChannel(ChatClient& client, const std::string& channel);
  void Deliver(const nlohmann::json& frame);
  std::unique_ptr<ChatClient> Reconnect(int& attempt, std::size_t& url_index);
  std::deque<Command> TakeCommands();
  bool Sleep(std::chrono::milliseconds d);

  ConnectionOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  WakeQueue<NetEvent> events_;
  std::mutex mutex_;
  std::deque<Command> commands_ GUARDED_BY(mutex_);
  // Network thread only: the rooms to keep joined and the newest id delivered in each, or where
  // the first join began (0: not yet joined).
  std::map<std::string, MessageId> joined_;
  // Network thread only: where each joined room resumes exactly on any node (the node's resume
  // cursor); `since` the newest id above is the fallback against a node that gives none.
  ResumeCursors resume_;
  // Network thread only: commands taken from the UI and not yet carried out; they wait here for
  // the next connection when this one is lost.
  std::deque<Command> backlog_;
};

}  // namespace chatctl::chat

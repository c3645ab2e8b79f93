// The ZeroMQ mesh's loop (see zmq_bus.h): it owns the context and every socket, polls them, and
// wires the parts that decide what to do: mesh_security (CURVE, ZAP, bootstrap SUBs), mesh_peers
// (the peer table and this node's heartbeats), mesh_fetch (replication without holes). What the
// messages look like is mesh_wire's; what a send or receive failure is, mesh_socket's.
//
// Threads: Create() binds on its caller's thread and Start() starts the mesh thread; from then on
// every socket and part is the mesh thread's (a thread's start is the memory barrier ZeroMQ asks
// for when a socket changes thread). Publish(), SetPresence() and Stop() may come from any thread:
// they touch only what is marked "any thread" below. An error or an exception on the mesh thread
// ends its loop, is logged, and goes to handlers.failed (or to Start() if it has not returned).
#include "lib/bus/zmq_bus.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "lib/bus/handshake_monitor.h"
#include "lib/bus/mesh_fetch.h"
#include "lib/bus/mesh_peers.h"
#include "lib/bus/mesh_security.h"
#include "lib/bus/mesh_socket.h"
#include "lib/bus/mesh_wire.h"
#include "lib/ids.h"
#include "lib/log.h"
#include "lib/thread_annotations.h"
#include "lib/thread_name.h"

namespace chatctl::bus {
namespace {

constexpr std::size_t kEventsPerMessage = 256;    // keeps one pub message small
constexpr std::size_t kMaxHeldPerOrigin = 20000;  // events held ahead of a hole

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Reads up to `max` messages with `read` (true: one was read), so that no one socket starves the
// others or the heartbeat; stops early when none is waiting.
template <class Read>
Status ReadBurst(int max, Read read) {
  for (int i = 0; i < max; ++i) {
    Result<bool> got = read();
    if (!got.ok()) return got.error();
    if (!*got) break;
  }
  return Ok{};
}

}  // namespace

struct ZmqBus::Impl {
  explicit Impl(MeshOptions mesh_options)
      : options(std::move(mesh_options)),
        security(options.keys),
        peers(options.node_id, options.heartbeat_ms, options.down_after_heartbeats),
        replication(options.node_id, options.fetch_batch, kMaxHeldPerOrigin) {}
  ~Impl() {
    if (wake_fd >= 0) close(wake_fd);
  }

  // --- constant after Create() (options.store: Create() reads its heads, then the mesh thread
  // alone answers fetches from it) ---
  MeshOptions options;
  std::string pub_endpoint, router_endpoint;
  int wake_fd = -1;  // an eventfd: any thread writes to wake the loop, the mesh thread reads

  // --- any thread ---
  std::mutex mu;
  std::vector<Message> outbox GUARDED_BY(mu);
  std::optional<PresenceMap> new_presence GUARDED_BY(mu);
  std::atomic<bool> stopping{false};
  std::promise<Status> started;  // set once by the mesh thread, read by Start()
  std::thread thread;            // started by Start(), joined by Stop(): the node's thread

  // --- made by Create() and Start() on their caller's thread, the mesh thread's from its start.
  // The context outlives the sockets: declared before them, it is destroyed after them. ---
  zmq::context_t context{1};
  zmq::socket_t pub{context, zmq::socket_type::pub};
  zmq::socket_t sub{context, zmq::socket_type::sub};
  zmq::socket_t router{context, zmq::socket_type::router};
  std::map<std::uint32_t, zmq::socket_t> dealers;  // per reachable peer, to its ROUTER
  MeshSecurity security;
  MeshMonitors monitors;  // why handshakes fail, logged on both sides; after the sockets
  PeerTable peers;
  Replication replication;
  OwnHeartbeat heartbeat;
  Handlers handlers;
  std::set<std::string> subscribed;  // PUB endpoints the SUB is connected to
  std::uint64_t own_head = 0;
  bool speaking = false;  // false during the listen-first grace period
  bool reported = false;  // `started` is set: Start() has its answer
  std::optional<std::string> conflict;

  Status Bind() {
    try {
      for (zmq::socket_t* s : {&pub, &sub, &router}) s->set(zmq::sockopt::linger, 0);
    } catch (const zmq::error_t& e) {
      return Error{"unavailable", std::string("cannot set up the mesh: ") + e.what()};
    }
    if (Status s = security.SecureServers(context, {&pub, &router}); !s.ok()) return s;
    try {
      pub.set(zmq::sockopt::sndhwm, options.high_water_mark);
      sub.set(zmq::sockopt::rcvhwm, options.high_water_mark);
      sub.set(zmq::sockopt::subscribe, "");
      auto endpoints = EndpointsToBind(options.bind);
      if (!endpoints.ok()) return endpoints.error();
      pub.bind(endpoints->pub);
      pub_endpoint = pub.get(zmq::sockopt::last_endpoint);
      router.bind(endpoints->router);
      router_endpoint = router.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t& e) {
      return Error{"unavailable", "cannot bind the mesh at " + options.bind + ": " + e.what()};
    }
    if (Status s = monitors.WatchServer(context, pub, "PUB"); !s.ok()) return s;
    if (Status s = monitors.WatchServer(context, router, "ROUTER"); !s.ok()) return s;
    if (Status s = monitors.WatchClient(context, sub, "SUB"); !s.ok()) return s;
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0) return Error{"unavailable", "eventfd failed"};
    auto heads = options.store->Heads();
    if (!heads.ok()) return heads.error();
    own_head = replication.Resume(*heads);
    heartbeat =
        OwnHeartbeat(Identity{options.node_id, pub_endpoint, router_endpoint, security.own_key()});
    return Ok{};
  }

  void Wake() {
    std::uint64_t one = 1;
    ssize_t ignored = write(wake_fd, &one, sizeof one);
    (void)ignored;
  }

  // --- the mesh thread from here on ---------------------------------------------------------

  // The thread's edge: nothing escapes it.
  void RunToEnd() {
    Status status = Ok{};
    try {
      status = Run();
    } catch (const std::exception& e) {
      status = Error{"internal", std::string("mesh thread: ") + e.what()};
    } catch (...) {
      status = Error{"internal", "mesh thread: an exception that is not a std::exception"};
    }
    if (!status.ok()) Fail(status.error());
  }

  void Fail(const Error& error) {
    try {
      log::Error("mesh: the bus cannot go on", {{"code", error.code}, {"error", error.message}});
      if (!reported) {
        reported = true;
        started.set_value(error);
        return;
      }
      if (handlers.failed) handlers.failed(error);
    } catch (...) {
      // Logging or the handler threw in turn: nothing is left to tell, and the thread ends.
    }
  }

  Status Run() {
    for (const std::string& peer : options.peers) {
      if (security.secured()) {
        security.StartBootstrap(context, peer);
        WatchBootstraps(peer);
      } else {
        Subscribe(peer, "");
      }
    }
    std::int64_t grace_until = SteadyMs();
    if (!options.peers.empty()) grace_until += 3 * options.heartbeat_ms + 500;
    std::int64_t next_beat = 0;
    while (!stopping.load()) {
      std::int64_t now = SteadyMs();
      if (!reported && (conflict || now >= grace_until)) {
        reported = true;
        if (conflict) {
          started.set_value(Error{"conflict", *conflict});
          return Ok{};
        }
        speaking = true;
        started.set_value(Ok{});
      }
      if (now >= next_beat) {
        if (Status s = Tick(now); !s.ok()) return s;
        next_beat = now + options.heartbeat_ms;
      }
      std::int64_t wait = std::min(next_beat, reported ? next_beat : grace_until) - now;
      if (Status s = PollOnce(std::max<std::int64_t>(1, wait)); !s.ok()) return s;
    }
    if (!reported) {
      reported = true;
      started.set_value(Error{"unavailable", "mesh stopped before it started"});
    }
    return Ok{};
  }

  // A bootstrap SUB refused by the --peer's ZAP handler is the only word this node gets that
  // its key is not trusted there.
  void WatchBootstraps(const std::string& endpoint) {
    for (auto& b : security.bootstraps()) {
      if (b.endpoint == endpoint) monitors.WatchBootstrap(context, endpoint, b.socket);
    }
  }

  Status PollOnce(std::int64_t timeout_ms) {
    std::vector<zmq::pollitem_t> items = {{nullptr, wake_fd, ZMQ_POLLIN, 0},
                                          {sub.handle(), 0, ZMQ_POLLIN, 0},
                                          {router.handle(), 0, ZMQ_POLLIN, 0}};
    std::size_t zap_index = items.size();
    if (security.zap()) items.push_back({security.zap()->handle(), 0, ZMQ_POLLIN, 0});
    std::size_t first_bootstrap = items.size();
    for (auto& b : security.bootstraps()) items.push_back({b.socket.handle(), 0, ZMQ_POLLIN, 0});
    std::size_t first_dealer = items.size();
    std::vector<std::uint32_t> dealer_nodes;
    for (auto& [node, dealer] : dealers) {
      items.push_back({dealer.handle(), 0, ZMQ_POLLIN, 0});
      dealer_nodes.push_back(node);
    }
    std::size_t first_monitor = items.size();
    monitors.AddPollItems(items);
    if (Status s = PollFor(items, std::chrono::milliseconds(timeout_ms)); !s.ok()) return s;
    auto ready = [&](std::size_t i) { return (items[i].revents & ZMQ_POLLIN) != 0; };
    monitors.Drain(items, first_monitor, SteadyMs());

    if (ready(0)) {
      if (Status s = DrainOutbox(); !s.ok()) return s;
    }
    if (security.zap() && ready(zap_index)) {
      if (Status s = security.AnswerZap(64); !s.ok()) return s;
    }
    std::vector<std::string> answered;  // bootstrap endpoints whose node has been heard
    for (std::size_t k = 0; k < security.bootstraps().size(); ++k) {
      if (!ready(first_bootstrap + k)) continue;
      auto& bootstrap = security.bootstraps()[k];
      auto read = ReadSub(bootstrap.socket, "bootstrap SUB");
      if (!read.ok()) return read.error();
      if (*read) answered.push_back(bootstrap.endpoint);
    }
    for (const auto& endpoint : answered) {
      monitors.ForgetBootstraps(endpoint);  // before their sockets go
      security.Heard(endpoint);
    }
    if (ready(1)) {
      if (Status s = ReadBurst(256, [&] { return ReadSub(sub, "SUB"); }); !s.ok()) return s;
    }
    if (ready(2)) {
      if (Status s = ReadBurst(64, [&] { return ReadRouter(); }); !s.ok()) return s;
    }
    for (std::size_t k = 0; k < dealer_nodes.size(); ++k) {
      if (!ready(first_dealer + k)) continue;
      Status s = ReadBurst(64, [&]() -> Result<bool> {
        // Looked up each time: a heartbeat read above may have replaced this node's dealer.
        auto it = dealers.find(dealer_nodes[k]);
        if (it == dealers.end()) return false;
        return ReadDealer(it->second);
      });
      if (!s.ok()) return s;
    }
    return Ok{};
  }

  Status DrainOutbox() {
    std::uint64_t count = 0;
    ssize_t ignored = read(wake_fd, &count, sizeof count);
    (void)ignored;
    std::vector<Message> events;
    std::optional<PresenceMap> changed;
    {
      std::lock_guard lock(mu);
      events.swap(outbox);
      changed.swap(new_presence);
    }
    for (std::size_t start = 0; start < events.size(); start += kEventsPerMessage) {
      std::size_t end = std::min(events.size(), start + kEventsPerMessage);
      std::vector<Message> part(events.begin() + static_cast<std::ptrdiff_t>(start),
                                events.begin() + static_cast<std::ptrdiff_t>(end));
      own_head = std::max(own_head, part.back().seq);
      if (Status s = SendPub(kTopicEvents, EncodeEvents(part)); !s.ok()) return s;
    }
    if (changed) heartbeat.SetPresence(std::move(*changed));
    return Ok{};
  }

  // A dropped message is no loss: past the PUB's high-water mark a subscriber fetches what it
  // missed; a DEALER whose peer is away drops, and the fetch times out and is asked again.
  static Status SendPair(zmq::socket_t& socket, std::string_view socket_name,
                         std::string_view first, const std::string& body) {
    std::array<zmq::const_buffer, 2> parts = {zmq::buffer(first), zmq::buffer(body)};
    auto sent = SendNow(socket, parts, socket_name);
    if (!sent.ok()) return sent.error();
    return Ok{};
  }
  Status SendPub(std::string_view topic, const std::string& body) {
    return SendPair(pub, "PUB", topic, body);
  }
  static Status SendDealer(zmq::socket_t& dealer, std::string_view kind, const std::string& body) {
    return SendPair(dealer, "DEALER", kind, body);
  }

  Status Tick(std::int64_t now) {
    for (std::uint32_t node : peers.MarkSilentDown(now)) handlers.presence(node, {});
    if (speaking) {
      Heartbeat hb =
          heartbeat.Next(own_head, replication.tracker().AllApplied(), peers.LiveEntries());
      if (Status s = SendPub(kTopicHeartbeat, EncodeHeartbeat(hb)); !s.ok()) return s;
      for (std::uint32_t node : peers.DueForIntroduction(now)) {
        auto dealer = dealers.find(node);
        if (dealer == dealers.end()) continue;
        std::string intro = EncodeHeartbeat(heartbeat.Introduction(own_head));
        if (Status s = SendDealer(dealer->second, kKindAnnounce, intro); !s.ok()) return s;
      }
    }
    if (Status s = SendFetches(now); !s.ok()) return s;
    handlers.view(peers.View(replication.tracker()));
    return Ok{};
  }

  Status SendFetches(std::int64_t now) {
    for (const FetchOrder& order : replication.Plan(now, peers)) {
      auto dealer = dealers.find(order.source);
      if (dealer == dealers.end()) continue;  // reachable means it has one
      if (Status s = SendDealer(dealer->second, kKindFetch, EncodeFetch(order.request)); !s.ok()) {
        return s;
      }
    }
    return Ok{};
  }

  // Secures a client socket for the server's key and connects it; a refusal is logged.
  bool Connect(zmq::socket_t& socket, const std::string& endpoint, const std::string& key) {
    std::string why;
    if (Status s = security.SecureClient(socket, key); !s.ok()) {
      why = s.error().message;
    } else {
      try {
        socket.connect(endpoint);
      } catch (const zmq::error_t& e) {
        why = e.what();
      }
    }
    if (why.empty()) return true;
    log::Warn("mesh: cannot connect", {{"endpoint", endpoint}, {"error", why}});
    return false;
  }

  // Connects the SUB to a node's PUB. In a secured mesh the node's key must be known.
  void Subscribe(const std::string& endpoint, const std::string& key) {
    if (endpoint == pub_endpoint || !PlausibleEndpoint(endpoint)) return;
    if (!security.UsableServerKey(key)) return;
    if (!subscribed.insert(endpoint).second) return;
    // Curve options apply per connect: each peer gets its own server key.
    if (!Connect(sub, endpoint, key)) subscribed.erase(endpoint);
  }

  // A new DEALER to a node's ROUTER, replacing any older one.
  void ConnectDealer(std::uint32_t node, const std::string& endpoint, const std::string& key) {
    dealers.erase(node);
    try {
      zmq::socket_t dealer(context, zmq::socket_type::dealer);
      dealer.set(zmq::sockopt::linger, 0);
      dealer.set(zmq::sockopt::sndhwm, 100);
      if (!Connect(dealer, endpoint, key)) return;
      dealers.emplace(node, std::move(dealer));
      peers.SetReachable(node, true);
    } catch (const zmq::error_t& e) {
      log::Warn("mesh: cannot make a dealer", {{"endpoint", endpoint}, {"error", e.what()}});
    }
  }

  // True when a message was read (whatever it said), false when none was waiting.
  Result<bool> ReadSub(zmq::socket_t& socket, std::string_view name) {
    auto got = ReceiveNow(socket, name);
    if (!got.ok()) return got.error();
    if (!*got) return false;
    const Frames& parts = **got;
    if (parts.size() != 2) return true;  // not ours: ignored
    std::string_view topic = parts[0].to_string_view();
    std::string_view body = parts[1].to_string_view();
    if (topic == kTopicEvents) {
      auto events = DecodeEvents(body);
      if (!events) {
        log::Warn("mesh: malformed events ignored");
      } else if (replication.Take(std::move(*events), handlers.apply)) {
        // A hole shows up as held events: ask for it now rather than at the next heartbeat.
        if (Status s = SendFetches(SteadyMs()); !s.ok()) return s.error();
      }
    } else if (topic == kTopicHeartbeat) {
      if (auto hb = DecodeHeartbeat(body)) {
        OnHeartbeat(*hb);
      } else {
        log::Warn("mesh: malformed heartbeat ignored");
      }
    }
    return true;
  }

  Result<bool> ReadRouter() {
    auto got = ReceiveNow(router, "ROUTER");
    if (!got.ok()) return got.error();
    if (!*got) return false;
    const Frames& parts = **got;
    if (parts.size() != 3) return true;
    std::string_view kind = parts[1].to_string_view();
    std::string_view body = parts[2].to_string_view();
    if (kind == kKindFetch) {
      auto request = DecodeFetch(body);
      if (!request) return true;
      std::string reply =
          EncodeFetchReply(AnswerFetch(*options.store, *request, options.fetch_batch));
      std::array<zmq::const_buffer, 3> out = {zmq::buffer(parts[0].data(), parts[0].size()),
                                              zmq::buffer(kKindReply), zmq::buffer(reply)};
      if (auto sent = SendNow(router, out, "ROUTER"); !sent.ok()) return sent.error();
    } else if (kind == kKindAnnounce) {
      if (auto hb = DecodeHeartbeat(body)) {
        if (hb->node != options.node_id) Subscribe(hb->pub, hb->key);
      }
    }
    return true;
  }

  Result<bool> ReadDealer(zmq::socket_t& dealer) {
    auto got = ReceiveNow(dealer, "DEALER");
    if (!got.ok()) return got.error();
    if (!*got) return false;
    Frames& parts = **got;
    if (parts.size() != 2 || parts[0].to_string_view() != kKindReply) return true;
    auto reply = DecodeFetchReply(parts[1].to_string_view());
    if (!reply) return true;
    replication.Answered(reply->origin);
    bool brought = !reply->events.empty();
    bool took = replication.Take(std::move(reply->events), handlers.apply);
    // Keep going while the answers bring something: a node that was away catches up in
    // back-to-back batches instead of one per heartbeat.
    if (took || brought) {
      if (Status s = SendFetches(SteadyMs()); !s.ok()) return s.error();
    }
    return true;
  }

  void OnHeartbeat(const Heartbeat& hb) {
    if (hb.node == options.node_id) {
      if (hb.pub != pub_endpoint) {
        std::string what = "node id " + std::to_string(hb.node) +
                           " is already used by the node at " + hb.pub +
                           "; give this node another --node-id";
        if (!speaking) {
          conflict = what;
        } else {
          log::Error("mesh: another node claims this node's id; ignoring it", {{"other", hb.pub}});
        }
      }
      return;
    }
    Heard heard = peers.Hear(hb, pub_endpoint, SteadyMs(), SystemClockMs());
    if (heard.subscribe_pub) Subscribe(hb.pub, hb.key);
    if (heard.connect_router) ConnectDealer(hb.node, hb.router, hb.key);
    // Even one with our id: hearing it is how a clash is found (our own endpoint is skipped).
    for (const auto& p : hb.peers) Subscribe(p.pub, p.key);
    replication.NoteHeads(hb);
    if (heard.presence) handlers.presence(hb.node, std::move(*heard.presence));
  }
};

ZmqBus::ZmqBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZmqBus::~ZmqBus() { Stop(); }

Result<std::unique_ptr<ZmqBus>> ZmqBus::Create(MeshOptions options) {
  if (!options.store) return Error{"internal", "the mesh needs a store reader"};
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Bind(); !s.ok()) return s.error();
  return std::unique_ptr<ZmqBus>(new ZmqBus(std::move(impl)));
}

const std::string& ZmqBus::pub_endpoint() const { return impl_->pub_endpoint; }
const std::string& ZmqBus::router_endpoint() const { return impl_->router_endpoint; }

Status ZmqBus::Start(Handlers handlers) {
  Impl& impl = *impl_;
  impl.handlers = std::move(handlers);
  auto result = impl.started.get_future();
  impl.thread = std::thread([&impl] {
    NameThisThread("mesh");
    impl.RunToEnd();
  });
  Status status = result.get();
  if (!status.ok()) Stop();
  return status;
}

void ZmqBus::Publish(std::vector<Message> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->outbox.empty()) {
      impl_->outbox = std::move(events);
    } else {
      impl_->outbox.insert(impl_->outbox.end(), std::make_move_iterator(events.begin()),
                           std::make_move_iterator(events.end()));
    }
  }
  impl_->Wake();
}

void ZmqBus::SetPresence(PresenceMap presence) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->new_presence = std::move(presence);
  }
  impl_->Wake();
}

void ZmqBus::Stop() {
  impl_->stopping.store(true);
  impl_->Wake();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace chatctl::bus

// The ZeroMQ mesh (see zmq_bus.h). Everything below Impl's "mesh thread" line belongs to the
// mesh thread; other threads only fill the outbox under its mutex and poke the eventfd.
#include "lib/bus/zmq_bus.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "lib/bus/mesh_wire.h"
#include "lib/bus/origin_tracker.h"
#include "lib/ids.h"
#include "lib/log.h"
#include "lib/thread_name.h"

namespace chatctl::bus {
namespace {

constexpr std::string_view kKindFetch = "F";      // dealer -> router: a range, please
constexpr std::string_view kKindAnnounce = "A";   // dealer -> router: I exist, subscribe to me
constexpr std::string_view kKindReply = "R";      // router -> dealer: the range
constexpr std::size_t kEventsPerMessage = 256;    // keeps one pub message small
constexpr std::size_t kMaxHeldPerOrigin = 20000;  // events held ahead of a hole
constexpr int kFullPresenceEvery = 8;             // heartbeats between full presence copies
constexpr std::int64_t kFetchTimeoutMs = 2000;

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// An endpoint a peer hands us is only ever connected to, and only if it looks like one.
bool PlausibleEndpoint(const std::string& endpoint) {
  return endpoint.size() < 256 && endpoint.rfind("tcp://", 0) == 0;
}

// "tcp://host:port" -> ("tcp://host", port); port -1 when there is none.
std::pair<std::string, int> SplitPort(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon < 6) return {endpoint, -1};
  std::string port = endpoint.substr(colon + 1);
  if (port == "*") return {endpoint.substr(0, colon), 0};
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return {endpoint, -1};
  }
  return {endpoint.substr(0, colon), std::stoi(port)};
}

}  // namespace

struct ZmqBus::Impl {
  MeshOptions options;
  zmq::context_t context{1};
  zmq::socket_t pub{context, zmq::socket_type::pub};
  zmq::socket_t sub{context, zmq::socket_type::sub};
  zmq::socket_t router{context, zmq::socket_type::router};
  std::unique_ptr<zmq::socket_t> zap;  // the CURVE gatekeeper, with keys
  // With keys, the first peers' keys are unknown: one SUB per (peer, trusted key) until the
  // right one is heard. Without keys the main SUB connects to them directly.
  struct Bootstrap {
    std::string endpoint;
    std::unique_ptr<zmq::socket_t> socket;
  };
  std::vector<Bootstrap> bootstraps;
  std::string pub_endpoint, router_endpoint;
  int wake_fd = -1;

  // Shared: filled by any thread, taken by the mesh thread.
  std::mutex mu;
  std::vector<Message> outbox;              // guarded by mu
  std::optional<PresenceMap> new_presence;  // guarded by mu
  std::atomic<bool> stopping{false};
  std::promise<Status> started;  // set once by the mesh thread, read by Start()
  std::thread thread;

  // --- mesh thread ----------------------------------------------------------------------------
  struct Peer {
    std::string pub, router, key;
    std::unique_ptr<zmq::socket_t> dealer;
    bool up = false;
    std::int64_t last_heard_ms = 0;    // steady clock
    std::int64_t last_heard_wall = 0;  // for people
    std::uint64_t head = 0;
    std::map<std::uint32_t, std::uint64_t> applied;
    std::uint64_t presence_version = 0;
    bool has_presence = false;
    bool hears_us = false;  // its last heartbeat listed us
    std::int64_t last_announce_ms = 0;
  };
  struct Fetch {
    std::uint32_t source = 0;
    std::int64_t sent_ms = 0;
  };
  Handlers handlers;
  OriginTracker tracker{kMaxHeldPerOrigin};
  std::map<std::uint32_t, Peer> peers;
  std::set<std::string> subscribed;         // PUB endpoints the SUB is connected to
  std::map<std::uint32_t, Fetch> fetching;  // origin -> the fetch in flight
  std::uint64_t own_head = 0;
  PresenceMap presence;
  std::uint64_t presence_version = 0;
  bool presence_sent = true;
  int heartbeats_sent = 0;
  bool speaking = false;  // false during the listen-first grace period
  std::optional<std::string> conflict;

  ~Impl() {
    if (wake_fd >= 0) close(wake_fd);
  }

  bool secured() const { return options.keys.has_value(); }
  std::string own_key() const { return secured() ? options.keys->public_key : ""; }

  // A client socket's own keys, and the key of the server it is about to connect to.
  void SecureClient(zmq::socket_t& s, const std::string& server_key) {
    if (!secured()) return;
    s.set(zmq::sockopt::curve_publickey, options.keys->public_key);
    s.set(zmq::sockopt::curve_secretkey, options.keys->secret_key);
    s.set(zmq::sockopt::curve_serverkey, server_key);
  }

  Status Bind() {
    try {
      for (zmq::socket_t* s : {&pub, &sub, &router}) s->set(zmq::sockopt::linger, 0);
      if (secured()) {
        // The handler must be bound before any handshake can reach the servers.
        zap = std::make_unique<zmq::socket_t>(context, zmq::socket_type::rep);
        zap->set(zmq::sockopt::linger, 0);
        zap->bind("inproc://zeromq.zap.01");
        for (zmq::socket_t* s : {&pub, &router}) {
          s->set(zmq::sockopt::curve_server, true);
          s->set(zmq::sockopt::curve_secretkey, options.keys->secret_key);
          s->set(zmq::sockopt::zap_domain, "chatctl-mesh");
        }
      }
      pub.set(zmq::sockopt::sndhwm, options.high_water_mark);
      sub.set(zmq::sockopt::rcvhwm, options.high_water_mark);
      sub.set(zmq::sockopt::subscribe, "");
      auto [base, port] = SplitPort(options.bind);
      if (port < 0) {
        return Error{"bad_request", "--mesh-bind " + options.bind + ": want tcp://HOST:PORT"};
      }
      pub.bind(port == 0 ? base + ":*" : options.bind);
      pub_endpoint = pub.get(zmq::sockopt::last_endpoint);
      router.bind(port == 0 ? base + ":*" : base + ":" + std::to_string(port + 1));
      router_endpoint = router.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t& e) {
      return Error{"unavailable", "cannot bind the mesh at " + options.bind + ": " + e.what()};
    }
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0) return Error{"unavailable", "eventfd failed"};
    auto heads = options.store->Heads();
    if (!heads.ok()) return heads.error();
    for (const auto& [origin, seq] : *heads) {
      if (origin == options.node_id) {
        own_head = seq;
      } else {
        tracker.SetApplied(origin, seq);
      }
    }
    return Ok{};
  }

  void Wake() {
    std::uint64_t one = 1;
    ssize_t ignored = write(wake_fd, &one, sizeof one);
    (void)ignored;
  }

  // Connects the SUB to a node's PUB. In a secured mesh the node's key must be known.
  void Subscribe(const std::string& endpoint, const std::string& key) {
    if (endpoint == pub_endpoint || !PlausibleEndpoint(endpoint)) return;
    if (secured() && !IsZ85Key(key)) return;
    if (!subscribed.insert(endpoint).second) return;
    try {
      SecureClient(sub, key);  // options apply per connect: each peer gets its own server key
      sub.connect(endpoint);
    } catch (const zmq::error_t& e) {
      subscribed.erase(endpoint);
      log::Warn("mesh: cannot connect", {{"endpoint", endpoint}, {"error", e.what()}});
    }
  }

  void StartBootstrap(const std::string& endpoint) {
    if (!secured()) {
      Subscribe(endpoint, "");
      return;
    }
    for (const std::string& key : options.keys->trusted) {
      if (key == options.keys->public_key) continue;
      Bootstrap b{endpoint, std::make_unique<zmq::socket_t>(context, zmq::socket_type::sub)};
      b.socket->set(zmq::sockopt::linger, 0);
      b.socket->set(zmq::sockopt::subscribe, kTopicHeartbeat);
      SecureClient(*b.socket, key);
      try {
        b.socket->connect(endpoint);
        bootstraps.push_back(std::move(b));
      } catch (const zmq::error_t& e) {
        log::Warn("mesh: cannot connect", {{"endpoint", endpoint}, {"error", e.what()}});
        return;
      }
    }
  }

  // ZAP (rfc.zeromq.org/spec/27): admit a CURVE client only if its key is trusted.
  bool ReadZap() {
    std::vector<zmq::message_t> req;
    auto got = zmq::recv_multipart(*zap, std::back_inserter(req), zmq::recv_flags::dontwait);
    if (!got) return false;
    if (req.size() < 6) return true;  // not a ZAP request; REP needs no answer to drop it
    bool trusted = false;
    std::string client;
    if (req.size() >= 7 && req[5].to_string_view() == "CURVE" && req[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, static_cast<const std::uint8_t*>(req[6].data()), 32);
      client = z85;
      trusted = options.keys->trusted.count(client) != 0;
    }
    if (!trusted) log::Warn("mesh: refused a node whose key is not trusted", {{"key", client}});
    std::array<zmq::const_buffer, 6> reply = {
        zmq::buffer(std::string_view("1.0")),
        zmq::buffer(req[1].data(), req[1].size()),
        zmq::buffer(std::string_view(trusted ? "200" : "400")),
        zmq::buffer(std::string_view(trusted ? "OK" : "untrusted key")),
        zmq::buffer(client),
        zmq::buffer(std::string_view())};
    zmq::send_multipart(*zap, reply);
    return true;
  }

  void Run() {
    std::int64_t grace_until = SteadyMs();
    if (!options.peers.empty()) grace_until += 3 * options.heartbeat_ms + 500;
    bool reported = false;
    std::int64_t next_beat = 0;
    while (!stopping.load()) {
      std::int64_t now = SteadyMs();
      if (!reported && (conflict || now >= grace_until)) {
        reported = true;
        if (conflict) {
          started.set_value(Error{"conflict", *conflict});
          return;
        }
        speaking = true;
        started.set_value(Ok{});
      }
      if (now >= next_beat) {
        Tick(now);
        next_beat = now + options.heartbeat_ms;
      }
      PollOnce(
          std::max<std::int64_t>(1, std::min(next_beat, reported ? next_beat : grace_until) - now));
    }
    if (!reported) started.set_value(Error{"unavailable", "mesh stopped before it started"});
  }

  void PollOnce(std::int64_t timeout_ms) {
    std::vector<zmq::pollitem_t> items = {{nullptr, wake_fd, ZMQ_POLLIN, 0},
                                          {sub.handle(), 0, ZMQ_POLLIN, 0},
                                          {router.handle(), 0, ZMQ_POLLIN, 0}};
    std::size_t zap_index = items.size();
    if (zap) items.push_back({zap->handle(), 0, ZMQ_POLLIN, 0});
    std::size_t first_bootstrap = items.size();
    for (auto& b : bootstraps) items.push_back({b.socket->handle(), 0, ZMQ_POLLIN, 0});
    std::size_t first_dealer = items.size();
    std::vector<std::uint32_t> dealer_nodes;
    for (auto& [node, peer] : peers) {
      if (!peer.dealer) continue;
      items.push_back({peer.dealer->handle(), 0, ZMQ_POLLIN, 0});
      dealer_nodes.push_back(node);
    }
    try {
      zmq::poll(items, std::chrono::milliseconds(timeout_ms));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return;
      throw;
    }
    if (items[0].revents & ZMQ_POLLIN) DrainOutbox();
    for (int i = 0; zap && i < 64 && (items[zap_index].revents & ZMQ_POLLIN); ++i) {
      if (!ReadZap()) break;
    }
    std::vector<std::string> answered;  // bootstrap endpoints whose node has been heard
    for (std::size_t k = 0; k < bootstraps.size(); ++k) {
      if (!(items[first_bootstrap + k].revents & ZMQ_POLLIN)) continue;
      if (ReadSub(*bootstraps[k].socket)) answered.push_back(bootstraps[k].endpoint);
    }
    for (const auto& endpoint : answered) {
      std::erase_if(bootstraps, [&](const Bootstrap& b) { return b.endpoint == endpoint; });
    }
    // Bounded bursts per wakeup, so no one socket starves the others or the heartbeat.
    for (int i = 0; i < 256 && (items[1].revents & ZMQ_POLLIN); ++i) {
      if (!ReadSub(sub)) break;
    }
    for (int i = 0; i < 64 && (items[2].revents & ZMQ_POLLIN); ++i) {
      if (!ReadRouter()) break;
    }
    for (std::size_t k = 0; k < dealer_nodes.size(); ++k) {
      if (!(items[first_dealer + k].revents & ZMQ_POLLIN)) continue;
      auto it = peers.find(dealer_nodes[k]);
      if (it == peers.end() || !it->second.dealer) continue;
      for (int i = 0; i < 64; ++i) {
        if (!ReadDealer(*it->second.dealer)) break;
      }
    }
  }

  void DrainOutbox() {
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
      SendPub(kTopicEvents, EncodeEvents(part));
    }
    if (changed && *changed != presence) {
      presence = std::move(*changed);
      ++presence_version;
      presence_sent = false;
    }
  }

  void SendPub(std::string_view topic, const std::string& body) {
    std::array<zmq::const_buffer, 2> parts = {zmq::buffer(topic), zmq::buffer(body)};
    // PUB never blocks: past the high-water mark a subscriber misses this and fetches it later.
    zmq::send_multipart(pub, parts, zmq::send_flags::dontwait);
  }

  void Tick(std::int64_t now) {
    for (auto& [node, peer] : peers) {
      if (peer.up &&
          now - peer.last_heard_ms > options.down_after_heartbeats * options.heartbeat_ms) {
        peer.up = false;
        peer.hears_us = false;
        log::Warn("mesh: peer down", {{"peer", std::to_string(node)}, {"pub", peer.pub}});
        if (peer.has_presence) {
          peer.has_presence = false;
          handlers.presence(node, {});
        }
      }
    }
    if (speaking) {
      SendHeartbeat();
      for (auto& [node, peer] : peers) {
        if (peer.up && !peer.hears_us) Announce(node, peer, now);
      }
    }
    FetchGaps(now);
    handlers.view(View());
  }

  void SendHeartbeat() {
    Heartbeat hb;
    hb.node = options.node_id;
    hb.pub = pub_endpoint;
    hb.router = router_endpoint;
    hb.key = own_key();
    hb.head = own_head;
    hb.applied = tracker.AllApplied();
    if (own_head > 0) hb.applied[options.node_id] = own_head;
    for (const auto& [node, peer] : peers) {
      if (peer.up) hb.peers.push_back({node, peer.pub, peer.key});
    }
    hb.presence_version = presence_version;
    if (!presence_sent || heartbeats_sent % kFullPresenceEvery == 0) hb.presence = presence;
    presence_sent = true;
    ++heartbeats_sent;
    SendPub(kTopicHeartbeat, EncodeHeartbeat(hb));
  }

  void Announce(std::uint32_t node, Peer& peer, std::int64_t now) {
    if (!peer.dealer || now - peer.last_announce_ms < options.heartbeat_ms) return;
    peer.last_announce_ms = now;
    Heartbeat hb;
    hb.node = options.node_id;
    hb.pub = pub_endpoint;
    hb.router = router_endpoint;
    hb.key = own_key();
    hb.head = own_head;
    SendDealer(*peer.dealer, kKindAnnounce, EncodeHeartbeat(hb));
    (void)node;
  }

  static void SendDealer(zmq::socket_t& dealer, std::string_view kind, const std::string& body) {
    std::array<zmq::const_buffer, 2> parts = {zmq::buffer(kind), zmq::buffer(body)};
    // A dealer whose peer is away queues up to the high-water mark, then this fails: fine, the
    // fetch times out and is asked again.
    zmq::send_multipart(dealer, parts, zmq::send_flags::dontwait);
  }

  bool ReadSub(zmq::socket_t& socket) {
    std::vector<zmq::message_t> parts;
    auto got = zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait);
    if (!got) return false;
    if (parts.size() != 2) return true;  // not ours: ignored
    std::string_view topic = parts[0].to_string_view();
    std::string_view body = parts[1].to_string_view();
    if (topic == kTopicEvents) {
      if (auto events = DecodeEvents(body)) {
        Take(std::move(*events));
      } else {
        log::Warn("mesh: malformed events ignored");
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

  bool ReadRouter() {
    std::vector<zmq::message_t> parts;
    auto got = zmq::recv_multipart(router, std::back_inserter(parts), zmq::recv_flags::dontwait);
    if (!got) return false;
    if (parts.size() != 3) return true;
    std::string_view kind = parts[1].to_string_view();
    std::string_view body = parts[2].to_string_view();
    if (kind == kKindFetch) {
      auto request = DecodeFetch(body);
      if (!request) return true;
      FetchReply reply;
      reply.origin = request->origin;
      auto events = options.store->Range(request->origin, request->after,
                                         std::min(request->limit, options.fetch_batch));
      if (events.ok()) reply.events = std::move(*events);
      std::string encoded = EncodeFetchReply(reply);
      std::array<zmq::const_buffer, 3> out = {zmq::buffer(parts[0].data(), parts[0].size()),
                                              zmq::buffer(kKindReply), zmq::buffer(encoded)};
      zmq::send_multipart(router, out, zmq::send_flags::dontwait);
    } else if (kind == kKindAnnounce) {
      if (auto hb = DecodeHeartbeat(body)) {
        if (hb->node != options.node_id) Subscribe(hb->pub, hb->key);
      }
    }
    return true;
  }

  bool ReadDealer(zmq::socket_t& dealer) {
    std::vector<zmq::message_t> parts;
    auto got = zmq::recv_multipart(dealer, std::back_inserter(parts), zmq::recv_flags::dontwait);
    if (!got) return false;
    if (parts.size() != 2 || parts[0].to_string_view() != kKindReply) return true;
    auto reply = DecodeFetchReply(parts[1].to_string_view());
    if (!reply) return true;
    fetching.erase(reply->origin);
    bool progressed = !reply->events.empty();
    Take(std::move(reply->events));
    // Keep going while the answers bring something: a node that was away catches up in
    // back-to-back batches instead of one per heartbeat.
    if (progressed) FetchGaps(SteadyMs());
    return true;
  }

  void Take(std::vector<Message> events) {
    std::erase_if(events, [&](const Message& m) { return m.origin == options.node_id; });
    std::vector<Message> ready = tracker.Offer(std::move(events));
    if (ready.empty()) return;
    std::map<std::uint32_t, std::uint64_t> first_seq;
    for (const Message& m : ready) first_seq.emplace(m.origin, m.seq);
    if (!handlers.apply(std::move(ready))) {
      for (const auto& [origin, seq] : first_seq) tracker.Rewind(origin, seq - 1);
    }
    // A hole shows up as held events: ask for it now rather than at the next heartbeat.
    FetchGaps(SteadyMs());
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
    std::int64_t now = SteadyMs();
    Peer& peer = peers[hb.node];
    if (!peer.up) {
      log::Info("mesh: peer up", {{"peer", std::to_string(hb.node)}, {"pub", hb.pub}});
    }
    if (peer.pub != hb.pub) {
      peer.pub = hb.pub;
      Subscribe(hb.pub, hb.key);
    }
    if ((peer.router != hb.router || peer.key != hb.key) && PlausibleEndpoint(hb.router)) {
      peer.router = hb.router;
      peer.key = hb.key;
      peer.dealer = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
      peer.dealer->set(zmq::sockopt::linger, 0);
      peer.dealer->set(zmq::sockopt::sndhwm, 100);
      SecureClient(*peer.dealer, hb.key);
      try {
        peer.dealer->connect(hb.router);
      } catch (const zmq::error_t&) {
        peer.dealer.reset();
      }
    }
    peer.up = true;
    peer.last_heard_ms = now;
    peer.last_heard_wall = SystemClockMs();
    peer.head = hb.head;
    peer.applied = hb.applied;
    peer.hears_us = false;
    for (const auto& p : hb.peers) {
      if (p.node == options.node_id && p.pub == pub_endpoint) peer.hears_us = true;
      // Even one with our id: hearing it is how a clash is found (our own endpoint is skipped).
      Subscribe(p.pub, p.key);
    }
    tracker.NoteHead(hb.node, hb.head);
    for (const auto& [origin, seq] : hb.applied) {
      if (origin != options.node_id) tracker.NoteHead(origin, seq);
    }
    if (hb.presence && (hb.presence_version != peer.presence_version || !peer.has_presence)) {
      peer.presence_version = hb.presence_version;
      peer.has_presence = true;
      handlers.presence(hb.node, *hb.presence);
    }
  }

  void FetchGaps(std::int64_t now) {
    for (const Gap& gap : tracker.Gaps()) {
      if (gap.origin == options.node_id) continue;
      if (auto f = fetching.find(gap.origin); f != fetching.end()) {
        if (now - f->second.sent_ms < kFetchTimeoutMs) continue;
        fetching.erase(f);
      }
      Peer* source = ChooseSource(gap);
      if (source == nullptr) continue;
      FetchRequest request{gap.origin, gap.after, options.fetch_batch};
      SendDealer(*source->dealer, kKindFetch, EncodeFetch(request));
      fetching[gap.origin] = Fetch{gap.origin, now};
    }
  }

  // The origin itself when it is up, else any live node that says it holds the events.
  Peer* ChooseSource(const Gap& gap) {
    if (auto it = peers.find(gap.origin); it != peers.end()) {
      Peer& p = it->second;
      if (p.up && p.dealer && p.head > gap.after) return &p;
    }
    for (auto& [node, p] : peers) {
      auto have = p.applied.find(gap.origin);
      if (p.up && p.dealer && have != p.applied.end() && have->second > gap.after) return &p;
    }
    return nullptr;
  }

  ClusterView View() const {
    ClusterView view;
    view.meshed = true;
    bool any_up = false;
    for (const auto& [node, peer] : peers) {
      PeerState state;
      state.node = node;
      state.address = peer.pub;
      state.up = peer.up;
      state.last_heartbeat_ms = peer.last_heard_wall;
      state.head_seq = std::max(peer.head, tracker.known_head(node));
      state.applied_seq = tracker.applied(node);
      any_up = any_up || peer.up;
      view.peers.push_back(state);
    }
    bool level = true;
    for (const Gap& gap : tracker.Gaps()) {
      if (gap.origin != options.node_id) level = false;
    }
    view.caught_up = any_up && level;
    return view;
  }
};

ZmqBus::ZmqBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZmqBus::~ZmqBus() { Stop(); }

Result<std::unique_ptr<ZmqBus>> ZmqBus::Create(MeshOptions options) {
  if (!options.store) return Error{"internal", "the mesh needs a store reader"};
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (Status s = impl->Bind(); !s.ok()) return s.error();
  return std::unique_ptr<ZmqBus>(new ZmqBus(std::move(impl)));
}

const std::string& ZmqBus::pub_endpoint() const { return impl_->pub_endpoint; }
const std::string& ZmqBus::router_endpoint() const { return impl_->router_endpoint; }

Status ZmqBus::Start(Handlers handlers) {
  Impl& impl = *impl_;
  impl.handlers = std::move(handlers);
  for (const std::string& peer : impl.options.peers) impl.StartBootstrap(peer);
  auto result = impl.started.get_future();
  // The sockets move to the mesh thread here; thread start is the memory barrier ZeroMQ asks for.
  impl.thread = std::thread([&impl] {
    NameThisThread("mesh");
    impl.Run();
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

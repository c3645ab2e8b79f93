// A relay node's start, run and stop (see node.h).
#include "relay/node.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "lib/auth/jwt.h"
#include "lib/bus/local_bus.h"
#include "lib/bus/zmq_bus.h"
#include "lib/log.h"
#include "lib/thread_annotations.h"
#include "relay/checkpointer.h"
#include "relay/data_dir_lock.h"
#include "relay/gateway.h"
#include "relay/history_reader.h"
#include "relay/store_writer.h"
#include "relay/worker.h"

namespace chatctl::relay {
namespace {

constexpr std::size_t kReadQueueCapacity = 10000;
// Each waiting login holds a password in memory and costs ~64 MiB while checked: few at a time.
constexpr std::size_t kPasswordQueueCapacity = 256;
// Often enough that each checkpoint copies little (a WAL of a few MB at 1,000 messages/s).
constexpr std::chrono::milliseconds kCheckpointInterval{200};

// Many idle clients are many descriptors: take all the soft limit the hard one allows.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// The host part of tcp://HOST:PORT.
std::string EndpointHost(const std::string& endpoint) {
  std::string rest = endpoint.rfind("tcp://", 0) == 0 ? endpoint.substr(6) : endpoint;
  auto colon = rest.rfind(':');
  std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host;
}

// The bus the options ask for: the ZeroMQ mesh, or nothing beyond this node.
Result<std::unique_ptr<bus::Bus>> MakeBus(const NodeOptions& options, const std::string& db_path) {
  bool meshed = !options.mesh_bind.empty() || !options.peers.empty();
  bool keyed = !options.mesh_key_file.empty() || !options.mesh_trust_file.empty();
  // Half a mesh configuration is refused at start rather than run as something else: keys
  // without a trust file (or the other way round), or keys for a node with no mesh at all.
  if (options.mesh_key_file.empty() != options.mesh_trust_file.empty()) {
    return Error{"bad_request", "--mesh-key and --mesh-trust go together: give both"};
  }
  std::string kind = options.bus.empty() ? (meshed ? "zmq" : "local") : options.bus;
  if (kind == "local") {
    if (meshed) return Error{"bad_request", "--bus local takes no --mesh-bind or --peer"};
    if (keyed) {
      return Error{"bad_request",
                   "--mesh-key and --mesh-trust are for a mesh: give --mesh-bind or --peer too"};
    }
    return std::unique_ptr<bus::Bus>(std::make_unique<bus::LocalBus>());
  }
  if (kind != "zmq") return Error{"bad_request", "--bus must be local or zmq"};
  bus::MeshOptions mesh;
  mesh.node_id = options.node_id;
  if (!options.mesh_bind.empty()) mesh.bind = options.mesh_bind;
  mesh.peers = options.peers;
  if (!options.mesh_key_file.empty()) {
    auto pair = bus::ReadKeyFile(options.mesh_key_file);
    if (!pair.ok()) return pair.error();
    auto trusted = bus::ReadTrustFile(options.mesh_trust_file);
    if (!trusted.ok()) return trusted.error();
    mesh.keys = bus::MeshKeys{pair->public_key, pair->secret_key, *trusted};
  } else if (!IsLoopbackHost(EndpointHost(mesh.bind)) && !options.mesh_insecure) {
    return Error{"bad_request", "--mesh-bind " + mesh.bind +
                                    " is not loopback and the mesh has no keys: give --mesh-key "
                                    "and --mesh-trust, or --mesh-insecure on a trusted network"};
  }
  auto reader = Store::OpenReader(db_path);
  if (!reader.ok()) return reader.error();
  mesh.store = std::move(reader.value());
  auto created = bus::ZmqBus::Create(std::move(mesh));
  if (!created.ok()) return created.error();
  bus::ZmqBus& zmq_bus = *created.value();
  log::Info("mesh bound",
            {{"mesh_pub", zmq_bus.pub_endpoint()}, {"mesh_router", zmq_bus.router_endpoint()}});
  return std::unique_ptr<bus::Bus>(std::move(created.value()));
}

// The first thread that failed (lib/thread_edge.h), which stops the node: RunNode then returns
// its error, and `serve` exits with kExitInternal. Any thread.
class NodeFailure {
 public:
  void Fail(Error error) {
    Gateway* gateway = nullptr;
    {
      std::lock_guard lock(mu_);
      if (first_.ok()) first_ = std::move(error);
      gateway = gateway_;
    }
    if (gateway != nullptr) gateway->RequestStop();
  }
  void StopThrough(Gateway* gateway) {
    std::lock_guard lock(mu_);
    gateway_ = gateway;
    if (!first_.ok()) gateway->RequestStop();  // a thread failed before the gateway existed
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  Status first_ GUARDED_BY(mu_) = Ok{};
  Gateway* gateway_ GUARDED_BY(mu_) = nullptr;
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status RunNode(const NodeOptions& options) {
  GatewayConfig config;
  config.host = options.listen_host;
  config.port = options.listen_port;
  config.node_id = options.node_id;
  config.limits = options.limits;
  if (options.secret_file) {
    auto secret = ReadSecretFile(*options.secret_file);
    if (!secret.ok()) return secret.error();
    config.secret = *secret;
  }
  bool loopback = IsLoopbackHost(options.listen_host);
  if (!config.secret && !loopback && !options.open) {
    return Error{"bad_request", "listening on " + options.listen_host +
                                    " with no --secret-file would let anyone claim any name; "
                                    "give --secret-file, or --open to allow it"};
  }
  config.open_mode = !config.secret ? (loopback || options.open) : options.open;
  config.allow_register = options.allow_register;
  config.web = options.web != "off";
  config.web_root = options.web_root;
  config.allowed_origins = options.allowed_origins;

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec)
    return Error{"unavailable",
                 "cannot create data directory " + options.data_dir + ": " + ec.message()};
  // Held until RunNode returns: the writer and every store connection close before it does.
  auto lock = DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) return lock.error();
  std::string db_path = (std::filesystem::path(options.data_dir) / "chatctl.db").string();
  auto write_store = Store::OpenWriter(db_path, options.durability);
  if (!write_store.ok()) return write_store.error();
  if (Status s = write_store.value()->DisableAutoCheckpoint(); !s.ok()) return s.error();
  auto checkpoint_store = Store::OpenCheckpointer(db_path);
  if (!checkpoint_store.ok()) return checkpoint_store.error();
  auto read_store = Store::OpenReader(db_path);
  if (!read_store.ok()) return read_store.error();
  auto newest = read_store.value()->MaxId();
  if (!newest.ok()) return newest.error();
  config.id_floor = *newest;
  auto query_store = Store::OpenReader(db_path);
  if (!query_store.ok()) return query_store.error();
  auto password_store = Store::OpenReader(db_path);
  if (!password_store.ok()) return password_store.error();

  RaiseFileLimit();
  // Signals go to the signal thread only; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  NodeFailure failure;
  ThreadFailed failed = [&failure](Error error) { failure.Fail(std::move(error)); };
  auto created = Gateway::Create(config, failed);
  if (!created.ok()) return created.error();
  std::unique_ptr<Gateway> gateway = std::move(created.value());
  Gateway* gw = gateway.get();
  failure.StopThrough(gw);
  if (Status s = gw->LoadDirectory(*read_store.value()); !s.ok()) return s.error();

  auto made_bus = MakeBus(options, db_path);
  if (!made_bus.ok()) return made_bus.error();
  bus::Bus* cluster = made_bus.value().get();

  // What this node originated goes to the cluster once durable, in the order it was committed.
  auto on_commit = [gw, cluster, node_id = options.node_id](Committed c) {
    if (c.status.ok()) {
      std::vector<Message> ours;
      for (const auto& job : c.jobs) {
        if (!job.remote && job.message.origin == node_id) ours.push_back(job.message);
      }
      cluster->Publish(std::move(ours));
    }
    gw->Post(std::move(c));
  };
  Checkpointer checkpointer(std::move(checkpoint_store.value()), kCheckpointInterval, failed);
  auto writer =
      StoreWriter::Start(std::move(write_store.value()), options.node_id,
                         options.limits.max_pending_writes, on_commit, &checkpointer, failed);
  if (!writer.ok()) return writer.error();
  StoreWriter* store_writer = writer.value().get();
  HistoryReader reader(
      std::move(read_store.value()), kReadQueueCapacity,
      [gw](ReadDone d) { gw->Post(std::move(d)); }, failed);
  auto post_task = [gw](Task task) { gw->Post(std::move(task)); };
  Worker queries("query", std::move(query_store.value()), kReadQueueCapacity, post_task, failed);
  Worker passwords("password", std::move(password_store.value()), kPasswordQueueCapacity, post_task,
                   failed);

  bus::Handlers handlers;
  handlers.apply = [store_writer](std::vector<Message> events) {
    std::vector<WriteJob> jobs;
    jobs.reserve(events.size());
    for (auto& m : events) {
      WriteJob job;
      job.message = std::move(m);
      job.remote = true;
      jobs.push_back(std::move(job));
    }
    return store_writer->SubmitAll(std::move(jobs));
  };
  handlers.presence = [gw](std::uint32_t node, bus::PresenceMap users) {
    gw->Post(RemotePresence{node, std::move(users)});
  };
  handlers.view = [gw](bus::ClusterView view) { gw->Post(std::move(view)); };
  handlers.failed = failed;  // the mesh thread's edge: the node stops
  if (Status s = cluster->Start(std::move(handlers)); !s.ok()) return s.error();

  std::thread signal_thread([gw, signals] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        log::Info("SIGHUP: nothing to reload yet");
        continue;
      }
      if (sig != SIGUSR1) log::Info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      gw->RequestStop();
      return;
    }
  });

  log::Info("listening",
            {{"addr", options.listen_host + ":" + std::to_string(gw->port())},
             {"port", std::to_string(gw->port())},
             {"node", std::to_string(options.node_id)},
             {"data", db_path},
             {"auth", config.secret ? (config.open_mode ? "token+open" : "token") : "open"}});
  RunAtThreadEdge(
      "gateway", [&] { gw->Run(*writer.value(), reader, *cluster, queries, passwords); }, failed);

  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  cluster->Stop();  // nothing more comes in from the cluster; what did is queued to the store
  writer.value()->Stop();
  reader.Stop();
  queries.Stop();
  passwords.Stop();
  checkpointer.Stop();
  gateway.reset();
  Status outcome = failure.status();
  log::Info(outcome.ok() ? "stopped" : "stopped after a failure");
  return outcome;
}

}  // namespace chatctl::relay

// CURVE, the ZAP handler and the bootstrap SUBs (see mesh_security.h).
#include "lib/bus/mesh_security.h"

#include <zmq.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "lib/bus/mesh_socket.h"
#include "lib/bus/mesh_wire.h"
#include "lib/log.h"

namespace chatctl::bus {

std::optional<ZapVerdict> JudgeZapRequest(const std::vector<std::string_view>& frames,
                                          const std::set<std::string>& trusted) {
  if (frames.size() < 6) return std::nullopt;
  ZapVerdict verdict;
  if (frames.size() >= 7 && frames[5] == "CURVE" && frames[6].size() == 32) {
    char z85[41];
    zmq_z85_encode(z85, reinterpret_cast<const std::uint8_t*>(frames[6].data()), 32);
    verdict.client_key = z85;
    verdict.trusted = trusted.count(verdict.client_key) != 0;
  }
  return verdict;
}

bool MeshSecurity::UsableServerKey(const std::string& key) const {
  return !secured() || IsZ85Key(key);
}

Status MeshSecurity::SecureServers(zmq::context_t& context,
                                   std::initializer_list<zmq::socket_t*> servers) {
  if (!secured()) return Ok{};
  try {
    zap_.emplace(context, zmq::socket_type::rep);
    zap_->set(zmq::sockopt::linger, 0);
    zap_->bind("inproc://zeromq.zap.01");
    for (zmq::socket_t* s : servers) {
      s->set(zmq::sockopt::curve_server, true);
      s->set(zmq::sockopt::curve_secretkey, keys_->secret_key);
      s->set(zmq::sockopt::zap_domain, "chatctl-mesh");
    }
  } catch (const zmq::error_t& e) {
    return Error{"unavailable", std::string("cannot secure the mesh: ") + e.what()};
  }
  return Ok{};
}

Status MeshSecurity::SecureClient(zmq::socket_t& socket, const std::string& server_key) const {
  if (!secured()) return Ok{};
  try {
    socket.set(zmq::sockopt::curve_publickey, keys_->public_key);
    socket.set(zmq::sockopt::curve_secretkey, keys_->secret_key);
    socket.set(zmq::sockopt::curve_serverkey, server_key);
  } catch (const zmq::error_t& e) {
    return Error{"bad_request", std::string("cannot use that server key: ") + e.what()};
  }
  return Ok{};
}

Status MeshSecurity::AnswerZap(int max) {
  for (int i = 0; zap_ && i < max; ++i) {
    auto got = ReceiveNow(*zap_, "ZAP handler");
    if (!got.ok()) return got.error();
    if (!*got) return Ok{};
    const Frames& request = **got;
    std::vector<std::string_view> frames;
    for (const auto& f : request) frames.push_back(f.to_string_view());
    auto verdict = JudgeZapRequest(frames, keys_->trusted);
    // Only libzmq talks to this inproc endpoint, so this cannot happen; if it did, REP would refuse
    // the next receive (no answer was sent) and the bus would stop with that error.
    if (!verdict) continue;
    if (!verdict->trusted) {
      log::Warn("mesh: refused a node whose key is not trusted", {{"key", verdict->client_key}});
    }
    std::array<zmq::const_buffer, 6> reply = {
        zmq::buffer(std::string_view("1.0")),
        zmq::buffer(request[1].data(), request[1].size()),
        zmq::buffer(std::string_view(verdict->trusted ? "200" : "400")),
        zmq::buffer(std::string_view(verdict->trusted ? "OK" : "untrusted key")),
        zmq::buffer(verdict->client_key),
        zmq::buffer(std::string_view())};
    if (auto sent = SendNow(*zap_, reply, "ZAP handler"); !sent.ok()) return sent.error();
  }
  return Ok{};
}

void MeshSecurity::StartBootstrap(zmq::context_t& context, const std::string& endpoint) {
  if (!secured()) return;
  for (const std::string& key : keys_->trusted) {
    if (key == keys_->public_key) continue;
    try {
      Bootstrap b{endpoint, zmq::socket_t(context, zmq::socket_type::sub)};
      b.socket.set(zmq::sockopt::linger, 0);
      b.socket.set(zmq::sockopt::subscribe, kTopicHeartbeat);
      if (Status s = SecureClient(b.socket, key); !s.ok()) continue;
      b.socket.connect(endpoint);
      bootstraps_.push_back(std::move(b));
    } catch (const zmq::error_t& e) {
      log::Warn("mesh: cannot connect", {{"endpoint", endpoint}, {"error", e.what()}});
      return;
    }
  }
}

void MeshSecurity::Heard(const std::string& endpoint) {
  std::erase_if(bootstraps_, [&](const Bootstrap& b) { return b.endpoint == endpoint; });
}

}  // namespace chatctl::bus

// The ZAP handler's verdict (lib/bus/mesh_security.h): only a CURVE client whose key is trusted
// is admitted; and which server keys a client can be secured with.
#include <zmq.h>

#include <catch2/catch.hpp>

#include "lib/bus/mesh_security.h"

using namespace chatctl;
using namespace chatctl::bus;

namespace {

struct RawKey {
  std::string z85;
  std::string bytes;  // the 32 bytes a ZAP request carries
};

RawKey NewKey() {
  auto pair = GenerateKeyPair();
  REQUIRE(pair.ok());
  std::uint8_t raw[32];
  REQUIRE(zmq_z85_decode(raw, pair->public_key.c_str()) != nullptr);
  return RawKey{pair->public_key, std::string(reinterpret_cast<const char*>(raw), 32)};
}

std::vector<std::string_view> Request(std::string_view mechanism, std::string_view credential) {
  return {"1.0", "id-1", "chatctl-mesh", "127.0.0.1", "", mechanism, credential};
}

}  // namespace

TEST_CASE("a CURVE client whose key is trusted is admitted, under its Z85 key", "[mesh_security]") {
  RawKey key = NewKey();
  auto verdict = JudgeZapRequest(Request("CURVE", key.bytes), {key.z85});
  REQUIRE(verdict);
  CHECK(verdict->trusted);
  CHECK(verdict->client_key == key.z85);
}

TEST_CASE("a CURVE client whose key is not trusted is refused", "[mesh_security]") {
  RawKey key = NewKey();
  RawKey other = NewKey();
  auto verdict = JudgeZapRequest(Request("CURVE", key.bytes), {other.z85});
  REQUIRE(verdict);
  CHECK_FALSE(verdict->trusted);
  CHECK(verdict->client_key == key.z85);
}

TEST_CASE("a client without a CURVE key is refused", "[mesh_security]") {
  RawKey key = NewKey();
  auto plain = JudgeZapRequest(Request("PLAIN", key.bytes), {key.z85});
  REQUIRE(plain);
  CHECK_FALSE(plain->trusted);
  CHECK(plain->client_key.empty());
  auto short_key = JudgeZapRequest(Request("CURVE", key.bytes.substr(0, 31)), {key.z85});
  REQUIRE(short_key);
  CHECK_FALSE(short_key->trusted);
  std::vector<std::string_view> no_credential = {"1.0", "id", "d", "a", "", "CURVE"};
  auto none = JudgeZapRequest(no_credential, {key.z85});
  REQUIRE(none);
  CHECK_FALSE(none->trusted);
}

TEST_CASE("fewer than six frames is not a ZAP request", "[mesh_security]") {
  std::vector<std::string_view> frames = {"1.0", "id", "d", "a", ""};
  CHECK_FALSE(JudgeZapRequest(frames, {}));
}

TEST_CASE("a plain mesh takes any server key and a secured one only a Z85 key", "[mesh_security]") {
  MeshSecurity plain(std::nullopt);
  CHECK_FALSE(plain.secured());
  CHECK(plain.own_key().empty());
  CHECK(plain.UsableServerKey(""));
  CHECK(plain.zap() == nullptr);

  RawKey key = NewKey();
  auto pair = GenerateKeyPair();
  REQUIRE(pair.ok());
  MeshSecurity secured(MeshKeys{pair->public_key, pair->secret_key, {key.z85}});
  CHECK(secured.secured());
  CHECK(secured.own_key() == pair->public_key);
  CHECK(secured.UsableServerKey(key.z85));
  CHECK_FALSE(secured.UsableServerKey(""));
  CHECK_FALSE(secured.UsableServerKey("not a key"));
}

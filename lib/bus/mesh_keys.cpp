// Mesh key files (see mesh_keys.h). The keys come from libzmq's CURVE (libsodium underneath).
#include "lib/bus/mesh_keys.h"

#include <zmq.h>

#include <fstream>
#include <sstream>

namespace chatctl::bus {
namespace {

std::string Trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

Result<std::string> ReadWhole(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Error{"bad_request", std::string("cannot read ") + what + " " + path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool IsZ85Key(const std::string& key) {
  if (key.size() != 40) return false;
  unsigned char raw[32];
  return zmq_z85_decode(raw, key.c_str()) != nullptr;
}

Result<KeyPair> GenerateKeyPair() {
  char pub[41];
  char sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) {
    return Error{"unavailable", "this libzmq was built without CURVE support"};
  }
  return KeyPair{pub, sec};
}

std::string FormatKeyFile(const KeyPair& pair) {
  return "# chatctl mesh key pair: keep this file secret; share only the public key.\n"
         "public = " +
         pair.public_key + "\nsecret = " + pair.secret_key + "\n";
}

Result<KeyPair> ReadKeyFile(const std::string& path) {
  auto text = ReadWhole(path, "mesh key file");
  if (!text.ok()) return text.error();
  KeyPair pair;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;  // Z85 has '#': only a leading one comments
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (name == "public") pair.public_key = value;
    if (name == "secret") pair.secret_key = value;
  }
  if (!IsZ85Key(pair.public_key) || !IsZ85Key(pair.secret_key)) {
    return Error{"bad_request", "mesh key file " + path +
                                    " needs 'public = KEY' and 'secret = KEY' lines (Z85, 40 "
                                    "characters); make one with chatctl admin mesh-keygen"};
  }
  return pair;
}

Result<std::set<std::string>> ReadTrustFile(const std::string& path) {
  auto text = ReadWhole(path, "mesh trust file");
  if (!text.ok()) return text.error();
  std::set<std::string> keys;
  std::istringstream lines(*text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::string key = line.substr(0, line.find_first_of(" \t"));
    // Z85 uses '#', so only a line that starts with it is a comment.
    if (!IsZ85Key(key)) {
      return Error{"bad_request", "mesh trust file " + path + " line " + std::to_string(number) +
                                      ": not a public key (Z85, 40 characters)"};
    }
    keys.insert(key);
  }
  if (keys.empty()) return Error{"bad_request", "mesh trust file " + path + " lists no keys"};
  return keys;
}

}  // namespace chatctl::bus

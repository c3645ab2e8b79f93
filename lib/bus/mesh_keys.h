// CURVE keys for the mesh: a node's key pair (`chatctl admin mesh-keygen`, `serve --mesh-key`) and
// the public keys of the nodes it trusts (`serve --mesh-trust`). Keys are Z85 text, 40 characters.
#pragma once

#include <set>
#include <string>

#include "lib/result.h"

namespace chatctl::bus {

struct MeshKeys {
  std::string public_key;
  std::string secret_key;
  std::set<std::string> trusted;  // public keys whose nodes may connect
};

struct KeyPair {
  std::string public_key;
  std::string secret_key;
};

Result<KeyPair> GenerateKeyPair();
// The key file: "public = KEY" and "secret = KEY" lines; `#` starts a comment.
std::string FormatKeyFile(const KeyPair& pair);
Result<KeyPair> ReadKeyFile(const std::string& path);
// One public key per line (the first word; the rest of the line is free for a note); `#` comments.
Result<std::set<std::string>> ReadTrustFile(const std::string& path);
bool IsZ85Key(const std::string& key);

}  // namespace chatctl::bus

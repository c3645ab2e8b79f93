// Logins and sign-up over WebSocket: `hello` with a token, a name (open mode) or a password, and
// `register`. Passwords are checked and hashed on the password worker; everything else runs on
// the gateway thread, which owns this object. Password attempts are budgeted per client address
// and per user name before any hashing is queued, and the hashing itself takes turns between
// addresses: argon2id is slow on purpose, guessing should be too, and one address's flood must not
// hold up anyone else's login.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "lib/protocol.h"
#include "lib/result.h"
#include "lib/store.h"
#include "relay/gateway_context.h"
#include "relay/handlers/login_budget.h"
#include "relay/handlers/password_turns.h"

namespace chatctl::relay {

// On a worker: the argon2id hash for a new account of `user`, or conflict when the name has an
// account already (sign-up and the admin API's user add share this).
Result<std::string> HashForNewAccount(Store& store, const std::string& user,
                                      const std::string& password);

// The close code for a refusal of a user: 4401 for unauthorized, 4403 for the rest.
std::uint16_t CloseCodeFor(const Error& refused);

class Accounts {
 public:
  explicit Accounts(GatewayContext& gw);

  void Hello(Session& s, const protocol::Ref& ref, const protocol::Hello& hello);
  void Register(Session& s, const protocol::Ref& ref, const protocol::Register& r);
  // On the tick: budgets refilled to the full burst need no memory.
  void ForgetRefilledBudgets(std::int64_t now_ms);

 private:
  void PasswordHello(Session& s, const protocol::Ref& ref, const std::string& user,
                     const std::string& password);
  void Welcome(Session& s, const std::string& user, bool admin, bool with_token);

  GatewayContext& gw_;
  LoginBudget attempts_;          // password attempts per client address and per user name
  PasswordTurns password_turns_;  // the password worker's jobs, in turns between addresses
};

}  // namespace chatctl::relay

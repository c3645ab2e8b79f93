// How many password attempts a client address, and a target user name, may make: a burst, then
// a steady trickle. An attempt is charged when it is admitted, before any argon2id work is queued,
// so a flood of logins opened at once is refused (close 4429) after the burst instead of queueing
// minutes of hashing; a login that succeeds gives its attempt back. Gateway thread only.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "relay/sessions/session.h"

namespace chatctl::relay {

class LoginBudget {
 public:
  struct Rate {
    double per_second;
    double burst;
  };
  // Give a name a larger burst than an address, so that one address alone can never spend a
  // user's budget and lock its owner out.
  LoginBudget(Rate per_address, Rate per_user) : per_address_(per_address), per_user_(per_user) {}

  enum class Verdict { kAllowed, kAddressSpent, kUserSpent };
  // Takes one attempt from both the address's and the user name's budget, or from neither when
  // either is spent (and says which).
  Verdict TryTake(const std::string& address, const std::string& user, std::int64_t now_ms);
  // A login that succeeded: its attempt goes back to both budgets.
  void GiveBack(const std::string& address, const std::string& user, std::int64_t now_ms);
  // Budgets refilled to the full burst need no memory.
  void ForgetRefilled(std::int64_t now_ms);

 private:
  static TokenBucket& For(std::unordered_map<std::string, TokenBucket>& map, const std::string& key,
                          Rate rate);

  const Rate per_address_, per_user_;
  std::unordered_map<std::string, TokenBucket> by_address_;
  std::unordered_map<std::string, TokenBucket> by_user_;
};

}  // namespace chatctl::relay

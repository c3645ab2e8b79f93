// Password attempts per address and per user name (see login_budget.h).
#include "relay/handlers/login_budget.h"

namespace chatctl::relay {

TokenBucket& LoginBudget::For(std::unordered_map<std::string, TokenBucket>& map,
                              const std::string& key, Rate rate) {
  return map.try_emplace(key, rate.per_second, rate.burst).first->second;
}

LoginBudget::Verdict LoginBudget::TryTake(const std::string& address, const std::string& user,
                                          std::int64_t now_ms) {
  TokenBucket& by_address = For(by_address_, address, per_address_);
  TokenBucket& by_user = For(by_user_, user, per_user_);
  if (!by_address.Peek(now_ms)) return Verdict::kAddressSpent;
  if (!by_user.Peek(now_ms)) return Verdict::kUserSpent;
  by_address.Take(now_ms);
  by_user.Take(now_ms);
  return Verdict::kAllowed;
}

void LoginBudget::GiveBack(const std::string& address, const std::string& user,
                           std::int64_t now_ms) {
  For(by_address_, address, per_address_).Give(now_ms);
  For(by_user_, user, per_user_).Give(now_ms);
}

void LoginBudget::ForgetRefilled(std::int64_t now_ms) {
  for (auto* map : {&by_address_, &by_user_}) {
    for (auto it = map->begin(); it != map->end();) {
      it = it->second.Full(now_ms) ? map->erase(it) : std::next(it);
    }
  }
}

}  // namespace chatctl::relay

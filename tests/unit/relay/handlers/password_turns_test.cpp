// Password work in turns between addresses, and the attempt budget charged before any of it.
#include "relay/handlers/password_turns.h"

#include <catch2/catch.hpp>

#include <vector>

#include "relay/handlers/login_budget.h"

namespace chatctl::relay {
namespace {

// Stands in for the password worker: remembers each started job's address and its `finished`.
struct FakeWorker {
  std::vector<std::string> started;
  std::vector<PasswordTurns::Finished> running;

  PasswordTurns::Job Job(const std::string& address) {
    return [this, address](PasswordTurns::Finished finished) {
      started.push_back(address);
      running.push_back(std::move(finished));
      return true;
    };
  }
  // The oldest running job's work is done.
  void FinishOne() {
    auto finished = std::move(running.front());
    running.erase(running.begin());
    finished();
  }
};

TEST_CASE("a flooding address holds only its share and another address waits for one turn of it",
          "[password][login]") {
  PasswordTurns turns({/*running=*/1, /*per_address=*/4, /*waiting=*/256});
  FakeWorker worker;
  int refused = 0;
  for (int i = 0; i < 100; ++i) {
    if (!turns.Add("127.0.0.1", worker.Job("127.0.0.1"))) ++refused;
  }
  CHECK(turns.running() == 1);
  CHECK(turns.waiting() == 4);  // the flood's share; the rest refused at once
  CHECK(refused == 95);
  REQUIRE(turns.Add("127.0.0.2", worker.Job("127.0.0.2")));
  // The other address waits for the flood's turn that came before it, not for its whole line.
  worker.FinishOne();
  worker.FinishOne();
  CHECK(worker.started == std::vector<std::string>{"127.0.0.1", "127.0.0.1", "127.0.0.2"});
}

TEST_CASE("addresses take turns: one job each, round and round", "[password][login]") {
  PasswordTurns turns({/*running=*/1, /*per_address=*/4, /*waiting=*/256});
  FakeWorker worker;
  REQUIRE(turns.Add("a", worker.Job("a")));  // starts at once
  for (int i = 0; i < 3; ++i) REQUIRE(turns.Add("a", worker.Job("a")));
  for (int i = 0; i < 2; ++i) REQUIRE(turns.Add("b", worker.Job("b")));
  REQUIRE(turns.Add("c", worker.Job("c")));
  while (!worker.running.empty()) worker.FinishOne();
  CHECK(worker.started == std::vector<std::string>{"a", "a", "b", "c", "a", "b", "a"});
  CHECK(turns.waiting() == 0);
  CHECK(turns.running() == 0);
}

TEST_CASE("every place taken refuses a new address too", "[password][login]") {
  PasswordTurns turns({/*running=*/1, /*per_address=*/2, /*waiting=*/3});
  FakeWorker worker;
  REQUIRE(turns.Add("a", worker.Job("a")));  // running
  REQUIRE(turns.Add("a", worker.Job("a")));
  REQUIRE(turns.Add("b", worker.Job("b")));
  REQUIRE(turns.Add("c", worker.Job("c")));
  CHECK_FALSE(turns.Add("d", worker.Job("d")));
  worker.FinishOne();
  CHECK(turns.Add("d", worker.Job("d")));
}

TEST_CASE("a job whose connection went away starts nothing and frees its place at once",
          "[password][login]") {
  PasswordTurns turns({/*running=*/1, /*per_address=*/4, /*waiting=*/256});
  FakeWorker worker;
  REQUIRE(turns.Add("a", worker.Job("a")));
  REQUIRE(turns.Add("gone", [](PasswordTurns::Finished) { return false; }));
  REQUIRE(turns.Add("b", worker.Job("b")));
  worker.FinishOne();
  CHECK(worker.started == std::vector<std::string>{"a", "b"});
  CHECK(turns.running() == 1);
}

bool Allowed(LoginBudget& budget, const std::string& address, const std::string& user,
             std::int64_t now) {
  return budget.TryTake(address, user, now) == LoginBudget::Verdict::kAllowed;
}

TEST_CASE("the attempt budget is charged on admission and a success gives it back",
          "[password][login]") {
  LoginBudget budget({/*per_second=*/0.2, /*burst=*/3}, {/*per_second=*/0.2, /*burst=*/3});
  std::int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) REQUIRE(Allowed(budget, "127.0.0.1", "u" + std::to_string(i), now));
  CHECK(budget.TryTake("127.0.0.1", "u9", now) == LoginBudget::Verdict::kAddressSpent);
  budget.GiveBack("127.0.0.1", "u0", now);
  CHECK(Allowed(budget, "127.0.0.1", "u9", now));
  CHECK(Allowed(budget, "127.0.0.2", "alice", now + 5'000));  // another address is untouched
}

TEST_CASE("guesses at one user name from many addresses spend that name's budget only",
          "[password][login]") {
  LoginBudget budget({/*per_second=*/0.2, /*burst=*/10}, {/*per_second=*/0.2, /*burst=*/3});
  std::int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) REQUIRE(Allowed(budget, "10.0.0." + std::to_string(i), "alice", now));
  CHECK(budget.TryTake("10.0.0.9", "alice", now) == LoginBudget::Verdict::kUserSpent);
  CHECK(Allowed(budget, "10.0.0.9", "bob", now));
  // Refilled over time: one attempt every 5 s.
  CHECK(Allowed(budget, "10.0.0.10", "alice", now + 5'000));
  budget.ForgetRefilled(now + 60'000);
  for (int i = 0; i < 3; ++i) CHECK(Allowed(budget, "10.0.0.11", "alice", now + 60'000));
}

}  // namespace
}  // namespace chatctl::relay

namespace chatctl::relay {
namespace {

TEST_CASE("one address alone cannot spend a user name's larger budget", "[password][login]") {
  LoginBudget budget({/*per_second=*/0.2, /*burst=*/10}, {/*per_second=*/0.5, /*burst=*/30});
  std::int64_t now = 1'000'000;
  int taken = 0;
  for (int i = 0; i < 100; ++i) {
    if (budget.TryTake("127.0.0.1", "alice", now) == LoginBudget::Verdict::kAllowed) ++taken;
  }
  CHECK(taken == 10);
  CHECK(budget.TryTake("127.0.0.2", "alice", now) == LoginBudget::Verdict::kAllowed);
}

}  // namespace
}  // namespace chatctl::relay

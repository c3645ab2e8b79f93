// How fast the admin API's user search answers on a big directory, on a real file in a temp
// directory: N accounts (argv[1], default 1,000,000) made by user.add events in batches of 1000
// (as the store writer folds them), then 10,000 prefix searches of 1 to 4 characters, each asking
// for the first 100 names, on a reader connection (as the node's query worker does them). The
// hash is one real argon2id string shared by every account: hashing a million passwords would
// measure libsodium, not the index.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/auth/password.h"
#include "lib/control.h"
#include "lib/state_tables.h"
#include "lib/store.h"

namespace {

constexpr std::size_t kBatch = 1000;
constexpr int kSearches = 10000;
constexpr int kPage = 100;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Fail(const char* what, const chatctl::Error& error) {
  std::fprintf(stderr, "%s: %s: %s\n", what, error.code.c_str(), error.message.c_str());
  return 1;
}

// A name like real ones: 4 to 12 letters and digits, unique by its numeric suffix.
std::string NameFor(std::uint64_t n, std::mt19937_64& rng) {
  static const char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  std::uniform_int_distribution<int> letter(0, 25), length(3, 8);
  std::string name;
  for (int i = length(rng); i > 0; --i) name += kLetters[letter(rng)];
  return name + std::to_string(n);
}

int Run(const std::string& dir, std::uint64_t total) {
  const std::string path = dir + "/bench.db";
  auto writer = chatctl::Store::OpenWriter(path, chatctl::Durability::kNormal);
  if (!writer.ok()) return Fail("open writer", writer.error());
  auto reader = chatctl::Store::OpenReader(path);
  if (!reader.ok()) return Fail("open reader", reader.error());
  auto hash = chatctl::HashPassword("one password for every account");
  if (!hash.ok()) return Fail("hash", hash.error());
  std::string args = nlohmann::json({{"hash", *hash}, {"admin", false}}).dump();

  std::mt19937_64 rng(42);
  const std::uint64_t base_ms = 150'000'000'000;
  std::vector<chatctl::Message> batch;
  batch.reserve(kBatch);
  auto start = Clock::now();
  for (std::uint64_t seq = 1; seq <= total; ++seq) {
    chatctl::MessageId id = ((base_ms + seq / 4096) << 22) | (7u << 12) | (seq % 4096);
    chatctl::Message m = chatctl::control::MakeEvent(chatctl::control::kUserAdd,
                                                     chatctl::control::UserKey(NameFor(seq, rng)),
                                                     "op", args, id, 7);
    m.seq = seq;
    batch.push_back(std::move(m));
    if (batch.size() == kBatch || seq == total) {
      chatctl::Status status = (*writer)->Append(batch);
      if (!status.ok()) return Fail("append", status.error());
      batch.clear();
    }
  }
  double fill = Seconds(Clock::now() - start);
  std::printf("added %llu accounts in %.2f s: %.0f user.add events/s folded (batches of %zu)\n",
              static_cast<unsigned long long>(total), fill, static_cast<double>(total) / fill,
              kBatch);

  std::vector<double> micros;
  micros.reserve(kSearches);
  std::size_t rows = 0;
  std::uniform_int_distribution<int> letter(0, 25), length(1, 4);
  for (int i = 0; i < kSearches; ++i) {
    std::string prefix;
    for (int n = length(rng); n > 0; --n) prefix += static_cast<char>('a' + letter(rng));
    auto t0 = Clock::now();
    auto page = (*reader)->state().Users(prefix, "", kPage);
    auto t1 = Clock::now();
    if (!page.ok()) return Fail("search", page.error());
    rows += page->size();
    micros.push_back(Seconds(t1 - t0) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&micros](double q) {
    return micros[std::min(micros.size() - 1,
                           static_cast<std::size_t>(q * static_cast<double>(micros.size())))];
  };
  std::printf(
      "Users(prefix of 1-4 letters, first %d) x %d on a reader: p50 %.1f us, p99 %.1f us, max "
      "%.1f us (%.1f rows per answer)\n",
      kPage, kSearches, at(0.50), at(0.99), micros.back(), static_cast<double>(rows) / kSearches);
  std::printf("file: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t total = 1'000'000;
  if (argc > 1) {
    char* end = nullptr;
    total = std::strtoull(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || total == 0 || argc > 2) {
      std::fprintf(stderr, "usage: %s [accounts, default 1000000]\n", argv[0]);
      return 2;
    }
  }
  char dir[] = "/tmp/chatctl-user-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  int rc = Run(dir, total);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return rc;
}

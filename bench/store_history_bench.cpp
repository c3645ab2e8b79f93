// How fast the store takes group commits and answers the join-time read, on a real file in a temp
// directory: N messages (argv[1], default 1,000,000) over C channels (argv[2], default 100) in
// batches of 1000, then 10,000 Newest(channel, 50) on a reader connection, as the node's history
// reader does them, and 10,000 joins with a resume cursor about 50 messages behind (the read
// transaction, the heads and the per-origin replay). `store_history_bench 10000000 1` is the "one
// channel of 10 M" case.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "lib/store.h"

namespace {

constexpr std::size_t kBatch = 1000;
constexpr int kReads = 10000;
constexpr int kPage = 50;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Fail(const char* what, const chatctl::Error& error) {
  std::fprintf(stderr, "%s: %s: %s\n", what, error.code.c_str(), error.message.c_str());
  return 1;
}

int Run(const std::string& dir, std::uint64_t total, int channel_count) {
  const std::string path = dir + "/bench.db";
  auto writer = chatctl::Store::OpenWriter(path, chatctl::Durability::kNormal);
  if (!writer.ok()) return Fail("open writer", writer.error());
  auto reader = chatctl::Store::OpenReader(path);
  if (!reader.ok()) return Fail("open reader", reader.error());

  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> pick_channel(0, channel_count - 1);
  std::vector<std::string> channels;
  for (int c = 0; c < channel_count; ++c) channels.push_back("channel-" + std::to_string(c));

  // Ids shaped like the node's Snowflakes (ms << 22 | node << 12 | seq) so that they are as wide.
  const std::uint64_t base_ms = 150'000'000'000;
  std::vector<chatctl::Message> batch;
  batch.reserve(kBatch);
  auto start = Clock::now();
  for (std::uint64_t seq = 1; seq <= total; ++seq) {
    chatctl::Message m;
    m.id = ((base_ms + seq / 4096) << 22) | (7u << 12) | (seq % 4096);
    m.channel = channels[pick_channel(rng)];
    m.from = "user" + std::to_string(seq % 977);
    m.text = "a message of an ordinary length, about as long as a chat line " + std::to_string(seq);
    m.ts = static_cast<std::int64_t>(base_ms + seq / 4096);
    m.origin = 7;
    m.seq = seq;
    batch.push_back(std::move(m));
    if (batch.size() == kBatch || seq == total) {
      chatctl::Status status = (*writer)->Append(batch);
      if (!status.ok()) return Fail("append", status.error());
      batch.clear();
    }
  }
  double fill = Seconds(Clock::now() - start);
  std::printf("appended %llu messages in %.2f s: %.0f appends/s (batches of %zu, %d channels)\n",
              static_cast<unsigned long long>(total), fill, static_cast<double>(total) / fill,
              kBatch, channel_count);

  std::vector<double> micros;
  micros.reserve(kReads);
  std::size_t rows = 0;
  for (int i = 0; i < kReads; ++i) {
    const std::string& channel = channels[pick_channel(rng)];
    auto t0 = Clock::now();
    auto page = (*reader)->Newest(channel, kPage);
    auto t1 = Clock::now();
    if (!page.ok()) return Fail("newest", page.error());
    rows += page->messages.size();
    micros.push_back(Seconds(t1 - t0) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&micros](double q) {
    return micros[std::min(micros.size() - 1,
                           static_cast<std::size_t>(q * static_cast<double>(micros.size())))];
  };
  std::printf(
      "Newest(channel, %d) x %d on a reader: p50 %.1f us, p99 %.1f us, max %.1f us "
      "(%.1f rows per page)\n",
      kPage, kReads, at(0.50), at(0.99), micros.back(), static_cast<double>(rows) / kReads);

  // A resume cursor about 50 of the channel's messages behind the head, as a client that was away
  // for a moment brings back.
  std::vector<double> cursor_micros;
  cursor_micros.reserve(kReads);
  std::size_t cursor_rows = 0;
  const std::uint64_t behind = std::min<std::uint64_t>(
      total, static_cast<std::uint64_t>(kPage) * static_cast<std::uint64_t>(channel_count));
  for (int i = 0; i < kReads; ++i) {
    const std::string& channel = channels[pick_channel(rng)];
    chatctl::ResumeCursor seen{{7, total - behind}};
    auto t0 = Clock::now();
    chatctl::Status begun = (*reader)->BeginRead();
    if (!begun.ok()) return Fail("begin read", begun.error());
    auto heads = (*reader)->Heads();
    if (!heads.ok()) return Fail("heads", heads.error());
    auto read = (*reader)->AfterCursor(channel, seen, *heads, 1000);
    (*reader)->EndRead();
    auto t1 = Clock::now();
    if (!read.ok()) return Fail("after cursor", read.error());
    cursor_rows += read->page.messages.size();
    cursor_micros.push_back(Seconds(t1 - t0) * 1e6);
  }
  std::sort(cursor_micros.begin(), cursor_micros.end());
  auto cursor_at = [&cursor_micros](double q) {
    return cursor_micros[std::min(
        cursor_micros.size() - 1,
        static_cast<std::size_t>(q * static_cast<double>(cursor_micros.size())))];
  };
  std::printf(
      "join with a cursor x %d on a reader: p50 %.1f us, p99 %.1f us, max %.1f us "
      "(%.1f rows per replay)\n",
      kReads, cursor_at(0.50), cursor_at(0.99), cursor_micros.back(),
      static_cast<double>(cursor_rows) / kReads);
  std::printf("file: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));
  return 0;
}

}  // namespace

// A positive integer argument, or 0 when it is not one.
std::uint64_t PositiveArg(const char* text) {
  char* end = nullptr;
  std::uint64_t value = std::strtoull(text, &end, 10);
  return end == text || *end != '\0' ? 0 : value;
}

int main(int argc, char** argv) {
  std::uint64_t total = argc > 1 ? PositiveArg(argv[1]) : 1'000'000;
  std::uint64_t channels = argc > 2 ? PositiveArg(argv[2]) : 100;
  if (argc > 3 || total == 0 || channels == 0 || channels > 100000) {
    std::fprintf(stderr, "usage: %s [messages, default 1000000] [channels, default 100]\n",
                 argv[0]);
    return 2;
  }
  char dir[] = "/tmp/chatctl-store-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  int rc = Run(dir, total, static_cast<int>(channels));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return rc;
}

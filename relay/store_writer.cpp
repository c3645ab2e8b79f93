// The store writer thread (see store_writer.h).
#include "relay/store_writer.h"

#include "lib/log.h"
#include "lib/state_tables.h"
#include "lib/thread_name.h"

namespace chatctl::relay {
namespace {
// Big enough to amortize an fsync-free WAL commit, small enough to ack promptly.
constexpr std::size_t kMaxBatch = 4096;
// A WAL past this many frames (4 KiB each: 16 MiB) is started over, once copying its rest is cheap.
constexpr int kWalFramesBeforeRestart = 4096;
constexpr int kCatchUpFrames = 256;
}  // namespace

Result<std::unique_ptr<StoreWriter>> StoreWriter::Start(std::unique_ptr<Store> store,
                                                        unsigned node_id,
                                                        std::size_t queue_capacity, Deliver deliver,
                                                        const Checkpointer* checkpointer,
                                                        ThreadFailed failed) {
  auto head = store->HeadSeq(node_id);
  if (!head.ok()) return head.error();
  return std::unique_ptr<StoreWriter>(new StoreWriter(std::move(store), node_id, *head,
                                                      queue_capacity, std::move(deliver),
                                                      checkpointer, std::move(failed)));
}

StoreWriter::StoreWriter(std::unique_ptr<Store> store, unsigned node_id, std::uint64_t head_seq,
                         std::size_t queue_capacity, Deliver deliver,
                         const Checkpointer* checkpointer, ThreadFailed failed)
    : store_(std::move(store)),
      node_id_(node_id),
      head_seq_(head_seq),
      queue_(queue_capacity),
      deliver_(std::move(deliver)),
      checkpointer_(checkpointer),
      failed_(std::move(failed)) {
  thread_ = std::thread([this] {
    NameThisThread("writer");
    RunAtThreadEdge(
        "writer", [this] { Run(); }, failed_);
  });
}

StoreWriter::~StoreWriter() { Stop(); }

void StoreWriter::Stop() {
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

void StoreWriter::Run() {
  std::vector<Message> batch;
  for (;;) {
    std::vector<WriteJob> jobs = queue_.PopBatch(kMaxBatch);
    if (jobs.empty()) return;  // closed and drained
    batch.clear();
    std::uint64_t seq = head_seq_;
    for (auto& job : jobs) {
      if (job.message.origin == node_id_ && job.message.seq == 0) job.message.seq = ++seq;
      batch.push_back(job.message);
    }
    Committed result;
    Status status = store_->Append(batch);
    if (status.ok()) {
      head_seq_ = seq;
      ReadBackState(jobs);
    } else {
      log::Error("store commit failed",
                 {{"error", status.error().message}, {"messages", std::to_string(jobs.size())}});
      result.status = status;
    }
    result.jobs = std::move(jobs);
    deliver_(std::move(result));
    MaybeRestartWal();
  }
}

// The gateway keeps a copy of rooms and restricted users, and tells sessions what changed: each
// control event carries back the state its key has now. A failed read leaves the copy as it was
// until the key's next event; the store itself is right either way.
void StoreWriter::ReadBackState(std::vector<WriteJob>& jobs) {
  for (auto& job : jobs) {
    const Message& m = job.message;
    if (!m.is_control() || m.channel.size() < 2) continue;
    std::string name = control::KeyName(m.channel);
    StateTables& state = store_->state();
    if (m.channel[0] == '@') {
      auto user = state.User(name);
      if (user.ok() && user->has_value()) job.user_after = std::move(**user);
    } else if (m.channel[0] == '#') {
      auto room = state.Room(name);
      if (room.ok()) job.room_after = std::move(*room);
    } else if (auto id = ParseId(name)) {
      auto msg = state.State(*id);
      if (msg.ok() && msg->has_value()) job.message_after = std::move(**msg);
    }
  }
}

// SQLite starts the WAL over when a commit begins with all of it copied into the database. Under
// steady writes the checkpointer thread never catches that moment (frames land while it copies),
// so the WAL would grow without end. Once it is long and the checkpointer has just copied nearly
// all of it, the writer copies the last few frames itself, a fraction of a millisecond, and its
// next commit starts the WAL over.
void StoreWriter::MaybeRestartWal() {
  if (checkpointer_ == nullptr) return;
  int frames = store_->WalFrames();
  if (frames < kWalFramesBeforeRestart) return;
  if (frames - checkpointer_->backfilled_frames() > kCatchUpFrames) return;
  auto done = store_->Checkpoint(/*wait=*/false);
  if (!done.ok()) log::Warn("checkpoint failed", {{"error", done.error().message}});
}

}  // namespace chatctl::relay

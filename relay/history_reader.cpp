// The history reader thread (see history_reader.h).
#include "relay/history_reader.h"

#include "lib/thread_name.h"

namespace chatctl::relay {

HistoryReader::HistoryReader(std::unique_ptr<Store> store, std::size_t queue_capacity,
                             Deliver deliver, ThreadFailed failed)
    : store_(std::move(store)),
      queue_(queue_capacity),
      deliver_(std::move(deliver)),
      failed_(std::move(failed)) {
  thread_ = std::thread([this] {
    NameThisThread("history");
    RunAtThreadEdge(
        "history", [this] { Run(); }, failed_);
  });
}

HistoryReader::~HistoryReader() { Stop(); }

void HistoryReader::Stop() {
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

Result<Page> HistoryReader::Read(const ReadJob& job) {
  switch (job.kind) {
    case ReadJob::Kind::kJoinLast:
      return store_->Newest(job.channel, job.limit, job.floor);
    case ReadJob::Kind::kJoinSince:
      return store_->After(job.channel, job.anchor, job.limit, job.floor);
    case ReadJob::Kind::kHistory:
      if (job.anchor == 0) return store_->Newest(job.channel, job.limit, job.floor);
      return store_->Before(job.channel, job.anchor, job.limit, job.floor);
  }
  return Error{"internal", "unknown read"};
}

void HistoryReader::Run() {
  for (;;) {
    std::vector<ReadJob> jobs = queue_.PopBatch(64);
    if (jobs.empty()) return;
    for (auto& job : jobs) {
      ReadDone done{std::move(job), Page{}};
      done.page = Read(done.job);
      deliver_(std::move(done));
    }
  }
}

}  // namespace chatctl::relay

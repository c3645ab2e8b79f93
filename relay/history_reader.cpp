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
    case ReadJob::Kind::kJoinCursor:
      break;  // ReadJoin
    case ReadJob::Kind::kHistory:
      if (job.anchor == 0) return store_->Newest(job.channel, job.limit, job.floor);
      return store_->Before(job.channel, job.anchor, job.limit, job.floor);
  }
  return Error{"internal", "unknown read"};
}

void HistoryReader::ReadJoin(ReadDone& done) {
  const ReadJob& job = done.job;
  if (Status begun = store_->BeginRead(); !begun.ok()) {
    done.page = begun.error();
    return;
  }
  auto heads = store_->Heads();
  if (!heads.ok()) {
    store_->EndRead();
    done.page = heads.error();
    return;
  }
  done.heads = std::move(heads).value();
  if (job.kind == ReadJob::Kind::kJoinCursor) {
    auto read = store_->AfterCursor(job.channel, job.seen, done.heads, job.limit, job.floor);
    if (read.ok()) {
      done.cursor = std::move(read->next);
      done.page = std::move(read->page);
    } else {
      done.page = read.error();
    }
  } else {
    done.page = Read(job);
    // Everything up to the heads was there for this read to see; a cut `since` page was not.
    bool cut = job.kind == ReadJob::Kind::kJoinSince && done.page.ok() && done.page->more;
    if (!cut) done.cursor = done.heads;
  }
  store_->EndRead();
}

void HistoryReader::Run() {
  for (;;) {
    std::vector<ReadJob> jobs = queue_.PopBatch(64);
    if (jobs.empty()) return;
    for (auto& job : jobs) {
      ReadDone done{std::move(job), Page{}, {}, {}};
      if (done.job.kind == ReadJob::Kind::kHistory) {
        done.page = Read(done.job);
      } else {
        ReadJoin(done);
      }
      deliver_(std::move(done));
    }
  }
}

}  // namespace chatctl::relay

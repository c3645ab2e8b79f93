// The gateway's door to the store writer (see committer.h).
#include "relay/committer.h"

#include <algorithm>

#include "relay/store_writer.h"

namespace chatctl::relay {

void Committer::Queue(WriteJob job) {
  frame_jobs_.push_back(std::move(job));
  ++in_flight_;
}

void Committer::Flush() {
  if (frame_jobs_.empty()) return;
  if (!writer_->SubmitAll(std::move(frame_jobs_))) {  // the queue took none of them
    in_flight_ -= frame_jobs_.size();
    for (const WriteJob& job : frame_jobs_) refused_(job);
  }
  frame_jobs_.clear();
}

bool Committer::Submit(WriteJob job) {
  Flush();
  if (!writer_->Submit(std::move(job))) return false;
  ++in_flight_;
  return true;
}

void Committer::Done(const Committed& committed) {
  std::uint64_t local = 0;
  for (const auto& job : committed.jobs) local += job.remote ? 0 : 1;
  in_flight_ -= std::min(in_flight_, local);
}

}  // namespace chatctl::relay

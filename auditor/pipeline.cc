#include "auditor/pipeline.h"

#include <algorithm>
#include <utility>

namespace chipledger::audit {

struct VerifyPipeline::Chunk {
  std::vector<std::string> bytes;
  size_t byte_count = 0;
  std::vector<PreparedEntry> prepared;
  bool ready = false;  // prepared holds every entry
};

unsigned DefaultJobs() { return std::max(1u, std::thread::hardware_concurrency()); }

VerifyPipeline::VerifyPipeline(Verifier* verifier, unsigned jobs, Sink sink, Annotate annotate)
    : verifier_(verifier),
      sink_(std::move(sink)),
      annotate_(std::move(annotate)),
      filling_(std::make_unique<Chunk>()),
      max_in_flight_(2 * size_t{jobs} + 2) {
  // The agents' keys so far: the log key, or every agent's after resuming from a snapshot.
  verifier_->RememberKeys(&keys_);
  for (unsigned i = 1; i < jobs; ++i) workers_.emplace_back([this] { Work(); });
}

VerifyPipeline::~VerifyPipeline() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

PreparedEntry VerifyPipeline::Prepare(std::string_view entry_bytes) const {
  PreparedEntry prepared = Verifier::Prepare(entry_bytes);
  if (annotate_ && prepared.entry && prepared.candidate) {
    prepared.note = annotate_(*prepared.entry, prepared.candidate->event);
  }
  return prepared;
}

void VerifyPipeline::Push(std::string_view entry_bytes) {
  if (workers_.empty()) {
    sink_(verifier_->Add(Prepare(entry_bytes)));
    return;
  }
  filling_->bytes.emplace_back(entry_bytes);
  filling_->byte_count += entry_bytes.size();
  if (filling_->bytes.size() >= kChunkEntries || filling_->byte_count >= kChunkBytes) Submit();
}

void VerifyPipeline::Drain() {
  if (!filling_->bytes.empty()) Submit();
  while (ConsumeOldest(/*wait=*/true)) {
  }
}

void VerifyPipeline::Submit() {
  // Make room first: this bounds memory, and the oldest chunk is the one the sink waits for.
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (in_flight_.size() < max_in_flight_) break;
    }
    ConsumeOldest(/*wait=*/true);
  }
  {
    std::lock_guard lock(mu_);
    to_prepare_.push_back(filling_.get());
    in_flight_.push_back(std::exchange(filling_, std::make_unique<Chunk>()));
  }
  queued_.notify_one();
  while (ConsumeOldest(/*wait=*/false)) {
  }
}

void VerifyPipeline::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !to_prepare_.empty(); });
    if (stopping_) return;
    PrepareNext(lock);
  }
}

void VerifyPipeline::PrepareNext(std::unique_lock<std::mutex>& lock) {
  Chunk* chunk = to_prepare_.front();
  to_prepare_.pop_front();
  lock.unlock();
  chunk->prepared.reserve(chunk->bytes.size());
  for (const std::string& bytes : chunk->bytes) chunk->prepared.push_back(Prepare(bytes));
  for (PreparedEntry& prepared : chunk->prepared) Verifier::VerifyAhead(&prepared, &keys_);
  chunk->bytes.clear();
  chunk->bytes.shrink_to_fit();
  lock.lock();
  chunk->ready = true;
  prepared_.notify_all();
}

bool VerifyPipeline::ConsumeOldest(bool wait) {
  std::unique_ptr<Chunk> oldest;
  {
    std::unique_lock lock(mu_);
    while (!in_flight_.empty() && !in_flight_.front()->ready) {
      if (!wait) return false;
      if (to_prepare_.empty()) {
        prepared_.wait(lock);
        continue;
      }
      // Rather than sit idle, prepare a queued chunk here (the oldest, if it is still queued).
      PrepareNext(lock);
    }
    if (in_flight_.empty()) return false;
    oldest = std::move(in_flight_.front());
    in_flight_.pop_front();
  }
  for (PreparedEntry& prepared : oldest->prepared) sink_(verifier_->Add(std::move(prepared)));
  return true;
}

}  // namespace chipledger::audit

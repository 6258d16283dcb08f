// Verifies a log on every core with the results of one sequential pass (SPEC §8, I1–I8).
//
// The thread reading the log pushes entry bytes in index order. They are cut into chunks; a pool
// of workers runs the order-independent part of each entry's checks (Verifier::Prepare: parse,
// leaf hash, payload schema; then, entry after entry of the chunk, Verifier::VerifyAhead: Ed25519
// signatures under the keys their key ids name), and the pushing thread then runs the
// order-dependent part (Verifier::Add: Merkle tree, prev chain, admission as of the position,
// agents' seq/prev chains) chunk by chunk in index order, handing each verified entry to the sink
// (the rule engine). So errors, their order and the entries the rules see are the same as with
// one thread; a signature checked ahead under a key that turns out not to be the signer's at that
// position is simply checked again in order.
//
// Memory is bounded: at most 2 × jobs + 2 chunks of at most kChunkEntries entries or
// kChunkBytes bytes are in flight; when they are, the pushing thread waits for the oldest,
// helping the workers meanwhile.
#ifndef CHIPLEDGER_AUDITOR_PIPELINE_H_
#define CHIPLEDGER_AUDITOR_PIPELINE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auditor/verify.h"

namespace chipledger::audit {

class VerifyPipeline {
 public:
  static constexpr size_t kChunkEntries = 128;
  static constexpr size_t kChunkBytes = 512 * 1024;

  // Called in index order, on the pushing thread, with Verifier::Add's result for each entry.
  using Sink = std::function<void(std::optional<VerifiedEntry> verified)>;
  // Called in the parallel stage, on any thread, with each entry that parses (its envelope still
  // with the candidate: PreparedEntry) and its event; what it returns reaches the sink as
  // VerifiedEntry::note. Work moved here off the sink's thread (which bounds the pipeline's
  // throughput) runs on every core. Must be thread-safe.
  using Annotate = std::function<std::string(const LogEntry& entry, const Event& event)>;

  // `jobs` threads verify, the pushing thread among them (so jobs − 1 workers are started);
  // with jobs = 1 every entry is checked in order as it is pushed, exactly as Verifier::Add does.
  VerifyPipeline(Verifier* verifier, unsigned jobs, Sink sink, Annotate annotate = nullptr);
  ~VerifyPipeline();
  VerifyPipeline(const VerifyPipeline&) = delete;
  VerifyPipeline& operator=(const VerifyPipeline&) = delete;

  // The next entry's bytes (copied).
  void Push(std::string_view entry_bytes);
  // Returns once every entry pushed so far has gone through Verifier::Add and the sink: call it
  // before anything else that must come after them (Verifier::SourceMismatch, Finish).
  void Drain();

 private:
  struct Chunk;

  // Verifier::Prepare, then annotate_.
  PreparedEntry Prepare(std::string_view entry_bytes) const;
  void Submit();
  void Work();
  // Takes the next queued chunk and prepares it, releasing `lock` (on mu_) meanwhile.
  void PrepareNext(std::unique_lock<std::mutex>& lock);
  // Feeds the oldest chunk to the verifier and the sink, once it is prepared (preparing queued
  // chunks meanwhile when `wait`); returns false when there is none, or it is not ready and not
  // `wait`.
  bool ConsumeOldest(bool wait);

  Verifier* verifier_;
  Sink sink_;
  Annotate annotate_;
  SignerKeys keys_;
  std::unique_ptr<Chunk> filling_;
  size_t max_in_flight_;

  std::mutex mu_;
  std::condition_variable queued_, prepared_;
  std::deque<std::unique_ptr<Chunk>> in_flight_;  // oldest first
  std::deque<Chunk*> to_prepare_;                 // of in_flight_, not yet taken by a thread
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The number of verifying threads to use by default: every core.
unsigned DefaultJobs();

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_PIPELINE_H_

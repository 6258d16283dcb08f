// The write path. Appenders parse and check signatures in their own threads, then queue; one
// committer thread takes the whole queue as a group, admits each event in order against the
// evolving in-memory state, commits it through the driver in one durable write, signs one
// checkpoint, publishes and wakes the group, whose members then prove their receipts against that
// checkpoint in parallel. A dedicated committer (rather than LevelDB's leader handoff) keeps the
// one serial step from waiting for a newly woken thread to be scheduled between groups.
//
// A group whose write fails is refused as a whole (every member, admitted or not, was judged
// against state that included the others); sequencer_recovery.cc takes it from there.
#include <algorithm>
#include <chrono>

#include "ledger/store/event_terms.h"
#include "ledger/store/keys.h"
#include "ledger/store/sequencer.h"

namespace chipledger::store {

namespace {

// Bounds one group commit (entries are at most 64 KiB each).
constexpr size_t kMaxGroupSize = 256;

AppendResult Refused(Status status) {
  AppendResult result;
  result.status = std::move(status);
  return result;
}

}  // namespace

AppendResult Sequencer::Append(std::string_view envelope_json) {
  if (options_.read_only) {
    return Refused(Status::Unavailable("the ledger is open read-only"));
  }
  Result<Candidate> candidate = ParseCandidate(envelope_json);
  if (!candidate.ok()) {
    CountRefusals(1);
    return Refused(candidate.status());
  }
  Preverify(&*candidate);
  return Enqueue(*candidate);
}

void Sequencer::Preverify(Candidate* candidate) const {
  // Nothing is verified unless every key id is known: Authorize refuses an unknown signer (401)
  // before it verifies any signature, so verifying the others first would be wasted work.
  const std::vector<EnvelopeSignature>& signatures = candidate->envelope.signatures;
  std::vector<PublicKey> keys;
  for (const EnvelopeSignature& signature : signatures) {
    std::optional<PublicKey> key = KnownKey(signature.keyid);
    if (!key) return;
    keys.push_back(*key);
  }
  for (size_t i = 0; i < keys.size(); ++i) PreverifySignature(candidate, i, keys[i]);
}

std::optional<PublicKey> Sequencer::KnownKey(std::string_view key_id) const {
  std::shared_lock lock(known_keys_mu_);
  auto it = known_keys_.find(key_id);
  if (it == known_keys_.end()) return std::nullopt;
  return it->second;
}

void Sequencer::RememberKey(const PublicKey& key) {
  std::unique_lock lock(known_keys_mu_);
  known_keys_.emplace(KeyId(key), key);
}

AppendResult Sequencer::Enqueue(const Candidate& candidate) {
  Writer self;
  self.candidate = &candidate;
  QueueAndWait({&self});
  FinishReceipt(&self);
  return std::move(self.result);
}

std::vector<AppendResult> Sequencer::AppendGroup(std::vector<Candidate> candidates) {
  std::vector<Writer> writers(candidates.size());
  std::vector<Writer*> group;
  for (size_t i = 0; i < candidates.size(); ++i) {
    writers[i].candidate = &candidates[i];
    group.push_back(&writers[i]);
  }
  QueueAndWait(group);
  std::vector<AppendResult> results;
  for (Writer& writer : writers) {
    FinishReceipt(&writer);
    results.push_back(std::move(writer.result));
  }
  return results;
}

void Sequencer::QueueAndWait(const std::vector<Writer*>& writers) {
  std::unique_lock lock(queue_mu_);
  bool was_empty = writers_.empty();
  writers_.insert(writers_.end(), writers.begin(), writers.end());
  if (was_empty) queued_.notify_one();
  for (Writer* writer : writers) writer->cv.wait(lock, [writer] { return writer->done; });
}

void Sequencer::RunCommitter() {
  std::unique_lock lock(queue_mu_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !writers_.empty(); });
    if (writers_.empty()) return;  // stopping, with nothing left to commit
    auto end = writers_.begin() + static_cast<ptrdiff_t>(std::min(writers_.size(), kMaxGroupSize));
    std::vector<Writer*> group(writers_.begin(), end);
    writers_.erase(writers_.begin(), end);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    // Under the lock, so no member can see `done` and destroy its Writer before the notify.
    for (Writer* writer : group) {
      writer->done = true;
      writer->cv.notify_one();
    }
  }
}

Timestamp Sequencer::AdmissionClock() {
  // Millisecond precision, as the entry records it, so replaying admission at integrated_time
  // gives the same answers; never before the previous entry, even if the wall clock steps back.
  int64_t now = options_.clock().unix_nanos;
  now -= now % (kNanosPerSecond / 1000);
  return std::max(Timestamp{now}, last_time_);
}

void Sequencer::Admit(Writer* writer, Group* group) {
  const Candidate& candidate = *writer->candidate;
  AppendResult& result = writer->result;
  uint64_t index = tree_.size();
  Timestamp now = AdmissionClock();
  result.status = registry_.Authorize(candidate, index, now);
  if (!result.status.ok()) return;

  auto in_group = group->payloads.find(candidate.payload_hash);
  if (in_group != group->payloads.end()) {
    writer->outcome = Writer::Outcome::kDuplicate;
    writer->index = in_group->second;
    return;
  }
  Result<std::optional<uint64_t>> stored = driver_->PayloadIndex(candidate.payload_hash);
  if (!stored.ok()) {
    result.status = stored.status();
    return;
  }
  if (*stored) {
    writer->outcome = Writer::Outcome::kDuplicate;
    writer->index = **stored;
    return;
  }

  result.status = registry_.CheckSequence(candidate, &result.expected_seq, &result.expected_prev);
  if (!result.status.ok()) return;
  LogEntry entry{index, now, last_leaf_, candidate.envelope};
  std::string entry_bytes = SerializeEntry(entry);
  if (entry_bytes.size() > kMaxEntryBytes) {
    result.status = Status::TooLarge("too_large", "entry: " + std::to_string(entry_bytes.size()) +
                                                      " bytes, at most " +
                                                      std::to_string(kMaxEntryBytes) + " allowed");
    return;
  }
  registry_.Apply(candidate);
  if (const auto* enroll = std::get_if<AgentEnrolled>(&candidate.event.body)) {
    RememberKey(enroll->public_key);
  }
  Stage(candidate, std::move(entry), std::move(entry_bytes), group);
  writer->outcome = Writer::Outcome::kAppended;
  writer->index = index;
  result.receipt.index = index;
  result.receipt.leaf_hash = last_leaf_;
  result.receipt.payload_hash = candidate.payload_hash;
  result.receipt.integrated_time = FormatTime(now);
  last_time_ = now;
}

void Sequencer::Stage(const Candidate& candidate, LogEntry entry, std::string entry_bytes,
                      Group* group) {
  uint64_t index = entry.index;
  last_leaf_ = LeafHash(entry_bytes);
  tree_.Append(last_leaf_, &group->write.nodes);
  group->write.entries.push_back({index, std::move(entry_bytes), candidate.payload_hash,
                                  EventTerms(candidate.event), RegisteredRecord(candidate.event)});
  group->touched_agents.insert(candidate.event.agent);
  if (const auto* enroll = std::get_if<AgentEnrolled>(&candidate.event.body)) {
    group->touched_agents.insert(enroll->agent);
  } else if (const auto* revoke = std::get_if<AgentRevoked>(&candidate.event.body)) {
    group->touched_agents.insert(revoke->agent);
  }
  group->payloads.emplace(candidate.payload_hash, index);
  group->entries.push_back({std::move(entry), &candidate.event});
}

Status Sequencer::WriteGroup(Group* group) {
  GroupWrite& write = group->write;
  for (const std::string& id : group->touched_agents) {
    if (const AgentState* agent = registry_.Find(id)) write.agents.push_back(*agent);
  }
  write.size = tree_.size();
  write.clock = last_time_;
  write.genesis_open = registry_.genesis_open();
  write.checkpoint = SignCheckpoint(Checkpoint{origin_, write.size, tree_.Root()}, *log_key_);

  auto start = std::chrono::steady_clock::now();
  Status committed = driver_->Commit(write);
  double fsync_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!committed.ok()) return committed;

  recent_nodes_.Add(write.nodes);
  AppendListener listener;
  {
    std::lock_guard lock(published_mu_);
    checkpoint_note_ = write.checkpoint;
    size_.store(write.size, std::memory_order_release);
    stats_.groups += 1;
    stats_.grouped_events += group->entries.size();
    stats_.last_fsync_ms = fsync_ms;
    listener = listener_;
  }
  if (listener) {
    listener(group->entries);
  }
  return Status::Ok();
}

void Sequencer::CommitGroup(const std::vector<Writer*>& writers) {
  Group group;
  bool writable = Writable();
  if (writable) {
    for (Writer* writer : writers) Admit(writer, &group);
    if (!group.entries.empty()) {
      Status written = WriteGroup(&group);
      if (!written.ok()) Fail(std::move(written));
      writable = written.ok();
    }
  }
  uint64_t refusals = 0;
  for (Writer* writer : writers) {
    AppendResult& result = writer->result;
    if (!writable) {
      writer->outcome = Writer::Outcome::kRefused;
      result = Refused(failed_);
    }
    if (writer->outcome == Writer::Outcome::kRefused) {
      refusals += result.status.ok() ? 0 : 1;
    } else if (writer->outcome == Writer::Outcome::kAppended) {
      result.receipt.checkpoint = group.write.checkpoint;
      result.receipt.tree_size = tree_.size();
    }
  }
  CountRefusals(refusals);
}

void Sequencer::FinishReceipt(Writer* writer) const {
  AppendResult& result = writer->result;
  if (writer->outcome == Writer::Outcome::kRefused || !result.status.ok()) return;
  if (writer->outcome == Writer::Outcome::kDuplicate) {
    Result<Receipt> stored = ReceiptFor(writer->index, writer->candidate->payload_hash);
    if (!stored.ok()) {
      result.status = stored.status();
      return;
    }
    result.receipt = std::move(stored).value();
    result.duplicate = true;
    return;
  }
  Receipt& receipt = result.receipt;
  Result<std::vector<Hash>> proof =
      ::chipledger::InclusionProof(receipt.index, receipt.tree_size, Nodes());
  if (!proof.ok()) {
    result.status = proof.status();
    return;
  }
  receipt.hashes = std::move(proof).value();
}

void Sequencer::CountRefusals(uint64_t refusals) {
  if (refusals == 0) return;
  std::lock_guard lock(published_mu_);
  stats_.refusals += refusals;
}

}  // namespace chipledger::store

#include "witness/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "ledger/durable_file.h"
#include "ledger/merkle.h"
#include "ledger/witness_protocol.h"

namespace chipledger::witness {
namespace {

namespace fs = std::filesystem;

Answer Refuse(int status, std::string reason, std::string message, std::string origin = "") {
  Answer answer;
  answer.status = status;
  answer.body = reason + ": " + message + "\n";
  answer.reason = std::move(reason);
  answer.origin = std::move(origin);
  return answer;
}

Answer RefuseStatus(int status, const Status& why, std::string origin = "") {
  return Refuse(status, why.code(), why.message(), std::move(origin));
}

uint64_t SystemClock() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

// The signature lines of `note` made by `verifier` (VerifyCheckpoint has checked them), without
// the other lines a log may pass along: we keep only what we verified.
std::string SignatureLinesBy(const SignedNote& note, const NoteVerifier& verifier) {
  std::string lines;
  for (const NoteSignature& s : note.signatures) {
    if (s.name == verifier.name && s.key_hash == verifier.KeyHash()) {
      lines += NoteSignatureLine(s.name, s.key_hash, s.signature);
    }
  }
  return lines;
}

// The 422 checks of tlog-witness, once `request.old_size` is known to be the stored size.
std::optional<Answer> CheckConsistency(const Checkpoint& stored,
                                       const AddCheckpointRequest& request,
                                       const Checkpoint& next) {
  const std::string& origin = next.origin;
  if (next.size == 0 && next.root != EmptyTreeRoot()) {
    return Refuse(422, "bad_empty_root", "a checkpoint of size 0 must have the empty tree's root",
                  origin);
  }
  if (request.old_size == 0) {
    if (request.proof.empty()) return std::nullopt;
    return Refuse(422, "unexpected_proof", "old size 0 needs an empty consistency proof", origin);
  }
  if (request.old_size == next.size && next.root != stored.root) {
    return Refuse(
        422, "root_mismatch",
        "checkpoint has the cosigned size " + std::to_string(next.size) + " but another root hash",
        origin);
  }
  if (!VerifyConsistency(request.old_size, next.size, stored.root, next.root, request.proof)) {
    return Refuse(422, "bad_proof",
                  "consistency proof from " + std::to_string(request.old_size) + " to " +
                      std::to_string(next.size) + " does not verify against the cosigned root",
                  origin);
  }
  return std::nullopt;
}

Result<int> LockDataDirectory(const fs::path& data) {
  fs::path path = data / "lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("open " + path.string() + ": cannot create the lock file");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Unavailable("--data " + data.string() +
                               ": another chipledger-witness is serving this directory");
  }
  return fd;
}

}  // namespace

struct Witness::Log {
  NoteVerifier verifier;
  fs::path path;
  // Serialises check-and-update for this log (tlog-witness: otherwise two requests could both
  // pass the old-size check and the later write would roll the state back).
  std::mutex mu;
  // Guards the two fields below for readers (monitors, metrics), so that they never wait for an
  // add-checkpoint's fsync; written only with `mu` held too.
  mutable std::mutex view_mu;
  Checkpoint latest;  // size 0 and the empty root until the first cosignature
  std::string note;   // the cosigned checkpoint as served to monitors; empty until then
};

std::string OriginHash(std::string_view origin) { return ToHex(Sha256(origin)); }

Witness::Witness(std::string name, KeyPair key, Clock clock, int lock_fd)
    : public_key_{std::move(name), key.public_key},
      key_(std::move(key)),
      clock_(clock ? std::move(clock) : Clock(SystemClock)),
      lock_fd_(lock_fd) {}

Witness::~Witness() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<Witness>> Witness::Open(const fs::path& data, std::string name, KeyPair key,
                                               const std::vector<NoteVerifier>& logs, Clock clock) {
  if (logs.empty()) return Status::InvalidArgument("usage", "--log: at least one log is required");
  Result<int> lock = LockDataDirectory(data);
  if (!lock.ok()) return lock.status();
  std::unique_ptr<Witness> witness(
      new Witness(std::move(name), std::move(key), std::move(clock), *lock));
  fs::path dir = data / "logs";
  if (Status made = CreateDirectory(dir); !made.ok()) return made;
  for (const NoteVerifier& verifier : logs) {
    if (Status added = witness->AddLog(dir, verifier); !added.ok()) return added;
  }
  return witness;
}

// Loads a log's state file, which must verify with the log's key and carry our cosignature: a
// file that does not is refused rather than silently treated as "never cosigned" (a rollback).
Status Witness::AddLog(const fs::path& dir, const NoteVerifier& verifier) {
  if (by_origin_.count(verifier.name)) {
    return Status::InvalidArgument("usage", "--log: origin " + verifier.name + " given twice");
  }
  auto log = std::make_unique<Log>();
  log->verifier = verifier;
  log->path = dir / (OriginHash(verifier.name) + ".checkpoint");
  log->latest = Checkpoint{verifier.name, 0, EmptyTreeRoot()};
  if (fs::exists(log->path)) {
    Result<std::string> note = ReadFile(log->path);
    if (!note.ok()) return note.status();
    auto bad = [&](const Status& why) {
      return Status::Corruption("state file " + log->path.string() + " of " + verifier.name + ": " +
                                why.message());
    };
    Result<Checkpoint> checkpoint = VerifyCheckpoint(*note, verifier);
    if (!checkpoint.ok()) return bad(checkpoint.status());
    Result<std::vector<Cosignature>> ours = VerifyCosignatures(*note, {public_key_});
    if (!ours.ok()) return bad(ours.status());
    if (ours->empty()) {
      return bad(Status::Corruption("it carries no cosignature by " + public_key_.name));
    }
    log->latest = *checkpoint;
    log->note = std::move(*note);
  }
  by_origin_hash_[OriginHash(verifier.name)] = log.get();
  by_origin_[verifier.name] = std::move(log);
  return Status::Ok();
}

Answer Witness::AddCheckpoint(std::string_view body) {
  Result<AddCheckpointRequest> request = ParseAddCheckpoint(body);
  if (!request.ok()) return RefuseStatus(400, request.status());
  Result<SignedNote> note = ParseSignedNote(request->checkpoint);
  if (!note.ok()) return RefuseStatus(400, note.status());
  std::string origin(note->text.substr(0, note->text.find('\n')));
  auto found = by_origin_.find(origin);
  if (found == by_origin_.end()) {
    return Refuse(404, "unknown_origin", "this witness has no log with origin " + origin, origin);
  }
  Log& log = *found->second;
  Result<Checkpoint> checkpoint = VerifyCheckpoint(request->checkpoint, log.verifier);
  if (!checkpoint.ok()) {
    bool forged = checkpoint.status().kind() == StatusKind::kUnauthenticated;
    return RefuseStatus(forged ? 403 : 400, checkpoint.status(), origin);
  }
  if (request->old_size > checkpoint->size) {
    return Refuse(400, "old_size_too_large",
                  "old " + std::to_string(request->old_size) + " exceeds the checkpoint size " +
                      std::to_string(checkpoint->size),
                  origin);
  }
  return Update(log, *request, *note, *checkpoint);
}

// The stateful checks and the update, atomic per log: no other add-checkpoint for this log runs
// between the old-size check and the durable write.
Answer Witness::Update(Log& log, const AddCheckpointRequest& request, const SignedNote& note,
                       const Checkpoint& checkpoint) {
  std::lock_guard<std::mutex> lock(log.mu);
  if (request.old_size != log.latest.size) {
    Answer conflict;
    conflict.status = 409;
    conflict.content_type = std::string(kTlogSizeContentType);
    conflict.body = FormatTlogSize(log.latest.size);
    conflict.origin = checkpoint.origin;
    conflict.reason = "old_size_mismatch";
    return conflict;
  }
  if (std::optional<Answer> refused = CheckConsistency(log.latest, request, checkpoint)) {
    return *refused;
  }
  return Commit(log, note.text, checkpoint, SignatureLinesBy(note, log.verifier));
}

// Cosigns and makes the new state durable before answering: once a cosignature for size N has
// left, no restart may bring the witness back below N. Called with log.mu held.
Answer Witness::Commit(Log& log, std::string_view note_text, const Checkpoint& checkpoint,
                       const std::string& log_signatures) {
  // tlog-witness: the timestamp must not be 0, even on a machine whose clock reads 1970.
  uint64_t now = std::max<uint64_t>(clock_(), 1);
  std::string cosignature = Cosign(note_text, public_key_.name, key_, now);
  std::string note = std::string(note_text) + "\n" + log_signatures + cosignature;
  if (Status written = WriteFileDurably(log.path, note, 0600); !written.ok()) {
    return Refuse(500, "io_error", written.message(), checkpoint.origin);
  }
  {
    std::lock_guard<std::mutex> view(log.view_mu);
    log.latest = checkpoint;
    log.note = std::move(note);
  }
  Answer answer;
  answer.body = std::move(cosignature);
  answer.origin = checkpoint.origin;
  return answer;
}

std::optional<std::string> Witness::LatestCheckpoint(std::string_view origin_hash_hex) const {
  auto found = by_origin_hash_.find(origin_hash_hex);
  if (found == by_origin_hash_.end()) return std::nullopt;
  std::lock_guard<std::mutex> lock(found->second->view_mu);
  if (found->second->note.empty()) return std::nullopt;
  return found->second->note;
}

std::vector<LogSize> Witness::Sizes() const {
  std::vector<LogSize> sizes;
  for (const auto& [origin, log] : by_origin_) {
    std::lock_guard<std::mutex> lock(log->view_mu);
    sizes.push_back({origin, log->latest.size, !log->note.empty()});
  }
  return sizes;
}

}  // namespace chipledger::witness

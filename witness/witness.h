// The witness (SPEC §10, C2SP tlog-witness): for each configured log it keeps the latest
// checkpoint it cosigned and cosigns a new one only when it extends that one. The request handler
// is pure of HTTP, so the server is a thin shell around it and tests can drive it directly.
#ifndef CHIPLEDGER_WITNESS_WITNESS_H_
#define CHIPLEDGER_WITNESS_WITNESS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/witness_protocol.h"

namespace chipledger::witness {

inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// An HTTP answer, with what the access log and the metrics report about it.
struct Answer {
  int status = 200;
  std::string content_type = std::string(kTextContentType);
  std::string body;
  std::string origin;  // the log the request was for, once known
  std::string reason;  // a short code saying why the request was refused; empty on 200
};

// What a log's state file holds and the witness has acknowledged.
struct LogSize {
  std::string origin;
  uint64_t size = 0;
  bool cosigned = false;  // false until the first 200 for this log
};

// Lowercase hex SHA-256 of the origin: the monitor route's path segment and the state file name.
std::string OriginHash(std::string_view origin);

class Witness {
 public:
  using Clock = std::function<uint64_t()>;  // unix seconds

  // Loads the state of `logs` from <data>/logs/ (creating it), and locks `data` so that a second
  // witness process cannot serve it. `clock` defaults to the system clock.
  static Result<std::unique_ptr<Witness>> Open(const std::filesystem::path& data, std::string name,
                                               KeyPair key, const std::vector<NoteVerifier>& logs,
                                               Clock clock = nullptr);
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // POST /add-checkpoint: the tlog-witness checks, then a durable state update and the
  // cosignature line. Safe to call from many threads.
  Answer AddCheckpoint(std::string_view body);
  // GET /<origin hash>/checkpoint: the latest cosigned checkpoint, with the log's signature and
  // ours; nullopt when the log is unknown or was never cosigned.
  std::optional<std::string> LatestCheckpoint(std::string_view origin_hash_hex) const;
  std::vector<LogSize> Sizes() const;
  const WitnessKey& key() const { return public_key_; }

 private:
  struct Log;
  Witness(std::string name, KeyPair key, Clock clock, int lock_fd);
  Status AddLog(const std::filesystem::path& dir, const NoteVerifier& verifier);
  Answer Update(Log& log, const AddCheckpointRequest& request, const SignedNote& note,
                const Checkpoint& checkpoint);
  Answer Commit(Log& log, std::string_view note_text, const Checkpoint& checkpoint,
                const std::string& log_signatures);

  WitnessKey public_key_;
  KeyPair key_;
  Clock clock_;
  int lock_fd_;
  // Filled by Open and never changed after, so lookups need no lock; each Log has its own mutex.
  std::map<std::string, std::unique_ptr<Log>, std::less<>> by_origin_;
  std::map<std::string, Log*, std::less<>> by_origin_hash_;
};

}  // namespace chipledger::witness

#endif  // CHIPLEDGER_WITNESS_WITNESS_H_

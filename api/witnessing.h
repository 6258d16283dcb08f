// chipledgerd's side of SPEC §10: it asks every configured witness to cosign the log's newest
// checkpoint (C2SP tlog-witness add-checkpoint), verifies every cosignature it gets, and keeps the
// newest checkpoint that carries the quorum, which GET /checkpoint serves.
//
// One thread per witness, so a witness that is down, slow or lying delays no other witness and
// never an append or a receipt (nothing here is on the write path: it reads the ledger's signed
// checkpoints and proofs). A coordinator moves every witness to the same target checkpoint and
// picks the next one only once the quorum has cosigned the current one (or a witness returns to
// it later), so that the witnesses' cosignatures meet on one checkpoint even under constant
// ingest. A witness that fails is retried with exponential backoff; its size is learnt from a 409.
// The witnessed checkpoint is written durably to DATA/witnessed-checkpoint, so a restart serves
// it again.
#ifndef CHIPLEDGER_API_WITNESSING_H_
#define CHIPLEDGER_API_WITNESSING_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/config.h"
#include "ledger/cosignature.h"
#include "ledger/ledger.h"
#include "ledger/status.h"

namespace chipledger::api {

struct WitnessingOptions {
  std::vector<WitnessConfig> witnesses;
  std::optional<size_t> quorum;             // default: all of them
  std::string state_path;                   // the witnessed checkpoint note, written durably
  std::chrono::milliseconds poll{250};      // how often a new checkpoint is looked for (batching)
  std::chrono::milliseconds timeout{5000};  // per add-checkpoint request
  std::chrono::milliseconds min_backoff{500}, max_backoff{60000};
  bool log = true;  // one JSON line on stderr per failure and per recovery
};

class Witnessing {
 public:
  // Validates the witnesses and loads the persisted witnessed checkpoint (kept only if it still
  // verifies against the log key and the quorum). Starts no thread.
  static Result<std::unique_ptr<Witnessing>> Create(const Ledger* ledger,
                                                    WitnessingOptions options);
  ~Witnessing();  // stops the threads

  void Start();
  void Stop();

  // The newest checkpoint carrying the quorum: the log's signature line, then the verified
  // cosignatures. Empty until the first quorum.
  std::optional<std::string> WitnessedNote() const;
  // Prometheus text: per witness (label `witness`, its key name) the cosigned size, the time of
  // the last success, failures; and the witnessed size.
  std::string RenderMetrics() const;

 private:
  struct Impl;
  explicit Witnessing(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_WITNESSING_H_

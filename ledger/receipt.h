// Receipts (SPEC §5, wire): complete, self-contained evidence that an event is in the log.
#ifndef CHIPLEDGER_LEDGER_RECEIPT_H_
#define CHIPLEDGER_LEDGER_RECEIPT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger {

struct Receipt {
  uint64_t index = 0;
  Hash leaf_hash{};
  Hash payload_hash{};
  std::string integrated_time;  // as written in the entry
  std::string checkpoint;       // signed note text
  uint64_t tree_size = 0;       // of the inclusion proof; equals the checkpoint's size
  std::vector<Hash> hashes;     // inclusion proof, RFC 9162 order
};

// {"index","leaf_hash","payload_hash","integrated_time","checkpoint",
//  "inclusion_proof":{"tree_size","hashes"}}
std::string ReceiptToJson(const Receipt& receipt);
Result<Receipt> ParseReceipt(std::string_view json);

// Checks the checkpoint's signature by `log_key`, that the proof's tree size is the checkpoint's,
// and the inclusion proof of leaf_hash at index. Returns the verified checkpoint.
Result<Checkpoint> VerifyReceipt(const Receipt& receipt, const NoteVerifier& log_key);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_RECEIPT_H_

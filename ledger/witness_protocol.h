// The C2SP tlog-witness wire (https://c2sp.org/tlog-witness), shared by chipledger-witness (which
// parses requests) and chipledgerd (which sends them): the add-checkpoint request body and the
// text/x.tlog.size body of a 409.
#ifndef CHIPLEDGER_LEDGER_WITNESS_PROTOCOL_H_
#define CHIPLEDGER_LEDGER_WITNESS_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger {

inline constexpr size_t kMaxWitnessProofLines = 63;
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;  // RFC 6962 consistency proof from old_size to the checkpoint's size
  std::string checkpoint;   // the signed checkpoint note
};

// "old <size>\n", one base64 hash per line, "\n", then the checkpoint note.
std::string FormatAddCheckpoint(const AddCheckpointRequest& request);
// Strict: a canonical decimal old size, at most 63 proof lines of 32-byte base64 hashes, every
// line newline-terminated. Errors are InvalidArgument "bad_request" naming the line (400).
Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body);

// "<size>\n".
std::string FormatTlogSize(uint64_t size);
Result<uint64_t> ParseTlogSize(std::string_view body);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_WITNESS_PROTOCOL_H_

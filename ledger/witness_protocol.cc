#include "ledger/witness_protocol.h"

#include <cstring>

#include "ledger/checkpoint.h"

namespace chipledger {
namespace {

Status Bad(std::string message) {
  return Status::InvalidArgument("bad_request", "add-checkpoint: " + std::move(message));
}

// The next newline-terminated line of *rest, without its newline; false when there is none.
bool NextLine(std::string_view* rest, std::string_view* line) {
  size_t newline = rest->find('\n');
  if (newline == std::string_view::npos) return false;
  *line = rest->substr(0, newline);
  rest->remove_prefix(newline + 1);
  return true;
}

}  // namespace

std::string FormatAddCheckpoint(const AddCheckpointRequest& request) {
  std::string body = "old " + std::to_string(request.old_size) + "\n";
  for (const Hash& hash : request.proof) body.append(Base64Encode(hash)).append("\n");
  body.append("\n").append(request.checkpoint);
  return body;
}

Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body) {
  AddCheckpointRequest request;
  std::string_view line;
  if (!NextLine(&body, &line)) return Bad("the body has no old size line");
  constexpr std::string_view kOld = "old ";
  if (line.substr(0, kOld.size()) != kOld ||
      !ParseCanonicalDecimal(line.substr(kOld.size()), &request.old_size)) {
    return Bad("the first line must be \"old <size>\" with a canonical decimal size");
  }
  for (;;) {
    if (!NextLine(&body, &line)) return Bad("no blank line ends the consistency proof");
    if (line.empty()) break;
    if (request.proof.size() == kMaxWitnessProofLines) {
      return Bad("more than 63 consistency proof lines");
    }
    Result<std::string> hash = Base64Decode(line, "proof line");
    if (!hash.ok() || hash->size() != sizeof(Hash)) {
      return Bad("proof line " + std::to_string(request.proof.size() + 1) +
                 " is not a base64 32-byte hash");
    }
    Hash& out = request.proof.emplace_back();
    std::memcpy(out.data(), hash->data(), out.size());
  }
  if (body.empty()) return Bad("no checkpoint follows the blank line");
  request.checkpoint = std::string(body);
  return request;
}

std::string FormatTlogSize(uint64_t size) { return std::to_string(size) + "\n"; }

Result<uint64_t> ParseTlogSize(std::string_view body) {
  uint64_t size = 0;
  if (body.empty() || body.back() != '\n' ||
      !ParseCanonicalDecimal(body.substr(0, body.size() - 1), &size)) {
    return Status::InvalidArgument("bad_tlog_size",
                                   "a text/x.tlog.size body must be \"<size>\\n\"");
  }
  return size;
}

}  // namespace chipledger

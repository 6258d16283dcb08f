// Reader tokens (SPEC §6): bearer tokens with a role, stored only as SHA-256 hashes in
// DIR/tokens.json, which `chipledgerd token create` and `token revoke` rewrite atomically while
// the server runs; the server rereads it when it changes, so both take effect at the next request.
#ifndef CHIPLEDGER_API_TOKENS_H_
#define CHIPLEDGER_API_TOKENS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace chipledger::api {

enum class ReaderRole { kRegulator, kAuditor, kWitness, kAdmin };
std::string_view ReaderRoleName(ReaderRole role);
std::optional<ReaderRole> ReaderRoleFromName(std::string_view name);

struct TokenRecord {
  std::string name;
  ReaderRole role = ReaderRole::kRegulator;
  std::string created;  // RFC 3339
  // The first 16 hex digits of the token's SHA-256: names a token in `token list` and `token
  // revoke` without revealing it, and can be computed from a leaked token whose name is unknown.
  std::string id;
};

// Adds a token for `name` (unique, an id per SPEC §2) to DIR/tokens.json and returns the bearer
// token, which is never stored.
Result<std::string> CreateToken(const std::string& dir, ReaderRole role, const std::string& name);
// Every token in DIR/tokens.json, in creation order.
Result<std::vector<TokenRecord>> ListTokens(const std::string& dir);
// Removes the token whose name or id is `name_or_id` and returns its record.
Result<TokenRecord> RevokeToken(const std::string& dir, const std::string& name_or_id);
// The id of a bearer token (TokenRecord::id).
std::string TokenId(std::string_view bearer_token);
// Copies DIR/tokens.json into `to_dir` (nothing when there is none): backups carry the tokens, so
// that readers keep access to a restored ledger.
Status CopyTokens(const std::string& dir, const std::string& to_dir);

// The server's view of DIR/tokens.json, reloaded whenever the file is replaced.
class TokenStore {
 public:
  explicit TokenStore(std::string dir);
  // The token's record, or nothing for an unknown token.
  std::optional<TokenRecord> Lookup(std::string_view bearer_token);

 private:
  void ReloadIfChanged();

  std::string path_;
  std::mutex mu_;
  std::string file_identity_;                   // inode, size and mtime of the loaded file
  std::map<std::string, TokenRecord> by_hash_;  // hex SHA-256 of the token -> record
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_TOKENS_H_

#include "api/tokens.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/crypto.h"
#include "ledger/durable_file.h"
#include "ledger/time.h"

namespace chipledger::api {
namespace {

using nlohmann::json;

constexpr size_t kIdDigits = 16;
constexpr std::string_view kRoleNames[] = {"regulator", "auditor", "witness", "admin"};

std::string TokensPath(const std::string& dir) { return dir + "/tokens.json"; }

bool IsId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The token file as JSON; a missing file is an empty list.
Result<json> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return json{{"tokens", json::array()}};
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
      !doc["tokens"].is_array()) {
    return Status::Corruption(path + ": not a token file");
  }
  return doc;
}

// A string member of a token record, or "" when absent or not a string.
std::string StringAt(const json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The record of one entry of the token file, or nothing for an entry the server would ignore.
std::optional<TokenRecord> RecordOf(const json& record) {
  if (!record.is_object()) return std::nullopt;
  std::optional<ReaderRole> role = ReaderRoleFromName(StringAt(record, "role"));
  std::string hash = StringAt(record, "sha256");
  if (!role || hash.size() != 64) return std::nullopt;
  return TokenRecord{StringAt(record, "name"), *role, StringAt(record, "created"),
                     hash.substr(0, kIdDigits)};
}

Status WriteTokenFile(const std::string& dir, const json& doc) {
  return WriteFileDurably(TokensPath(dir), doc.dump(2) + "\n", 0600);
}

std::string NewBearerToken() {
  InitCrypto();
  std::array<uint8_t, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  return "clt_" + ToHex(bytes);
}

// Holds an exclusive lock on DIR/tokens.lock, so that concurrent `token create`s serialise.
class DirLock {
 public:
  explicit DirLock(const std::string& dir)
      : fd_(::open((dir + "/tokens.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

std::string_view ReaderRoleName(ReaderRole role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<ReaderRole> ReaderRoleFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (kRoleNames[i] == name) return static_cast<ReaderRole>(i);
  }
  return std::nullopt;
}

Result<std::string> CreateToken(const std::string& dir, ReaderRole role, const std::string& name) {
  if (!IsId(name)) {
    return Status::InvalidArgument("bad_name", "name: must be 1-64 characters of [A-Za-z0-9._:-]");
  }
  DirLock lock(dir);
  if (!lock.ok()) return Status::IOError(dir + ": cannot lock tokens.lock");
  Result<json> doc = ReadTokenFile(TokensPath(dir));
  if (!doc.ok()) return doc.status();
  for (const json& record : (*doc)["tokens"]) {
    if (record.is_object() && StringAt(record, "name") == name) {
      return Status::Conflict("duplicate_name", "name: a token named \"" + name + "\" exists");
    }
  }
  std::string token = NewBearerToken();
  (*doc)["tokens"].push_back({{"name", name},
                              {"role", ReaderRoleName(role)},
                              {"sha256", ToHex(Sha256(token))},
                              {"created", FormatTime(Now())}});
  if (Status s = WriteTokenFile(dir, *doc); !s.ok()) return s;
  return token;
}

Result<std::vector<TokenRecord>> ListTokens(const std::string& dir) {
  Result<json> doc = ReadTokenFile(TokensPath(dir));
  if (!doc.ok()) return doc.status();
  std::vector<TokenRecord> records;
  for (const json& entry : (*doc)["tokens"]) {
    if (std::optional<TokenRecord> record = RecordOf(entry)) records.push_back(*record);
  }
  return records;
}

Result<TokenRecord> RevokeToken(const std::string& dir, const std::string& name_or_id) {
  DirLock lock(dir);
  if (!lock.ok()) return Status::IOError(dir + ": cannot lock tokens.lock");
  Result<json> doc = ReadTokenFile(TokensPath(dir));
  if (!doc.ok()) return doc.status();
  json& tokens = (*doc)["tokens"];
  for (auto it = tokens.begin(); it != tokens.end(); ++it) {
    std::optional<TokenRecord> record = RecordOf(*it);
    if (!record || (record->name != name_or_id && record->id != name_or_id)) continue;
    tokens.erase(it);
    if (Status s = WriteTokenFile(dir, *doc); !s.ok()) return s;
    return *record;
  }
  return Status::NotFound("unknown_token", "\"" + name_or_id +
                                               "\": no token has this name or id; `chipledgerd "
                                               "token list --data " +
                                               dir + "` shows them");
}

std::string TokenId(std::string_view bearer_token) {
  return ToHex(Sha256(bearer_token)).substr(0, kIdDigits);
}

Status CopyTokens(const std::string& dir, const std::string& to_dir) {
  std::ifstream in(TokensPath(dir), std::ios::binary);
  if (!in) return Status::Ok();
  std::stringstream text;
  text << in.rdbuf();
  return WriteFileDurably(TokensPath(to_dir), text.str(), 0600);
}

TokenStore::TokenStore(std::string dir) : path_(TokensPath(dir)) {}

std::optional<TokenRecord> TokenStore::Lookup(std::string_view bearer_token) {
  std::lock_guard<std::mutex> lock(mu_);
  ReloadIfChanged();
  auto it = by_hash_.find(ToHex(Sha256(bearer_token)));
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

void TokenStore::ReloadIfChanged() {
  struct stat st {};
  std::string identity = "missing";
  if (::stat(path_.c_str(), &st) == 0) {
    identity = std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  if (identity == file_identity_) return;
  Result<json> doc = ReadTokenFile(path_);
  if (!doc.ok()) return;  // keep the tokens we have; a bad file is reported by `token create`
  std::map<std::string, TokenRecord> loaded;
  for (const json& entry : (*doc)["tokens"]) {
    if (std::optional<TokenRecord> record = RecordOf(entry)) {
      loaded[StringAt(entry, "sha256")] = *record;
    }
  }
  by_hash_ = std::move(loaded);
  file_identity_ = identity;
}

}  // namespace chipledger::api

// Ledger::Create and Ledger::Open: the data directory holds the log key (log.key, the Ed25519
// seed in hex, mode 0600) and the RocksDB database (db/).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/store/db_options.h"
#include "ledger/store/key_file.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocks_ledger.h"

namespace chipledger {

namespace {

Status CheckOptions(const CreateOptions& options) {
  const std::string& origin = options.origin;
  if (origin.empty() || origin.find_first_of(" \t\r\n+") != std::string::npos) {
    return Status::InvalidArgument("bad_origin",
                                   "origin: must be non-empty, without spaces, newlines or '+'");
  }
  std::set<std::string> ids;
  for (const Authority& authority : options.authorities) {
    if (!ids.insert(authority.id).second) {
      return Status::InvalidArgument("duplicate_authority",
                                     "authority: \"" + authority.id + "\" is given twice");
    }
  }
  return Status::Ok();
}

// The genesis enrolments: one agent.enrolled per authority, signed by `log`, seq 1, 2, ….
Result<std::vector<Candidate>> GenesisEvents(const CreateOptions& options, const KeyPair& key) {
  std::vector<Candidate> events;
  Hash prev{};
  Timestamp now = Now();
  for (size_t i = 0; i < options.authorities.size(); ++i) {
    const Authority& authority = options.authorities[i];
    nlohmann::json payload = {{"v", 1},
                              {"type", EventTypeName(EventType::kAgentEnrolled)},
                              {"agent", kLogAgentId},
                              {"seq", i + 1},
                              {"prev", ToHex(prev)},
                              {"time", FormatTime(now)},
                              {"enroll",
                               {{"agent", authority.id},
                                {"public_key", Base64Encode(authority.public_key)},
                                {"role", RoleName(Role::kAuthority)},
                                {"org", authority.id},
                                {"sites", nlohmann::json::array()}}}};
    Envelope envelope{std::string(kEventPayloadType), payload.dump(), {}};
    SignEnvelope(&envelope, key);
    Result<Candidate> candidate = ParseCandidate(SerializeEnvelope(envelope));
    if (!candidate.ok()) {
      return Status::InvalidArgument(
          candidate.status().code(),
          "authority \"" + authority.id + "\": " + candidate.status().message());
    }
    prev = candidate->payload_hash;
    events.push_back(std::move(candidate).value());
  }
  return events;
}

// An empty database holding the metadata and the checkpoint of the empty tree.
Status CreateDb(const std::string& path, const std::string& origin, const KeyPair& key) {
  rocksdb::Options options = store::LedgerDbOptions();
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return Status::IOError("creating " + path + ": " + status.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  batch.Put(store::MetaKey(store::kMetaOrigin), origin);
  batch.Put(store::MetaKey(store::kMetaLogPublicKey), AsBytes(key.public_key));
  batch.Put(store::MetaKey(store::kMetaSize), store::EncodeU64(0));
  batch.Put(store::MetaKey(store::kMetaClock), store::EncodeU64(0));
  batch.Put(store::MetaKey(store::kMetaGenesisOpen), "1");
  batch.Put(store::CheckpointKey(0), SignCheckpoint(Checkpoint{origin, 0, EmptyTreeRoot()}, key));
  rocksdb::WriteOptions write;
  write.sync = true;
  status = db->Write(write, &batch);
  if (!status.ok()) return Status::IOError("initialising " + path + ": " + status.ToString());
  return Status::Ok();
}

}  // namespace

Result<std::string> Ledger::Create(const std::string& dir, const CreateOptions& options) {
  InitCrypto();
  if (Status checked = CheckOptions(options); !checked.ok()) return checked;
  KeyPair key = GenerateKeyPair();
  Result<std::vector<Candidate>> genesis = GenesisEvents(options, key);
  if (!genesis.ok()) return genesis.status();

  std::error_code error;
  if (std::filesystem::exists(store::KeyPath(dir), error) ||
      std::filesystem::exists(dir + "/db", error)) {
    return Status::Conflict("ledger_exists", dir + ": already holds a ledger");
  }
  if (Status made = store::CreatePrivateDir(dir); !made.ok()) return made;
  if (Status written = store::WriteKeyFile(store::KeyPath(dir), key); !written.ok()) return written;
  if (Status created = CreateDb(dir + "/db", options.origin, key); !created.ok()) return created;

  Result<std::unique_ptr<store::RocksLedger>> ledger =
      store::RocksLedger::OpenDb(dir, OpenOptions{}, key);
  if (!ledger.ok()) return ledger.status();
  for (const AppendResult& result : (*ledger)->AppendGroup(std::move(genesis).value())) {
    if (!result.status.ok()) return result.status;
  }
  return FormatVerifierKey((*ledger)->verifier());
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& dir, const OpenOptions& options) {
  return store::OpenLedger(dir, options, store::StoreOptions{});
}

namespace store {

Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& dir, const OpenOptions& options,
                                           const StoreOptions& store) {
  InitCrypto();
  std::optional<KeyPair> key;
  if (!options.read_only) {
    Result<KeyPair> read = ReadKeyFile(KeyPath(dir));
    if (!read.ok()) return read.status();
    key = std::move(read).value();
  }
  Result<std::unique_ptr<RocksLedger>> ledger = RocksLedger::OpenDb(dir, options, key, store);
  if (!ledger.ok()) return ledger.status();
  return std::unique_ptr<Ledger>(std::move(ledger).value());
}

}  // namespace store
}  // namespace chipledger

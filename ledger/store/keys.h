// The RocksDB key space of the ledger: one keyspace partitioned by a one-byte prefix, with
// integers big-endian so that keys sort by value and range scans walk indices in order.
//
//   e<index>                  entry bytes
//   n<level><index>           hash of the complete Merkle node (level, index); level 0 = leaves
//   p<payload hash>           index of the entry holding that payload
//   a<agent id>               EncodeAgentState of the agent after the last durable group
//   r<kind><id>               index of the latest entry registering (kind, id)
//   x<term><value>\0<index>   secondary index: entries naming value (ids never contain \0)
//   c<size>                   signed checkpoint note handed out at that tree size
//   m<name>                   metadata: origin, log public key, size, clock, genesis flag
#ifndef CHIPLEDGER_LEDGER_STORE_KEYS_H_
#define CHIPLEDGER_LEDGER_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/ledger.h"

namespace chipledger::store {

inline constexpr char kEntryPrefix = 'e';
inline constexpr char kNodePrefix = 'n';
inline constexpr char kPayloadPrefix = 'p';
inline constexpr char kAgentPrefix = 'a';
inline constexpr char kRecordPrefix = 'r';
inline constexpr char kTermPrefix = 'x';
inline constexpr char kCheckpointPrefix = 'c';
inline constexpr char kMetaPrefix = 'm';

// Secondary index terms (the filters of EventQuery).
enum class Term : char { kType = 't', kSite = 's', kSerial = 'c', kParty = 'p', kAgent = 'g' };

std::string EncodeU64(uint64_t value);
// Decodes the last 8 bytes of `bytes`; nullopt when shorter.
std::optional<uint64_t> DecodeU64(std::string_view bytes);

std::string EntryKey(uint64_t index);
std::string NodeKey(int level, uint64_t index);
std::string PayloadKey(const Hash& payload_hash);
std::string AgentKey(std::string_view agent);
std::string RecordKey(RecordKind kind, std::string_view id);
// Every key of `value` under `term` starts with TermPrefix(term, value).
std::string TermPrefix(Term term, std::string_view value);
std::string TermKey(Term term, std::string_view value, uint64_t index);
std::string CheckpointKey(uint64_t size);
std::string MetaKey(std::string_view name);

// Metadata names (MetaKey).
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaLogPublicKey = "log_public_key";
inline constexpr std::string_view kMetaSize = "size";
inline constexpr std::string_view kMetaClock = "clock";  // integrated time of the last entry, ns
inline constexpr std::string_view kMetaGenesisOpen = "genesis_open";

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_KEYS_H_

#include "ledger/store/keys.h"

namespace chipledger::store {

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

std::optional<uint64_t> DecodeU64(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  uint64_t value = 0;
  for (unsigned char byte : bytes.substr(bytes.size() - 8)) value = (value << 8) | byte;
  return value;
}

std::string EntryKey(uint64_t index) { return kEntryPrefix + EncodeU64(index); }

std::string NodeKey(int level, uint64_t index) {
  return std::string{kNodePrefix, static_cast<char>(level)} + EncodeU64(index);
}

std::string PayloadKey(const Hash& payload_hash) {
  return kPayloadPrefix + std::string(AsBytes(payload_hash));
}

std::string AgentKey(std::string_view agent) { return kAgentPrefix + std::string(agent); }

std::string RecordKey(RecordKind kind, std::string_view id) {
  return std::string{kRecordPrefix, static_cast<char>('0' + static_cast<int>(kind))} +
         std::string(id);
}

std::string TermPrefix(Term term, std::string_view value) {
  std::string key{kTermPrefix, static_cast<char>(term)};
  key.append(value);
  key.push_back('\0');
  return key;
}

std::string TermKey(Term term, std::string_view value, uint64_t index) {
  return TermPrefix(term, value) + EncodeU64(index);
}

std::string CheckpointKey(uint64_t size) { return kCheckpointPrefix + EncodeU64(size); }

std::string MetaKey(std::string_view name) { return kMetaPrefix + std::string(name); }

}  // namespace chipledger::store

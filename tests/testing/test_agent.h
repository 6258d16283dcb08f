// Test helper shared by every component's tests: an agent with a real Ed25519 key that builds,
// signs and chains event envelopes exactly as a field agent would (SPEC §3).
#ifndef CHIPLEDGER_TESTS_TESTING_TEST_AGENT_H_
#define CHIPLEDGER_TESTS_TESTING_TEST_AGENT_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/time.h"

namespace chipledger::testing {

class TestAgent {
 public:
  explicit TestAgent(std::string id) : id_(std::move(id)), key_(GenerateKeyPair()) {}
  TestAgent(std::string id, KeyPair key) : id_(std::move(id)), key_(std::move(key)) {}

  const std::string& id() const { return id_; }
  const KeyPair& key() const { return key_; }
  std::string public_key_base64() const { return Base64Encode(key_.public_key); }
  uint64_t seq() const { return seq_; }
  const Hash& prev() const { return prev_; }

  // The next payload in this agent's chain: common fields plus `fields` (the type's own).
  nlohmann::json Payload(std::string_view type, const nlohmann::json& fields,
                         Timestamp time = Now()) const {
    nlohmann::json payload = fields;
    payload["v"] = 1;
    payload["type"] = type;
    payload["agent"] = id_;
    payload["seq"] = seq_ + 1;
    payload["prev"] = ToHex(prev_);
    payload["time"] = FormatTime(time);
    return payload;
  }

  // Signs payload bytes into an envelope JSON string, without touching the chain.
  std::string SignPayload(const std::string& payload_bytes) const {
    Envelope envelope{std::string(kEventPayloadType), payload_bytes, {}};
    SignEnvelope(&envelope, key_);
    return SerializeEnvelope(envelope);
  }

  // Builds, signs and chains the next event; returns the envelope JSON.
  std::string Next(std::string_view type, const nlohmann::json& fields, Timestamp time = Now()) {
    std::string bytes = Payload(type, fields, time).dump();
    ++seq_;
    prev_ = Sha256(bytes);
    return SignPayload(bytes);
  }

  // An `agent.enrolled` body enrolling `other` (this agent must be an authority).
  static nlohmann::json Enrollment(const TestAgent& other, std::string_view role,
                                   std::string_view org,
                                   nlohmann::json sites = nlohmann::json::array()) {
    return {{"enroll",
             {{"agent", other.id()},
              {"public_key", other.public_key_base64()},
              {"role", role},
              {"org", org},
              {"sites", sites}}}};
  }

 private:
  std::string id_;
  KeyPair key_;
  uint64_t seq_ = 0;
  Hash prev_{};
};

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "chipledger-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_TESTING_TEST_AGENT_H_

// The agent's home: key, config, chain head, outbox and receipts (layout in agent/agent.h).
#include "agent/agent.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent/home.h"
#include "agent/ledger_client.h"
#include "cli/http_client.h"
#include "ledger/durable_file.h"
#include "ledger/merkle.h"

namespace chipledger::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kCommonFields[] = {"v",    "type",     "agent", "seq",
                                         "prev", "location", "note",  "time"};

fs::path ConfigPath(const fs::path& home) { return home / "config.json"; }
fs::path KeyPath(const fs::path& home) { return home / "key.json"; }
fs::path HeadPath(const fs::path& home) { return home / "head.json"; }
fs::path CheckpointPath(const fs::path& home) { return home / "checkpoint"; }

bool IsId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
           c == '-';
  });
}

Result<json> ReadJson(const fs::path& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  json value = json::parse(*text, nullptr, false);
  if (!value.is_object()) return Status::Corruption(path.string() + ": not a JSON object");
  return value;
}

std::optional<std::string> OptionalString(const json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string ConfigToJson(const Config& config) {
  json out = {
      {"agent", config.agent}, {"ledger_url", config.ledger_url}, {"log_key", config.log_key}};
  if (config.ca_file) out["ca_file"] = *config.ca_file;
  if (config.token) out["token"] = *config.token;
  if (!config.witnesses.empty()) out["witnesses"] = config.witnesses;
  if (config.witness_quorum) out["witness_quorum"] = *config.witness_quorum;
  return out.dump(2) + "\n";
}

Status CheckConfig(const Config& config) {
  if (!IsId(config.agent) || config.agent == kLogAgentId) {
    return Status::InvalidArgument("bad_config",
                                   "agent: must be 1-64 chars of [A-Za-z0-9._:-], not 'log'");
  }
  if (!config.log_key.empty()) {
    Result<NoteVerifier> key = ParseVerifierKey(config.log_key);
    if (!key.ok())
      return Status::InvalidArgument("bad_config", "log_key: " + key.status().message());
  }
  Result<WitnessPolicy> witnesses =
      CheckWitnessPolicy(config.witnesses, config.witness_quorum, "witnesses", "witness_quorum");
  if (!witnesses.ok()) return Status::InvalidArgument("bad_config", witnesses.status().message());
  return Status::Ok();
}

// The optional witness fields of config.json (absent in homes made before witnesses existed).
Status LoadWitnesses(const json& in, Config* config) {
  if (auto it = in.find("witnesses"); it != in.end()) {
    if (!it->is_array()) return Status::Corruption("config.json: witnesses: not an array");
    for (const json& vkey : *it) {
      if (!vkey.is_string()) return Status::Corruption("config.json: witnesses[]: not a string");
      config->witnesses.push_back(vkey.get<std::string>());
    }
  }
  if (auto it = in.find("witness_quorum"); it != in.end()) {
    if (!it->is_number_unsigned()) {
      return Status::Corruption("config.json: witness_quorum: not a positive integer");
    }
    config->witness_quorum = it->get<size_t>();
  }
  return Status::Ok();
}

Result<Config> LoadConfig(const fs::path& home) {
  Result<json> in = ReadJson(ConfigPath(home));
  if (!in.ok()) {
    return Status::NotFound(
        "no_agent", "no agent home at " + home.string() + " (run `chipledger-agent keygen` first)");
  }
  Config config;
  config.agent = OptionalString(*in, "agent").value_or("");
  config.ledger_url = OptionalString(*in, "ledger_url").value_or("");
  config.log_key = OptionalString(*in, "log_key").value_or("");
  config.ca_file = OptionalString(*in, "ca_file");
  config.token = OptionalString(*in, "token");
  if (Status s = LoadWitnesses(*in, &config); !s.ok()) return s;
  if (Status s = CheckConfig(config); !s.ok()) return s;
  return config;
}

std::string HeadToJson(const ChainHead& head) {
  return json{{"seq", head.seq}, {"prev", ToHex(head.prev)}}.dump() + "\n";
}

Result<ChainHead> LoadHead(const fs::path& home) {
  Result<json> in = ReadJson(HeadPath(home));
  if (!in.ok()) return in.status();
  auto seq = in->find("seq");
  if (seq == in->end() || !seq->is_number_unsigned()) {
    return Status::Corruption("head.json: seq is not an integer");
  }
  Result<Hash> prev = HashFromHex(OptionalString(*in, "prev").value_or(""), "head.json: prev");
  if (!prev.ok()) return Status::Corruption(prev.status().message());
  return ChainHead{seq->get<uint64_t>(), *prev};
}

// Names like 00000000000000000007.json, in order; other files (temp files) are ignored.
Result<std::vector<uint64_t>> ListSeqs(const fs::path& dir) {
  std::error_code error;
  std::vector<uint64_t> seqs;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 25 || name.substr(20) != ".json") continue;
    if (!std::all_of(name.begin(), name.begin() + 20, ::isdigit)) continue;
    seqs.push_back(std::stoull(name.substr(0, 20)));
  }
  if (error) return Status::IOError("list " + dir.string() + ": " + error.message());
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

Result<QueuedEvent> QueuedFromEnvelope(uint64_t seq, std::string envelope_json) {
  Result<Envelope> envelope = ParseEnvelope(envelope_json);
  if (!envelope.ok()) return envelope.status();
  Result<Event> event = ParseEvent(envelope->payload);
  if (!event.ok()) return event.status();
  if (event->seq != seq) {
    return Status::Corruption("outbox file for seq " + std::to_string(seq) + " holds seq " +
                              std::to_string(event->seq));
  }
  return QueuedEvent{seq, event->type, Sha256(envelope->payload), std::move(envelope_json),
                     envelope->signatures.size()};
}

// A finished or interrupted Resync leaves outbox.new / outbox.old: complete the swap or undo it.
Status RecoverOutboxSwap(const fs::path& home) {
  fs::path outbox = OutboxDir(home), staged = home / "outbox.new", old = home / "outbox.old";
  std::error_code error;
  if (!fs::exists(outbox) && fs::exists(staged)) fs::rename(staged, outbox, error);
  if (!error && fs::exists(staged)) fs::remove_all(staged, error);
  if (!error && fs::exists(old)) fs::remove_all(old, error);
  if (error) return Status::IOError("recover outbox: " + error.message());
  return Status::Ok();
}

// A 409 whose expected seq is at or below a seq this agent holds a receipt for means the ledger
// lost an event it accepted: evidence to keep, never to paper over by re-signing.
Status CheckLedgerKept(const fs::path& home, uint64_t expected_seq) {
  Result<std::vector<uint64_t>> receipted = ListSeqs(ReceiptsDir(home));
  if (!receipted.ok()) return receipted.status();
  if (receipted->empty() || receipted->back() < expected_seq) return Status::Ok();
  return Status::Conflict("ledger_lost_events",
                          "the ledger expects seq " + std::to_string(expected_seq) +
                              " but this agent holds a receipt for seq " +
                              std::to_string(receipted->back()) +
                              ": the ledger lost an event it accepted. Keep receipts/ as "
                              "evidence; nothing was re-signed");
}

// The ledger's final refusal of the head event: kept beside it (outbox show, discard, replace)
// and said with the commands that deal with it.
Status Refused(const fs::path& home, const QueuedEvent& event, const HttpAnswer& answer) {
  json body = json::parse(answer.body, nullptr, false);
  Refusal refusal{
      answer.status,
      body.is_object() ? OptionalString(body, "error").value_or("refused") : "refused",
      body.is_object() ? OptionalString(body, "message").value_or(answer.body) : answer.body};
  json record = {
      {"status", refusal.status}, {"error", refusal.error}, {"message", refusal.message}};
  if (Status s = WriteFileDurably(RefusalPath(home, event.seq), record.dump() + "\n"); !s.ok()) {
    return s;
  }
  std::string seq = std::to_string(event.seq);
  std::string text = "the ledger refused event seq " + seq + " (HTTP " +
                     std::to_string(answer.status) + " " + refusal.error + "): " + refusal.message +
                     "; it stays in the outbox with the events after it. " +
                     "See it with `chipledger-agent outbox show " + seq +
                     "`; fix the cause (enrolment, sites, clock) and submit again, or " +
                     "`chipledger-agent outbox replace " + seq +
                     " --fields FILE.json` or `outbox discard " + seq +
                     "` (the events after it are re-signed, so the chain stays valid)";
  switch (answer.status) {
    case 401:
      return Status::Unauthenticated(refusal.error, text);
    case 403:
      return Status::PermissionDenied(refusal.error, text);
    case 413:
      return Status::TooLarge(refusal.error, text);
    default:
      return Status::InvalidArgument(refusal.error, text);
  }
}

// Sends until an answer that is not worth retrying (network errors, 5xx and 429 are), waiting
// with exponential backoff between attempts; Unavailable after options.max_attempts.
Result<HttpAnswer> WithRetries(const SubmitOptions& options, const std::string& request,
                               const std::function<Result<HttpAnswer>()>& send) {
  double backoff = options.initial_backoff_s;
  for (int attempt = 1;; ++attempt) {
    Result<HttpAnswer> answer = send();
    bool transient = !answer.ok() ? answer.status().kind() == StatusKind::kUnavailable
                                  : answer->status >= 500 || answer->status == 429;
    if (!transient) return answer;
    std::string why =
        answer.ok() ? request + ": HTTP " + std::to_string(answer->status) + " " + answer->body
                    : answer.status().message();
    if (attempt >= options.max_attempts) {
      return Status::Unavailable(request + " failed " + std::to_string(attempt) +
                                 " times; the last: " + why);
    }
    if (options.on_retry) {
      options.on_retry(RetryNotice{attempt, options.max_attempts, backoff, why});
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
    backoff = std::min(backoff * 2, options.max_backoff_s);
  }
}

// Only when a config is written: a home saved before URLs were checked must still open, so that
// `configure --ledger` can fix it.
Status CheckLedgerUrl(const Config& config) {
  if (config.ledger_url.empty()) return Status::Ok();
  Result<cli::HttpUrl> url = cli::ParseHttpUrl(config.ledger_url, "ledger_url");
  if (!url.ok()) return Status::InvalidArgument("bad_config", url.status().message());
  return Status::Ok();
}

}  // namespace

Result<WitnessPolicy> CheckWitnessPolicy(const std::vector<std::string>& vkeys,
                                         std::optional<size_t> quorum,
                                         std::string_view witnesses_name,
                                         std::string_view quorum_name) {
  // The keys alone first, so that an error is put on the flag or field that caused it.
  Result<WitnessPolicy> keys = MakeWitnessPolicy(vkeys, std::nullopt);
  if (!keys.ok()) {
    return Status::InvalidArgument("bad_witness",
                                   std::string(witnesses_name) + ": " + keys.status().message());
  }
  if (!quorum) return keys;
  Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, quorum);
  if (!policy.ok()) {
    return Status::InvalidArgument("bad_witness",
                                   std::string(quorum_name) + ": " + policy.status().message());
  }
  return policy;
}

Result<Agent> Agent::Create(const fs::path& home, const Config& config, std::string_view passphrase,
                            KdfCost cost) {
  if (Status s = CheckConfig(config); !s.ok()) return s;
  if (Status s = CheckLedgerUrl(config); !s.ok()) return s;
  if (fs::exists(KeyPath(home))) {
    return Status::Conflict(
        "key_exists", "a key already exists in " + home.string() + "; refusing to overwrite it");
  }
  KeyPair key = GenerateKeyPair();
  Result<std::string> sealed = SealKey(key, passphrase, cost);
  if (!sealed.ok()) return sealed.status();
  for (const fs::path& dir : {home, OutboxDir(home), ReceiptsDir(home)}) {
    if (Status s = CreateDirectory(dir); !s.ok()) return s;
  }
  std::error_code ignored;
  fs::permissions(home, fs::perms::owner_all, ignored);
  ChainHead head;
  if (Status s = WriteFileDurably(ConfigPath(home), ConfigToJson(config), 0600); !s.ok()) return s;
  if (Status s = WriteFileDurably(HeadPath(home), HeadToJson(head)); !s.ok()) return s;
  // The key last: its presence marks a complete home.
  if (Status s = WriteFileDurably(KeyPath(home), *sealed, 0600); !s.ok()) return s;
  Agent agent(home, config, key.public_key, head);
  agent.key_ = std::move(key);
  return agent;
}

Result<Agent> Agent::Open(const fs::path& home) {
  InitCrypto();
  Result<Config> config = LoadConfig(home);
  if (!config.ok()) return config.status();
  Result<json> key = ReadJson(KeyPath(home));
  if (!key.ok()) return Status::NotFound("no_key", "no key in " + home.string());
  Result<PublicKey> public_key =
      PublicKeyFromBase64(OptionalString(*key, "public_key").value_or(""), "key.json: public_key");
  if (!public_key.ok()) return Status::Corruption(public_key.status().message());
  if (Status s = RecoverOutboxSwap(home); !s.ok()) return s;
  Result<ChainHead> head = LoadHead(home);
  if (!head.ok()) return head.status();
  Agent agent(home, *config, *public_key, *head);
  // When the outbox is not empty its last event is the chain head: it is written before
  // head.json, so this repairs a crash between the two writes.
  Result<std::vector<QueuedEvent>> outbox = agent.Outbox();
  if (!outbox.ok()) return outbox.status();
  if (!outbox->empty()) {
    ChainHead last{outbox->back().seq, outbox->back().payload_hash};
    if (last.seq != head->seq || last.prev != head->prev) {
      if (Status s = WriteFileDurably(HeadPath(home), HeadToJson(last)); !s.ok()) return s;
      agent.head_ = last;
    }
  }
  return agent;
}

Status Agent::Unlock(std::string_view passphrase) {
  Result<std::string> text = ReadFile(KeyPath(home_));
  if (!text.ok()) return text.status();
  Result<KeyPair> key = OpenKey(*text, passphrase);
  if (!key.ok()) return key.status();
  if (key->public_key != public_key_) return Status::Corruption("key.json: public key changed");
  key_ = *std::move(key);
  return Status::Ok();
}

Status Agent::SaveConfig(const Config& config) {
  if (Status s = CheckConfig(config); !s.ok()) return s;
  if (Status s = CheckLedgerUrl(config); !s.ok()) return s;
  if (config.agent != config_.agent && head_.seq > 0) {
    return Status::InvalidArgument("bad_config",
                                   "agent: cannot change once this agent has signed events");
  }
  if (Status s = WriteFileDurably(ConfigPath(home_), ConfigToJson(config), 0600); !s.ok()) {
    return s;
  }
  config_ = config;
  return Status::Ok();
}

Result<NoteVerifier> Agent::LogKey() const {
  if (config_.log_key.empty()) {
    return Status::InvalidArgument(
        "no_log_key", "log_key: not configured (chipledger-agent configure --log-key)");
  }
  return ParseVerifierKey(config_.log_key);
}

Result<WitnessPolicy> Agent::Witnesses() const {
  return CheckWitnessPolicy(config_.witnesses, config_.witness_quorum, "witnesses",
                            "witness_quorum");
}

Result<std::string> Agent::PayloadAt(const ChainHead& head, EventType type, const json& fields,
                                     const ComposeOptions& options) const {
  if (!fields.is_object()) {
    return Status::InvalidArgument("bad_fields", "fields: must be a JSON object");
  }
  for (const char* common : kCommonFields) {
    if (fields.contains(common)) {
      return Status::InvalidArgument(
          "bad_fields", std::string("fields.") + common + ": is filled in by the agent, remove it");
    }
  }
  json payload = fields;
  payload["v"] = 1;
  payload["type"] = EventTypeName(type);
  payload["agent"] = config_.agent;
  payload["seq"] = head.seq + 1;
  payload["prev"] = ToHex(head.prev);
  payload["time"] = FormatTime(options.time.value_or(Now()));
  if (options.location) {
    payload["location"] = {{"lat", options.location->lat}, {"lon", options.location->lon}};
    if (options.location->accuracy_m) {
      payload["location"]["accuracy_m"] = *options.location->accuracy_m;
    }
  }
  if (options.note) payload["note"] = *options.note;
  std::string bytes = payload.dump();
  if (Result<Event> event = ParseEvent(bytes); !event.ok()) return event.status();
  return bytes;
}

Result<std::string> Agent::Preview(EventType type, const json& fields,
                                   const ComposeOptions& options) const {
  return PayloadAt(head_, type, fields, options);
}

Result<QueuedEvent> Agent::Compose(EventType type, const json& fields,
                                   const ComposeOptions& options) {
  if (!key_) return Status::InvalidArgument("locked", "the key is locked: unlock it first");
  Result<std::string> payload = Preview(type, fields, options);
  if (!payload.ok()) return payload.status();
  if (Status s = Enqueue(*payload); !s.ok()) return s;
  return Queued(head_.seq);
}

Status Agent::Enqueue(const std::string& payload) {
  Envelope envelope{std::string(kEventPayloadType), payload, {}};
  SignEnvelope(&envelope, *key_);
  std::string serialized = SerializeEnvelope(envelope);
  if (serialized.size() > kMaxEnvelopeBytes) {
    return Status::TooLarge("too_large", "envelope: " + std::to_string(serialized.size()) +
                                             " bytes, the ledger accepts at most 60 KiB");
  }
  ChainHead next{head_.seq + 1, Sha256(payload)};
  // The outbox file first: once it exists, Open derives the head from it.
  Status s = WriteFileDurably(OutboxDir(home_) / SeqFileName(next.seq), serialized);
  if (s.ok()) s = WriteFileDurably(HeadPath(home_), HeadToJson(next));
  if (s.ok()) head_ = next;
  return s;
}

Result<std::vector<QueuedEvent>> Agent::Outbox() const {
  Result<std::vector<uint64_t>> seqs = ListSeqs(OutboxDir(home_));
  if (!seqs.ok()) return seqs.status();
  std::vector<QueuedEvent> events;
  for (uint64_t seq : *seqs) {
    Result<QueuedEvent> event = Queued(seq);
    if (!event.ok()) return event.status();
    events.push_back(*std::move(event));
  }
  return events;
}

Result<QueuedEvent> Agent::Queued(uint64_t seq) const {
  Result<std::string> text = ReadFile(OutboxDir(home_) / SeqFileName(seq));
  if (!text.ok()) {
    return Status::NotFound("not_queued", "seq " + std::to_string(seq) + " is not in the outbox");
  }
  return QueuedFromEnvelope(seq, *std::move(text));
}

Result<QueuedEvent> Agent::ImportCosigned(std::string_view envelope_json) {
  Result<Envelope> incoming = ParseEnvelope(envelope_json);
  if (!incoming.ok()) return incoming.status();
  Result<Event> event = ParseEvent(incoming->payload);
  if (!event.ok()) return event.status();
  if (event->agent != config_.agent) {
    return Status::InvalidArgument("not_ours",
                                   "payload.agent: is " + event->agent + ", not " + config_.agent);
  }
  if (ReceiptFor(event->seq).ok()) {
    return Status::Conflict("already_submitted",
                            "seq " + std::to_string(event->seq) +
                                " is already in the ledger; co-sign before submitting");
  }
  Result<QueuedEvent> queued = Queued(event->seq);
  if (!queued.ok()) return queued.status();
  Envelope merged = *ParseEnvelope(queued->envelope);
  if (merged.payload != incoming->payload) {
    return Status::InvalidArgument(
        "payload_mismatch",
        "payload: differs from the queued event seq " + std::to_string(event->seq));
  }
  if (incoming->signatures.empty() || incoming->signatures[0].keyid != key_id() ||
      incoming->signatures[0].sig != merged.signatures[0].sig) {
    return Status::InvalidArgument("bad_signatures",
                                   "signatures[0]: must be this agent's own signature");
  }
  for (const EnvelopeSignature& signature : incoming->signatures) {
    bool known =
        std::any_of(merged.signatures.begin(), merged.signatures.end(),
                    [&](const EnvelopeSignature& s) { return s.keyid == signature.keyid; });
    if (!known) merged.signatures.push_back(signature);
  }
  std::string serialized = SerializeEnvelope(merged);
  if (serialized.size() > kMaxEnvelopeBytes) {
    return Status::TooLarge("too_large", "envelope: larger than 60 KiB with the co-signatures");
  }
  Status s = WriteFileDurably(OutboxDir(home_) / SeqFileName(event->seq), serialized);
  if (!s.ok()) return s;
  return Queued(event->seq);
}

Result<std::string> Agent::Cosign(std::string_view envelope_json) const {
  if (!key_) return Status::InvalidArgument("locked", "the key is locked: unlock it first");
  return CosignEnvelope(envelope_json, *key_);
}

Status Agent::StoreReceipt(const QueuedEvent& event, const Receipt& receipt) {
  StoredReceipt stored{event.seq, event.envelope, receipt};
  Status s =
      WriteFileDurably(ReceiptsDir(home_) / SeqFileName(event.seq), StoredReceiptToJson(stored));
  // The receipt first: a crash in between leaves a queued event with a receipt, which Submit
  // recognises and removes.
  if (s.ok()) s = RemoveDurably(OutboxDir(home_) / SeqFileName(event.seq));
  // An earlier refusal no longer applies (the cause was fixed); the marker is only advice.
  std::error_code ignored;
  fs::remove(RefusalPath(home_, event.seq), ignored);
  return s;
}

Status Agent::CheckLedgerKey(const NoteVerifier& log_key, const SubmitOptions& options) const {
  Result<HttpAnswer> answer = WithRetries(
      options, "GET /checkpoint", [&] { return Get(config_, "/checkpoint", std::nullopt); });
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) {
    return Status::Unavailable("GET /checkpoint: HTTP " + std::to_string(answer->status) + " " +
                               answer->body + " (is " + config_.ledger_url + " a chipledger?)");
  }
  Result<Checkpoint> checkpoint = VerifyCheckpoint(answer->body, log_key);
  if (checkpoint.ok()) return Status::Ok();
  return Status::Unauthenticated(
      "wrong_log_key", "the ledger at " + config_.ledger_url +
                           " does not sign its checkpoint with the configured log key " +
                           log_key.name + " (" + checkpoint.status().message() +
                           "); nothing was sent. Is ledger_url the right ledger? If it is, run "
                           "`chipledger-agent configure --log-key VKEY` with the key its "
                           "`chipledgerd init` printed");
}

Result<SubmitReport> Agent::Submit(const SubmitOptions& options) {
  Result<NoteVerifier> log_key = LogKey();
  if (!log_key.ok()) return log_key.status();
  SubmitReport report;
  bool key_checked = false;
  while (true) {
    Result<std::vector<QueuedEvent>> outbox = Outbox();
    if (!outbox.ok()) return outbox.status();
    if (outbox->empty()) return report;
    const QueuedEvent& event = outbox->front();
    if (ReceiptFor(event.seq).ok()) {
      if (Status s = RemoveDurably(OutboxDir(home_) / SeqFileName(event.seq)); !s.ok()) return s;
      continue;
    }
    if (!key_checked) {
      if (Status s = CheckLedgerKey(*log_key, options); !s.ok()) return s;
      key_checked = true;
    }
    std::string request = "POST /v1/events (seq " + std::to_string(event.seq) + ")";
    Result<HttpAnswer> answer =
        WithRetries(options, request, [&] { return PostEvent(config_, event.envelope); });
    if (!answer.ok()) {
      if (answer.status().kind() != StatusKind::kUnavailable) return answer.status();
      return Status::Unavailable(answer.status().message() + "; " + std::to_string(outbox->size()) +
                                 " events stay in the outbox: submit again later");
    }
    if (answer->status == 200 || answer->status == 201) {
      Result<Receipt> receipt = ParseReceipt(answer->body);
      if (!receipt.ok()) return receipt.status();
      Result<Checkpoint> checked = VerifyReceiptFor(*receipt, event.envelope, *log_key);
      if (!checked.ok()) return checked.status();
      if (Status s = StoreReceipt(event, *receipt); !s.ok()) return s;
      ++(answer->status == 201 ? report.submitted : report.duplicates);
      if (options.on_receipt)
        options.on_receipt(StoredReceipt{event.seq, event.envelope, *receipt});
      continue;
    }
    if (answer->status != 409) return Refused(home_, event, *answer);
    json body = json::parse(answer->body, nullptr, false);
    auto expected_seq = body.is_object() ? body.find("expected_seq") : body.end();
    Result<Hash> expected_prev =
        HashFromHex(body.is_object() ? OptionalString(body, "expected_prev").value_or("") : "",
                    "expected_prev");
    if (!body.is_object() || expected_seq == body.end() || !expected_seq->is_number_unsigned() ||
        !expected_prev.ok()) {
      return Refused(home_, event, *answer);
    }
    if (Status s = HandleConflict(event, expected_seq->get<uint64_t>(), *expected_prev,
                                  options.resync, &report);
        !s.ok()) {
      return s;
    }
  }
}

Status Agent::HandleConflict(const QueuedEvent& event, uint64_t expected_seq,
                             const Hash& expected_prev, bool resync, SubmitReport* report) {
  std::string at = "the ledger expects seq " + std::to_string(expected_seq) + " from " +
                   config_.agent + " but the outbox starts at seq " + std::to_string(event.seq);
  if (Status s = CheckLedgerKept(home_, expected_seq); !s.ok()) return s;
  if (report->resynced > 0) {
    return Status::Conflict("chain_diverged", at + " again after a resync: is the key of " +
                                                  config_.agent + " in use elsewhere?");
  }
  if (!resync) {
    std::string why =
        expected_seq == event.seq
            ? " with a different prev: the ledger holds a different event at seq " +
                  std::to_string(event.seq - 1)
        : expected_seq > event.seq
            ? ": the ledger already holds a different event at seq " + std::to_string(event.seq) +
                  " (this home was restored from an old copy, or the key is used "
                  "elsewhere)"
            : ": events " + std::to_string(expected_seq) + ".." + std::to_string(event.seq - 1) +
                  " were signed here but are neither queued nor receipted (lost "
                  "locally)";
    return Status::Conflict("chain_diverged",
                            at + why +
                                ". Nothing was changed. Run `submit --resync` to re-sign the "
                                "queued events from seq " +
                                std::to_string(expected_seq) + " onto the ledger's chain");
  }
  Result<std::vector<QueuedEvent>> outbox = Outbox();
  if (!outbox.ok()) return outbox.status();
  if (Status s = Resync(expected_seq, expected_prev); !s.ok()) return s;
  report->resynced += outbox->size();
  return Status::Ok();
}

Status Agent::Resync(uint64_t expected_seq, const Hash& expected_prev) {
  if (!key_) return Status::InvalidArgument("locked", "the key is locked: unlock it first");
  if (expected_seq == 0) return Status::InvalidArgument("bad_seq", "expected_seq: must be >= 1");
  if (Status s = CheckLedgerKept(home_, expected_seq); !s.ok()) return s;
  Result<std::vector<QueuedEvent>> outbox = Outbox();
  if (!outbox.ok()) return outbox.status();
  std::vector<std::string> payloads;
  for (const QueuedEvent& event : *outbox) {
    if (event.signatures > 1) {
      return Status::Conflict("cosigned", "seq " + std::to_string(event.seq) +
                                              " carries co-signatures that re-signing would void; "
                                              "re-compose and co-sign it again");
    }
    payloads.push_back(ParseEnvelope(event.envelope)->payload);
  }
  return Restage(ChainHead{expected_seq - 1, expected_prev}, payloads);
}

Status Agent::Restage(const ChainHead& base, const std::vector<std::string>& payloads) {
  if (!payloads.empty() && !key_) {
    return Status::InvalidArgument("locked", "the key is locked: unlock it first");
  }
  fs::path staged = home_ / "outbox.new";
  std::error_code error;
  fs::remove_all(staged, error);
  if (Status s = CreateDirectory(staged); !s.ok()) return s;
  ChainHead head = base;
  for (const std::string& bytes_before : payloads) {
    json payload = json::parse(bytes_before);
    payload["seq"] = head.seq + 1;
    payload["prev"] = ToHex(head.prev);
    std::string bytes = payload.dump();
    if (Result<Event> parsed = ParseEvent(bytes); !parsed.ok()) return parsed.status();
    Envelope envelope{std::string(kEventPayloadType), bytes, {}};
    SignEnvelope(&envelope, *key_);
    head = ChainHead{head.seq + 1, Sha256(bytes)};
    Status s = WriteFileDurably(staged / SeqFileName(head.seq), SerializeEnvelope(envelope));
    if (!s.ok()) return s;
  }
  // The head first: until the swap, Open repairs it from the old outbox's last event (the old
  // outbox is never empty here: it held at least the event being replaced or re-signed).
  if (Status s = WriteFileDurably(HeadPath(home_), HeadToJson(head)); !s.ok()) return s;
  head_ = head;
  // Swap the staged outbox in; RecoverOutboxSwap finishes or undoes an interrupted swap.
  fs::rename(OutboxDir(home_), home_ / "outbox.old", error);
  if (!error) fs::rename(staged, OutboxDir(home_), error);
  if (error) return Status::IOError("swap outbox: " + error.message());
  return RecoverOutboxSwap(home_);
}

Result<std::vector<StoredReceipt>> Agent::Receipts() const {
  Result<std::vector<uint64_t>> seqs = ListSeqs(ReceiptsDir(home_));
  if (!seqs.ok()) return seqs.status();
  std::vector<StoredReceipt> receipts;
  for (uint64_t seq : *seqs) {
    Result<StoredReceipt> stored = ReceiptFor(seq);
    if (!stored.ok()) return stored.status();
    receipts.push_back(*std::move(stored));
  }
  return receipts;
}

Result<StoredReceipt> Agent::ReceiptFor(uint64_t seq) const {
  Result<std::string> text = ReadFile(ReceiptsDir(home_) / SeqFileName(seq));
  if (!text.ok()) {
    return Status::NotFound("no_receipt", "no receipt for seq " + std::to_string(seq));
  }
  return ParseStoredReceipt(*text);
}

Result<Agent::ServedCheckpoint> Agent::FetchCheckpoint(const NoteVerifier& log_key,
                                                       const WitnessPolicy& policy) const {
  Result<HttpAnswer> latest = Get(config_, "/checkpoint", std::nullopt);
  if (!latest.ok()) return latest.status();
  if (latest->status != 200) {
    return Status::Unavailable("GET /checkpoint: HTTP " + std::to_string(latest->status));
  }
  Result<Checkpoint> checkpoint = VerifyCheckpoint(latest->body, log_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (policy.empty()) return ServedCheckpoint{std::move(latest->body), *checkpoint, {}};
  Result<std::vector<Cosignature>> cosignatures =
      VerifyCosignatures(latest->body, policy.witnesses);
  Status quorum =
      cosignatures.ok() ? CheckWitnessQuorum(latest->body, policy) : cosignatures.status();
  if (!quorum.ok()) {
    return Status::Unauthenticated(quorum.code(), "the ledger's checkpoint (size " +
                                                      std::to_string(checkpoint->size) +
                                                      ") is not trusted: " + quorum.message());
  }
  return ServedCheckpoint{std::move(latest->body), *checkpoint, *std::move(cosignatures)};
}

Result<Agent::ServedCheckpoint> Agent::AwaitCheckpoint(const NoteVerifier& log_key,
                                                       const WitnessPolicy& policy, uint64_t needed,
                                                       const ProveOptions& options) const {
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  for (;;) {
    Result<ServedCheckpoint> served = FetchCheckpoint(log_key, policy);
    if (!served.ok() || served->checkpoint.size >= needed ||
        std::chrono::steady_clock::now() >= deadline) {
      return served;
    }
    if (options.on_wait) options.on_wait(served->checkpoint.size, needed);
    std::this_thread::sleep_for(options.poll);
  }
}

namespace {

// Each configured witness, with the time of its cosignature among `valid` when there is one.
std::vector<WitnessStatus> CosignedBy(const std::vector<Cosignature>& valid,
                                      const WitnessPolicy& policy) {
  std::vector<WitnessStatus> statuses;
  for (const WitnessKey& witness : policy.witnesses) {
    auto cosigned = std::find_if(valid.begin(), valid.end(),
                                 [&](const Cosignature& c) { return c.witness == witness.name; });
    statuses.push_back({witness.name, cosigned == valid.end()
                                          ? std::nullopt
                                          : std::optional<uint64_t>(cosigned->timestamp)});
  }
  return statuses;
}

}  // namespace

Result<ConsistencyReport> Agent::Prove(const StoredReceipt& stored,
                                       const std::optional<std::string>& token,
                                       const ProveOptions& options) {
  Result<NoteVerifier> log_key = LogKey();
  if (!log_key.ok()) return log_key.status();
  Result<WitnessPolicy> policy = Witnesses();
  if (!policy.ok()) return policy.status();
  Result<Checkpoint> old_checkpoint = VerifyReceiptFor(stored.receipt, stored.envelope, *log_key);
  if (!old_checkpoint.ok()) return old_checkpoint.status();
  Result<std::optional<Checkpoint>> remembered = RememberedCheckpoint(*log_key);
  if (!remembered.ok()) return remembered.status();
  uint64_t needed = std::max(old_checkpoint->size, *remembered ? (*remembered)->size : 0);
  Result<ServedCheckpoint> served = AwaitCheckpoint(*log_key, *policy, needed, options);
  if (!served.ok()) return served.status();
  if (!policy->empty() && served->checkpoint.size < old_checkpoint->size) {
    return Status::Unavailable(
        "the witnessed checkpoint (size " + std::to_string(served->checkpoint.size) +
        ") does not yet cover the receipt (size " + std::to_string(old_checkpoint->size) +
        "): the witnesses have not cosigned a checkpoint that includes it; try again later");
  }
  ConsistencyReport report{*old_checkpoint, served->checkpoint, 0, *remembered, {}, 0};
  if (!policy->empty()) {
    report.witnesses = CosignedBy(served->cosignatures, *policy);
    report.witness_quorum = policy->quorum;
  }
  if (Status s = ProveAgainst(&report, token); !s.ok()) return s;
  // A larger checkpoint is remembered; so is the same one once witnessed (the roots matched).
  uint64_t kept = *remembered ? (*remembered)->size : 0;
  uint64_t size = report.new_checkpoint.size;
  if (!*remembered || size > kept || (size == kept && !policy->empty())) {
    if (Status s = WriteFileDurably(CheckpointPath(home_), served->note); !s.ok()) return s;
  }
  return report;
}

Status Agent::ProveAgainst(ConsistencyReport* report,
                           const std::optional<std::string>& token) const {
  // A fork or rollback says which earlier view it contradicts; a network error stays as it is.
  auto against = [](Status status, const std::string& earlier) {
    if (status.kind() != StatusKind::kCorruption) return status;
    return Status::Corruption("the log is not consistent with " + earlier + ": " +
                              status.message());
  };
  Status receipt = CheckConsistency(report->old_checkpoint, report->new_checkpoint, token,
                                    &report->proof_hashes);
  if (!receipt.ok()) return against(receipt, "the receipt");
  if (!report->remembered) return Status::Ok();
  Status earlier =
      CheckConsistency(*report->remembered, report->new_checkpoint, token, &report->proof_hashes);
  if (earlier.ok()) return earlier;
  return against(earlier, "the checkpoint of size " + std::to_string(report->remembered->size) +
                              " it showed before");
}

Status Agent::CheckConsistency(const Checkpoint& earlier, const Checkpoint& later,
                               const std::optional<std::string>& token, size_t* hashes) const {
  if (later.size < earlier.size) return Status::Corruption("the current tree is smaller");
  if (later.size == earlier.size) {
    if (later.root != earlier.root) return Status::Corruption("same size, different root");
    return Status::Ok();
  }
  Result<HttpAnswer> proof = Get(config_,
                                 "/v1/proofs/consistency?old=" + std::to_string(earlier.size) +
                                     "&new=" + std::to_string(later.size),
                                 token);
  if (!proof.ok()) return proof.status();
  if (proof->status != 200) {
    return Status::Unavailable("GET /v1/proofs/consistency: HTTP " + std::to_string(proof->status) +
                               " " + proof->body +
                               (token ? "" : " (no reader token: --token or configure --token)"));
  }
  json body = json::parse(proof->body, nullptr, false);
  std::vector<Hash> path;
  if (!body.is_object() || !body.contains("hashes") || !body["hashes"].is_array()) {
    return Status::InvalidArgument("bad_proof", "consistency proof: hashes missing");
  }
  for (const json& item : body["hashes"]) {
    Result<Hash> hash = HashFromHex(item.is_string() ? item.get<std::string>() : "", "hashes[]");
    if (!hash.ok()) return hash.status();
    path.push_back(*hash);
  }
  if (!VerifyConsistency(earlier.size, later.size, earlier.root, later.root, path)) {
    return Status::Corruption("the consistency proof does not verify");
  }
  *hashes += path.size();
  return Status::Ok();
}

Result<std::optional<Checkpoint>> Agent::RememberedCheckpoint(const NoteVerifier& log_key) const {
  if (!fs::exists(CheckpointPath(home_))) return std::optional<Checkpoint>();
  Result<std::string> note = ReadFile(CheckpointPath(home_));
  if (!note.ok()) return note.status();
  Result<Checkpoint> checkpoint = VerifyCheckpoint(*note, log_key);
  if (!checkpoint.ok()) {
    return Status::Corruption("checkpoint: " + checkpoint.status().message() +
                              " (the remembered checkpoint is damaged; it is evidence, so it is "
                              "not replaced: move it aside to start over)");
  }
  return std::optional<Checkpoint>(*checkpoint);
}

}  // namespace chipledger::agent

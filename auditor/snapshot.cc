// The snapshot's encoding (format in snapshot.h): one field list per record, used both to write
// and to read, so the two cannot drift apart.
#include "auditor/snapshot.h"

#include <array>
#include <bit>
#include <concepts>
#include <map>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "auditor/engine_state.h"
#include "ledger/crypto.h"

namespace chipledger::audit {

namespace {

constexpr std::string_view kMagic = "chipledger-audit-snapshot\n";
constexpr size_t kChecksumBytes = 32;

template <typename T, typename U>
concept Is = std::same_as<std::remove_const_t<T>, U>;

// A record that gains or loses a field changes size: then list the field below and bump
// kSnapshotVersion, or a snapshot would silently lose it. (Sizes of Debian 12's amd64 ABI.)
template <typename T, size_t kListed>
constexpr bool kAllFieldsListed = sizeof(T) == kListed;

}  // namespace

// Every record's fields in order. `io` is a Writer (with const records) or a Reader.
struct SnapshotCodec {
  template <typename Io, Is<Params> T>
  static void Fields(Io& io, T& v) {
    io(v.receipt_days, v.install_days, v.inspection_days, v.heartbeat_gap_hours, v.dark_cluster,
       v.max_speed_kmh, v.chip_watts, v.max_backdate_days, v.max_skew_s);
  }
  template <typename Io, Is<AgentState> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.role, v.org, v.sites, v.valid_until, v.key, v.retired_keys, v.revoked, v.last_seq,
       v.last_payload_hash);
  }
  template <typename Io, Is<Verifier::Carried> T>
  static void Fields(Io& io, T& v) {
    io(v.size, v.edge, v.last_leaf, v.last_integrated, v.agents, v.genesis_open);
  }
  template <typename Io, Is<PartyRegistered> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.name, v.country, v.kind);
  }
  template <typename Io, Is<SiteRegistered> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.party, v.name, v.country, v.lat, v.lon, v.radius_m, v.power_kw);
  }
  template <typename Io, Is<LicenseIssued> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.exporter, v.end_user, v.sites, v.models, v.max_quantity, v.purposes, v.valid_from,
       v.valid_until, v.route);
  }
  template <typename Io, Is<CheckRequested> T>
  static void Fields(Io& io, T& v) {
    io(v.check, v.site, v.kind, v.due);
  }
  template <typename Io, Is<Observation> T>
  static void Fields(Io& io, T& v) {
    io(v.site, v.time, v.index);
  }
  template <typename Io, Is<ChipInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.status, v.disposition, v.model, v.license, v.shipment, v.site, v.booked_index, v.host,
       v.decommissioned_index, v.dispatched_time, v.arrived, v.arrived_index, v.installed,
       v.installed_index, v.last_seen, v.attested_id, v.last_online, v.history);
  }
  template <typename Io, Is<InspectionGap> T>
  static void Fields(Io& io, T& v) {
    io(v.observed, v.missing, v.unexpected);
  }
  template <typename Io, Is<SiteInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.registered, v.record, v.book, v.installed, v.holding_since, v.holding_index,
       v.last_inspection, v.last_inspection_index, v.first_heartbeat, v.latest_inspection,
       v.latest_gap);
  }
  template <typename Io, Is<ShipmentInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.license, v.consignee, v.destination_site, v.serials, v.dispatched, v.dispatched_index,
       v.received, v.received_index);
  }
  template <typename Io, Is<LicenseInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.record, v.index, v.revoked, v.shipped);
  }
  template <typename Io, Is<PartyInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.registered, v.record, v.ever_approved, v.decision);
  }
  template <typename Io, Is<AgentInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.role, v.org, v.key_id, v.revoked);
  }
  template <typename Io, Is<CheckInfo> T>
  static void Fields(Io& io, T& v) {
    io(v.record, v.index, v.performed, v.performed_index);
  }
  template <typename Io, Is<ReplayState> T>
  static void Fields(Io& io, T& v) {
    io(v.shipments_);
    io.ShipmentKeys(v.shipments_);  // what the chips' `shipment` point at, read before them
    io(v.chips_, v.sites_, v.licenses_, v.parties_, v.agents_, v.agent_by_key_id_, v.checks_,
       v.screened_parties_, v.screened_names_, v.inspector_last_at_, v.event_counts_, v.entries_);
  }
  template <typename Io, Is<FindingBook::Key> T>
  static void Fields(Io& io, T& v) {
    io(v.rule, v.subject_kind, v.subject_id);
  }
  template <typename Io, Is<FindingBook::Recorded> T>
  static void Fields(Io& io, T& v) {
    io(v.id, v.site, v.party, v.message, v.evidence, v.last_evidence, v.severity);
  }
  template <typename Io, Is<FindingBook> T>
  static void Fields(Io& io, T& v) {
    io(v.findings_, v.resolutions_);  // base_ is only set on a query's overlay, never saved
  }
  template <typename Io, Is<SiteActivity::Site> T>
  static void Fields(Io& io, T& v) {
    io(v.name, v.party, v.days);
  }
  template <typename Io, Is<SiteActivity> T>
  static void Fields(Io& io, T& v) {
    io(v.sites_);
  }
  template <typename Io, Is<Engine::State> T>
  static void Fields(Io& io, T& v) {
    io(v.replay, v.findings);  // the rules themselves keep no state
  }

  // ReplayState's shipment index (and whether it is kept, a bool padded to 8 bytes) is derived,
  // not saved: rebuilt after a restore. FindingBook's journal: see below.
  static_assert(kAllFieldsListed<Engine::State, 720 + sizeof(ShipmentIndex) + 8 + sizeof(void*)>,
                "Engine::State changed: SnapshotCodec");
  static_assert(kAllFieldsListed<FindingBook::Key, 48>, "FindingBook::Key changed: SnapshotCodec");
  static_assert(kAllFieldsListed<FindingBook::Recorded, 104>, "Recorded changed: SnapshotCodec");

  static const Params& ParamsOf(const Engine& engine) { return engine.params_; }
  static Engine::State& StateOf(Engine* engine) { return *engine->state_; }
  static const Engine::State& StateOf(const Engine& engine) { return *engine.state_; }
};

static_assert(kAllFieldsListed<Params, 72>, "Params changed: update SnapshotCodec");
static_assert(kAllFieldsListed<AgentState, 216>, "AgentState changed: update SnapshotCodec");
static_assert(kAllFieldsListed<Verifier::Carried, 112>, "Carried changed: update SnapshotCodec");
static_assert(kAllFieldsListed<PartyRegistered, 104>, "PartyRegistered changed: SnapshotCodec");
static_assert(kAllFieldsListed<SiteRegistered, 168>, "SiteRegistered changed: SnapshotCodec");
static_assert(kAllFieldsListed<LicenseIssued, 224>, "LicenseIssued changed: SnapshotCodec");
static_assert(kAllFieldsListed<CheckRequested, 80>, "CheckRequested changed: SnapshotCodec");
static_assert(kAllFieldsListed<Observation, 24>, "Observation changed: update SnapshotCodec");
static_assert(kAllFieldsListed<ChipInfo, 232>, "ChipInfo changed: update SnapshotCodec");
static_assert(kAllFieldsListed<InspectionGap, 72>, "InspectionGap changed: SnapshotCodec");
static_assert(kAllFieldsListed<SiteInfo, 384>, "SiteInfo changed: update SnapshotCodec");
static_assert(kAllFieldsListed<ShipmentInfo, 88>, "ShipmentInfo changed: SnapshotCodec");
static_assert(kAllFieldsListed<LicenseInfo, 248>, "LicenseInfo changed: SnapshotCodec");
static_assert(kAllFieldsListed<PartyInfo, 128>, "PartyInfo changed: update SnapshotCodec");
static_assert(kAllFieldsListed<AgentInfo, 112>, "AgentInfo changed: update SnapshotCodec");
static_assert(kAllFieldsListed<CheckInfo, 112>, "CheckInfo changed: update SnapshotCodec");
static_assert(kAllFieldsListed<ReplayState, 592 + sizeof(ShipmentIndex) + 8>,
              "ReplayState changed: SnapshotCodec");
// FindingBook's journal (a pointer) is a reader's, not saved.
static_assert(kAllFieldsListed<FindingBook, 104 + sizeof(void*)>,
              "FindingBook changed: SnapshotCodec");
static_assert(kAllFieldsListed<SiteActivity, 48>, "SiteActivity changed: SnapshotCodec");

namespace {

template <typename Io, typename T>
concept HasFields = requires(Io& io, T& value) {
  SnapshotCodec::Fields(io, value);
};

template <typename T>
concept Sequence = requires(const T& c) {
  c.size();
  c.begin();
  typename T::value_type;
}
&&!std::is_same_v<T, std::string>;

class Writer {
 public:
  template <typename... Ts>
  void operator()(const Ts&... values) {
    (Put(values), ...);
  }
  std::string& bytes() { return out_; }
  void ShipmentKeys(const std::map<std::string, ShipmentInfo>& /*written as ids*/) {}

 private:
  void Varint(uint64_t value) {
    for (; value >= 0x80; value >>= 7) out_.push_back(static_cast<char>(value | 0x80));
    out_.push_back(static_cast<char>(value));
  }
  template <std::integral T>
  void Put(T value) {
    if constexpr (std::is_signed_v<T>) {  // zigzag: small magnitudes stay short
      int64_t wide = value;
      Varint((static_cast<uint64_t>(wide) << 1) ^ static_cast<uint64_t>(wide >> 63));
    } else {
      Varint(value);
    }
  }
  template <typename T>
  requires std::is_enum_v<T>
  void Put(T value) { Put(static_cast<std::underlying_type_t<T>>(value)); }
  void Put(double value) {
    uint64_t bits = std::bit_cast<uint64_t>(value);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  void Put(Timestamp value) { Put(value.unix_nanos); }
  void Put(const Name& value) { Put(value.str()); }
  // A pointer to a shipment's key (ChipInfo::shipment): the id, or "" for none.
  void Put(const std::string* key) { Put(key != nullptr ? *key : std::string()); }
  void Put(const std::string& value) {
    Varint(value.size());
    out_.append(value);
  }
  template <typename T, size_t N>
  void Put(const std::array<T, N>& value) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      out_.append(reinterpret_cast<const char*>(value.data()), N);
    } else {
      for (const T& element : value) Put(element);
    }
  }
  template <typename T>
  void Put(const std::optional<T>& value) {
    Put(value.has_value());
    if (value) Put(*value);
  }
  template <typename K, typename V>
  void Put(const std::pair<K, V>& value) {
    Put(value.first);
    Put(value.second);
  }
  template <Sequence T>
  void Put(const T& value) {
    Varint(value.size());
    for (const auto& element : value) Put(element);
  }
  template <typename T>
  requires HasFields<Writer, const T>
  void Put(const T& value) { SnapshotCodec::Fields(*this, value); }

  std::string out_;
};

// Reads what Writer wrote; the first malformed field stops it (ok() false) and every later read
// yields defaults, so callers check once at the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  template <typename... Ts>
  void operator()(Ts&... values) {
    (Get(values), ...);
  }
  // The shipments read so far, which ChipInfo::shipment points into.
  void ShipmentKeys(const std::map<std::string, ShipmentInfo>& shipments) {
    shipments_ = &shipments;
  }
  bool ok() const { return ok_; }
  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }

 private:
  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; ok_ && shift < 64; shift += 7) {
      if (remaining() == 0) break;
      auto byte = static_cast<uint8_t>(bytes_[offset_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }
  // A length that the bytes left cannot hold (every element takes at least one byte).
  size_t Length() {
    uint64_t length = Varint();
    if (length > remaining()) ok_ = false;
    return ok_ ? static_cast<size_t>(length) : 0;
  }
  template <std::integral T>
  void Get(T& value) {
    uint64_t raw = Varint();
    if constexpr (std::is_signed_v<T>) {
      value = static_cast<T>(static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1));
    } else {
      value = static_cast<T>(raw);
    }
  }
  template <typename T>
  requires std::is_enum_v<T>
  void Get(T& value) {
    std::underlying_type_t<T> raw{};
    Get(raw);
    value = static_cast<T>(raw);
  }
  void Get(double& value) {
    uint64_t bits = 0;
    if (remaining() < 8) ok_ = false;
    for (int i = 0; ok_ && i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[offset_++])) << (8 * i);
    }
    value = std::bit_cast<double>(bits);
  }
  void Get(Timestamp& value) { Get(value.unix_nanos); }
  void Get(Name& value) {
    std::string text;
    Get(text);
    value = Name(text);
  }
  void Get(std::string& value) {
    size_t length = Length();
    value.assign(bytes_.substr(offset_, length));
    offset_ += length;
  }
  // An id that names no shipment read before is malformed.
  void Get(const std::string*& key) {
    std::string id;
    Get(id);
    key = nullptr;
    if (id.empty() || !ok_) return;
    if (shipments_ != nullptr) {
      if (auto it = shipments_->find(id); it != shipments_->end()) {
        key = &it->first;
        return;
      }
    }
    ok_ = false;
  }
  template <typename T, size_t N>
  void Get(std::array<T, N>& value) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      if (remaining() < N) ok_ = false;
      if (!ok_) return;
      std::copy_n(bytes_.data() + offset_, N, reinterpret_cast<char*>(value.data()));
      offset_ += N;
    } else {
      for (T& element : value) Get(element);
    }
  }
  template <typename T>
  void Get(std::optional<T>& value) {
    bool present = false;
    Get(present);
    value.reset();
    if (!present) return;
    value.emplace();
    Get(*value);
  }
  template <typename T>
  void Get(std::vector<T>& value) {
    size_t length = Length();
    value.clear();
    value.reserve(length);
    for (size_t i = 0; i < length && ok_; ++i) Get(value.emplace_back());
  }
  template <typename T>
  void Get(std::set<T>& value) {
    size_t length = Length();
    value.clear();
    for (size_t i = 0; i < length && ok_; ++i) {
      T element{};
      Get(element);
      value.insert(value.end(), std::move(element));
    }
  }
  template <typename Map>
  requires requires { typename Map::mapped_type; }
  void Get(Map& value) {
    size_t length = Length();
    value.clear();
    if constexpr (requires { value.reserve(length); }) value.reserve(length);
    for (size_t i = 0; i < length && ok_; ++i) {
      typename Map::key_type key{};
      Get(key);
      Get(value[std::move(key)]);
    }
  }
  template <typename T>
  requires HasFields<Reader, T>
  void Get(T& value) { SnapshotCodec::Fields(*this, value); }

  std::string_view bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
  const std::map<std::string, ShipmentInfo>* shipments_ = nullptr;
};

Status Bad(std::string what) { return Status::Corruption("snapshot: " + std::move(what)); }

// The whole file: magic, version, header, body, checksum.
std::string Encode(std::string_view checkpoint_note, const Engine& engine,
                   const Verifier::Carried& carried, const SiteActivity& activity) {
  Writer writer;
  writer.bytes().append(kMagic);
  writer(kSnapshotVersion, std::string(checkpoint_note), SnapshotCodec::ParamsOf(engine), carried,
         SnapshotCodec::StateOf(engine), activity);
  Hash checksum = Sha256(writer.bytes());
  writer.bytes().append(reinterpret_cast<const char*>(checksum.data()), checksum.size());
  return std::move(writer.bytes());
}

}  // namespace

Result<std::string> SaveSnapshot(std::string_view checkpoint_note, const Engine& engine,
                                 const SiteActivity& activity, const Verifier& verifier) {
  if (engine.entries_applied() != verifier.entries_checked()) {
    return Status::InvalidArgument(
        "not_all_judged", "snapshot: " + std::to_string(verifier.entries_checked()) +
                              " entries verified but " + std::to_string(engine.entries_applied()) +
                              " judged (the rest are after --as-of)");
  }
  return Encode(checkpoint_note, engine, verifier.Export(), activity);
}

Result<std::string> SaveEngineSnapshot(std::string_view checkpoint_note, const Engine& engine) {
  Verifier::Carried carried;
  carried.size = engine.entries_applied();  // Parse checks it against the note's size
  return Encode(checkpoint_note, engine, carried, SiteActivity());
}

Result<Snapshot> Snapshot::Parse(std::string bytes, const NoteVerifier& log_key) {
  if (bytes.size() < kMagic.size() + kChecksumBytes || !bytes.starts_with(kMagic)) {
    return Bad("not a chipledger-audit snapshot (no magic)");
  }
  std::string_view content(bytes.data(), bytes.size() - kChecksumBytes);
  Snapshot snapshot;
  Reader reader(content.substr(kMagic.size()));
  uint64_t version = 0;
  reader(version);
  if (version != kSnapshotVersion) {
    return Bad("format version " + std::to_string(version) + ", this chipledger-audit reads " +
               std::to_string(kSnapshotVersion));
  }
  Hash checksum = Sha256(content);
  if (std::string_view(reinterpret_cast<const char*>(checksum.data()), checksum.size()) !=
      std::string_view(bytes).substr(content.size())) {
    return Bad("SHA-256 checksum mismatch (the file is damaged)");
  }
  reader(snapshot.note_, snapshot.params_, snapshot.verifier_);
  if (!reader.ok()) return Bad("the header does not decode");
  Result<Checkpoint> checkpoint = VerifyCheckpoint(snapshot.note_, log_key);
  if (!checkpoint.ok()) {
    return Bad("its checkpoint is not signed by the log key: " + checkpoint.status().message());
  }
  if (checkpoint->size != snapshot.verifier_.size) {
    return Bad("its checkpoint has size " + std::to_string(checkpoint->size) + " but it holds " +
               std::to_string(snapshot.verifier_.size) + " entries' state");
  }
  snapshot.checkpoint_ = *checkpoint;
  snapshot.body_ = kMagic.size() + reader.offset();
  snapshot.bytes_ = std::move(bytes);
  return snapshot;
}

Status Snapshot::CheckParams(const Engine& engine) const {
  if (SnapshotCodec::ParamsOf(engine) == params_) return Status::Ok();
  return Status::InvalidArgument("snapshot_params", "snapshot: made with --param " +
                                                        params_.ToString() + "; this audit uses " +
                                                        SnapshotCodec::ParamsOf(engine).ToString());
}

Status Snapshot::RestoreInto(Engine* engine, SiteActivity* activity, Verifier* verifier) const {
  if (Status params = CheckParams(*engine); !params.ok()) return params;
  if (Status resumed = verifier->Resume(verifier_, checkpoint_); !resumed.ok()) {
    return Bad(resumed.message());
  }
  std::string_view body(bytes_.data() + body_, bytes_.size() - kChecksumBytes - body_);
  Reader reader(body);
  reader(SnapshotCodec::StateOf(engine), *activity);
  if (!reader.ok() || reader.remaining() != 0) return Bad("the body does not decode");
  SnapshotCodec::StateOf(engine).replay.RebuildIndexes();
  return Status::Ok();
}

Status Snapshot::RestoreEngine(Engine* engine) const {
  if (Status params = CheckParams(*engine); !params.ok()) return params;
  std::string_view body(bytes_.data() + body_, bytes_.size() - kChecksumBytes - body_);
  Reader reader(body);
  auto& state = SnapshotCodec::StateOf(engine);
  // An Engine::State (private but to the codec), so that a damaged body leaves `engine` as it was.
  std::remove_reference_t<decltype(state)> decoded;
  SiteActivity unused;  // a server's snapshot holds an empty one
  reader(decoded, unused);
  if (!reader.ok() || reader.remaining() != 0) return Bad("the body does not decode");
  state.replay = std::move(decoded.replay);  // the rules keep no state: the engine's stay
  state.findings = std::move(decoded.findings);
  state.replay.RebuildIndexes();
  return Status::Ok();
}

}  // namespace chipledger::audit

// Signed events (SPEC §3): the DSSE envelope, PAE, and every event type parsed once, at the edge,
// into typed structs. A parse error is an InvalidArgument Status whose message names the field by
// its JSON path (e.g. "payload.shipment.chips[2].serial: ...").
#ifndef CHIPLEDGER_LEDGER_EVENT_H_
#define CHIPLEDGER_LEDGER_EVENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger {

inline constexpr std::string_view kEventPayloadType = "application/vnd.chipledger.event.v1+json";
inline constexpr size_t kMaxEnvelopeBytes = 60 * 1024;
inline constexpr size_t kMaxNoteChars = 2000;
// The built-in agent that signs genesis enrolments with the log key (SPEC §4).
inline constexpr std::string_view kLogAgentId = "log";

// ---- The envelope (DSSE v1) ----

struct EnvelopeSignature {
  std::string keyid;  // lowercase hex key id, SPEC §2
  Signature sig;
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // raw payload bytes (decoded from base64)
  std::vector<EnvelopeSignature> signatures;
};

// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
std::string Pae(std::string_view payload_type, std::string_view payload);
// Parses the JSON envelope; checks shape and base64 only, not signatures or the payload.
Result<Envelope> ParseEnvelope(std::string_view json);
// Canonical JSON: {"payloadType":…,"payload":…,"signatures":[{"keyid":…,"sig":…}]}.
std::string SerializeEnvelope(const Envelope& envelope);
// Appends a signature by `key` over PAE(payload_type, payload).
void SignEnvelope(Envelope* envelope, const KeyPair& key);
// True when signature `i` verifies under `key` (the caller has matched its keyid).
bool VerifyEnvelopeSignature(const Envelope& envelope, size_t i, const PublicKey& key);

// ---- Vocabulary ----

enum class EventType {
  kPartyRegistered,
  kSiteRegistered,
  kAgentEnrolled,
  kAgentRevoked,
  kLicenseIssued,
  kLicenseRevoked,
  kScreeningListed,
  kCheckRequested,
  kWhitelistDecision,
  kFindingResolved,
  kShipmentDispatched,
  kShipmentReceived,
  kChipInstalled,
  kInspectionPerformed,
  kMonitorHeartbeat,
  kChipTransferred,
  kChipDecommissioned,
};
std::string_view EventTypeName(EventType type);  // "party.registered", …
std::optional<EventType> EventTypeFromName(std::string_view name);
const std::vector<EventType>& AllEventTypes();

enum class Role { kAuthority, kExporter, kSiteOperator, kInspector, kMonitor };
std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);
// SPEC §1: which roles may sign which event types.
bool RoleMaySign(Role role, EventType type);

enum class PartyKind { kExporter, kEndUser, kCarrier, kForwarder, kInspectionBody, kAuthority };
std::string_view PartyKindName(PartyKind kind);

struct Location {
  double lat = 0;
  double lon = 0;
  std::optional<double> accuracy_m;
};

struct SealState {
  std::string id;
  bool intact = true;
};

// ---- Registry events (role authority) ----

struct PartyRegistered {
  std::string id, name, country;
  PartyKind kind = PartyKind::kEndUser;
};

struct SiteRegistered {
  std::string id, party, name, country;
  double lat = 0, lon = 0;
  double radius_m = 1000;
  std::optional<double> power_kw;
};

struct AgentEnrolled {
  std::string agent;
  PublicKey public_key{};
  Role role = Role::kInspector;
  std::string org;                 // party id
  std::vector<std::string> sites;  // empty = any site
  std::optional<Timestamp> valid_until;
};

struct AgentRevoked {
  std::string agent, reason;
};

struct LicenseIssued {
  std::string id, exporter, end_user;
  std::vector<std::string> sites, models;
  int64_t max_quantity = 0;
  std::vector<std::string> purposes;
  Timestamp valid_from, valid_until;
  std::optional<std::vector<std::string>> route;  // allowed transit countries
};

struct LicenseRevoked {
  std::string license, reason;
};

enum class ScreeningList { kEntity, kUnverified, kSdn };
struct ScreeningListed {
  std::optional<std::string> party;  // exactly one of party and name
  std::optional<std::string> name;
  ScreeningList list = ScreeningList::kEntity;
  bool listed = true;
};

enum class CheckKind { kPreLicense, kPostShipment, kChallenge };
struct CheckRequested {
  std::string check, site;
  CheckKind kind = CheckKind::kPostShipment;
  Timestamp due;
};

enum class WhitelistStatus { kApproved, kSuspended, kRemoved };
struct WhitelistDecision {
  std::string party;
  WhitelistStatus status = WhitelistStatus::kApproved;
  std::string reason;
};

struct FindingResolved {
  std::string finding, resolution;
};

// ---- Custody events ----

struct ShippedChip {
  std::string serial, model;
};
struct ShipmentDispatched {
  std::string shipment, license, consignee, destination_site;
  std::vector<ShippedChip> chips;  // at least one
  std::optional<std::string> carrier;
  std::vector<std::string> seals;
  std::vector<std::string> route;  // country codes
};

struct ShipmentReceived {
  std::string shipment, site;
  std::vector<std::string> chips;
  std::vector<SealState> seals;
};

struct InstalledChip {
  std::string serial, host;
  std::optional<std::string> slot;
};
struct ChipInstalled {
  std::string site;
  std::vector<InstalledChip> chips;
};

enum class InspectionKind { kRoutine, kChallenge, kPostShipment };
enum class InspectionResult { kPass, kFail, kInconclusive };
struct ObservedChip {
  std::string serial;
  std::optional<std::string> attested_id;
  std::optional<std::string> host;
};
struct Evidence {
  Hash sha256{};
  std::string media_type, description;
};
struct InspectionPerformed {
  std::string inspection, site;
  std::optional<std::string> check;
  InspectionKind kind = InspectionKind::kRoutine;
  std::optional<std::vector<std::string>> sampled;
  std::vector<ObservedChip> observed;
  std::vector<SealState> seals;
  std::string purpose_observed;
  std::vector<Evidence> evidence;
  InspectionResult result = InspectionResult::kPass;
};

struct OnlineChip {
  std::string serial;
  std::optional<std::string> attested_id;
};
struct MonitorHeartbeat {
  std::string site;
  Timestamp window_start, window_end;
  std::vector<OnlineChip> online;
  std::optional<std::map<std::string, double>> rtt_ms;  // landmark -> round-trip ms
};

struct ChipTransferred {
  std::vector<std::string> chips;
  std::string from_site, to_site, license;
};

enum class Disposition { kDestroyed, kReturned };
struct ChipDecommissioned {
  std::string site;
  std::vector<std::string> chips;
  std::string reason;
  Disposition disposition = Disposition::kDestroyed;
};

using EventBody =
    std::variant<PartyRegistered, SiteRegistered, AgentEnrolled, AgentRevoked, LicenseIssued,
                 LicenseRevoked, ScreeningListed, CheckRequested, WhitelistDecision,
                 FindingResolved, ShipmentDispatched, ShipmentReceived, ChipInstalled,
                 InspectionPerformed, MonitorHeartbeat, ChipTransferred, ChipDecommissioned>;

// A parsed payload: the common fields of SPEC §3 and the type-specific body.
struct Event {
  EventType type = EventType::kPartyRegistered;
  std::string agent;
  uint64_t seq = 0;
  Hash prev{};
  Timestamp time;
  std::optional<Location> location;
  std::optional<std::string> note;
  EventBody body;

  // The site the event acts at, for the §4 site check: `site`, or `from_site` of a transfer.
  std::optional<std::string> Site() const;
  // Serials the event names (custody and observation events), in payload order, once each: views
  // of the event's own strings.
  std::vector<std::string_view> Serials() const;
  // Party ids the event names (registrations, licenses, consignees, screening, decisions).
  std::vector<std::string> Parties() const;
};

// Parses payload bytes against the normative schema (schemas/): every field typed, unknown fields
// at any depth refused, ids/serials/times/countries checked, free text at most 2000 chars.
Result<Event> ParseEvent(std::string_view payload);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_EVENT_H_

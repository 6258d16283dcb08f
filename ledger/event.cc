#include "ledger/event.h"

#include <algorithm>
#include <numeric>

#include "ledger/event_internal.h"
#include "ledger/json_fields_internal.h"

namespace chipledger {

using internal::EventTypeNames;
using internal::FieldReader;
using internal::JsonString;
using internal::JsonValue;
using internal::NameTable;
using internal::RoleNames;
using internal::WithCode;

namespace {

template <typename E>
std::string_view NameOf(const NameTable<E>& names, E value) {
  for (const auto& [name, entry] : names) {
    if (entry == value) return name;
  }
  return "unknown";
}

template <typename E>
std::optional<E> FromName(const NameTable<E>& names, std::string_view name) {
  for (const auto& [text, entry] : names) {
    if (text == name) return entry;
  }
  return std::nullopt;
}

// event.h lists the registry types first, ending with kFindingResolved.
bool IsRegistryType(EventType type) { return type <= EventType::kFindingResolved; }

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// Spelled out for clang 14 (the fuzz build), which does not deduce aggregates' arguments.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void AppendUnique(std::vector<std::string>* out, const std::string& value) {
  for (const auto& existing : *out) {
    if (existing == value) return;
  }
  out->push_back(value);
}

// An envelope's fields before base64 decoding.
struct RawSignature {
  std::string keyid, sig;
};
struct RawEnvelope {
  std::string payload_type, payload;
  std::vector<RawSignature> signatures;
};

RawSignature ReadRawSignature(JsonValue value) {
  return value.Object([](FieldReader& f) {
    RawSignature signature;
    signature.keyid = ToHex(f.Get("keyid").Hex());
    signature.sig = f.Get("sig").String();
    return signature;
  });
}

RawEnvelope ReadRawEnvelope(FieldReader& f) {
  RawEnvelope raw;
  raw.payload_type = f.Get("payloadType").String();
  raw.payload = f.Get("payload").String();
  raw.signatures = f.Get("signatures").List(ReadRawSignature, 1);
  return raw;
}

Location ReadLocation(FieldReader& f) {
  Location location;
  location.lat = f.Get("lat").Number({-90, 90});
  location.lon = f.Get("lon").Number({-180, 180});
  if (auto v = f.Optional("accuracy_m")) location.accuracy_m = v->Number({0});
  return location;
}

}  // namespace

// ---- Envelope ----

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  out.append(payload_type);
  out += " " + std::to_string(payload.size()) + " ";
  out.append(payload);
  return out;
}

namespace internal {

const NameTable<EventType>& EventTypeNames() {
  static const NameTable<EventType> kNames = {
      {"party.registered", EventType::kPartyRegistered},
      {"site.registered", EventType::kSiteRegistered},
      {"agent.enrolled", EventType::kAgentEnrolled},
      {"agent.revoked", EventType::kAgentRevoked},
      {"license.issued", EventType::kLicenseIssued},
      {"license.revoked", EventType::kLicenseRevoked},
      {"screening.listed", EventType::kScreeningListed},
      {"check.requested", EventType::kCheckRequested},
      {"whitelist.decision", EventType::kWhitelistDecision},
      {"finding.resolved", EventType::kFindingResolved},
      {"shipment.dispatched", EventType::kShipmentDispatched},
      {"shipment.received", EventType::kShipmentReceived},
      {"chip.installed", EventType::kChipInstalled},
      {"inspection.performed", EventType::kInspectionPerformed},
      {"monitor.heartbeat", EventType::kMonitorHeartbeat},
      {"chip.transferred", EventType::kChipTransferred},
      {"chip.decommissioned", EventType::kChipDecommissioned}};
  return kNames;
}

const NameTable<Role>& RoleNames() {
  static const NameTable<Role> kNames = {{"authority", Role::kAuthority},
                                         {"exporter", Role::kExporter},
                                         {"site_operator", Role::kSiteOperator},
                                         {"inspector", Role::kInspector},
                                         {"monitor", Role::kMonitor}};
  return kNames;
}

const NameTable<PartyKind>& PartyKindNames() {
  static const NameTable<PartyKind> kNames = {{"exporter", PartyKind::kExporter},
                                              {"end_user", PartyKind::kEndUser},
                                              {"carrier", PartyKind::kCarrier},
                                              {"forwarder", PartyKind::kForwarder},
                                              {"inspection_body", PartyKind::kInspectionBody},
                                              {"authority", PartyKind::kAuthority}};
  return kNames;
}

Result<Envelope> ReadEnvelope(const JsonTree::Node& json, const std::string& path) {
  // The shape first (bad_envelope), then the payload type, then base64 (SPEC §4's order).
  Status error;
  RawEnvelope raw = JsonValue(&json, path, &error).Object(ReadRawEnvelope);
  if (!error.ok()) return WithCode(error, "bad_envelope");
  const std::string prefix = path.empty() ? "" : path + ".";
  if (raw.payload_type != kEventPayloadType) {
    return Status::InvalidArgument(
        "bad_payload_type", prefix + "payloadType: must be " + std::string(kEventPayloadType));
  }
  Envelope envelope;
  envelope.payload_type = raw.payload_type;
  auto bytes = Base64Decode(raw.payload, prefix + "payload");
  if (!bytes.ok()) return bytes.status();
  envelope.payload = std::move(*bytes);
  for (size_t i = 0; i < raw.signatures.size(); ++i) {
    auto sig = SignatureFromBase64(raw.signatures[i].sig,
                                   prefix + "signatures[" + std::to_string(i) + "].sig");
    if (!sig.ok()) return sig.status();
    envelope.signatures.push_back({raw.signatures[i].keyid, *sig});
  }
  return envelope;
}

}  // namespace internal

Result<Envelope> ParseEnvelope(std::string_view json) {
  auto parsed = internal::JsonTree::Parse(json, "envelope", "bad_envelope");
  if (!parsed.ok()) return parsed.status();
  if (parsed->root().kind != internal::JsonTree::Kind::kObject) {
    return Status::InvalidArgument("bad_envelope", "envelope: must be a JSON object");
  }
  return internal::ReadEnvelope(parsed->root(), "");
}

std::string SerializeEnvelope(const Envelope& envelope) {
  std::string out = "{\"payloadType\":" + JsonString(envelope.payload_type) +
                    ",\"payload\":" + JsonString(Base64Encode(envelope.payload)) +
                    ",\"signatures\":[";
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"keyid\":" + JsonString(envelope.signatures[i].keyid) +
           ",\"sig\":" + JsonString(Base64Encode(envelope.signatures[i].sig)) + "}";
  }
  return out + "]}";
}

void SignEnvelope(Envelope* envelope, const KeyPair& key) {
  envelope->signatures.push_back(
      {KeyId(key.public_key),
       Sign(key.secret_key, Pae(envelope->payload_type, envelope->payload))});
}

bool VerifyEnvelopeSignature(const Envelope& envelope, size_t i, const PublicKey& key) {
  if (i >= envelope.signatures.size()) return false;
  return Verify(key, Pae(envelope.payload_type, envelope.payload), envelope.signatures[i].sig);
}

// ---- Vocabulary ----

std::string_view EventTypeName(EventType type) { return NameOf(EventTypeNames(), type); }

std::optional<EventType> EventTypeFromName(std::string_view name) {
  return FromName(EventTypeNames(), name);
}

const std::vector<EventType>& AllEventTypes() {
  static const std::vector<EventType> kTypes = [] {
    std::vector<EventType> types;
    for (const auto& entry : EventTypeNames()) types.push_back(entry.second);
    return types;
  }();
  return kTypes;
}

std::string_view RoleName(Role role) { return NameOf(RoleNames(), role); }

std::optional<Role> RoleFromName(std::string_view name) { return FromName(RoleNames(), name); }

bool RoleMaySign(Role role, EventType type) {
  switch (role) {
    case Role::kAuthority:
      return IsRegistryType(type);
    case Role::kExporter:
      return type == EventType::kShipmentDispatched;
    case Role::kSiteOperator:
      return type == EventType::kShipmentReceived || type == EventType::kChipInstalled ||
             type == EventType::kChipTransferred || type == EventType::kChipDecommissioned;
    case Role::kInspector:
      return type == EventType::kShipmentReceived || type == EventType::kChipInstalled ||
             type == EventType::kInspectionPerformed || type == EventType::kChipDecommissioned;
    case Role::kMonitor:
      return type == EventType::kMonitorHeartbeat;
  }
  return false;
}

std::string_view PartyKindName(PartyKind kind) { return NameOf(internal::PartyKindNames(), kind); }

// ---- Payloads ----

Result<Event> ParseEvent(std::string_view payload) {
  auto json = internal::JsonTree::Parse(payload, "payload", "bad_payload");
  if (!json.ok()) return json.status();
  if (json->root().kind != internal::JsonTree::Kind::kObject) {
    return Status::InvalidArgument("bad_payload", "payload: must be a JSON object");
  }
  Status error;
  Event event;
  FieldReader fields(json->root(), "payload", &error);
  fields.Get("v").Integer(1, 1);
  event.type = fields.Get("type").Enum(EventTypeNames());
  event.agent = fields.Get("agent").Id();
  event.seq = static_cast<uint64_t>(fields.Get("seq").Integer(1, internal::kMaxSafeInteger));
  event.prev = fields.Get("prev").Hex();
  event.time = fields.Get("time").Time();
  if (auto v = fields.Optional("location")) event.location = v->Object(ReadLocation);
  if (auto v = fields.Optional("note")) event.note = v->Text(0, kMaxNoteChars);
  if (error.ok()) event.body = internal::ReadEventBody(event.type, fields);
  fields.Finish();
  if (!error.ok()) return error;
  return event;
}

std::optional<std::string> Event::Site() const {
  using Site = std::optional<std::string>;
  return std::visit(Overloaded{[](const ShipmentReceived& e) -> Site { return e.site; },
                               [](const ChipInstalled& e) -> Site { return e.site; },
                               [](const InspectionPerformed& e) -> Site { return e.site; },
                               [](const MonitorHeartbeat& e) -> Site { return e.site; },
                               [](const ChipDecommissioned& e) -> Site { return e.site; },
                               [](const CheckRequested& e) -> Site { return e.site; },
                               [](const ChipTransferred& e) -> Site { return e.from_site; },
                               [](const auto&) -> Site { return std::nullopt; }},
                    body);
}

std::vector<std::string_view> Event::Serials() const {
  std::vector<std::string_view> all;  // every mention, in payload order
  auto add_all = [&all](const std::vector<std::string>& serials) {
    all.insert(all.end(), serials.begin(), serials.end());
  };
  std::visit(Overloaded{[&](const ShipmentDispatched& e) {
                          for (const auto& chip : e.chips) all.push_back(chip.serial);
                        },
                        [&](const ShipmentReceived& e) { add_all(e.chips); },
                        [&](const ChipInstalled& e) {
                          for (const auto& chip : e.chips) all.push_back(chip.serial);
                        },
                        [&](const InspectionPerformed& e) {
                          if (e.sampled) add_all(*e.sampled);
                          for (const auto& chip : e.observed) all.push_back(chip.serial);
                        },
                        [&](const MonitorHeartbeat& e) {
                          for (const auto& chip : e.online) all.push_back(chip.serial);
                        },
                        [&](const ChipTransferred& e) { add_all(e.chips); },
                        [&](const ChipDecommissioned& e) { add_all(e.chips); }, [](const auto&) {}},
             body);
  if (all.size() < 2) return all;
  // The first mention of each serial: the positions sorted by serial, then position (so the
  // first mention leads its run), find the repeats in n log n, where comparing each serial with
  // all before it cost n^2 / 2 on an inspection of thousands of chips. A repeat is marked by a
  // null view (a serial's view never is one, even an empty serial's) and then dropped.
  std::vector<uint32_t> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&all](uint32_t a, uint32_t b) {
    int by_serial = all[a].compare(all[b]);
    return by_serial != 0 ? by_serial < 0 : a < b;
  });
  std::string_view leader = all[order[0]];
  for (size_t k = 1; k < order.size(); ++k) {
    std::string_view& serial = all[order[k]];
    if (serial == leader) {
      serial = {};
    } else {
      leader = serial;
    }
  }
  std::erase_if(all, [](std::string_view serial) { return serial.data() == nullptr; });
  return all;
}

std::vector<std::string> Event::Parties() const {
  std::vector<std::string> out;
  std::visit(Overloaded{[&](const PartyRegistered& e) { AppendUnique(&out, e.id); },
                        [&](const SiteRegistered& e) { AppendUnique(&out, e.party); },
                        [&](const AgentEnrolled& e) { AppendUnique(&out, e.org); },
                        [&](const LicenseIssued& e) {
                          AppendUnique(&out, e.exporter);
                          AppendUnique(&out, e.end_user);
                        },
                        [&](const ScreeningListed& e) {
                          if (e.party) AppendUnique(&out, *e.party);
                        },
                        [&](const WhitelistDecision& e) { AppendUnique(&out, e.party); },
                        [&](const ShipmentDispatched& e) {
                          AppendUnique(&out, e.consignee);
                          if (e.carrier) AppendUnique(&out, *e.carrier);
                        },
                        [](const auto&) {}},
             body);
  return out;
}

}  // namespace chipledger

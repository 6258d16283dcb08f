// The type-specific fields of every event type (SPEC §3), mirroring schemas/<type>.json.
#include "ledger/event_internal.h"

namespace chipledger::internal {

namespace {

// Bounds the spec leaves open (schemas/README.md): names, short labels, free text.
constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxLabelChars = 128;
constexpr size_t kMaxTextChars = 2000;

constexpr NumberRange kLatitude{-90, 90};
constexpr NumberRange kLongitude{-180, 180};
constexpr NumberRange kNonNegative{0};
constexpr NumberRange kPositive{0, NumberRange().max, true};

std::string Name(JsonValue value) { return value.Text(1, kMaxNameChars); }
std::string Label(JsonValue value) { return value.Text(1, kMaxLabelChars); }
std::string Text(JsonValue value) { return value.Text(1, kMaxTextChars); }
std::string Id(JsonValue value) { return value.Id(); }
std::string Serial(JsonValue value) { return value.Serial(); }
std::string Country(JsonValue value) { return value.Country(); }

SealState ReadSeal(JsonValue value) {
  return value.Object([](FieldReader& f) {
    SealState seal;
    seal.id = f.Get("id").Id();
    seal.intact = f.Get("intact").Bool();
    return seal;
  });
}

PartyRegistered ReadParty(FieldReader& f) {
  PartyRegistered party;
  party.id = f.Get("id").Id();
  party.name = Name(f.Get("name"));
  party.country = f.Get("country").Country();
  party.kind = f.Get("kind").Enum(PartyKindNames());
  return party;
}

SiteRegistered ReadSite(FieldReader& f) {
  SiteRegistered site;
  site.id = f.Get("id").Id();
  site.party = f.Get("party").Id();
  site.name = Name(f.Get("name"));
  site.country = f.Get("country").Country();
  site.lat = f.Get("lat").Number(kLatitude);
  site.lon = f.Get("lon").Number(kLongitude);
  if (auto v = f.Optional("radius_m")) site.radius_m = v->Number(kPositive);
  if (auto v = f.Optional("power_kw")) site.power_kw = v->Number(kNonNegative);
  return site;
}

AgentEnrolled ReadEnrollment(FieldReader& f) {
  AgentEnrolled enroll;
  enroll.agent = f.Get("agent").Id();
  enroll.public_key = f.Get("public_key").Base64Key();
  enroll.role = f.Get("role").Enum(RoleNames());
  enroll.org = f.Get("org").Id();
  enroll.sites = f.Get("sites").List(Id);
  if (auto v = f.Optional("valid_until")) enroll.valid_until = v->Time();
  return enroll;
}

AgentRevoked ReadRevocation(FieldReader& f) {
  AgentRevoked revoke;
  revoke.agent = f.Get("agent").Id();
  revoke.reason = Text(f.Get("reason"));
  return revoke;
}

LicenseIssued ReadLicense(FieldReader& f) {
  LicenseIssued license;
  license.id = f.Get("id").Id();
  license.exporter = f.Get("exporter").Id();
  license.end_user = f.Get("end_user").Id();
  license.sites = f.Get("sites").List(Id);
  license.models = f.Get("models").List(Label);
  license.max_quantity = f.Get("max_quantity").Integer(1, kMaxSafeInteger);
  license.purposes = f.Get("purposes").List(Label);
  license.valid_from = f.Get("valid_from").Time();
  license.valid_until = f.Get("valid_until").Time();
  if (auto v = f.Optional("route")) license.route = v->List(Country);
  return license;
}

LicenseRevoked ReadLicenseRevoked(FieldReader& f) {
  LicenseRevoked revoked;
  revoked.license = f.Get("license").Id();
  revoked.reason = Text(f.Get("reason"));
  return revoked;
}

ScreeningListed ReadScreening(FieldReader& f) {
  static const NameTable<ScreeningList> kLists = {{"entity", ScreeningList::kEntity},
                                                  {"unverified", ScreeningList::kUnverified},
                                                  {"sdn", ScreeningList::kSdn}};
  ScreeningListed screening;
  if (auto v = f.Optional("party")) screening.party = v->Id();
  if (auto v = f.Optional("name")) screening.name = Name(*v);
  if (screening.party.has_value() == screening.name.has_value()) {
    f.Fail("must have exactly one of party and name");
  }
  screening.list = f.Get("list").Enum(kLists);
  screening.listed = f.Get("listed").Bool();
  return screening;
}

CheckRequested ReadCheck(FieldReader& f) {
  static const NameTable<CheckKind> kKinds = {{"pre_license", CheckKind::kPreLicense},
                                              {"post_shipment", CheckKind::kPostShipment},
                                              {"challenge", CheckKind::kChallenge}};
  CheckRequested check;
  check.check = f.Get("check").Id();
  check.site = f.Get("site").Id();
  check.kind = f.Get("kind").Enum(kKinds);
  check.due = f.Get("due").Time();
  return check;
}

WhitelistDecision ReadDecision(FieldReader& f) {
  static const NameTable<WhitelistStatus> kStatuses = {{"approved", WhitelistStatus::kApproved},
                                                       {"suspended", WhitelistStatus::kSuspended},
                                                       {"removed", WhitelistStatus::kRemoved}};
  WhitelistDecision decision;
  decision.party = f.Get("party").Id();
  decision.status = f.Get("status").Enum(kStatuses);
  decision.reason = Text(f.Get("reason"));
  return decision;
}

FindingResolved ReadResolution(FieldReader& f) {
  FindingResolved resolved;
  resolved.finding = f.Get("finding").Id();
  resolved.resolution = Text(f.Get("resolution"));
  return resolved;
}

ShipmentDispatched ReadDispatch(FieldReader& f) {
  ShipmentDispatched dispatch;
  dispatch.shipment = f.Get("shipment").Id();
  dispatch.license = f.Get("license").Id();
  dispatch.consignee = f.Get("consignee").Id();
  dispatch.destination_site = f.Get("destination_site").Id();
  dispatch.chips = f.Get("chips").List(
      [](JsonValue v) {
        return v.Object([](FieldReader& c) {
          return ShippedChip{c.Get("serial").Serial(), Label(c.Get("model"))};
        });
      },
      1);
  if (auto v = f.Optional("carrier")) dispatch.carrier = v->Id();
  dispatch.seals = f.Get("seals").List(Id);
  dispatch.route = f.Get("route").List(Country);
  return dispatch;
}

ShipmentReceived ReadReceipt(FieldReader& f) {
  ShipmentReceived received;
  received.shipment = f.Get("shipment").Id();
  received.site = f.Get("site").Id();
  received.chips = f.Get("chips").List(Serial);
  received.seals = f.Get("seals").List(ReadSeal);
  return received;
}

ChipInstalled ReadInstallation(FieldReader& f) {
  ChipInstalled installed;
  installed.site = f.Get("site").Id();
  installed.chips = f.Get("chips").List([](JsonValue v) {
    return v.Object([](FieldReader& c) {
      InstalledChip chip;
      chip.serial = c.Get("serial").Serial();
      chip.host = Label(c.Get("host"));
      if (auto slot = c.Optional("slot")) chip.slot = Label(*slot);
      return chip;
    });
  });
  return installed;
}

ObservedChip ReadObserved(JsonValue value) {
  return value.Object([](FieldReader& c) {
    ObservedChip chip;
    chip.serial = c.Get("serial").Serial();
    if (auto v = c.Optional("attested_id")) chip.attested_id = Label(*v);
    if (auto v = c.Optional("host")) chip.host = Label(*v);
    return chip;
  });
}

Evidence ReadEvidence(JsonValue value) {
  return value.Object([](FieldReader& e) {
    Evidence evidence;
    evidence.sha256 = e.Get("sha256").Hex();
    evidence.media_type = Label(e.Get("media_type"));
    evidence.description = Text(e.Get("description"));
    return evidence;
  });
}

InspectionPerformed ReadInspection(FieldReader& f) {
  static const NameTable<InspectionKind> kKinds = {
      {"routine", InspectionKind::kRoutine},
      {"challenge", InspectionKind::kChallenge},
      {"post_shipment", InspectionKind::kPostShipment}};
  static const NameTable<InspectionResult> kResults = {
      {"pass", InspectionResult::kPass},
      {"fail", InspectionResult::kFail},
      {"inconclusive", InspectionResult::kInconclusive}};
  InspectionPerformed inspection;
  inspection.inspection = f.Get("inspection").Id();
  inspection.site = f.Get("site").Id();
  if (auto v = f.Optional("check")) inspection.check = v->Id();
  inspection.kind = f.Get("kind").Enum(kKinds);
  if (auto v = f.Optional("sampled")) inspection.sampled = v->List(Serial);
  inspection.observed = f.Get("observed").List(ReadObserved);
  inspection.seals = f.Get("seals").List(ReadSeal);
  inspection.purpose_observed = Label(f.Get("purpose_observed"));
  inspection.evidence = f.Get("evidence").List(ReadEvidence);
  inspection.result = f.Get("result").Enum(kResults);
  return inspection;
}

MonitorHeartbeat ReadHeartbeat(FieldReader& f) {
  MonitorHeartbeat heartbeat;
  heartbeat.site = f.Get("site").Id();
  heartbeat.window_start = f.Get("window_start").Time();
  heartbeat.window_end = f.Get("window_end").Time();
  heartbeat.online = f.Get("online").List([](JsonValue v) {
    return v.Object([](FieldReader& c) {
      OnlineChip chip;
      chip.serial = c.Get("serial").Serial();
      if (auto id = c.Optional("attested_id")) chip.attested_id = Label(*id);
      return chip;
    });
  });
  if (auto v = f.Optional("rtt_ms")) {
    heartbeat.rtt_ms.emplace();
    v->Members([&](const std::string& landmark, JsonValue rtt) {
      size_t chars = CodePoints(landmark);
      if (chars < 1 || chars > kMaxLabelChars) rtt.Fail("landmark name must be 1-128 characters");
      (*heartbeat.rtt_ms)[landmark] = rtt.Number(kNonNegative);
    });
  }
  return heartbeat;
}

ChipTransferred ReadTransfer(FieldReader& f) {
  ChipTransferred transfer;
  transfer.chips = f.Get("chips").List(Serial);
  transfer.from_site = f.Get("from_site").Id();
  transfer.to_site = f.Get("to_site").Id();
  transfer.license = f.Get("license").Id();
  return transfer;
}

ChipDecommissioned ReadDecommission(FieldReader& f) {
  static const NameTable<Disposition> kDispositions = {{"destroyed", Disposition::kDestroyed},
                                                       {"returned", Disposition::kReturned}};
  ChipDecommissioned decommission;
  decommission.site = f.Get("site").Id();
  decommission.chips = f.Get("chips").List(Serial);
  decommission.reason = Text(f.Get("reason"));
  decommission.disposition = f.Get("disposition").Enum(kDispositions);
  return decommission;
}

// The registry types whose body sits under one key rather than at the top level.
template <typename F>
EventBody Nested(FieldReader& f, std::string_view key, F read) {
  return f.Get(key).Object(read);
}

}  // namespace

EventBody ReadEventBody(EventType type, FieldReader& f) {
  switch (type) {
    case EventType::kPartyRegistered:
      return Nested(f, "party", ReadParty);
    case EventType::kSiteRegistered:
      return Nested(f, "site", ReadSite);
    case EventType::kAgentEnrolled:
      return Nested(f, "enroll", ReadEnrollment);
    case EventType::kAgentRevoked:
      return Nested(f, "revoke", ReadRevocation);
    case EventType::kLicenseIssued:
      return Nested(f, "license", ReadLicense);
    case EventType::kLicenseRevoked:
      return ReadLicenseRevoked(f);
    case EventType::kScreeningListed:
      return ReadScreening(f);
    case EventType::kCheckRequested:
      return ReadCheck(f);
    case EventType::kWhitelistDecision:
      return ReadDecision(f);
    case EventType::kFindingResolved:
      return ReadResolution(f);
    case EventType::kShipmentDispatched:
      return ReadDispatch(f);
    case EventType::kShipmentReceived:
      return ReadReceipt(f);
    case EventType::kChipInstalled:
      return ReadInstallation(f);
    case EventType::kInspectionPerformed:
      return ReadInspection(f);
    case EventType::kMonitorHeartbeat:
      return ReadHeartbeat(f);
    case EventType::kChipTransferred:
      return ReadTransfer(f);
    case EventType::kChipDecommissioned:
      return ReadDecommission(f);
  }
  return PartyRegistered{};
}

}  // namespace chipledger::internal

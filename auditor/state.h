// The auditor's replayed state (private): one record per chip, site, shipment, license, party,
// agent and check, updated by each admitted event in index order. Rules read it as it stood
// before the event they judge. Memory grows with these records, never with the number of events:
// per-chip history is capped and heartbeats are not kept.
#ifndef CHIPLEDGER_AUDITOR_STATE_H_
#define CHIPLEDGER_AUDITOR_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auditor/name.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/time.h"

namespace chipledger::audit {

// Where and when a chip (or an inspector) was last seen, and by which entry.
struct Observation {
  Name site;
  Timestamp time;
  uint64_t index = 0;
};

enum class ChipStatus : uint8_t { kInTransit, kReceived, kInstalled, kDecommissioned };
std::string_view ChipStatusName(ChipStatus status);

inline constexpr size_t kMaxChipHistory = 256;

// Memory grows with chips (issue 12), so a chip record is kept small: names interned, the
// shipment a pointer to the state's own key, small fields packed together.
struct ChipInfo {
  ChipStatus status = ChipStatus::kInTransit;
  Disposition disposition = Disposition::kDestroyed;  // when decommissioned
  Name model, license;
  // The key of ReplayState::shipments() of the shipment that last carried it; null while no
  // shipment.dispatched has named the chip. Map nodes never move and no shipment is erased, so it
  // stays valid as long as the state.
  const std::string* shipment = nullptr;
  Name site;                  // the site whose books hold it (received or installed), else empty
  uint64_t booked_index = 0;  // the entry that put it on `site`'s books
  Name host;
  uint64_t decommissioned_index = 0;
  Timestamp dispatched_time;
  std::optional<Timestamp> arrived;  // received, or transferred in, at `site`
  uint64_t arrived_index = 0;
  std::optional<Timestamp> installed;
  uint64_t installed_index = 0;
  std::optional<Observation> last_seen;    // receipt, installation, inspection, heartbeat
  std::optional<std::string> attested_id;  // the first one attested
  std::optional<Timestamp> last_online;    // window_end of the last heartbeat listing it
  std::vector<uint64_t> history;           // custody and inspection entries, latest kept
};

// What an inspection covered and found against the books as they stood when it happened.
struct InspectionGap {
  std::vector<std::string> observed, missing, unexpected;
};

struct SiteInfo {
  bool registered = false;
  SiteRegistered record;
  std::set<std::string> book;              // serials received or installed here
  uint64_t installed = 0;                  // how many of `book` are installed
  std::optional<Timestamp> holding_since;  // when `book` last became non-empty
  uint64_t holding_index = 0;
  std::optional<Timestamp> last_inspection;
  uint64_t last_inspection_index = 0;
  std::optional<Timestamp> first_heartbeat;   // window_start of the first heartbeat
  std::optional<uint64_t> latest_inspection;  // entry index
  InspectionGap latest_gap;
};

struct ShipmentInfo {
  Name license, consignee, destination_site;  // interned, as they repeat across shipments
  std::vector<std::string> serials;
  Timestamp dispatched;
  uint64_t dispatched_index = 0;
  std::optional<Timestamp> received;
  uint64_t received_index = 0;
};

struct LicenseInfo {
  LicenseIssued record;
  uint64_t index = 0;
  bool revoked = false;
  int64_t shipped = 0;  // chips dispatched under it so far
};

struct PartyInfo {
  bool registered = false;
  PartyRegistered record;
  bool ever_approved = false;
  std::optional<WhitelistStatus> decision;  // the latest whitelist.decision
};

struct AgentInfo {
  std::string id;
  std::optional<Role> role;  // none for the built-in `log` agent
  std::string org;
  std::string key_id;
  bool revoked = false;
};

// Chips by serial, found by any string-like key without making a std::string of it.
struct SerialHash {
  using is_transparent = void;
  size_t operator()(std::string_view serial) const { return std::hash<std::string_view>{}(serial); }
};
using ChipMap = std::unordered_map<std::string, ChipInfo, SerialHash, std::equal_to<>>;

struct CheckInfo {
  CheckRequested record;
  uint64_t index = 0;
  std::optional<Timestamp> performed;  // time of the first inspection at its site naming it
  uint64_t performed_index = 0;
};

// Orders pointers to the state's own map keys (map nodes never move, and no record is erased) as
// the strings they point to, and compares them with strings directly.
struct KeyPtrLess {
  using is_transparent = void;
  bool operator()(const std::string* a, const std::string* b) const { return *a < *b; }
  bool operator()(const std::string* a, std::string_view b) const { return *a < b; }
  bool operator()(std::string_view a, const std::string* b) const { return a < *b; }
};
using KeySet = std::set<const std::string*, KeyPtrLess>;

// The shipments bound for one site, and the chips in transit to it, so that a site's inventory
// and lists read its own shipments rather than every shipment.
struct SiteShipments {
  KeySet in_transit, received;  // shipment ids
  // Serial -> how many shipments in transit to the site list it (a chip may be redispatched).
  std::map<const std::string*, uint32_t, KeyPtrLess> transit_serials;
  uint64_t transit_chips = 0;  // the in-transit shipments' chips, counted as they list them
};

// Shipments by destination site and by status: derived from the shipments, kept as entries
// apply, rebuilt on restore (never saved: a snapshot holds the shipments themselves).
struct ShipmentIndex {
  std::map<std::string, SiteShipments, std::less<>> by_site;
  KeySet in_transit, received;
};

class ReplayState {
 public:
  ReplayState() = default;
  // The shipment index points into the state's own maps: moving keeps their nodes, copying would
  // not.
  ReplayState(const ReplayState&) = delete;
  ReplayState& operator=(const ReplayState&) = delete;
  ReplayState(ReplayState&&) = default;
  ReplayState& operator=(ReplayState&&) = default;

  void Apply(const LogEntry& entry, const Event& event);
  // Rebuilds what is derived from the records (the shipment index) after they were restored.
  void RebuildIndexes();
  // For a reader of findings only (the batch audit): the shipment index, which only the lists
  // and site views read, is no longer kept. It costs about 140 bytes per shipment in transit
  // (40 MiB on a 300,000-shipment log).
  void DropIndexes();

  // The agents whose keys signed the entry, by signature; nullptr for an unknown key. The first
  // signature is the submitting agent's (SPEC §3).
  std::vector<const AgentInfo*> Signers(const LogEntry& entry, const Event& event) const;

  const ChipInfo* Chip(std::string_view serial) const;
  const SiteInfo* Site(const std::string& site) const;  // registered or holding chips
  const SiteInfo* RegisteredSite(const std::string& site) const;
  const ShipmentInfo* Shipment(const std::string& shipment) const;
  const LicenseInfo* License(const std::string& license) const;
  const PartyInfo* Party(const std::string& party) const;
  const AgentInfo* Agent(const std::string& agent) const;
  // The owning party of a registered site, if any.
  std::optional<std::string> SiteParty(const std::string& site) const;
  // True when the party, or its registered name, is currently on a screening list.
  bool Screened(const std::string& party) const;
  // True when `name` is currently on a screening list.
  bool NameScreened(std::string_view name) const;
  // True when `serial` is on the books of `site` (received or installed there).
  bool OnBook(const std::string& serial, const std::string& site) const;
  // The same for a chip already looked up (nullptr: unknown to the log).
  static bool OnBook(const ChipInfo* chip, std::string_view site);
  // The inspection's coverage (its `sampled` list, else the whole book) against the books.
  InspectionGap Gap(const InspectionPerformed& inspection) const;
  // Where and when an inspector last acted at a registered site (A2), if ever.
  const Observation* InspectorLastAt(const std::string& agent) const;

  const ChipMap& chips() const { return chips_; }
  const std::map<std::string, SiteInfo>& sites() const { return sites_; }
  const std::map<std::string, ShipmentInfo>& shipments() const { return shipments_; }
  const std::map<std::string, LicenseInfo>& licenses() const { return licenses_; }
  const std::map<std::string, PartyInfo>& parties() const { return parties_; }
  const std::map<std::string, CheckInfo>& checks() const { return checks_; }
  const std::map<std::string, AgentInfo>& agents() const { return agents_; }
  const ShipmentIndex& shipment_index() const { return shipment_index_; }
  // The shipments bound for `site`, or null when none ever was.
  const SiteShipments* ShipmentsTo(std::string_view site) const;
  uint64_t entries() const { return entries_; }
  const std::map<EventType, uint64_t>& event_counts() const { return event_counts_; }

 private:
  friend struct SnapshotCodec;  // auditor/snapshot.cc saves and restores every member

  void TrackInspector(const LogEntry& entry, const Event& event);
  void ApplyRegistry(const LogEntry& entry, const Event& event);
  void ApplyCustody(const LogEntry& entry, const Event& event);
  void Enroll(const AgentEnrolled& enroll);
  void Screen(const ScreeningListed& listing);
  void Dispatch(const ShipmentDispatched& dispatch, Timestamp time, uint64_t index);
  void Receive(const ShipmentReceived& receipt, Timestamp time, uint64_t index);
  void Install(const ChipInstalled& install, Timestamp time, uint64_t index);
  void Inspect(const InspectionPerformed& inspection, Timestamp time, uint64_t index);
  void Heartbeat(const MonitorHeartbeat& heartbeat, Timestamp time, uint64_t index);
  void Transfer(const ChipTransferred& transfer, Timestamp time, uint64_t index);
  void Decommission(const ChipDecommissioned& decommission, uint64_t index);
  // Takes the chip off the books it is on, and puts it on `site`'s (if not empty) as `status`.
  void Move(ChipInfo* chip, const std::string& serial, const std::string& site, ChipStatus status,
            Timestamp time, uint64_t index);
  void Attest(ChipInfo* chip, const std::optional<std::string>& attested_id);
  static void Record(ChipInfo* chip, uint64_t index);
  // Adds the shipment (`id` the key of shipments_) to the index, or with `remove` takes it out.
  void IndexShipment(const std::string& id, const ShipmentInfo& shipment, bool remove);

  ChipMap chips_;
  std::map<std::string, SiteInfo> sites_;
  std::map<std::string, ShipmentInfo> shipments_;
  std::map<std::string, LicenseInfo> licenses_;
  std::map<std::string, PartyInfo> parties_;
  std::map<std::string, AgentInfo> agents_;
  std::map<std::string, std::string> agent_by_key_id_;  // current keys
  std::map<std::string, CheckInfo> checks_;
  std::map<std::string, std::set<ScreeningList>> screened_parties_;
  std::map<std::string, std::set<ScreeningList>> screened_names_;  // normalised names
  std::map<std::string, Observation> inspector_last_at_;           // by inspector agent id
  std::map<EventType, uint64_t> event_counts_;
  uint64_t entries_ = 0;
  ShipmentIndex shipment_index_;  // derived: not saved (auditor/snapshot.cc)
  bool indexed_ = true;           // whether shipment_index_ is kept (DropIndexes)
};

// Great-circle distance on a sphere of the mean Earth radius (6371 km), by haversine.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);
// True when covering `km` in `seconds` needs more than `max_kmh` (any distance in no time).
bool FasterThan(double km, double seconds, double max_kmh);
// True when the site holds chips and neither they arrived nor an inspection happened within
// `inspection_days` before `as_of`; `since`/`since_index` say from when it counts.
bool InspectionOverdue(const SiteInfo& site, Timestamp as_of, double inspection_days,
                       Timestamp* since = nullptr, uint64_t* since_index = nullptr);
// Screening names compare case-insensitively with runs of spaces collapsed.
std::string NormaliseName(std::string_view name);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_STATE_H_

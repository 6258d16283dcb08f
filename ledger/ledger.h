// The ledger: an append-only, hash-chained, RFC 6962 Merkle log of signed events in RocksDB.
//
// Thread-safe. Appends from many threads are committed in groups that share one WriteBatch and
// one fsync (as LevelDB's writer queue does); Append returns only once its event is durable and
// a checkpoint covering it is signed. Readers never block the writer for long.
#ifndef CHIPLEDGER_LEDGER_LEDGER_H_
#define CHIPLEDGER_LEDGER_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/admission.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/receipt.h"
#include "ledger/status.h"
#include "ledger/tiles.h"
#include "ledger/time.h"

namespace chipledger {

struct Authority {
  std::string id;
  PublicKey public_key{};
};

struct CreateOptions {
  std::string origin;                  // checkpoint origin, e.g. "ledger.example.org/pilot"
  std::vector<Authority> authorities;  // genesis authorities, enrolled by the `log` agent
};

struct OpenOptions {
  bool read_only = false;  // for the auditor while the server runs: no writes, no lock
  bool sync = true;        // fsync each group commit; only benchmarks of the CPU path turn it off
  // The ledger's clock; tests inject one to exercise the time rules deterministically.
  std::function<Timestamp()> clock = Now;
  // When the disk is too full to open for writing (RocksDB writes a new MANIFEST and WAL on
  // open): open read-only instead, refuse appends with kInsufficientStorage, and reopen for
  // writing by itself once space returns (see docs/operations.md, "Full disk"). The server sets it.
  bool serve_reads_when_full = false;
};

// Outcome of Append: created (201), duplicate (200, the original receipt) or refused.
struct AppendResult {
  Status status;  // kind maps to the §4 HTTP status
  bool duplicate = false;
  Receipt receipt;  // when status.ok()
  // For a seq/prev conflict (409): what the ledger expects next from this agent.
  uint64_t expected_seq = 0;
  Hash expected_prev{};
};

// Filters of GET /v1/events; unset ones match everything.
struct EventQuery {
  std::optional<EventType> type;
  std::optional<std::string> site, serial, agent, party;
  std::optional<Timestamp> since, until;  // on integrated_time, inclusive
  // Oldest first: `cursor` is the first index to consider. Newest first (a subject's history):
  // every index below `cursor` is considered, and 0 means from the newest entry on.
  bool newest_first = false;
  uint64_t cursor = 0;
  size_t limit = 100;
};

struct EventPage {
  std::vector<uint64_t> indices;        // in the query's order
  std::optional<uint64_t> next_cursor;  // set when more may follow
};

enum class RecordKind { kParty, kSite, kAgent, kLicense };

class Ledger {
 public:
  // Creates a new ledger in `dir` (which must not hold one): the log key (dir/log.key, mode 0600),
  // the genesis enrolments and the first checkpoint. Returns the note verifier key.
  static Result<std::string> Create(const std::string& dir, const CreateOptions& options);
  static Result<std::unique_ptr<Ledger>> Open(const std::string& dir, const OpenOptions& options);

  virtual ~Ledger() = default;

  // Admits and appends one envelope (SPEC §4), durably.
  virtual AppendResult Append(std::string_view envelope_json) = 0;

  virtual const std::string& origin() const = 0;
  virtual NoteVerifier verifier() const = 0;
  virtual uint64_t size() const = 0;
  // The latest signed checkpoint note.
  virtual std::string CheckpointNote() const = 0;
  // The signed checkpoint note handed out at exactly `tree_size`, if there was one.
  virtual Result<std::string> CheckpointNoteAt(uint64_t tree_size) const = 0;

  virtual Result<std::string> EntryBytes(uint64_t index) const = 0;
  // Entries begin .. end-1 in index order, read as one range: what an audit or a catch-up over
  // many entries uses. The first entry of the range the log does not hold (beyond size(), or lost
  // by the store) is kNotFound naming its index, after its predecessors were visited; `visit`'s
  // first error stops the read and is returned.
  using EntryVisitor = std::function<Status(uint64_t index, std::string_view bytes)>;
  virtual Status ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) const = 0;
  virtual Result<Hash> LeafHashAt(uint64_t index) const = 0;
  virtual Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const = 0;
  virtual Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size,
                                                     uint64_t new_size) const = 0;
  // A hash tile or entry bundle, within the current tree.
  virtual Result<std::string> Tile(const TileId& tile) const = 0;

  virtual Result<EventPage> QueryEvents(const EventQuery& query) const = 0;
  // Index of the latest entry that registered (party, site, license) or enrolled (agent) `id`.
  virtual std::optional<uint64_t> LatestRecord(RecordKind kind, std::string_view id) const = 0;
  virtual std::optional<AgentState> Agent(std::string_view id) const = 0;

  // A new entry with its already parsed event (so a listener parses nothing twice); `event` is
  // valid during the call only.
  struct AppendedEntry {
    LogEntry entry;
    const Event* event;
  };
  // Called after each durable group commit with the whole group, in index order, so a listener
  // never sees part of a group: what it has seen always ends at a signed checkpoint (the live
  // auditor subscribes here). Called from the writer thread: keep it short.
  using AppendListener = std::function<void(const std::vector<AppendedEntry>& group)>;
  virtual void SetAppendListener(AppendListener listener) = 0;

  struct Stats {
    uint64_t groups = 0;          // group commits so far
    uint64_t grouped_events = 0;  // events committed in them
    double last_fsync_ms = 0;     // latency of the most recent WriteBatch + fsync
    uint64_t refusals = 0;        // appends refused
    // Ok while appends can be written; otherwise why not, e.g. kInsufficientStorage while the
    // disk is full (appends are refused until a retry finds space again).
    Status storage;
  };
  virtual Stats stats() const = 0;

  // Writes a consistent copy of the ledger — a RocksDB checkpoint of the database and the log
  // key — into `dir`, which must not exist yet. Ledger::Open(dir) serves the copy: restoring is
  // putting that directory in place of the data directory. Safe while appends go on: the copy
  // holds whole group commits only. Needs a writable ledger (the log key).
  virtual Status Backup(const std::string& dir) const = 0;

  // A DSSE envelope (JSON) of `payload` signed with the log key: statements of the log itself,
  // such as the white list, that anyone holding the verifier key can check offline. Needs a
  // writable ledger (the log key).
  virtual Result<std::string> SignStatement(std::string_view payload_type,
                                            std::string payload) const = 0;
};

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_LEDGER_H_

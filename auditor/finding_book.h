// The findings recorded so far (private): one per (rule, subject), with bounded evidence, and the
// finding.resolved events that close them. Kept in report order (rule, then subject), so that
// callers visit them in place instead of copying and sorting the book.
#ifndef CHIPLEDGER_AUDITOR_FINDING_BOOK_H_
#define CHIPLEDGER_AUDITOR_FINDING_BOOK_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auditor/engine.h"
#include "auditor/name.h"

namespace chipledger::audit {

// A finding keeps its first kMaxEvidence entry indices; later ones only move `last_evidence`.
inline constexpr size_t kMaxEvidence = 50;

// Where a finding belongs, for the API's filters and the white list.
struct Place {
  std::optional<std::string> site, party;
};

class FindingBook {
 public:
  FindingBook() = default;
  // A book of what the time-based rules add as of some time, over `base` (which must outlive it
  // and is not copied): reporting a finding of `base` copies only that one here first.
  explicit FindingBook(const FindingBook* base) : base_(base) {}

  // Creates or extends the finding (rule, subject): adds the evidence; the severity only rises,
  // and the message follows the highest severity reported.
  void Report(std::string_view rule, Severity severity, std::string_view subject_kind,
              std::string_view subject_id, const Place& place, std::string message,
              std::initializer_list<uint64_t> evidence);
  // finding.resolved at entry `index`: closes the finding as it stands (see docs/rules.md).
  void Resolve(const std::string& finding_id, uint64_t index);

  // Every finding (with the base's, this book's taking precedence), `status` applied, ordered by
  // rule (D, L, A, then number) and subject; `visit` returns false to stop.
  void ForEach(const std::function<bool(const Finding&)>& visit) const;
  // This book's own findings only, without the base's (for an overlay: what it changed), in the
  // same order.
  void ForEachOwn(const std::function<bool(const Finding&)>& visit) const;
  size_t size() const { return findings_.size(); }

  // Engine::TakeRecordedChanges: the first call starts journaling what Report and Resolve change.
  Engine::RecordedChanges TakeChanges();
  // The finding recorded under the key, filled as ForEach fills it, or nullopt.
  std::optional<Finding> Get(std::string_view rule, std::string_view subject_kind,
                             std::string_view subject_id) const;

 private:
  friend struct SnapshotCodec;  // auditor/snapshot.cc saves and restores every member

  struct Key {
    Name rule, subject_kind;
    std::string subject_id;
  };
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const;
  };
  // A finding without what its key says, compact (there may be one per shipment or chip): the id
  // binary (16 bytes, not 32 hex chars), site and party interned, empty for none (ids are never
  // empty).
  struct Recorded {
    std::array<uint8_t, 16> id{};
    Name site, party;
    std::string message;
    std::vector<uint64_t> evidence;  // sorted, at most kMaxEvidence
    uint64_t last_evidence = 0;
    Severity severity = Severity::kMedium;
  };
  using Map = std::map<Key, Recorded, KeyLess>;

  Recorded& Find(std::string_view rule, std::string_view subject_kind, std::string_view subject_id,
                 bool* created);
  // Fills `out` from one record (its strings reuse their buffers from the previous call).
  void Fill(const Map::value_type& recorded, Finding* out) const;

  const FindingBook* base_ = nullptr;
  Map findings_;
  std::map<std::string, uint64_t> resolutions_;  // finding id -> index of the latest resolution
  // What changed since the last TakeChanges, once journaling (never saved: a restored book starts
  // without one).
  std::unique_ptr<Engine::RecordedChanges> journal_;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_FINDING_BOOK_H_

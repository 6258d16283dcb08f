// The findings recorded so far (private): one per (rule, subject), with bounded evidence, and the
// finding.resolved events that close them.
#ifndef CHIPLEDGER_AUDITOR_FINDING_BOOK_H_
#define CHIPLEDGER_AUDITOR_FINDING_BOOK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auditor/engine.h"

namespace chipledger::audit {

// A finding keeps its first kMaxEvidence entry indices; later ones only move `last_evidence`.
inline constexpr size_t kMaxEvidence = 50;

// Where a finding belongs, for the API's filters and the white list.
struct Place {
  std::optional<std::string> site, party;
};

class FindingBook {
 public:
  // Creates or extends the finding (rule, subject): adds the evidence; the severity only rises,
  // and the message follows the highest severity reported.
  void Report(std::string_view rule, Severity severity, std::string_view subject_kind,
              std::string_view subject_id, const Place& place, std::string message,
              std::initializer_list<uint64_t> evidence);
  // finding.resolved at entry `index`: closes the finding as it stands (see docs/rules.md).
  void Resolve(const std::string& finding_id, uint64_t index);

  // All findings, `status` applied, ordered by rule (D, L, A, then number) and subject.
  std::vector<Finding> Snapshot() const;
  size_t size() const { return findings_.size(); }

 private:
  friend struct SnapshotCodec;  // auditor/snapshot.cc saves and restores every member

  struct Recorded {
    Finding finding;
    uint64_t last_evidence = 0;
  };
  std::map<std::string, Recorded> findings_;     // by finding id
  std::map<std::string, uint64_t> resolutions_;  // finding id -> index of the latest resolution
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_FINDING_BOOK_H_

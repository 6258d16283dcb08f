// The event queries of GET /v1/events: walk the most selective secondary index the query names
// (Driver::ScanTerm), or the log itself, checking any other filter per entry.
#include "ledger/store/event_terms.h"
#include "ledger/store/sequencer.h"

namespace chipledger::store {

Result<bool> Sequencer::Matches(const EventQuery& query, uint64_t index) const {
  Result<std::string> bytes = driver_->Entry(index);
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  if (query.since && entry->integrated_time < *query.since) return false;
  if (query.until && entry->integrated_time > *query.until) return false;
  Result<Event> event = ParseEvent(entry->envelope.payload);
  if (!event.ok()) return Status::Corruption("entry " + std::to_string(index) + ": bad payload");
  auto terms = EventTerms(*event);
  auto named = [&](Term term, const std::optional<std::string>& value) {
    return !value || terms.count({term, *value}) > 0;
  };
  std::optional<std::string> type;
  if (query.type) type = std::string(EventTypeName(*query.type));
  return named(Term::kType, type) && named(Term::kSite, query.site) &&
         named(Term::kSerial, query.serial) && named(Term::kParty, query.party) &&
         named(Term::kAgent, query.agent);
}

namespace {

// The most selective index a query names, or none (walk the log itself), and whether any other
// filter is left to check per entry: a query on one index alone reads no entry.
struct Walk {
  std::optional<std::pair<Term, std::string>> term;
  bool residual = false;
};

Walk ChooseWalk(const EventQuery& query) {
  std::optional<std::string> type;
  if (query.type) type = std::string(EventTypeName(*query.type));
  std::pair<Term, const std::optional<std::string>*> filters[] = {{Term::kSerial, &query.serial},
                                                                  {Term::kSite, &query.site},
                                                                  {Term::kParty, &query.party},
                                                                  {Term::kAgent, &query.agent},
                                                                  {Term::kType, &type}};
  Walk walk;
  walk.residual = query.since || query.until;
  for (const auto& [term, value] : filters) {
    if (!*value) continue;
    if (walk.term) {
      walk.residual = true;
    } else {
      walk.term = {term, **value};
    }
  }
  if (!walk.term) walk.residual = true;
  return walk;
}

}  // namespace

Result<EventPage> Sequencer::QueryEvents(const EventQuery& query) const {
  uint64_t end = size();
  Walk walk = ChooseWalk(query);
  EventPage page;
  // Takes `index` if it matches; false when the page is full (`next` resumes after `index`).
  auto consider = [&](uint64_t index) -> Result<bool> {
    if (walk.residual) {
      Result<bool> match = Matches(query, index);
      if (!match.ok()) return match.status();
      if (!*match) return true;
    }
    page.indices.push_back(index);
    if (page.indices.size() < query.limit) return true;
    uint64_t next = query.newest_first ? index : index + 1;
    if (next > 0) page.next_cursor = next;
    return false;
  };
  if (query.limit == 0) return page;
  // Newest first: indices below `bound`.
  uint64_t bound = query.cursor == 0 ? end : std::min(query.cursor, end);
  if (!walk.term) {
    uint64_t count = query.newest_first ? bound : end - std::min(query.cursor, end);
    for (uint64_t k = 0; k < count; ++k) {
      Result<bool> more = consider(query.newest_first ? bound - 1 - k : query.cursor + k);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    return page;
  }
  const auto& [term, value] = *walk.term;
  if (query.newest_first && bound == 0) return page;
  uint64_t from = query.newest_first ? bound - 1 : query.cursor;
  Status scanned =
      driver_->ScanTerm(term, value, from, query.newest_first, [&](uint64_t index) -> Result<bool> {
        // Written but not yet published: newest first skips it,
        // oldest first has reached the end.
        if (index >= end) return query.newest_first;
        return consider(index);
      });
  if (!scanned.ok()) return scanned;
  return page;
}

}  // namespace chipledger::store

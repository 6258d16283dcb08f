// What the ledger indexes about an event: the secondary-index terms behind EventQuery's filters
// and the registry record (party, site, agent, license) an entry registers.
#ifndef CHIPLEDGER_LEDGER_STORE_EVENT_TERMS_H_
#define CHIPLEDGER_LEDGER_STORE_EVENT_TERMS_H_

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/store/keys.h"

namespace chipledger::store {

// Every (term, value) the event is found under: its type; its submitting agent and the agent an
// enrolment or revocation names; every site, serial and party it names.
std::set<std::pair<Term, std::string>> EventTerms(const Event& event);

// The record an entry registers, enrols or issues, if any.
std::optional<std::pair<RecordKind, std::string>> RegisteredRecord(const Event& event);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_EVENT_TERMS_H_

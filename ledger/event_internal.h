// Private to ledger/: the pieces of event parsing shared by event.cc and entry.cc.
#ifndef CHIPLEDGER_LEDGER_EVENT_INTERNAL_H_
#define CHIPLEDGER_LEDGER_EVENT_INTERNAL_H_

#include <string>

#include "ledger/event.h"
#include "ledger/json_fields_internal.h"

namespace chipledger::internal {

// The wire names of the vocabulary of SPEC §1 and §3.
const NameTable<EventType>& EventTypeNames();
const NameTable<Role>& RoleNames();
const NameTable<PartyKind>& PartyKindNames();

// Reads a DSSE envelope out of an already parsed JSON value at `path` ("" at the top level).
Result<Envelope> ReadEnvelope(const JsonTree::Node& json, const std::string& path);

// Reads the type-specific fields of a payload of `type` (event_bodies_internal.cc).
EventBody ReadEventBody(EventType type, FieldReader& fields);

// The same status with another code (e.g. a field error inside an envelope is `bad_envelope`).
inline Status WithCode(const Status& status, std::string code) {
  return Status::InvalidArgument(std::move(code), status.message());
}

}  // namespace chipledger::internal

#endif  // CHIPLEDGER_LEDGER_EVENT_INTERNAL_H_

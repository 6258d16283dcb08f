#include "auditor/name.h"

#include <mutex>
#include <unordered_set>

namespace chipledger::audit {

Name::Name() {
  // Every default-constructed chip and shipment record starts with several: skip the lookup.
  static const std::string* const empty = Name(std::string_view()).text_;
  text_ = empty;
}

Name::Name(std::string_view text) {
  // Never freed: it holds only distinct names, which are few next to the records naming them.
  static std::mutex mutex;
  static std::unordered_set<std::string>* names = new std::unordered_set<std::string>();
  std::string key(text);
  std::lock_guard lock(mutex);
  auto it = names->find(key);  // emplace would allocate a node before finding the name there
  if (it == names->end()) it = names->insert(std::move(key)).first;
  text_ = &*it;
}

}  // namespace chipledger::audit

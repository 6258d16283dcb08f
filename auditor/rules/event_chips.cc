#include "auditor/rules/rule.h"

namespace chipledger::audit {

EventChips::EventChips(const ReplayState& state, const Event& event) : state_(state) {
  std::vector<std::string_view> serials = event.Serials();
  chips_.reserve(serials.size());
  for (std::string_view serial : serials) chips_.emplace_back(serial, state.Chip(serial));
}

const ChipInfo* EventChips::Find(std::string_view serial) const {
  // The same string object, not only equal text: then no comparison of the text is needed.
  auto at = [&](size_t i) {
    return i < chips_.size() && chips_[i].first.data() == serial.data() &&
           chips_[i].first.size() == serial.size();
  };
  if (!at(next_)) next_ = 0;  // a rule starting its walk over the list, or another string
  if (!at(next_)) return state_.Chip(serial);
  return chips_[next_++].second;
}

}  // namespace chipledger::audit

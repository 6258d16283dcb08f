// D15: an attested_id differing from the first one attested for the serial (critical): a
// relabelled chip.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D15AttestedId : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (const auto* inspection = std::get_if<InspectionPerformed>(&context.event.body)) {
      for (const auto& chip : inspection->observed) {
        Check(context, chip.serial, chip.attested_id, inspection->site, book);
      }
    } else if (const auto* heartbeat = std::get_if<MonitorHeartbeat>(&context.event.body)) {
      for (const auto& chip : heartbeat->online) {
        Check(context, chip.serial, chip.attested_id, heartbeat->site, book);
      }
    }
  }

 private:
  static void Check(const EventContext& context, const std::string& serial,
                    const std::optional<std::string>& attested_id, const std::string& site,
                    FindingBook* book) {
    if (!attested_id) return;
    const ChipInfo* chip = context.Chip(serial);
    if (!chip || !chip->attested_id || *chip->attested_id == *attested_id) return;
    book->Report("D15", Severity::kCritical, "chip", serial, context.PlaceOf(site),
                 "chip " + serial + " attests " + *attested_id + " at " + site +
                     ", first attested as " + *chip->attested_id,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD15AttestedId() { return std::make_unique<D15AttestedId>(); }

}  // namespace chipledger::audit

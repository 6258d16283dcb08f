// report.html: one self-contained page for people (inline CSS and SVG; no scripts, fonts or
// images are fetched), readable offline and printable.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "auditor/report.h"

namespace chipledger::audit {

namespace {

constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;
// Bounds that keep the page small whatever the log holds; report.json has everything.
constexpr size_t kSerialsShown = 20;
constexpr size_t kMessageShown = 1000;  // characters of a finding's message
constexpr size_t kSitesCounted = 50;    // sites in the findings-per-site table

constexpr std::string_view kStyle = R"(
body{font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;color:#1c2430;margin:0;background:#f4f5f7;line-height:1.4}
header{background:#14213d;color:#fff;padding:22px 40px}
header h1{margin:0;font-size:24px;font-weight:600;letter-spacing:.3px}
header .meta{margin-top:8px;font-size:13px;color:#c9d1e0}
main{max-width:1180px;margin:0 auto;padding:20px 40px 60px}
section{background:#fff;border:1px solid #dde1e7;border-radius:4px;padding:16px 22px;margin:18px 0}
h2{font-size:18px;margin:0 0 12px;color:#14213d;border-bottom:2px solid #14213d;padding-bottom:6px}
h3{font-size:15px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;background:#eef0f4;padding:6px 8px;border-bottom:1px solid #c8cdd6}
td{padding:6px 8px;border-bottom:1px solid #e6e8ec;vertical-align:top}
code,.mono{font-family:Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
.verdict{padding:14px 18px;border-radius:4px;font-size:17px;font-weight:600;margin-bottom:14px}
.verdict.ok{background:#e5f4ea;color:#1e6b3a;border:1px solid #9fd3b1}
.verdict.fail{background:#fbe9e9;color:#9b1c1c;border:1px solid #e7a3a3}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{flex:1;min-width:130px;border:1px solid #dde1e7;border-radius:4px;padding:10px 14px}
.card .n{font-size:26px;font-weight:700}.card .l{font-size:12px;color:#5b6675;text-transform:uppercase}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:11px;font-weight:700;text-transform:uppercase}
.critical{background:#a61b1b}.high{background:#c65d00}.medium{background:#8a7400}
.card.critical,.card.high,.card.medium{background:#fff;border-left:6px solid}
.card.critical{border-left-color:#a61b1b}.card.high{border-left-color:#c65d00}.card.medium{border-left-color:#8a7400}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11px;font-weight:700}
.good_standing,.pass{background:#e5f4ea;color:#1e6b3a}.lapsed{background:#fff4d6;color:#7a5a00}
.suspended,.failed{background:#fbe9e9;color:#9b1c1c}.not_approved,.resolved,.not_run{background:#eceef1;color:#4a5260}
tr.resolved td{color:#7b8491}
.nowrap{white-space:nowrap}.bad{color:#9b1c1c;font-weight:600}.muted{color:#7b8491}
.note{font-size:12px;color:#5b6675}
.ev{font-size:12px;margin-bottom:4px}
svg text{font-family:Helvetica,Arial,sans-serif}
@media print{body{background:#fff}section{break-inside:avoid;border:none}header{background:#fff;color:#000}}
)";

// Rule titles for readers (SPEC §8).
constexpr std::pair<std::string_view, std::string_view> kRuleTitles[] = {
    {"D1", "Shipment not received in time"},
    {"D2", "Received serials differ from shipped"},
    {"D3", "Received at the wrong site or by a forwarder"},
    {"D4", "Received, not installed in time"},
    {"D5", "Installed chip missing at inspection"},
    {"D6", "Chip observed at a site whose books do not hold it"},
    {"D7", "Chip at two sites faster than travel allows"},
    {"D8", "Chip dispatched again while not returned"},
    {"D9", "Event located outside its site"},
    {"D10", "Site not inspected in time"},
    {"D11", "Installed chips dark in heartbeats"},
    {"D12", "Seal not intact"},
    {"D13", "Event about a decommissioned chip"},
    {"D14", "Lifecycle out of order"},
    {"D15", "Attested identity changed (relabelled chip)"},
    {"D16", "Installed power above declared capacity"},
    {"D17", "Requested check not performed by its due date"},
    {"L1", "Dispatch without a valid license"},
    {"L2", "License quantity exceeded"},
    {"L3", "Chip model outside the license"},
    {"L4", "Consignee, site or transfer outside the license"},
    {"L5", "Party on a screening list"},
    {"L6", "Route country outside the license"},
    {"L7", "Observed purpose outside the license"},
    {"A1", "Event time implausible against integration time"},
    {"A2", "Inspector at two sites faster than travel allows"},
    {"A3", "Inspection signed only by the inspected organisation"},
};

constexpr std::pair<std::string_view, std::string_view> kChecks[] = {
    {"I1", "Checkpoint signed by the log key"},
    {"I2", "Merkle root recomputed from every entry equals the checkpoint's"},
    {"I3", "Entries parse, are chained by prev and index, times never decrease"},
    {"I4", "Every envelope signature verifies under its agent's key at that position"},
    {"I5", "Every agent's seq/prev chain is gapless and unforked"},
    {"I6", "Consistent with the checkpoint verified on the previous run"},
    {"I7", "Every entry passes admission (SPEC §4) as of its position"},
    {"I8", "Checkpoint cosigned by the required quorum of the named witnesses (SPEC §10)"},
};

constexpr const char* kLaneColors[kLaneCount] = {"#5b6b8c", "#2e7d5b", "#1f5fa8", "#8e3fa0",
                                                 "#8a96a8", "#c65d00", "#a61b1b"};

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RuleTitle(std::string_view rule) {
  for (const auto& [id, title] : kRuleTitles) {
    if (id == rule) return std::string(title);
  }
  return std::string(rule);
}

std::string Day(int64_t day) { return FormatTime(Timestamp{day * kNanosPerDay}).substr(0, 10); }

// A cosignature's unix seconds as RFC 3339 (the number itself when beyond what that can show).
std::string UnixTime(uint64_t seconds) {
  if (seconds > static_cast<uint64_t>(INT64_MAX / kNanosPerSecond)) return std::to_string(seconds);
  return FormatTime(Timestamp{static_cast<int64_t>(seconds) * kNanosPerSecond});
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

class Page {
 public:
  explicit Page(const Report& report) : report_(report) {}
  std::string Render();

 private:
  std::string EntryLink(uint64_t index) const;
  std::string EntryLine(uint64_t index) const;
  std::string EvidenceCell(const Finding& finding) const;
  std::string Serials(const std::vector<std::string>& serials, bool bad) const;
  void Header();
  void Overview();
  void Counts();
  void CountsByRule();
  void CountsBySite();
  void Integrity();
  std::string CheckResult(std::string_view check) const;
  void Witnesses();
  void Findings();
  void FindingsOf(Severity severity);
  void FindingRow(const Finding& finding);
  void Whitelist();
  void Balance();
  void Timelines();
  void Timeline(const std::string& id, const SiteActivity::Site& site, int64_t first, int64_t last);

  const Report& report_;
  std::string out_;
};

// An entry index; with the entry's type and time when the report holds its summary.
std::string Page::EntryLink(uint64_t index) const {
  std::string label = "<span class=\"mono\">#" + std::to_string(index) + "</span>";
  auto summary = report_.entries.summaries.find(index);
  if (summary == report_.entries.summaries.end()) return label;
  return label + " <span class=\"note\">" + Escape(summary->second.type) + ", " +
         FormatTime(summary->second.integrated_time) + "</span>";
}

// An evidence entry summarised from the verified entry itself: the reader needs no token.
std::string Page::EntryLine(uint64_t index) const {
  std::string number = "#" + std::to_string(index);
  if (!report_.entry_url.empty()) {
    number =
        "<a href=\"" + Escape(report_.entry_url) + std::to_string(index) + "\">" + number + "</a>";
  }
  std::string label = "<span class=\"mono\">" + number + "</span> ";
  auto found = report_.entries.summaries.find(index);
  if (found == report_.entries.summaries.end()) {
    return "<div class=\"ev\">" + label +
           "<span class=\"muted\">not read in this audit</span></div>";
  }
  const EntrySummary& entry = found->second;
  return "<div class=\"ev\">" + label + "<b>" + Escape(entry.type) + "</b> by " +
         Escape(entry.agent) + (entry.site.empty() ? "" : " at " + Escape(entry.site)) +
         ", integrated " + FormatTime(entry.integrated_time) +
         (entry.said.empty() ? "" : "<br><span class=\"note\">" + Escape(entry.said) + "</span>") +
         "</div>";
}

std::string Page::EvidenceCell(const Finding& finding) const {
  std::string cell;
  for (size_t i = 0; i < finding.evidence.size() && i < kEvidenceShown; ++i) {
    cell += EntryLine(finding.evidence[i]);
  }
  if (finding.evidence.size() > kEvidenceShown) {
    cell += "<span class=\"note\">and " + std::to_string(finding.evidence.size() - kEvidenceShown) +
            " more entries (report.json)</span>";
  }
  return cell;
}

std::string Page::Serials(const std::vector<std::string>& serials, bool bad) const {
  if (serials.empty()) return "<span class=\"muted\">none</span>";
  std::string out = bad ? "<span class=\"bad mono\">" : "<span class=\"mono\">";
  for (size_t i = 0; i < serials.size() && i < kSerialsShown; ++i) {
    out += (i ? ", " : "") + Escape(serials[i]);
  }
  if (serials.size() > kSerialsShown) {
    out += " and " + std::to_string(serials.size() - kSerialsShown) + " more";
  }
  return out + "</span>";
}

void Page::Header() {
  out_ += "<header><h1>chipledger audit report</h1><div class=\"meta\">";
  if (report_.checkpoint) {
    out_ += "Log <b>" + Escape(report_.checkpoint->origin) + "</b> &middot; " +
            std::to_string(report_.checkpoint->size) + " entries &middot; ";
  }
  out_ += "as of " + FormatTime(report_.as_of) + "</div></header><main>";
}

void Page::Overview() {
  out_ += "<section><h2>Summary</h2>";
  if (report_.integrity_ok) {
    out_ +=
        "<div class=\"verdict ok\">&#10003; Log integrity verified: every entry, signature, "
        "agent chain and the Merkle root were recomputed independently.</div>";
  } else if (!report_.checkpoint) {
    out_ +=
        "<div class=\"verdict fail\">&#10007; Log integrity FAILED: the checkpoint is not signed "
        "by the log key (I1), so no entry was read and no other check ran.</div>";
  } else {
    out_ += "<div class=\"verdict fail\">&#10007; Log integrity FAILED: " +
            std::to_string(report_.error_count) +
            " error(s). Findings below are computed from entries that could not be verified and "
            "must not be relied on.</div>";
  }
  out_ += "<div class=\"cards\">";
  for (const auto& [severity, count] : OpenFindingCounts(report_)) {
    out_ += "<div class=\"card " + severity + "\"><div class=\"n\">" + std::to_string(count) +
            "</div><div class=\"l\">open " + severity + "</div></div>";
  }
  size_t good = std::count_if(
      report_.whitelist.begin(), report_.whitelist.end(),
      [](const WhitelistEntry& entry) { return entry.status == StandingStatus::kGoodStanding; });
  out_ += "<div class=\"card\"><div class=\"n\">" + std::to_string(good) + " / " +
          std::to_string(report_.whitelist.size()) +
          "</div><div class=\"l\">end users in good standing</div></div>";
  out_ += "<div class=\"card\"><div class=\"n\">" + std::to_string(report_.entries_checked) +
          "</div><div class=\"l\">entries verified</div></div></div>";
  if (report_.checkpoint) {
    out_ += "<p class=\"note\">Checkpoint root <code>" + ToHex(report_.checkpoint->root) +
            "</code> at tree size " + std::to_string(report_.checkpoint->size) +
            ". Anyone holding the log's public key can re-run this audit and must obtain the "
            "same root.</p>";
  }
  out_ += "</section>";
}

// A Tally's cells under kTallyHeader.
std::string Cells(const Tally& tally) {
  std::string cells;
  for (uint64_t count : tally.open) cells += "<td>" + std::to_string(count) + "</td>";
  return cells + "<td>" + std::to_string(tally.resolved) + "</td>";
}

constexpr std::string_view kTallyHeader =
    "<th>Open critical</th><th>Open high</th><th>Open medium</th><th>Resolved</th></tr>";

void Page::CountsByRule() {
  out_ += "<h3>Per rule</h3><table><tr><th>Rule</th><th>What</th>" + std::string(kTallyHeader);
  for (const auto& [rule, tally] : report_.counts.by_rule) {
    out_ += "<tr><td><b>" + Escape(rule) + "</b></td><td>" + Escape(RuleTitle(rule)) + "</td>" +
            Cells(tally) + "</tr>";
  }
  out_ += "</table>";
}

// The sites with the most findings (the table grows with sites, so it is capped too).
void Page::CountsBySite() {
  const std::map<std::string, Tally>& sites = report_.counts.by_site;
  std::vector<std::pair<std::string, Tally>> ranked(sites.begin(), sites.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.total() > b.second.total();
  });
  out_ += "<h3>Per site</h3><table><tr><th>Site</th>" + std::string(kTallyHeader);
  for (size_t i = 0; i < ranked.size() && i < kSitesCounted; ++i) {
    const auto& [site, tally] = ranked[i];
    out_ += "<tr><td>" +
            (site.empty() ? std::string("<span class=\"muted\">no site</span>")
                          : "<b>" + Escape(site) + "</b>") +
            "</td>" + Cells(tally) + "</tr>";
  }
  out_ += "</table>";
  if (ranked.size() > kSitesCounted) {
    out_ += "<p class=\"note\">" + std::to_string(ranked.size() - kSitesCounted) +
            " more sites with fewer findings: see findings.csv.</p>";
  }
}

void Page::Counts() {
  const Tally& all = report_.counts.all;
  out_ += "<section id=\"counts\"><h2>Findings at a glance</h2><table><tr><th>All rules</th>" +
          std::string(kTallyHeader) + "<tr><td><b>" + std::to_string(all.total()) +
          " finding(s)</b></td>" + Cells(all) + "</tr></table>";
  if (all.total() > 0) {
    CountsByRule();
    CountsBySite();
  }
  out_ += "</section>";
}

std::string Page::CheckResult(std::string_view check) const {
  size_t failures = std::count_if(report_.errors.begin(), report_.errors.end(),
                                  [&](const IntegrityError& e) { return e.check == check; });
  if (failures) {
    return "<span class=\"status failed\">" + std::to_string(failures) + " failed</span>";
  }
  for (const SkippedCheck& skipped : report_.not_run) {
    if (skipped.check == check) {
      return "<span class=\"status not_run\">not run</span> <span class=\"note\">" +
             Escape(skipped.reason) + "</span>";
    }
  }
  return "<span class=\"status pass\">pass</span>";
}

// Which named witnesses cosigned the checkpoint, and when (I8).
void Page::Witnesses() {
  if (report_.witnesses.empty()) return;
  out_ += "<h3>Witnesses</h3><p class=\"note\">" + std::to_string(report_.witness_quorum) +
          " of the " + std::to_string(report_.witnesses.size()) +
          " named witnesses must cosign the checkpoint.</p><table><tr><th>Witness</th>"
          "<th>Cosignature</th></tr>";
  for (const std::string& name : report_.witnesses) {
    auto cosigned = std::find_if(report_.cosignatures.begin(), report_.cosignatures.end(),
                                 [&](const Cosignature& c) { return c.witness == name; });
    std::string result = "<span class=\"bad\">missing</span>";
    if (cosigned != report_.cosignatures.end()) {
      result = "<span class=\"status pass\">cosigned</span> at " + UnixTime(cosigned->timestamp);
    }
    out_ += "<tr><td class=\"mono\">" + Escape(name) + "</td><td>" + result + "</td></tr>";
  }
  out_ += "</table>";
}

void Page::Integrity() {
  out_ +=
      "<section id=\"integrity\"><h2>Integrity of the log</h2><table><tr><th>Check</th>"
      "<th>What it proves</th><th>Result</th></tr>";
  for (const auto& [check, what] : kChecks) {
    out_ += "<tr><td><b>" + std::string(check) + "</b></td><td>" + std::string(what) + "</td><td>" +
            CheckResult(check) + "</td></tr>";
  }
  out_ += "</table>";
  Witnesses();
  if (!report_.errors.empty()) {
    out_ += "<h3>Errors</h3><table><tr><th>Check</th><th>Entry</th><th>Message</th></tr>";
    for (const IntegrityError& error : report_.errors) {
      out_ += "<tr><td><b>" + Escape(error.check) + "</b></td><td>" +
              (error.index ? EntryLink(*error.index) : std::string("&ndash;")) + "</td><td>" +
              Escape(error.message) + "</td></tr>";
    }
    out_ += "</table>";
    if (report_.error_count > report_.errors.size()) {
      out_ += "<p class=\"note\">" + std::to_string(report_.error_count - report_.errors.size()) +
              " further errors are not listed.</p>";
    }
  }
  out_ += "</section>";
}

void Page::FindingRow(const Finding& finding) {
  std::string message = finding.message.size() > kMessageShown
                            ? finding.message.substr(0, kMessageShown) + "…"
                            : finding.message;
  out_ += std::string("<tr id=\"finding-") + Escape(finding.id) + "\"" +
          (finding.resolved ? " class=\"resolved\"" : "") + "><td><b>" + Escape(finding.rule) +
          "</b><br><span class=\"note\">" + Escape(RuleTitle(finding.rule)) +
          "</span></td><td class=\"nowrap\">" + Escape(finding.subject_kind) +
          " <span class=\"mono\">" + Escape(finding.subject_id) +
          "</span></td><td class=\"nowrap\">" + Escape(finding.site.value_or("")) + "<br>" +
          Escape(finding.party.value_or("")) + "</td><td>" + Escape(message) +
          "<br><span class=\"note mono\">id " + Escape(finding.id) + "</span></td><td>" +
          EvidenceCell(finding) + "</td><td>" +
          (finding.resolved ? "<span class=\"status resolved\">resolved</span>"
                            : std::string("<b>open</b>")) +
          "</td></tr>";
}

void Page::FindingsOf(Severity severity) {
  auto counted = report_.counts.by_severity.find(severity);
  uint64_t total = counted == report_.counts.by_severity.end() ? 0 : counted->second;
  std::vector<const Finding*> rows;
  for (const Finding& finding : report_.in_full) {
    if (finding.severity == severity) rows.push_back(&finding);
  }
  std::string name(SeverityName(severity));
  out_ += "<h3 id=\"" + name + "\"><span class=\"sev " + name + "\">" + name + "</span> " +
          std::to_string(total) + " finding(s)" +
          (rows.size() < total ? ", " + std::to_string(rows.size()) + " shown" : "") + "</h3>";
  if (rows.empty()) return;
  out_ +=
      "<table><tr><th>Rule</th><th>Subject</th><th>Site / party</th><th>Finding</th>"
      "<th>Evidence</th><th>Status</th></tr>";
  for (const Finding* finding : rows) FindingRow(*finding);
  out_ += "</table>";
}

void Page::Findings() {
  size_t shown = report_.in_full.size();
  uint64_t total = report_.counts.all.total();
  out_ += "<section id=\"findings\"><h2>Findings by severity</h2>";
  if (shown < total) {
    out_ += "<p class=\"note\">The " + std::to_string(shown) + " most severe of " +
            std::to_string(total) +
            " findings are shown (open before resolved, newest first); the other " +
            std::to_string(total - shown) +
            " are in report.json and findings.csv next to this page.</p>";
  }
  for (Severity severity : {Severity::kCritical, Severity::kHigh, Severity::kMedium}) {
    FindingsOf(severity);
  }
  out_ +=
      "<p class=\"note\">Evidence is summarised from the log entries themselves (index, event "
      "type, the agent who reported it, its site, when the log integrated it, and its key "
      "fields); each entry is signed by the agents who reported it and included in the verified "
      "Merkle tree.";
  if (!report_.entry_url.empty()) {
    out_ += " Each entry number opens the entry in the regulator console (<code>" +
            Escape(report_.entry_url) +
            "N</code>), which asks for a reader token and checks the entry's inclusion proof and "
            "checkpoint signature in the browser.";
  }
  out_ += "</p></section>";
}

void Page::Whitelist() {
  out_ += "<section id=\"whitelist\"><h2>White list of end users</h2>";
  if (report_.whitelist.empty()) {
    out_ += "<p class=\"muted\">No end users are registered.</p></section>";
    return;
  }
  out_ +=
      "<table><tr><th>End user</th><th>Status</th><th>Sites</th><th>Licenses</th>"
      "<th>Chips installed</th><th>Last inspection</th><th>Open findings</th></tr>";
  for (const WhitelistEntry& entry : report_.whitelist) {
    std::string status(StandingStatusName(entry.status));
    std::string open;
    for (const auto& [severity, count] : entry.open_findings) {
      if (count)
        open += "<span class=\"sev " + Escape(severity) + "\">" + std::to_string(count) + " " +
                Escape(severity) + "</span> ";
    }
    out_ += "<tr><td><b>" + Escape(entry.party) + "</b></td><td><span class=\"status " + status +
            "\">" + status + "</span></td><td>" + Serials(entry.sites, false) + "</td><td>" +
            Serials(entry.licenses, false) + "</td><td>" + std::to_string(entry.chips_installed) +
            "</td><td>" +
            (entry.last_inspection ? FormatTime(*entry.last_inspection)
                                   : std::string("<span class=\"bad\">never</span>")) +
            "</td><td>" + (open.empty() ? std::string("<span class=\"muted\">none</span>") : open) +
            "</td></tr>";
  }
  out_ += "</table></section>";
}

void Page::Balance() {
  out_ +=
      "<section id=\"balance\"><h2>Material balance per site</h2>"
      "<p class=\"note\">Book inventory (received or installed, not transferred or "
      "decommissioned) against what the latest inspection observed. Missing chips are book "
      "&minus; observed within what the inspection covered.</p>";
  if (report_.balance.empty()) {
    out_ += "<p class=\"muted\">No sites hold chips.</p></section>";
    return;
  }
  out_ +=
      "<table><tr><th>Site</th><th>Book</th><th>Latest inspection</th><th>Observed</th>"
      "<th>Missing</th><th>Unexpected</th><th>In transit to site</th></tr>";
  for (const SiteBalance& site : report_.balance) {
    out_ += "<tr><td><b>" + Escape(site.site) + "</b><br><span class=\"note\">" +
            Escape(site.party) + "</span></td><td>" + std::to_string(site.book.size()) +
            "</td><td>" +
            (site.inspection ? EntryLink(*site.inspection)
                             : std::string("<span class=\"bad\">none</span>")) +
            "</td><td>" + std::to_string(site.observed.size()) + "</td><td>" +
            Serials(site.missing, true) + "</td><td>" + Serials(site.unexpected, true) +
            "</td><td>" + std::to_string(site.in_transit_chips) + "</td></tr>";
  }
  out_ += "</table></section>";
}

void Page::Timeline(const std::string& id, const SiteActivity::Site& site, int64_t first,
                    int64_t last) {
  constexpr int kLeft = 170, kWidth = 1060, kLaneHeight = 24, kTop = 8;
  const int plot = kWidth - kLeft - 20;
  const int height = kTop + static_cast<int>(kLaneCount) * kLaneHeight + 28;
  const double span = static_cast<double>(last - first + 1);
  auto x = [&](int64_t day) {
    return kLeft + (static_cast<double>(day - first) + 0.5) / span * plot;
  };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"Timeline of site " + Escape(id) + "\">";
  for (size_t lane = 0; lane < kLaneCount; ++lane) {
    int y = kTop + static_cast<int>(lane) * kLaneHeight + kLaneHeight / 2;
    svg += "<text x=\"" + std::to_string(kLeft - 8) + "\" y=\"" + std::to_string(y + 4) +
           "\" font-size=\"11\" text-anchor=\"end\" fill=\"#3b4452\">" +
           std::string(LaneName(static_cast<Lane>(lane))) + "</text><line x1=\"" +
           std::to_string(kLeft) + "\" x2=\"" + std::to_string(kLeft + plot) + "\" y1=\"" +
           std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"#e3e6eb\"/>";
  }
  const int axis = kTop + static_cast<int>(kLaneCount) * kLaneHeight;
  svg += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kLeft + plot) +
         "\" y1=\"" + std::to_string(axis) + "\" y2=\"" + std::to_string(axis) +
         "\" stroke=\"#8a93a1\"/>";
  int64_t step = 1;
  for (int64_t candidate : {1, 2, 7, 14, 30, 61, 91, 182, 365, 730, 1825}) {
    step = candidate;
    if ((last - first) / candidate < 8) break;
  }
  for (int64_t day = first; day <= last; day += step) {
    svg += "<text x=\"" + Number(x(day)) + "\" y=\"" + std::to_string(axis + 16) +
           "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6675\">" + Day(day) + "</text>";
  }
  for (const auto& [day, counts] : site.days) {
    for (size_t lane = 0; lane < kLaneCount; ++lane) {
      if (counts[lane] == 0) continue;
      double radius = std::min(10.0, 4.0 + 1.5 * std::log2(static_cast<double>(counts[lane])));
      int y = kTop + static_cast<int>(lane) * kLaneHeight + kLaneHeight / 2;
      svg += "<circle cx=\"" + Number(x(day)) + "\" cy=\"" + std::to_string(y) + "\" r=\"" +
             Number(radius) + "\" fill=\"" + kLaneColors[lane] + "\" fill-opacity=\"0.8\"><title>" +
             Day(day) + ": " + std::to_string(counts[lane]) + " &times; " +
             std::string(LaneName(static_cast<Lane>(lane))) + "</title></circle>";
    }
  }
  out_ += "<h3>" + Escape(id) + (site.name.empty() ? "" : " &middot; " + Escape(site.name)) +
          (site.party.empty() ? "" : " <span class=\"note\">(" + Escape(site.party) + ")</span>") +
          "</h3>" + svg + "</svg>";
}

void Page::Timelines() {
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& [id, site] : report_.activity) {
    if (site.days.empty()) continue;
    first = std::min(first, site.days.begin()->first);
    last = std::max(last, site.days.rbegin()->first);
  }
  out_ += "<section id=\"timelines\"><h2>Timeline per site</h2>";
  if (first > last) {
    out_ += "<p class=\"muted\">No custody or monitoring events.</p></section>";
    return;
  }
  out_ +=
      "<p class=\"note\">Events per day by kind, placed at the time the agents reported "
      "(" +
      Day(first) + " to " + Day(last) +
      "); a larger dot is more events. All sites share one time axis.</p>";
  for (const auto& [id, site] : report_.activity) {
    if (!site.days.empty()) Timeline(id, site, first, last);
  }
  out_ += "</section>";
}

std::string Page::Render() {
  out_ =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>chipledger audit "
      "report &middot; " +
      FormatTime(report_.as_of) + "</title><style>" + std::string(kStyle) + "</style></head><body>";
  Header();
  Overview();
  Counts();
  Integrity();
  Findings();
  Whitelist();
  Balance();
  Timelines();
  out_ +=
      "<p class=\"note\">Generated by chipledger-audit. The audit read every entry of the log "
      "and trusted no server answer: hashes, signatures, chains and admission were "
      "recomputed from the entries and the log's public key.</p></main></body></html>\n";
  return std::move(out_);
}

}  // namespace

std::string ReportToHtml(const Report& report) { return Page(report).Render(); }

}  // namespace chipledger::audit

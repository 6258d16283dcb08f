#include "api/findings_stream.h"

#include <algorithm>
#include <vector>

#include "api/http_util.h"

namespace chipledger::api {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(100);
// Rules that fire on the clock (D1, D10, D17…) change findings without a new entry.
constexpr auto kClockRefresh = std::chrono::seconds(5);
// A stream this far behind the others is ended; it resumes from its Last-Event-ID.
constexpr size_t kMaxQueued = 10000;
// A comment line this often keeps proxies from closing an idle stream.
constexpr auto kKeepAlive = std::chrono::seconds(15);
// How long a stream waits for changes at a time: cpp-httplib checks between waits whether the
// server is stopping, so this bounds how long a stream can delay shutdown.
constexpr auto kWait = std::chrono::milliseconds(500);

// `id` is the tree size the change was seen at: resuming from it replays nothing already seen.
std::string Message(std::string_view event, uint64_t tree_size, const json& data) {
  return "id: " + std::to_string(tree_size) + "\nevent: " + std::string(event) +
         "\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

std::string FindingMessage(std::string_view change, uint64_t tree_size, const json& finding) {
  return Message("finding", tree_size,
                 {{"change", change}, {"tree_size", tree_size}, {"finding", finding}});
}

// What happened to a finding between two refreshes; "" when nothing did.
std::string_view ChangeOf(const json* before, const json& after) {
  bool open = after.value("status", "") == "open";
  if (!before) return open ? "opened" : "resolved";
  if (before->value("status", "") != after.value("status", "")) {
    return open ? "reopened" : "resolved";
  }
  return *before == after ? "" : "updated";
}

uint64_t LastEvidence(const json& finding) {
  uint64_t last = 0;
  for (const json& index : finding.value("evidence", json::array())) {
    if (index.is_number_unsigned()) last = std::max(last, index.get<uint64_t>());
  }
  return last;
}

// ?from=N, else the Last-Event-ID header (what EventSource sends when it reconnects).
Result<std::optional<uint64_t>> ResumeFrom(const httplib::Request& req) {
  Result<std::optional<uint64_t>> from = UintParam(req, "from");
  if (!from.ok() || *from || !req.has_header("Last-Event-ID")) return from;
  Result<uint64_t> id = ParseUint(req.get_header_value("Last-Event-ID"), "Last-Event-ID");
  if (!id.ok()) return id.status();
  return std::optional<uint64_t>(*id);
}

}  // namespace

// Counts a stream as a listener for as long as cpp-httplib holds its content provider.
struct FindingsStream::Subscription {
  Subscription(FindingsStream* stream, uint64_t cursor) : stream(stream), cursor(cursor) {
    std::lock_guard<std::mutex> lock(stream->mu_);
    ++stream->listeners_;
  }
  ~Subscription() {
    std::lock_guard<std::mutex> lock(stream->mu_);
    --stream->listeners_;
  }
  FindingsStream* stream;
  uint64_t cursor;
  std::string pending;  // the replay, sent first
  SteadyClock::time_point last_write = SteadyClock::now();
};

FindingsStream::FindingsStream(const Ledger* ledger, LiveAudit* audit)
    : ledger_(ledger), audit_(audit), poller_([this] { PollLoop(); }) {}

FindingsStream::~FindingsStream() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  poller_.join();
}

void FindingsStream::PollLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!changed_.wait_for(lock, kPollInterval, [this] { return stopping_; })) {
    bool due = listeners_ > 0 && (ledger_->size() != seen_size_ ||
                                  SteadyClock::now() - refreshed_at_ >= kClockRefresh);
    if (!due) continue;
    lock.unlock();
    Refresh();
    lock.lock();
  }
}

void FindingsStream::Refresh() {
  std::lock_guard<std::mutex> serial(refresh_mu_);
  // The size first: the findings then reflect at least these entries (the audit applies
  // everything queued before it answers).
  uint64_t size = ledger_->size();
  Result<json> findings = audit_->Findings({});
  if (!findings.ok()) return;  // only a bad filter fails, and there is none
  std::lock_guard<std::mutex> lock(mu_);
  for (json& finding : *findings) {
    std::string id = finding.value("id", "");
    auto before = findings_.find(id);
    std::string_view change =
        ChangeOf(before == findings_.end() ? nullptr : &before->second, finding);
    if (primed_ && !change.empty()) {
      changes_.push_back({next_seq_++, FindingMessage(change, size, finding)});
    }
    findings_[id] = std::move(finding);
  }
  while (changes_.size() > kMaxQueued) changes_.pop_front();
  primed_ = true;
  seen_size_ = size;
  refreshed_at_ = SteadyClock::now();
  changed_.notify_all();
}

std::string FindingsStream::Replay(uint64_t from) {
  std::vector<const json*> reached;
  for (const auto& [id, finding] : findings_) {
    if (LastEvidence(finding) >= from) reached.push_back(&finding);
  }
  std::stable_sort(reached.begin(), reached.end(), [](const json* a, const json* b) {
    return LastEvidence(*a) < LastEvidence(*b);
  });
  std::string out;
  for (const json* finding : reached) {
    bool open = finding->value("status", "") == "open";
    out += FindingMessage(open ? "opened" : "resolved", seen_size_, *finding);
  }
  return out;
}

std::optional<std::string> FindingsStream::Next(uint64_t* cursor,
                                                std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout, [&] {
    return stopping_ || (!changes_.empty() && changes_.back().seq >= *cursor);
  });
  if (!changes_.empty() && changes_.front().seq > *cursor) return std::nullopt;
  std::string out;
  for (const Change& change : changes_) {
    if (change.seq < *cursor) continue;
    out += change.message;
    *cursor = change.seq + 1;
  }
  return out;
}

void FindingsStream::Serve(Call& call) {
  if (!audit_) return SendError(call.res, 503, "unavailable", "the live audit is not running");
  Result<std::optional<uint64_t>> from = ResumeFrom(call.req);
  if (!from.ok()) return SendStatus(call.res, from.status());
  Refresh();  // the baseline, and a replay as of now
  auto subscription = std::make_shared<Subscription>(this, 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    subscription->cursor = next_seq_;
    // retry: how soon EventSource reconnects; `ready` tells the client where it stands.
    subscription->pending =
        "retry: 1000\n\n" + Message("ready", seen_size_, {{"tree_size", seen_size_}});
    if (*from) subscription->pending += Replay(**from);
  }
  call.res.set_header("Cache-Control", "no-store");
  // nginx (deploy/nginx) would otherwise buffer the stream.
  call.res.set_header("X-Accel-Buffering", "no");
  call.res.set_chunked_content_provider(
      "text/event-stream", [this, subscription](size_t, httplib::DataSink& sink) {
        std::string out;
        out.swap(subscription->pending);
        if (out.empty()) {
          std::optional<std::string> next = Next(&subscription->cursor, kWait);
          if (!next) return false;  // fell behind the queue: the client resumes
          out = std::move(*next);
        }
        if (out.empty() && SteadyClock::now() - subscription->last_write >= kKeepAlive) {
          out = ": keep-alive\n\n";
        }
        if (out.empty()) return true;
        subscription->last_write = SteadyClock::now();
        return sink.write(out.data(), out.size());
      });
}

std::unique_ptr<FindingsStream> AddFindingsStream(Service* service, Router* router) {
  auto stream = std::make_unique<FindingsStream>(service->ledger, service->audit);
  router->Add("GET", "/v1/findings/stream", Access::kReader, {"from"},
              [raw = stream.get()](Call& call) { raw->Serve(call); });
  return stream;
}

}  // namespace chipledger::api

#include "api/witnessing.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/http_client.h"
#include "cli/prometheus.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/time.h"
#include "ledger/witness_protocol.h"

namespace chipledger::api {
namespace {

using cli::MetricHeader;
using cli::MetricLabel;
using cli::MetricNumber;

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A checkpoint the witnesses are asked to cosign.
struct Target {
  uint64_t size = 0;
  std::string note;  // as the log signed it: its text and the log's signature line
};

Result<uint64_t> NoteSize(std::string_view note) {
  Result<SignedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  Result<Checkpoint> checkpoint = ParseCheckpointBody(parsed->text);
  if (!checkpoint.ok()) return checkpoint.status();
  return checkpoint->size;
}

double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void LogLine(nlohmann::json line) {
  line["time"] = FormatTime(Now());
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

// What one add-checkpoint exchange with a witness came to.
struct Outcome {
  std::optional<std::string> cosignature;  // the verified line, on success
  std::optional<uint64_t> witness_size;    // the witness's size, when learnt (409 or 200)
  std::string error;
};

struct WitnessState {
  WitnessConfig config;
  WitnessKey key;
  std::optional<uint64_t> known_size;  // the witness's latest cosigned size, as last learnt
  uint64_t cosigned_size = 0;          // the size of `cosignature`'s checkpoint (0: none yet)
  uint64_t attempted_size = 0;         // the size of the latest target asked for
  std::string cosignature;
  uint64_t failures = 0;
  double last_success = 0;  // unix seconds
  bool failing = false;
  std::string last_error;
  Clock::time_point retry_at{};
  milliseconds backoff{0};
};

}  // namespace

struct Witnessing::Impl {
  const Ledger* ledger;
  WitnessingOptions options;
  WitnessPolicy policy;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  Target target;
  std::optional<std::string> witnessed;
  uint64_t witnessed_size = 0;
  std::vector<WitnessState> witnesses;
  std::vector<cli::HttpClient> clients;  // witnesses[i]'s, used by its worker thread only
  // Sizes the coordinator saw the log reach and when, until a witnessed checkpoint covers them:
  // the witnessing delay is measured from these.
  std::deque<std::pair<uint64_t, Clock::time_point>> unwitnessed;
  double last_delay_s = 0, max_delay_s = 0;
  std::vector<std::thread> threads;

  Status Load();
  void Coordinate();
  void Work(size_t index);
  Outcome Exchange(cli::HttpClient& client, const WitnessState& witness, const Target& target);
  void Apply(size_t index, const Target& target, const Outcome& outcome);
  void PublishIfQuorum(const Target& target);
  bool TargetSettled() const;
};

// The next target is set only once the current one is witnessed, or once every witness that is
// not failing has answered for it, so that the witnesses' cosignatures meet on one size under
// constant ingest, while a witness that is down (or refuses) never holds the others back.
bool Witnessing::Impl::TargetSettled() const {
  if (target.size == 0 || witnessed_size >= target.size) return true;
  for (const WitnessState& witness : witnesses) {
    if (!witness.failing && witness.attempted_size < target.size) return false;
  }
  return true;
}

// The persisted witnessed checkpoint is served again only if it is still this log's checkpoint at
// its size and still carries the configured quorum.
Status Witnessing::Impl::Load() {
  if (!std::filesystem::exists(options.state_path)) return Status::Ok();
  Result<std::string> note = ReadFile(options.state_path);
  if (!note.ok()) return note.status();
  Result<Checkpoint> checkpoint = VerifyCheckpoint(*note, ledger->verifier());
  Result<std::string> own = checkpoint.ok() ? ledger->CheckpointNoteAt(checkpoint->size)
                                            : Result<std::string>(checkpoint.status());
  Status quorum = CheckWitnessQuorum(*note, policy);
  if (!own.ok() || !quorum.ok() || ParseSignedNote(*own)->text != ParseSignedNote(*note)->text) {
    LogLine({{"level", "warn"},
             {"event", "witnessed_checkpoint_dropped"},
             {"path", options.state_path},
             {"why", !own.ok()     ? own.status().message()
                     : quorum.ok() ? "not this log's checkpoint"
                                   : quorum.message()}});
    return Status::Ok();
  }
  witnessed = *note;
  witnessed_size = checkpoint->size;
  Result<std::vector<Cosignature>> cosignatures = VerifyCosignatures(*note, policy.witnesses);
  for (WitnessState& witness : witnesses) {
    for (const Cosignature& c : *cosignatures) {
      if (c.witness != witness.key.name) continue;
      witness.cosigned_size = witnessed_size;
      witness.cosignature = c.line;
      witness.known_size = witnessed_size;
    }
  }
  return Status::Ok();
}

Outcome Witnessing::Impl::Exchange(cli::HttpClient& client, const WitnessState& witness,
                                   const Target& target) {
  Outcome outcome;
  uint64_t old_size = witness.known_size.value_or(0);
  // A 409 teaches the witness's size; the request is then sent once more with the right proof.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (old_size > target.size) {
      outcome.error = "the witness has cosigned size " + std::to_string(old_size) +
                      ", beyond this log's " + std::to_string(target.size) +
                      ": it has seen another version of this log";
      return outcome;
    }
    AddCheckpointRequest request{old_size, {}, target.note};
    if (old_size != 0 && old_size != target.size) {
      Result<std::vector<Hash>> proof = ledger->ConsistencyProof(old_size, target.size);
      if (!proof.ok()) {
        outcome.error = "consistency proof: " + proof.status().message();
        return outcome;
      }
      request.proof = std::move(*proof);
    }
    Result<cli::HttpAnswer> response =
        client.Post("/add-checkpoint", FormatAddCheckpoint(request), "text/plain");
    if (!response.ok()) {
      outcome.error = "unreachable: " + response.status().message();
      return outcome;
    }
    if (response->status == 409 && response->content_type == kTlogSizeContentType) {
      Result<uint64_t> size = ParseTlogSize(response->body);
      if (!size.ok()) {
        outcome.error = "409 with a malformed size body";
        return outcome;
      }
      outcome.witness_size = old_size = *size;
      continue;
    }
    if (response->status != 200) {
      std::string body = response->body.substr(0, 200);
      while (!body.empty() && body.back() == '\n') body.pop_back();
      outcome.error = "HTTP " + std::to_string(response->status) + ": " + body;
      return outcome;
    }
    Result<std::vector<Cosignature>> cosignatures =
        VerifyCosignatures(target.note + response->body, {witness.key});
    if (!cosignatures.ok() || cosignatures->empty()) {
      outcome.error = "200 without a valid cosignature by " + witness.key.name +
                      (cosignatures.ok() ? "" : ": " + cosignatures.status().message());
      return outcome;
    }
    outcome.cosignature = (*cosignatures)[0].line;
    outcome.witness_size = target.size;
    return outcome;
  }
  outcome.error = "the witness's size changed twice during one request";
  return outcome;
}

void Witnessing::Impl::Apply(size_t index, const Target& target, const Outcome& outcome) {
  WitnessState& witness = witnesses[index];
  witness.attempted_size = std::max(witness.attempted_size, target.size);
  if (outcome.witness_size) witness.known_size = outcome.witness_size;
  if (outcome.cosignature) {
    if (witness.failing && options.log) {
      LogLine({{"level", "info"}, {"event", "witness_recovered"}, {"witness", witness.key.name}});
    }
    witness.cosigned_size = target.size;
    witness.cosignature = *outcome.cosignature;
    witness.last_success = UnixSeconds();
    witness.failing = false;
    witness.backoff = milliseconds(0);
    PublishIfQuorum(target);
    return;
  }
  ++witness.failures;
  witness.failing = true;
  witness.last_error = outcome.error;
  witness.backoff = std::clamp(witness.backoff * 2, options.min_backoff, options.max_backoff);
  witness.retry_at = Clock::now() + witness.backoff;
  if (options.log) {
    LogLine({{"level", "warn"},
             {"event", "witness_failed"},
             {"witness", witness.key.name},
             {"url", witness.config.url},
             {"checkpoint_size", target.size},
             {"error", outcome.error},
             {"retry_in_ms", witness.backoff.count()}});
  }
}

void Witnessing::Impl::PublishIfQuorum(const Target& target) {
  std::string lines;
  size_t count = 0;
  for (const WitnessState& witness : witnesses) {
    if (witness.cosigned_size != target.size || witness.cosignature.empty()) continue;
    lines += witness.cosignature;
    ++count;
  }
  if (count < policy.quorum || target.size < witnessed_size) return;
  std::string note = target.note + lines;
  if (witnessed && *witnessed == note) return;
  if (Status written = WriteFileDurably(options.state_path, note); !written.ok()) {
    LogLine({{"level", "error"},
             {"event", "witnessed_checkpoint_not_saved"},
             {"error", written.message()}});
    return;  // served only once it would survive a restart
  }
  witnessed = std::move(note);
  witnessed_size = target.size;
  Clock::time_point now = Clock::now();
  while (!unwitnessed.empty() && unwitnessed.front().first <= witnessed_size) {
    double delay = std::chrono::duration<double>(now - unwitnessed.front().second).count();
    max_delay_s = std::max(max_delay_s, delay);
    last_delay_s = delay;
    unwitnessed.pop_front();
  }
}

void Witnessing::Impl::Coordinate() {
  std::unique_lock<std::mutex> lock(mu);
  while (!stopping) {
    lock.unlock();
    std::string latest = ledger->CheckpointNote();
    Result<uint64_t> size = NoteSize(latest);
    lock.lock();
    if (size.ok() && *size > witnessed_size &&
        (unwitnessed.empty() || unwitnessed.back().first < *size)) {
      unwitnessed.emplace_back(*size, Clock::now());
    }
    if (size.ok() && TargetSettled() && *size > target.size && *size > witnessed_size) {
      target = Target{*size, std::move(latest)};
      cv.notify_all();
    }
    cv.wait_for(lock, options.poll, [this] { return stopping; });
  }
}

void Witnessing::Impl::Work(size_t index) {
  cli::HttpClient& client = clients[index];
  std::unique_lock<std::mutex> lock(mu);
  while (!stopping) {
    WitnessState& witness = witnesses[index];
    bool behind = target.size > witness.cosigned_size;
    if (!behind || Clock::now() < witness.retry_at) {
      if (behind) {
        cv.wait_until(lock, witness.retry_at);
      } else {
        cv.wait(lock);
      }
      continue;
    }
    Target asked = target;
    WitnessState snapshot = witness;
    lock.unlock();
    Outcome outcome = Exchange(client, snapshot, asked);
    lock.lock();
    Apply(index, asked, outcome);
    cv.notify_all();
  }
}

Result<std::unique_ptr<Witnessing>> Witnessing::Create(const Ledger* ledger,
                                                       WitnessingOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->ledger = ledger;
  std::vector<std::string> vkeys;
  for (const WitnessConfig& witness : options.witnesses) vkeys.push_back(witness.vkey);
  Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, options.quorum);
  if (!policy.ok()) return policy.status();
  impl->policy = std::move(*policy);
  for (size_t i = 0; i < options.witnesses.size(); ++i) {
    WitnessState state;
    state.config = options.witnesses[i];
    state.key = impl->policy.witnesses[i];
    // Whole seconds, at least one.
    int timeout_s = static_cast<int>(std::max<int64_t>(1, (options.timeout.count() + 999) / 1000));
    Result<cli::HttpClient> client = cli::HttpClient::Open(
        state.config.url, "witnesses[" + std::to_string(i) + "].url",
        {.connect_timeout_s = timeout_s, .read_timeout_s = timeout_s, .keep_alive = true});
    if (!client.ok()) return client.status();
    impl->clients.push_back(std::move(*client));
    impl->witnesses.push_back(std::move(state));
  }
  impl->options = std::move(options);
  if (Status loaded = impl->Load(); !loaded.ok()) return loaded;
  return std::unique_ptr<Witnessing>(new Witnessing(std::move(impl)));
}

Witnessing::Witnessing(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Witnessing::~Witnessing() { Stop(); }

void Witnessing::Start() {
  impl_->threads.emplace_back([this] { impl_->Coordinate(); });
  for (size_t i = 0; i < impl_->witnesses.size(); ++i) {
    impl_->threads.emplace_back([this, i] { impl_->Work(i); });
  }
}

void Witnessing::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::optional<std::string> Witnessing::WitnessedNote() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->witnessed;
}

std::string Witnessing::RenderMetrics() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string out;
  auto per_witness = [&](std::string_view name, std::string_view type, std::string_view help,
                         auto value) {
    MetricHeader(&out, name, type, help);
    for (const WitnessState& w : impl_->witnesses) {
      out += std::string(name) + "{witness=\"" + MetricLabel(w.key.name) + "\"} " +
             MetricNumber(value(w)) + "\n";
    }
  };
  per_witness("chipledger_witness_cosigned_size", "gauge",
              "Size of the latest checkpoint this witness cosigned for this server.",
              [](const WitnessState& w) { return static_cast<double>(w.cosigned_size); });
  per_witness("chipledger_witness_last_success_timestamp_seconds", "gauge",
              "Unix time of this witness's latest valid cosignature (0: none since start).",
              [](const WitnessState& w) { return w.last_success; });
  per_witness("chipledger_witness_failures_total", "counter",
              "Failed add-checkpoint exchanges with this witness (unreachable, refused, invalid).",
              [](const WitnessState& w) { return static_cast<double>(w.failures); });
  per_witness("chipledger_witness_up", "gauge",
              "1 when the latest exchange with this witness succeeded.",
              [](const WitnessState& w) { return w.failing ? 0.0 : 1.0; });
  MetricHeader(&out, "chipledger_witnessed_size", "gauge",
               "Size of the newest checkpoint carrying the witness quorum (GET /checkpoint).");
  out += "chipledger_witnessed_size " + std::to_string(impl_->witnessed_size) + "\n";
  MetricHeader(&out, "chipledger_witness_quorum", "gauge", "Cosignatures required.");
  out += "chipledger_witness_quorum " + std::to_string(impl_->policy.quorum) + "\n";
  MetricHeader(&out, "chipledger_witnessing_delay_seconds", "gauge",
               "From the log reaching a size to a witnessed checkpoint covering it: the latest "
               "(quantile=\"last\") and the largest since start (quantile=\"max\").");
  out += "chipledger_witnessing_delay_seconds{quantile=\"last\"} " +
         MetricNumber(impl_->last_delay_s) + "\n";
  out += "chipledger_witnessing_delay_seconds{quantile=\"max\"} " +
         MetricNumber(impl_->max_delay_s) + "\n";
  return out;
}

}  // namespace chipledger::api

// chipledger-agent: the field agent's command line (docs/agent.md is its reference).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "agent/cli/commands.h"
#include "cli/args.h"
#include "cli/http_client.h"
#include "ledger/durable_file.h"

namespace chipledger::agent::cli {
using chipledger::cli::Args;
using chipledger::cli::ParseArgs;
using chipledger::cli::ReadPassphrase;
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What a command prints: a JSON object (--json) or the same as "key: value" lines.
using Handler = Result<json> (*)(const Context&);

struct Command {
  const char* name;
  const char* usage;
  std::set<std::string> with_value;
  std::set<std::string> switches;
  Handler run;
};

json ReceiptJson(const StoredReceipt& stored) {
  return {{"seq", stored.seq},
          {"index", stored.receipt.index},
          {"tree_size", stored.receipt.tree_size},
          {"integrated_time", stored.receipt.integrated_time},
          {"payload_hash", ToHex(stored.receipt.payload_hash)}};
}

// Long enough that the key file alone cannot be opened by trying every short passphrase, short
// enough to type in a data hall (docs/agent.md, "Passphrase").
constexpr size_t kMinPassphraseBytes = 8;

// --ledger as given: a URL without a scheme is refused here, with the fix, not at submit time.
Status CheckLedgerFlag(const Context& context) {
  std::optional<std::string> url = context.args.Get("ledger");
  if (!url || url->empty()) return Status::Ok();
  Result<chipledger::cli::HttpUrl> parsed = chipledger::cli::ParseHttpUrl(*url, "--ledger");
  return parsed.ok() ? Status::Ok() : Usage(parsed.status().message());
}

Result<json> Keygen(const Context& context) {
  Result<std::string> agent_id = Require(context, "agent");
  if (!agent_id.ok()) return agent_id.status();
  if (Status s = CheckLedgerFlag(context); !s.ok()) return s;
  Config config;
  config.agent = *agent_id;
  config.ledger_url = context.args.GetOr("ledger", "");
  config.log_key = context.args.GetOr("log-key", "");
  config.ca_file = context.args.Get("ca-file");
  config.token = context.args.Get("token");
  Result<std::string> passphrase = ReadPassphrase(context.passphrase_file, true);
  if (!passphrase.ok()) return passphrase.status();
  if (passphrase->size() < kMinPassphraseBytes) {
    return Usage("passphrase: " + std::to_string(passphrase->size()) +
                 " characters; it protects the signing key of every event, so use at least " +
                 std::to_string(kMinPassphraseBytes) + " (a few words are easier to type)");
  }
  Result<Agent> agent =
      Agent::Create(context.home, config, *passphrase,
                    context.args.Has("fast-kdf") ? FastKdfCost() : DefaultKdfCost());
  if (!agent.ok()) return agent.status();
  return json{{"agent", config.agent},
              {"home", context.home.string()},
              {"public_key", Base64Encode(agent->public_key())},
              {"key_id", agent->key_id()}};
}

// --witness (repeatable; one empty value clears the list) and --witness-quorum (empty: all).
Status ConfigureWitnesses(const Context& context, Config* config) {
  if (const std::vector<std::string>& vkeys = context.args.All("witness"); !vkeys.empty()) {
    bool clear = vkeys.size() == 1 && vkeys[0].empty();
    config->witnesses = clear ? std::vector<std::string>() : vkeys;
  }
  if (auto v = context.args.Get("witness-quorum")) {
    uint64_t quorum = 0;
    if (!v->empty() && !ParseCanonicalDecimal(*v, &quorum)) {
      return Usage("--witness-quorum: must be a positive integer, not '" + *v + "'");
    }
    config->witness_quorum = v->empty() ? std::nullopt : std::optional<size_t>(quorum);
  }
  Result<WitnessPolicy> policy = CheckWitnessPolicy(config->witnesses, config->witness_quorum,
                                                    "--witness", "--witness-quorum");
  return policy.ok() ? Status::Ok() : Usage(policy.status().message());
}

json WitnessesJson(const Config& config) {
  Result<WitnessPolicy> policy =
      CheckWitnessPolicy(config.witnesses, config.witness_quorum, "witnesses", "witness_quorum");
  json names = json::array();
  if (policy.ok()) {
    for (const WitnessKey& witness : policy->witnesses) names.push_back(witness.name);
  }
  return {{"names", names}, {"quorum", policy.ok() ? policy->quorum : 0}};
}

Result<json> Configure(const Context& context) {
  if (Status s = CheckLedgerFlag(context); !s.ok()) return s;
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Config config = agent->config();
  if (auto v = context.args.Get("ledger")) config.ledger_url = *v;
  if (auto v = context.args.Get("log-key")) config.log_key = *v;
  if (auto v = context.args.Get("ca-file")) config.ca_file = v->empty() ? std::nullopt : v;
  if (auto v = context.args.Get("token")) config.token = v->empty() ? std::nullopt : v;
  if (Status s = ConfigureWitnesses(context, &config); !s.ok()) return s;
  if (Status s = agent->SaveConfig(config); !s.ok()) return s;
  return json{{"agent", config.agent},
              {"ledger_url", config.ledger_url},
              {"log_key", config.log_key},
              {"ca_file", config.ca_file.value_or("")},
              {"token", config.token ? "(set)" : ""},
              {"witnesses", WitnessesJson(config)}};
}

Result<json> StatusCommand(const Context& context) {
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Result<std::vector<QueuedEvent>> outbox = agent->Outbox();
  if (!outbox.ok()) return outbox.status();
  Result<std::vector<StoredReceipt>> receipts = agent->Receipts();
  if (!receipts.ok()) return receipts.status();
  return json{{"agent", agent->config().agent},
              {"key_id", agent->key_id()},
              {"public_key", Base64Encode(agent->public_key())},
              {"ledger_url", agent->config().ledger_url},
              {"last_seq", agent->head().seq},
              {"last_payload_hash", ToHex(agent->head().prev)},
              {"outbox", outbox->size()},
              {"receipts", receipts->size()},
              {"last_receipt", receipts->empty() ? json() : ReceiptJson(receipts->back())}};
}

// Writes `text` to --out, or prints it when there is no --out.
Result<json> Emit(const Context& context, const std::string& text, json summary) {
  if (auto out = context.args.Get("out")) {
    if (Status s = WriteFileDurably(*out, text); !s.ok()) return s;
    summary["written"] = *out;
    return summary;
  }
  std::cout << text << "\n";
  return json();
}

Result<json> Export(const Context& context) {
  Result<uint64_t> seq = SeqArgument(context, "export");
  if (!seq.ok()) return seq.status();
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Result<QueuedEvent> event = agent->Queued(*seq);
  if (!event.ok()) return event.status();
  return Emit(context, event->envelope, QueuedJson(*event));
}

Result<json> Cosign(const Context& context) {
  if (context.args.positional.size() != 1) return Usage("cosign: needs one envelope FILE");
  const std::string& file = context.args.positional[0];
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return text.status();
  Result<Agent> agent = OpenAgent(context, true);
  if (!agent.ok()) return agent.status();
  Result<std::string> cosigned = agent->Cosign(*text);
  if (!cosigned.ok()) return cosigned.status();
  std::string out = context.args.GetOr("out", file);
  if (Status s = WriteFileDurably(out, *cosigned); !s.ok()) return s;
  return json{
      {"cosigned_by", agent->config().agent}, {"key_id", agent->key_id()}, {"written", out}};
}

Result<json> Import(const Context& context) {
  if (context.args.positional.size() != 1) return Usage("import: needs one envelope FILE");
  Result<std::string> text = ReadFile(context.args.positional[0]);
  if (!text.ok()) return text.status();
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Result<QueuedEvent> event = agent->ImportCosigned(*text);
  if (!event.ok()) return event.status();
  return QueuedJson(*event);
}

Result<json> Submit(const Context& context) {
  SubmitOptions options;
  try {
    if (auto v = context.args.Get("retries")) options.max_attempts = 1 + std::stoi(*v);
    if (auto v = context.args.Get("backoff")) options.initial_backoff_s = std::stod(*v);
  } catch (const std::exception&) {
    return Usage("--retries and --backoff take numbers");
  }
  options.resync = context.args.Has("resync");
  if (!context.json_output) {
    options.on_receipt = [](const StoredReceipt& stored) {
      std::cerr << "seq " << stored.seq << ": in the log at index " << stored.receipt.index
                << " (tree size " << stored.receipt.tree_size << ")\n";
    };
  }
  // Waiting in silence looks like a hang; a pipe or a log file gets only the outcome.
  if (isatty(STDERR_FILENO)) {
    options.on_retry = [](const RetryNotice& notice) {
      std::cerr << notice.why << "; attempt " << notice.attempt << " of " << notice.max_attempts
                << ", retrying in " << notice.wait_s << " s\n";
    };
  }
  Result<Agent> agent = OpenAgent(context, options.resync);
  if (!agent.ok()) return agent.status();
  Result<SubmitReport> report = agent->Submit(options);
  if (!report.ok()) return report.status();
  return json{{"submitted", report->submitted},
              {"duplicates", report->duplicates},
              {"resynced", report->resynced},
              {"remaining", agent->Outbox().ok() ? agent->Outbox()->size() : 0}};
}

Result<json> ReceiptsCommand(const Context& context) {
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Result<std::vector<StoredReceipt>> receipts = agent->Receipts();
  if (!receipts.ok()) return receipts.status();
  json list = json::array();
  for (const StoredReceipt& stored : *receipts) list.push_back(ReceiptJson(stored));
  return json{{"receipts", list}};
}

// A receipt named by SEQ (from the home) or by a receipt file.
Result<StoredReceipt> LoadReceipt(const Context& context, const char* command) {
  if (context.args.positional.size() != 1)
    return Usage(std::string(command) + ": needs SEQ or FILE");
  if (SeqArgument(context, command).ok()) {
    Result<Agent> agent = OpenAgent(context, false);
    if (!agent.ok()) return agent.status();
    return agent->ReceiptFor(*SeqArgument(context, command));
  }
  Result<std::string> text = ReadFile(context.args.positional[0]);
  if (!text.ok()) return text.status();
  return ParseStoredReceipt(*text);
}

Result<json> VerifyReceiptCommand(const Context& context) {
  Result<StoredReceipt> stored = LoadReceipt(context, "verify-receipt");
  if (!stored.ok()) return stored.status();
  std::string log_key = context.args.GetOr("log-key", "");
  if (log_key.empty()) {
    Result<Agent> agent = OpenAgent(context, false);
    if (!agent.ok()) return Usage("--log-key: required without an agent home");
    log_key = agent->config().log_key;
  }
  Result<NoteVerifier> verifier = ParseVerifierKey(log_key);
  if (!verifier.ok()) return verifier.status();
  Result<Checkpoint> checkpoint = VerifyReceiptFor(stored->receipt, stored->envelope, *verifier);
  if (!checkpoint.ok()) return checkpoint.status();
  json out = ReceiptJson(*stored);
  out["verified"] = true;
  out["origin"] = checkpoint->origin;
  out["root"] = ToHex(checkpoint->root);
  return out;
}

// A cosignature's unix time as RFC 3339, or the number when it is beyond what that can show.
json CosignedAt(uint64_t seconds) {
  constexpr uint64_t kMaxSeconds = INT64_MAX / kNanosPerSecond;
  if (seconds > kMaxSeconds) return seconds;
  return FormatTime(Timestamp{static_cast<int64_t>(seconds) * kNanosPerSecond});
}

json WitnessStatusJson(const ConsistencyReport& report) {
  json witnesses = json::array();
  for (const WitnessStatus& witness : report.witnesses) {
    witnesses.push_back(
        {{"name", witness.name},
         {"cosigned", witness.timestamp.has_value()},
         {"timestamp", witness.timestamp ? CosignedAt(*witness.timestamp) : json()}});
  }
  return witnesses;
}

Result<json> Prove(const Context& context) {
  Result<StoredReceipt> stored = LoadReceipt(context, "prove");
  if (!stored.ok()) return stored.status();
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  std::optional<std::string> token = context.args.Get("token");
  ProveOptions options;
  if (!context.json_output && isatty(STDERR_FILENO)) {
    options.on_wait = [](uint64_t served, uint64_t needed) {
      std::cerr << "waiting for the ledger's witnessed checkpoint to reach size " << needed
                << " (it is at " << served << ")\n";
    };
  }
  Result<ConsistencyReport> report =
      agent->Prove(*stored, token ? token : agent->config().token, options);
  if (!report.ok()) return report.status();
  json out = {
      {"seq", stored->seq},
      {"index", stored->receipt.index},
      {"receipt_tree_size", report->old_checkpoint.size},
      {"current_tree_size", report->new_checkpoint.size},
      {"current_root", ToHex(report->new_checkpoint.root)},
      {"proof_hashes", report->proof_hashes},
      {"remembered_tree_size", report->remembered ? json(report->remembered->size) : json(nullptr)},
      {"consistent", true}};
  if (!report->witnesses.empty()) {
    out["witness_quorum"] = report->witness_quorum;
    out["witnesses"] = WitnessStatusJson(*report);
  }
  return out;
}

const std::set<std::string> kCommon = {"time", "location", "note"};
const std::set<std::string> kComposeSwitches = {"dry-run"};

std::set<std::string> With(std::set<std::string> flags, const std::set<std::string>& more = {}) {
  flags.insert(more.begin(), more.end());
  return flags;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"keygen",
       "keygen --agent ID [--ledger URL] [--log-key VKEY] [--ca-file PEM] [--token T] "
       "[--fast-kdf]\n"
       "  Create the agent home and a new Ed25519 key sealed under a passphrase.",
       {"agent", "ledger", "log-key", "ca-file", "token"},
       {"fast-kdf"},
       Keygen},
      {"configure",
       "configure [--ledger URL] [--log-key VKEY] [--ca-file PEM] [--token T]\n"
       "          [--witness VKEY]... [--witness-quorum N]\n"
       "  Change the ledger URL, the log verifier key, the CA file or the reader token; the\n"
       "  witnesses whose cosignatures `prove` requires, and how many (default: all of them).\n"
       "  An empty value clears --ca-file, --token, --witness or --witness-quorum.",
       {"ledger", "log-key", "ca-file", "token", "witness", "witness-quorum"},
       {},
       Configure},
      {"status",
       "status\n  Agent id, key id, last seq, outbox length and last receipt.",
       {},
       {},
       StatusCommand},
      {"compose",
       "compose TYPE --fields FILE.json [--time T] [--location LAT,LON[,ACC]] [--note TEXT]\n"
       "        [--dry-run]\n"
       "  Sign and queue an event of any type from a JSON object of its own fields.",
       With({"fields"}, kCommon), kComposeSwitches, Compose},
      {"inspect",
       "inspect --inspection ID --site ID --purpose TEXT [--kind routine|challenge|post_shipment]\n"
       "        [--result pass|fail|inconclusive] [--check ID] [--observed FILE] [--sampled FILE]\n"
       "        [--seal ID=intact|broken]... [--evidence PATH[=DESCRIPTION]]... [common]\n"
       "  Queue inspection.performed. --observed: serial[,attested_id[,host]] per line;\n"
       "  --sampled: serial per line; evidence files are hashed (SHA-256), never uploaded.",
       With({"inspection", "site", "purpose", "kind", "result", "check", "observed", "sampled",
             "seal", "evidence"},
            kCommon),
       kComposeSwitches, Inspect},
      {"receive",
       "receive --shipment ID --site ID --chips FILE [--seal ID=intact|broken]... [common]\n"
       "  Queue shipment.received; --chips: serial per line.",
       With({"shipment", "site", "chips", "seal"}, kCommon), kComposeSwitches, Receive},
      {"install",
       "install --site ID --chips FILE [common]\n"
       "  Queue chip.installed; --chips: serial,host[,slot] per line.",
       With({"site", "chips"}, kCommon), kComposeSwitches, Install},
      {"heartbeat",
       "heartbeat --site ID --window-start T [--window-end T] --online FILE [--rtt "
       "LANDMARK=MS]...\n"
       "  Queue monitor.heartbeat; --online: serial[,attested_id] per line.",
       With({"site", "window-start", "window-end", "online", "rtt"}, kCommon), kComposeSwitches,
       Heartbeat},
      {"outbox",
       "outbox [list] | outbox show SEQ | outbox discard SEQ\n"
       "       | outbox replace SEQ --fields FILE.json [--type TYPE] [common]\n"
       "  List the signed events waiting to be submitted, in order; show one decoded (with the\n"
       "  ledger's refusal, if any). An event the ledger refused: discard it, or replace it by a\n"
       "  new composition (its time by default); the events after it are re-signed so the chain\n"
       "  stays valid (the passphrase is needed then).",
       With({"fields", "type"}, kCommon),
       {},
       OutboxCommand},
      {"export",
       "export SEQ [--out FILE]\n  Write a queued envelope, for a co-signer.",
       {"out"},
       {},
       Export},
      {"cosign",
       "cosign FILE [--out FILE]\n  Add this agent's signature to another agent's envelope.",
       {"out"},
       {},
       Cosign},
      {"import",
       "import FILE\n  Replace a queued event by its co-signed copy (same payload).",
       {},
       {},
       Import},
      {"submit",
       "submit [--retries N] [--backoff SECONDS] [--resync]\n"
       "  Send the outbox in order, verify and store each receipt. --resync: on 409, re-sign\n"
       "  the queued events onto the ledger's chain head (needs the passphrase).",
       {"retries", "backoff"},
       {"resync"},
       Submit},
      {"receipts", "receipts\n  List the stored receipts.", {}, {}, ReceiptsCommand},
      {"verify-receipt",
       "verify-receipt (SEQ | FILE) [--log-key VKEY]\n"
       "  Check a receipt offline: checkpoint signature, inclusion proof, payload hash.",
       {"log-key"},
       {},
       VerifyReceiptCommand},
      {"prove",
       "prove (SEQ | FILE) [--token T]\n"
       "  Fetch the current checkpoint (with the configured witnesses' quorum of cosignatures)\n"
       "  and a consistency proof from the receipt's checkpoint.",
       {"token"},
       {},
       Prove},
  };
  return kCommands;
}

constexpr const char* kGlobalHelp =
    "Global options: --home DIR (default $CHIPLEDGER_AGENT_HOME or ~/.chipledger-agent),\n"
    "  --json, --help, --passphrase-file FILE (else $CHIPLEDGER_PASSPHRASE, else a prompt)\n"
    "  common (composing commands): --time T --location LAT,LON[,ACC] --note TEXT; --dry-run\n"
    "  prints what would be signed (a summary and the exact payload) and signs nothing\n";

void PrintHelp() {
  std::cout << "chipledger-agent: the chipledger field agent\n\nUsage: chipledger-agent COMMAND "
               "[options]\n\nCommands:\n";
  for (const Command& command : Commands()) {
    std::string usage = command.usage;
    for (size_t at = usage.find('\n'); at != std::string::npos; at = usage.find('\n', at + 3)) {
      usage.insert(at + 1, "  ");
    }
    std::cout << "  " << usage << "\n";
  }
  std::cout << "\n" << kGlobalHelp;
}

void PrintHuman(const json& value, const std::string& indent = "") {
  for (const auto& [key, item] : value.items()) {
    if (item.is_object()) {
      std::cout << indent << key << ":\n";
      PrintHuman(item, indent + "  ");
    } else if (item.is_array()) {
      std::cout << indent << key << ": " << item.size() << "\n";
      for (const json& element : item) {
        if (element.is_object()) {
          std::string line;
          for (const auto& [k, v] : element.items()) {
            line += (line.empty() ? "" : "  ") + k + "=" +
                    (v.is_string() ? v.get<std::string>() : v.dump());
          }
          std::cout << indent << "  " << line << "\n";
        } else {
          std::cout << indent << "  "
                    << (element.is_string() ? element.get<std::string>() : element.dump()) << "\n";
        }
      }
    } else {
      std::cout << indent << key << ": "
                << (item.is_string() ? item.get<std::string>() : item.dump()) << "\n";
    }
  }
}

fs::path DefaultHome() {
  if (const char* home = std::getenv("CHIPLEDGER_AGENT_HOME")) return home;
  const char* user_home = std::getenv("HOME");
  return fs::path(user_home ? user_home : ".") / ".chipledger-agent";
}

int Fail(const Status& status, bool json_output) {
  if (json_output) {
    std::cerr << json{{"error", status.code()}, {"message", status.message()}}.dump() << "\n";
  } else {
    std::cerr << "chipledger-agent: " << status.code() << ": " << status.message() << "\n";
  }
  return status.code() == "usage" ? 2 : 1;
}

int Run(const std::vector<std::string>& argv) {
  bool json_output = std::find(argv.begin(), argv.end(), "--json") != argv.end();
  // Global options may come before the command; they are handed on to it.
  std::vector<std::string> rest;
  size_t i = 0;
  for (; i < argv.size() && argv[i].rfind("--", 0) == 0 && argv[i] != "--help"; ++i) {
    rest.push_back(argv[i]);
    bool takes_value = argv[i] == "--home" || argv[i] == "--passphrase-file";
    if (takes_value && i + 1 < argv.size()) rest.push_back(argv[++i]);
  }
  if (i >= argv.size() || argv[i] == "--help" || argv[i] == "help") {
    PrintHelp();
    return i >= argv.size() ? 2 : 0;
  }
  auto command = std::find_if(Commands().begin(), Commands().end(),
                              [&](const Command& c) { return argv[i] == c.name; });
  if (command == Commands().end()) {
    return Fail(Usage("unknown command '" + argv[i] + "' (see --help)"), json_output);
  }
  rest.insert(rest.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
  std::set<std::string> with_value = With(command->with_value, {"home", "passphrase-file"});
  std::set<std::string> switches = With(command->switches, {"json", "help"});
  Result<Args> args = ParseArgs(rest, with_value, switches);
  if (!args.ok()) return Fail(args.status(), json_output);
  if (args->Has("help")) {
    std::cout << "Usage: chipledger-agent " << command->usage << "\n\n" << kGlobalHelp;
    return 0;
  }
  Context context{args->Get("home").value_or(DefaultHome()), json_output,
                  args->Get("passphrase-file"), *args};
  Result<json> out = command->run(context);
  if (!out.ok()) return Fail(out.status(), json_output);
  if (out->is_null()) return 0;
  if (json_output) {
    std::cout << out->dump() << "\n";
  } else {
    PrintHuman(*out);
  }
  return 0;
}

}  // namespace
}  // namespace chipledger::agent::cli

int main(int argc, char** argv) {
  try {
    return chipledger::agent::cli::Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "chipledger-agent: internal error: " << e.what() << "\n";
    return 1;
  }
}

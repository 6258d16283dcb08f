#include "auditor/cli/options.h"

#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "auditor/pipeline.h"

namespace chipledger::audit {

const char kUsage[] =
    "usage: chipledger-audit (--url URL --token TOKEN | --data DIR) --log-key VKEY\n"
    "                        [--as-of TIME] [--state FILE [--full]] [--param NAME=VALUE ...]\n"
    "                        [--out DIR] [--fail-on SEVERITY]\n"
    "                        [--witness VKEY ... [--witness-quorum N]] [--jobs N]\n"
    "\n"
    "Reads the whole log (over HTTP through tiles, or from a data directory, read-only), verifies\n"
    "it independently (I1-I8), runs the audit rules as of TIME, writes DIR/report.json and\n"
    "DIR/report.html, and prints a summary.\n"
    "\n"
    "  --url URL          the ledger's base URL, e.g. http://127.0.0.1:8080\n"
    "  --token TOKEN      a reader bearer token (role regulator or auditor)\n"
    "  --data DIR         a ledger data directory, opened read-only (safe while it is served)\n"
    "  --log-key VKEY     the log's note verifier key <origin>+<hash>+<base64 key>\n"
    "  --as-of TIME       RFC 3339 UTC time to audit as of (default: now)\n"
    "  --state FILE       the last verified checkpoint: checked for consistency (I6), then\n"
    "                     replaced atomically after a run whose integrity checks pass; the\n"
    "                     audit's state at it is kept in FILE.snapshot, and the next run\n"
    "                     resumes there, reading only the newer entries (same reports)\n"
    "  --full             read and judge the whole log even when FILE.snapshot exists\n"
    "  --param NAME=VALUE a rule parameter: receipt_days, install_days, inspection_days,\n"
    "                     heartbeat_gap_hours, dark_cluster, max_speed_kmh, chip_watts,\n"
    "                     max_backdate_days, max_skew_s\n"
    "  --out DIR          where to write the reports (default: the current directory)\n"
    "  --fail-on SEV      medium, high or critical (default high)\n"
    "  --witness VKEY     a witness verifier key <name>+<hash>+<base64 0x04 key>, repeatable:\n"
    "                     the checkpoint must carry the witnesses' cosignatures (I8)\n"
    "  --witness-quorum N how many of the witnesses must have cosigned (default: all)\n"
    "  --jobs N           threads that verify entries (default: every core); the results are\n"
    "                     the same for any N\n"
    "\n"
    "Exit codes: 0 no open finding at or above SEV; 1 some; 2 integrity failure;\n"
    "3 the audit could not run (bad arguments, unreadable log or state).\n"
    "\n"
    "chipledger-audit verify --log-key VKEY [--witness VKEY ...] [--json] FILE verifies a white\n"
    "list, receipt or checkpoint offline (chipledger-audit verify --help).\n";

const char kVerifyUsage[] =
    "usage: chipledger-audit verify --log-key VKEY [--witness VKEY ... [--witness-quorum N]]\n"
    "                               [--json] FILE\n"
    "\n"
    "Verifies FILE offline against the log key (and a quorum of witnesses) and prints what it is\n"
    "and what was proved. FILE is a signed white list (GET /v1/whitelist), a receipt (as POST\n"
    "/v1/events answers), an agent's stored receipt file ({seq, envelope, receipt}) or a\n"
    "checkpoint note (GET /checkpoint).\n"
    "\n"
    "  --log-key VKEY     the log's note verifier key <origin>+<hash>+<base64 key>\n"
    "  --witness VKEY     a witness verifier key, repeatable: the checkpoint must be cosigned\n"
    "  --witness-quorum N how many of the witnesses must have cosigned (default: all)\n"
    "  --json             machine output\n"
    "\n"
    "Exit codes: 0 verified; 2 the file does not verify (the output says what failed);\n"
    "3 bad arguments, an unreadable or unrecognised file.\n";

namespace {

// More threads than this only add memory (each keeps chunks in flight), never speed.
constexpr uint64_t kMaxJobs = 256;

Status Usage(std::string message) { return Status::InvalidArgument("usage", std::move(message)); }

// The policy of the --witness keys and the --witness-quorum in `flags` (if given); an error names
// the flag at fault (the keys are checked alone first).
Result<WitnessPolicy> Witnesses(const std::vector<std::string>& vkeys,
                                const std::map<std::string, std::string>& flags) {
  auto quorum_flag = flags.find("--witness-quorum");
  Result<WitnessPolicy> keys = MakeWitnessPolicy(vkeys, std::nullopt);
  if (!keys.ok()) return Usage("--witness: " + keys.status().message());
  if (quorum_flag == flags.end()) return keys;
  uint64_t quorum = 0;
  if (!ParseCanonicalDecimal(quorum_flag->second, &quorum)) {
    return Usage("--witness-quorum: must be a positive integer, not '" + quorum_flag->second + "'");
  }
  Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, quorum);
  if (!policy.ok()) return Usage("--witness-quorum: " + policy.status().message());
  return policy;
}

}  // namespace

Result<Options> ParseOptions(int argc, char** argv) {
  Options options;
  options.as_of = Now();
  options.jobs = DefaultJobs();
  std::map<std::string, std::string> seen;
  std::vector<std::string> witnesses;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      return options;
    }
    if (flag == "--full") {
      options.full = true;
      continue;
    }
    std::string value;
    if (size_t equals = flag.find('='); flag.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Usage(flag + ": missing value (see --help)");
    }
    if (flag != "--param" && flag != "--witness" && !seen.emplace(flag, value).second) {
      return Usage(flag + ": given more than once");
    }
    if (flag == "--url") {
      while (!value.empty() && value.back() == '/') value.pop_back();
      if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
        return Usage("--url: must start with http:// or https://");
      }
      options.url = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--data") {
      options.data = value;
    } else if (flag == "--log-key") {
      options.log_key = value;
    } else if (flag == "--as-of") {
      Result<Timestamp> as_of = ParseTime(value, "--as-of");
      if (!as_of.ok()) return Usage(as_of.status().message());
      options.as_of = *as_of;
    } else if (flag == "--state") {
      options.state = value;
    } else if (flag == "--param") {
      if (Status set = options.params.Set(value); !set.ok()) {
        return Usage("--param: " + set.message());
      }
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--fail-on") {
      std::optional<Severity> severity = SeverityFromName(value);
      if (!severity) return Usage("--fail-on: must be medium, high or critical");
      options.fail_on = *severity;
    } else if (flag == "--witness") {
      witnesses.push_back(value);
    } else if (flag == "--witness-quorum") {
      // Checked with the witnesses, below.
    } else if (flag == "--jobs") {
      uint64_t jobs = 0;
      if (!ParseCanonicalDecimal(value, &jobs) || jobs == 0 || jobs > kMaxJobs) {
        return Usage("--jobs: must be an integer from 1 to " + std::to_string(kMaxJobs) +
                     ", not '" + value + "'");
      }
      options.jobs = static_cast<unsigned>(jobs);
    } else {
      return Usage(flag + ": unknown flag (see --help)");
    }
  }
  if (options.url.has_value() == options.data.has_value()) {
    return Usage("give either --url (with --token) or --data");
  }
  if (options.url && !options.token) return Usage("--token: required with --url");
  if (options.token && !options.url) return Usage("--token: only with --url");
  if (options.log_key.empty()) return Usage("--log-key: required");
  if (options.full && !options.state) return Usage("--full: only with --state");
  if (options.out.empty()) return Usage("--out: must not be empty");
  Result<WitnessPolicy> policy = Witnesses(witnesses, seen);
  if (!policy.ok()) return policy.status();
  options.witnesses = *std::move(policy);
  return options;
}

namespace {

// One flag of `verify` and its value (taken from argv[*i + 1] unless written FLAG=VALUE).
Status VerifyFlag(std::string flag, int argc, char** argv, int* i, VerifyOptions* options,
                  std::map<std::string, std::string>* seen, std::vector<std::string>* witnesses) {
  if (flag == "--json") {
    options->json = true;
    return Status::Ok();
  }
  std::string value;
  if (size_t equals = flag.find('='); equals != std::string::npos) {
    value = flag.substr(equals + 1);
    flag.resize(equals);
  } else if (*i + 1 < argc) {
    value = argv[++*i];
  } else {
    return Usage(flag + ": missing value (see verify --help)");
  }
  if (flag == "--witness") {
    witnesses->push_back(value);
  } else if (flag != "--log-key" && flag != "--witness-quorum") {
    return Usage(flag + ": unknown flag (see verify --help)");
  } else if (!seen->emplace(flag, value).second) {
    return Usage(flag + ": given more than once");
  }
  return Status::Ok();
}

}  // namespace

Result<VerifyOptions> ParseVerifyOptions(int argc, char** argv) {
  VerifyOptions options;
  std::map<std::string, std::string> seen;
  std::vector<std::string> witnesses, files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      files.push_back(arg == "--" && i + 1 < argc ? argv[++i] : arg);
      continue;
    }
    if (Status flag = VerifyFlag(arg, argc, argv, &i, &options, &seen, &witnesses); !flag.ok()) {
      return flag;
    }
  }
  if (!seen.contains("--log-key")) return Usage("--log-key: required");
  Result<NoteVerifier> log_key = ParseVerifierKey(seen["--log-key"]);
  if (!log_key.ok()) return Usage("--log-key: " + log_key.status().message());
  options.log_key = *log_key;
  if (files.size() != 1) return Usage("FILE: give exactly one file to verify");
  options.file = files[0];
  Result<WitnessPolicy> policy = Witnesses(witnesses, seen);
  if (!policy.ok()) return policy.status();
  options.witnesses = *std::move(policy);
  return options;
}

}  // namespace chipledger::audit

// chipledger-audit's command line (SPEC §7).
#ifndef CHIPLEDGER_AUDITOR_CLI_OPTIONS_H_
#define CHIPLEDGER_AUDITOR_CLI_OPTIONS_H_

#include <optional>
#include <string>

#include "auditor/engine.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger::audit {

struct Options {
  bool help = false;
  std::optional<std::string> url, token, data;  // --url with --token, or --data
  std::string log_key;
  Timestamp as_of;  // default: now
  std::optional<std::string> state;
  bool full = false;  // --full: read the whole log even when --state has a snapshot
  Params params;
  std::string out = ".";
  Severity fail_on = Severity::kHigh;
  // --witness (repeatable) and --witness-quorum: the cosignatures I8 requires (empty: not run).
  WitnessPolicy witnesses;
  // --jobs: threads that verify entries (default: every core); 1 verifies in one pass, in order.
  unsigned jobs = 1;
};

extern const char kUsage[];

// Parses argv[1..]; errors name the flag and why.
Result<Options> ParseOptions(int argc, char** argv);

// `chipledger-audit verify --log-key VKEY [--witness VKEY ... [--witness-quorum N]] [--json] FILE`.
struct VerifyOptions {
  bool help = false;
  bool json = false;
  NoteVerifier log_key;
  WitnessPolicy witnesses;
  std::string file;
};

extern const char kVerifyUsage[];

// Parses argv[1..] after "verify" (argv[0]); errors name the flag and why.
Result<VerifyOptions> ParseVerifyOptions(int argc, char** argv);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_CLI_OPTIONS_H_

// chipledger-witness: a C2SP tlog-witness for chipledger logs (SPEC §10, docs/witness.md).

#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/serve.h"
#include "ledger/checkpoint.h"
#include "witness/key_file.h"
#include "witness/server.h"
#include "witness/witness.h"

namespace chipledger::witness {
namespace {

constexpr char kInitUsage[] =
    "  chipledger-witness init --data DIR --name NAME [--encrypt] [--passphrase-file FILE]\n"
    "      creates DIR (mode 0700) and a new witness key in it (mode 0600, or sealed under a\n"
    "      passphrase with --encrypt), and prints the witness verifier key for the readers\n";
constexpr char kServeUsage[] =
    "  chipledger-witness serve --data DIR --listen HOST:PORT --log VKEY [--log VKEY ...]\n"
    "                           [--passphrase-file FILE] [--access-log on|off]\n"
    "      serves POST /add-checkpoint, GET /<origin sha256 hex>/checkpoint, /metrics, /healthz\n"
    "      for the logs whose note verifier keys are given (chipledgerd init prints one)\n";
constexpr char kVkeyUsage[] =
    "  chipledger-witness vkey --data DIR\n"
    "      prints the witness verifier key again\n";
constexpr char kPassphraseNote[] =
    "A sealed key's passphrase comes from --passphrase-file (first line), else\n"
    "$CHIPLEDGER_PASSPHRASE, else a prompt on the terminal.\n";

int Fail(const Status& status) {
  std::cerr << "chipledger-witness: " << status.message() << "\n";
  return status.code() == "usage" ? 2 : 1;
}

Result<std::string> Required(const cli::Args& args, const std::string& flag) {
  if (args.All(flag).size() != 1) {
    return Status::InvalidArgument("usage", "--" + flag + ": required exactly once");
  }
  return args.All(flag)[0];
}

// Parses a command's flags; nullopt after printing its usage when --help was given.
Result<std::optional<cli::Args>> CommandArgs(const std::vector<std::string>& argv,
                                             const std::set<std::string>& with_value,
                                             std::set<std::string> switches, const char* usage) {
  switches.insert("help");
  Result<cli::Args> args = cli::ParseArgs(argv, with_value, switches);
  if (!args.ok()) return args.status();
  if (args->Has("help")) {
    std::cout << "usage:\n" << usage << kPassphraseNote;
    return std::optional<cli::Args>();
  }
  if (!args->positional.empty()) {
    return Status::InvalidArgument("usage", "unexpected argument \"" + args->positional[0] + "\"");
  }
  return std::optional<cli::Args>(std::move(*args));
}

int Init(const std::vector<std::string>& argv) {
  auto args = CommandArgs(argv, {"data", "name", "passphrase-file"}, {"encrypt"}, kInitUsage);
  if (!args.ok()) return Fail(args.status());
  if (!*args) return 0;
  const cli::Args& a = **args;
  Result<std::string> data = Required(a, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::string> name = Required(a, "name");
  if (!name.ok()) return Fail(name.status());
  std::optional<std::string> passphrase;
  if (a.Has("encrypt")) {
    Result<std::string> read = cli::ReadPassphrase(a.Get("passphrase-file"), /*confirm=*/true);
    if (!read.ok()) return Fail(read.status());
    passphrase = *read;
  } else if (a.Get("passphrase-file")) {
    return Fail(Status::InvalidArgument("usage", "--passphrase-file: needs --encrypt"));
  }
  Result<WitnessKey> witness = CreateKeyFile(*data, *name, passphrase);
  if (!witness.ok()) return Fail(witness.status());
  std::cout << FormatWitnessKey(*witness) << std::endl;
  return 0;
}

int Vkey(const std::vector<std::string>& argv) {
  auto args = CommandArgs(argv, {"data"}, {}, kVkeyUsage);
  if (!args.ok()) return Fail(args.status());
  if (!*args) return 0;
  Result<std::string> data = Required(**args, "data");
  if (!data.ok()) return Fail(data.status());
  Result<WitnessKey> witness = ReadWitnessKey(*data);
  if (!witness.ok()) return Fail(witness.status());
  std::cout << FormatWitnessKey(*witness) << std::endl;
  return 0;
}

Result<std::vector<NoteVerifier>> LogKeys(const cli::Args& args) {
  std::vector<NoteVerifier> logs;
  for (const std::string& vkey : args.All("log")) {
    Result<NoteVerifier> log = ParseVerifierKey(vkey);
    if (!log.ok()) return Status::InvalidArgument("usage", "--log: " + log.status().message());
    logs.push_back(std::move(*log));
  }
  return logs;
}

Result<ServerOptions> ServeOptions(const cli::Args& args) {
  ServerOptions options;
  Result<std::string> listen = Required(args, "listen");
  if (!listen.ok()) return listen.status();
  options.listen = *listen;
  std::string access_log = args.GetOr("access-log", "on");
  if (access_log != "on" && access_log != "off") {
    return Status::InvalidArgument("usage", "--access-log: must be on or off");
  }
  options.access_log = access_log == "on";
  return options;
}

int Serve(const std::vector<std::string>& argv) {
  auto args = CommandArgs(argv, {"data", "listen", "log", "passphrase-file", "access-log"}, {},
                          kServeUsage);
  if (!args.ok()) return Fail(args.status());
  if (!*args) return 0;
  const cli::Args& a = **args;
  Result<std::string> data = Required(a, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::vector<NoteVerifier>> logs = LogKeys(a);
  if (!logs.ok()) return Fail(logs.status());
  Result<ServerOptions> options = ServeOptions(a);
  if (!options.ok()) return Fail(options.status());

  sigset_t signals = cli::BlockStopSignals();

  Result<LoadedKey> key = LoadKeyFile(
      *data, [&a] { return cli::ReadPassphrase(a.Get("passphrase-file"), /*confirm=*/false); });
  if (!key.ok()) return Fail(key.status());
  auto witness = Witness::Open(*data, key->witness.name, std::move(key->key), *logs);
  if (!witness.ok()) return Fail(witness.status());
  Server server(witness->get(), *options);
  Result<int> port = server.Bind();
  if (!port.ok()) return Fail(port.status());
  cli::HostPort bound{cli::ParseListen(options->listen)->host, *port};
  std::cout << "chipledger-witness listening on " << bound.Url(false) << std::endl;
  Status served = cli::RunUntilSignalled(
      signals, [&server] { return server.Run(); }, [&server] { server.Stop(); });
  return served.ok() ? 0 : Fail(served);
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string usage = std::string("usage:\n") + kInitUsage + kServeUsage + kVkeyUsage;
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage << kPassphraseNote;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  InitCrypto();
  if (command == "init") return Init(args);
  if (command == "serve") return Serve(args);
  if (command == "vkey") return Vkey(args);
  std::cerr << "chipledger-witness: unknown command \"" << command << "\"\n" << usage;
  return 2;
}

}  // namespace
}  // namespace chipledger::witness

int main(int argc, char** argv) { return chipledger::witness::Main(argc, argv); }

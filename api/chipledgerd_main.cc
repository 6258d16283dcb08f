// chipledgerd: creates a ledger, serves its API, and issues reader tokens (SPEC §7).

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/audit_snapshot.h"
#include "api/config.h"
#include "api/engine_audit.h"
#include "api/ledger_store.h"
#include "api/server.h"
#include "api/tokens.h"
#include "ledger/ledger.h"

namespace chipledger::api {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  chipledgerd init --data DIR [STORE FLAGS] --origin ORIGIN --authority ID=BASE64_PUBKEY "
    "[...]\n"
    "      creates a ledger and prints its note verifier key\n"
    "  chipledgerd serve --data DIR [STORE FLAGS] --listen HOST:PORT [--config FILE]\n"
    "      serves the API; flags override the config file (see docs/api.md)\n"
    "  STORE FLAGS: --store postgres://USER@HOST:PORT/DB (or a libpq conninfo) keeps the ledger\n"
    "      in PostgreSQL, DIR keeping log.key and tokens; --fence-wait SECONDS waits that long\n"
    "      for another chipledgerd's hold on it. Without --store: RocksDB in DIR\n"
    "  chipledgerd token create --data DIR --role ROLE --name NAME\n"
    "      prints a new bearer token; ROLE is regulator, auditor, witness or admin\n"
    "  chipledgerd token list --data DIR\n"
    "      prints each token's id, name, role and creation time (never the token)\n"
    "  chipledgerd token revoke --data DIR --token NAME_OR_ID\n"
    "      removes a token; a running server refuses it (401) from its next request on\n"
    "  chipledgerd backup --data DIR --out NEW_DIR\n"
    "      copies a ledger that is not being served (while serving: POST /v1/admin/backup)\n";

using Flags = std::multimap<std::string, std::string>;

// Parses "--name value" pairs, accepting only `known` names.
Result<Flags> ParseFlags(const std::vector<std::string>& args,
                         std::initializer_list<std::string_view> known) {
  Flags flags;
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string& name = args[i];
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || ("--" + std::string(k)) == name;
    if (!is_known) return Status::InvalidArgument("usage", name + ": unknown argument");
    if (i + 1 >= args.size()) return Status::InvalidArgument("usage", name + ": needs a value");
    flags.emplace(name.substr(2), args[i + 1]);
  }
  return flags;
}

Result<std::string> Single(const Flags& flags, const std::string& name) {
  if (flags.count(name) != 1) {
    return Status::InvalidArgument("usage", "--" + name + ": required exactly once");
  }
  return flags.find(name)->second;
}

int Fail(const Status& status) {
  std::cerr << "chipledgerd: " << status.message() << "\n";
  return status.code() == "usage" ? 2 : 1;
}

// --store and --fence-wait of init and serve: with a PostgreSQL store, how long to wait for the
// fence another chipledgerd holds (a standby waits for the active one).
Result<LedgerStore> StoreOf(const Flags& flags, const std::string& data) {
  LedgerStore where{data, flags.count("store") ? flags.find("store")->second : "", {}};
  if (!flags.count("fence-wait")) return where;
  const std::string& text = flags.find("fence-wait")->second;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (where.store.empty() || end == text.c_str() || *end != '\0' || seconds < 0) {
    return Status::InvalidArgument("usage",
                                   "--fence-wait: seconds, and only with a PostgreSQL --store");
  }
  where.fence_wait = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  return where;
}

int Init(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data", "store", "fence-wait", "origin", "authority"});
  if (!flags.ok()) return Fail(flags.status());
  Result<std::string> data = Single(*flags, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::string> origin = Single(*flags, "origin");
  if (!origin.ok()) return Fail(origin.status());
  CreateOptions options{*origin, {}};
  auto [begin, end] = flags->equal_range("authority");
  for (auto it = begin; it != end; ++it) {
    size_t eq = it->second.find('=');
    if (eq == std::string::npos) {
      return Fail(Status::InvalidArgument("usage", "--authority: expected ID=BASE64_PUBKEY"));
    }
    Result<PublicKey> key = PublicKeyFromBase64(it->second.substr(eq + 1), "--authority key");
    if (!key.ok()) return Fail(key.status());
    options.authorities.push_back(Authority{it->second.substr(0, eq), *key});
  }
  if (options.authorities.empty()) {
    return Fail(Status::InvalidArgument("usage", "--authority: at least one is required"));
  }
  Result<LedgerStore> where = StoreOf(*flags, *data);
  if (!where.ok()) return Fail(where.status());
  Result<std::string> verifier = CreateLedger(*where, options);
  if (!verifier.ok()) return Fail(verifier.status());
  std::cout << *verifier << std::endl;
  return 0;
}

// RocksDB holds an fcntl lock on DATA/db/LOCK while a process has the ledger open: that
// process's id, or 0 when none holds it.
pid_t LedgerHolder(const std::string& data) {
  int fd = ::open((data + "/db/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  pid_t holder = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK ? lock.l_pid : 0;
  ::close(fd);
  return holder;
}

// Refuses to open a ledger another process serves, saying what to do instead of RocksDB's
// "lock hold by current process" error. `instead` completes "... is being served by process N; ".
Status CheckNotServed(const std::string& data, const std::string& instead) {
  pid_t holder = LedgerHolder(data);
  if (holder == 0) return Status::Ok();
  return Status::Conflict("ledger_in_use", data + " is being served by process " +
                                               std::to_string(holder) + " (it holds " + data +
                                               "/db/LOCK); " + instead);
}

int CreateTokenCommand(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data", "role", "name"});
  if (!flags.ok()) return Fail(flags.status());
  Result<std::string> data = Single(*flags, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::string> role_name = Single(*flags, "role");
  if (!role_name.ok()) return Fail(role_name.status());
  Result<std::string> name = Single(*flags, "name");
  if (!name.ok()) return Fail(name.status());
  std::optional<ReaderRole> role = ReaderRoleFromName(*role_name);
  if (!role) {
    return Fail(
        Status::InvalidArgument("usage", "--role: must be regulator, auditor, witness or admin"));
  }
  Result<std::string> token = CreateToken(*data, *role, *name);
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << std::endl;
  return 0;
}

int ListTokensCommand(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data"});
  if (!flags.ok()) return Fail(flags.status());
  Result<std::string> data = Single(*flags, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::vector<TokenRecord>> tokens = ListTokens(*data);
  if (!tokens.ok()) return Fail(tokens.status());
  std::printf("%-16s  %-9s  %-24s  %s\n", "ID", "ROLE", "CREATED", "NAME");
  for (const TokenRecord& token : *tokens) {
    std::printf("%-16s  %-9s  %-24s  %s\n", token.id.c_str(),
                std::string(ReaderRoleName(token.role)).c_str(), token.created.c_str(),
                token.name.c_str());
  }
  return 0;
}

int RevokeTokenCommand(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data", "token"});
  if (!flags.ok()) return Fail(flags.status());
  Result<std::string> data = Single(*flags, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::string> name_or_id = Single(*flags, "token");
  if (!name_or_id.ok()) return Fail(name_or_id.status());
  Result<TokenRecord> revoked = RevokeToken(*data, *name_or_id);
  if (!revoked.ok()) return Fail(revoked.status());
  std::cout << "revoked " << ReaderRoleName(revoked->role) << " token " << revoked->name << " ("
            << revoked->id << ")" << std::endl;
  return 0;
}

int BackupCommand(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data", "out"});
  if (!flags.ok()) return Fail(flags.status());
  Result<std::string> data = Single(*flags, "data");
  if (!data.ok()) return Fail(data.status());
  Result<std::string> out = Single(*flags, "out");
  if (!out.ok()) return Fail(out.status());
  if (Status free = CheckNotServed(
          *data,
          "back it up through the server instead: curl -X POST -H \"Authorization: "
          "Bearer $ADMIN_TOKEN\" http://HOST:PORT/v1/admin/backup (docs/operations.md)");
      !free.ok()) {
    return Fail(free);
  }
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(*data, OpenOptions{});
  if (!ledger.ok()) return Fail(ledger.status());
  if (Status backed_up = (*ledger)->Backup(*out); !backed_up.ok()) return Fail(backed_up);
  if (Status copied = CopyTokens(*data, *out); !copied.ok()) return Fail(copied);
  std::cout << *out << std::endl;
  return 0;
}

int TokenCommand(std::vector<std::string> args) {
  std::string verb = args.empty() ? "" : args[0];
  if (!args.empty()) args.erase(args.begin());
  if (verb == "create") return CreateTokenCommand(args);
  if (verb == "list") return ListTokensCommand(args);
  if (verb == "revoke") return RevokeTokenCommand(args);
  std::cerr << "chipledgerd: token: expected create, list or revoke\n" << kUsage;
  return 2;
}

int Serve(const std::vector<std::string>& args) {
  Result<Flags> flags = ParseFlags(args, {"data", "store", "fence-wait", "listen", "config"});
  if (!flags.ok()) return Fail(flags.status());
  ServerConfig config;
  if (flags->count("config")) {
    Result<ServerConfig> loaded = LoadConfig(flags->find("config")->second);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *loaded;
  }
  if (flags->count("data")) config.data = flags->find("data")->second;
  if (flags->count("listen")) config.listen = flags->find("listen")->second;
  if (config.data.empty()) return Fail(Status::InvalidArgument("usage", "--data: required"));
  if (Status free = CheckNotServed(config.data, "stop it first, or serve another directory");
      !free.ok()) {
    return Fail(free);
  }

  sigset_t signals = cli::BlockStopSignals();

  // A full disk must not take reads down with it: the ledger then opens read-only, refuses
  // appends with 507 and starts writing again by itself once there is space (docs/operations.md).
  Result<LedgerStore> where = StoreOf(*flags, config.data);
  if (!where.ok()) return Fail(where.status());
  Result<std::unique_ptr<Ledger>> ledger =
      OpenLedger(*where, OpenOptions{.serve_reads_when_full = true});
  if (!ledger.ok()) return Fail(ledger.status());
  if (Status storage = (*ledger)->stats().storage; !storage.ok()) {
    std::cerr << "chipledgerd: WARNING: serving READ-ONLY, appends are refused with HTTP 507 "
                 "until there is space again: "
              << storage.message() << std::endl;
  }
  EngineAudit audit(ledger->get());
  AuditSnapshots snapshots(ledger->get(), &audit, config.data + "/audit.snapshot",
                           config.audit_snapshot);
  snapshots.Restore();  // before the server feeds the audit the entries after it
  auto server = std::make_unique<Server>(ledger->get(), config, &audit);
  Result<int> port = server->Bind();
  if (!port.ok()) return Fail(port.status());
  snapshots.Start();
  HostPort bound{ParseListen(config.listen)->host, *port};
  std::cout << "chipledgerd listening on " << bound.Url(config.tls.has_value()) << std::endl;
  Status served = cli::RunUntilSignalled(
      signals, [&server] { return server->Run(); }, [&server] { server->Stop(); });
  server.reset();  // in-flight requests, and so their appends, are done
  // Saves the state after every entry, so that the next start replays none.
  snapshots.Stop();
  ledger->reset();  // closes RocksDB cleanly
  if (!served.ok()) return Fail(served);
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  for (const std::string& a : args) {
    if (a == "--help") {
      std::cout << kUsage;
      return 0;
    }
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "init") return Init(args);
  if (command == "serve") return Serve(args);
  if (command == "backup") return BackupCommand(args);
  if (command == "token") return TokenCommand(std::move(args));
  std::cerr << "chipledgerd: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}

}  // namespace
}  // namespace chipledger::api

int main(int argc, char** argv) { return chipledger::api::Main(argc, argv); }

// chipledger-witness's command line: init (plain and sealed keys, modes, no overwrite), vkey,
// --help, and serve's refusals (wrong passphrase, bad --log, bad flags).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/witness/witness_fixture.h"

namespace chipledger::testing {
namespace {

namespace fs = std::filesystem;

int ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Sets $CHIPLEDGER_PASSPHRASE for the processes a test starts, and unsets it after.
class PassphraseEnv {
 public:
  explicit PassphraseEnv(const char* value) { ::setenv("CHIPLEDGER_PASSPHRASE", value, 1); }
  ~PassphraseEnv() { ::unsetenv("CHIPLEDGER_PASSPHRASE"); }
};

class WitnessCliTest : public WitnessTest {};

TEST_F(WitnessCliTest, InitCreatesAPrivateKeyAndRefusesToReplaceIt) {
  EXPECT_EQ(ModeOf(data_), 0700);
  EXPECT_EQ(ModeOf(data_ + "/witness.key"), 0600);
  EXPECT_EQ(witness_.name, kName);
  std::ifstream in(data_ + "/witness.key");
  std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  Result<std::string> again =
      api::RunCommand(kWitnessBinary, {"init", "--data", data_, "--name", "other.example"});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("refusing to replace"), std::string::npos)
      << again.status().message();
  std::ifstream after_in(data_ + "/witness.key");
  std::string after((std::istreambuf_iterator<char>(after_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(before, after);

  Result<std::string> vkey = api::RunCommand(kWitnessBinary, {"vkey", "--data", data_});
  ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
  EXPECT_EQ(TrimNewline(*vkey), FormatWitnessKey(witness_));
}

TEST_F(WitnessCliTest, InitRefusesBadNames) {
  for (const char* name : {"has space", "has+plus", ""}) {
    Result<std::string> out =
        api::RunCommand(kWitnessBinary, {"init", "--data", dir_.path() + "/bad", "--name", name});
    EXPECT_FALSE(out.ok()) << name;
  }
  EXPECT_FALSE(fs::exists(dir_.path() + "/bad/witness.key"));
}

TEST_F(WitnessCliTest, EncryptedKeyServesWithThePassphraseOnly) {
  std::string sealed = dir_.path() + "/sealed";
  std::string vkey_line;
  {
    PassphraseEnv env("correct horse");
    Result<std::string> vkey = api::RunCommand(
        kWitnessBinary, {"init", "--data", sealed, "--name", "sealed.example/w", "--encrypt"});
    ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
    vkey_line = TrimNewline(*vkey);
  }
  std::ifstream in(sealed + "/witness.key");
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file.find("\"seed\""), std::string::npos) << file;
  EXPECT_NE(file.find("\"sealed\""), std::string::npos) << file;

  TestLog log("log.test.example/a", 1);
  log.GrowTo(3);
  std::vector<std::string> args = {"--data",      sealed,  "--listen",
                                   "127.0.0.1:0", "--log", log.vkey()};
  {
    PassphraseEnv env("wrong horse");
    EXPECT_FALSE(api::Daemon::Start(kWitnessBinary, args, dir_.path() + "/wrong.log").ok());
  }
  std::ifstream wrong_log(dir_.path() + "/wrong.log");
  std::string wrong((std::istreambuf_iterator<char>(wrong_log)), std::istreambuf_iterator<char>());
  EXPECT_NE(wrong.find("wrong passphrase"), std::string::npos) << wrong;

  PassphraseEnv env("correct horse");
  auto started = api::Daemon::Start(kWitnessBinary, args, dir_.path() + "/sealed.log");
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  httplib::Client client((*started)->host(), (*started)->port());
  httplib::Result res = client.Post("/add-checkpoint", log.Request(0, 3), "text/plain");
  ASSERT_EQ(res->status, 200) << res->body;
  Result<WitnessKey> key = ParseWitnessKey(vkey_line);
  ASSERT_TRUE(key.ok());
  auto valid = VerifyCosignatures(log.Signed(3) + res->body, {*key});
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid->size(), 1u);
}

TEST_F(WitnessCliTest, PassphraseFileOpensTheKey) {
  std::string sealed = dir_.path() + "/sealed";
  std::string secret = dir_.path() + "/passphrase";
  std::ofstream(secret) << "from a file\n";
  ASSERT_TRUE(api::RunCommand(kWitnessBinary, {"init", "--data", sealed, "--name", "w.example",
                                               "--encrypt", "--passphrase-file", secret})
                  .ok());
  TestLog log("log.test.example/a", 1);
  auto started = api::Daemon::Start(kWitnessBinary,
                                    {"--data", sealed, "--listen", "127.0.0.1:0", "--log",
                                     log.vkey(), "--passphrase-file", secret},
                                    dir_.path() + "/file.log");
  EXPECT_TRUE(started.ok()) << started.status().ToString();
}

TEST_F(WitnessCliTest, ServeRefusesBadArguments) {
  TestLog log("log.test.example/a", 1);
  std::vector<std::vector<std::string>> bad = {
      {"--data", data_, "--listen", "127.0.0.1:0"},                        // no --log
      {"--data", data_, "--listen", "127.0.0.1:0", "--log", "not a key"},  // bad vkey
      {"--data", data_, "--listen", "127.0.0.1:0", "--log", FormatWitnessKey(witness_)},
      {"--data", data_, "--listen", "127.0.0.1:0", "--log", log.vkey(), "--log", log.vkey()},
      {"--data", data_, "--listen", "nowhere", "--log", log.vkey()},
      {"--data", data_, "--listen", "127.0.0.1:0", "--log", log.vkey(), "--access-log", "maybe"},
      {"--data", data_, "--listen", "127.0.0.1:0", "--log", log.vkey(), "--frobnicate", "1"},
      {"--data", dir_.path() + "/none", "--listen", "127.0.0.1:0", "--log", log.vkey()},
  };
  for (const auto& args : bad) {
    std::vector<std::string> serve = {"serve"};
    serve.insert(serve.end(), args.begin(), args.end());
    EXPECT_FALSE(api::RunCommand(kWitnessBinary, serve).ok()) << args.back();
  }
}

TEST_F(WitnessCliTest, HelpForEveryCommand) {
  for (const char* command : {"init", "serve", "vkey"}) {
    Result<std::string> help = api::RunCommand(kWitnessBinary, {command, "--help"});
    ASSERT_TRUE(help.ok()) << command;
    EXPECT_NE(help->find(std::string("chipledger-witness ") + command), std::string::npos);
  }
  Result<std::string> help = api::RunCommand(kWitnessBinary, {"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_NE(help->find("serve"), std::string::npos);
  EXPECT_FALSE(api::RunCommand(kWitnessBinary, {"frobnicate"}).ok());
}

TEST_F(WitnessCliTest, AccessLogHasOneJsonLinePerRequest) {
  TestLog log("log.test.example/a", 1);
  log.GrowTo(3);
  Start({&log});
  MustCosign(log, 0, 3);
  EXPECT_EQ(Add(log.Request(1, 3))->status, 409);
  daemon_->Terminate();
  std::ifstream in(dir_.path() + "/witness.log");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(nlohmann::json::parse(line, nullptr, false));
    ASSERT_TRUE(lines.back().is_object()) << line;
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[0]["origin"], "log.test.example/a");
  EXPECT_EQ(lines[0]["path"], "/add-checkpoint");
  EXPECT_EQ(lines[0]["remote"], "127.0.0.1");
  EXPECT_TRUE(lines[0]["ms"].is_number());
  EXPECT_TRUE(lines[0]["time"].is_string());
  EXPECT_EQ(lines[1]["status"], 409);
  EXPECT_EQ(lines[1]["reason"], "old_size_mismatch");
}

}  // namespace
}  // namespace chipledger::testing

#include "cli/args.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace chipledger::cli {
namespace {

Status Usage(std::string message) { return Status::InvalidArgument("usage", std::move(message)); }

// Reads one line from the terminal with echo off.
Result<std::string> Prompt(const char* question) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return Usage(
        "no passphrase: no terminal to prompt on; set CHIPLEDGER_PASSPHRASE or use "
        "--passphrase-file");
  }
  termios saved{};
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, question, std::char_traits<char>::length(question));
  std::string line;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  (void)!::write(tty, "\n", 1);
  ::close(tty);
  return line;
}

}  // namespace

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = values.find(flag);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Args::GetOr(const std::string& flag, std::string fallback) const {
  return Get(flag).value_or(std::move(fallback));
}

const std::vector<std::string>& Args::All(const std::string& flag) const {
  static const std::vector<std::string> kNone;
  auto it = values.find(flag);
  return it == values.end() ? kNone : it->second;
}

Result<Args> ParseArgs(const std::vector<std::string>& argv,
                       const std::set<std::string>& with_value,
                       const std::set<std::string>& switches) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0) {
      args.positional.push_back(word);
      continue;
    }
    std::string flag = word.substr(2);
    std::optional<std::string> inline_value;
    if (size_t equals = flag.find('='); equals != std::string::npos) {
      inline_value = flag.substr(equals + 1);
      flag.resize(equals);
    }
    if (switches.count(flag) && !inline_value) {
      args.switches.insert(flag);
    } else if (with_value.count(flag)) {
      if (!inline_value && i + 1 >= argv.size()) return Usage("--" + flag + ": needs a value");
      args.values[flag].push_back(inline_value ? *inline_value : argv[++i]);
    } else {
      return Usage("unknown option --" + flag + " (see --help)");
    }
  }
  return args;
}

Result<std::string> ReadPassphrase(const std::optional<std::string>& file, bool confirm) {
  if (file) {
    std::ifstream in(*file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return Usage("--passphrase-file: cannot read " + *file);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("CHIPLEDGER_PASSPHRASE")) return std::string(env);
  Result<std::string> first = Prompt("Passphrase: ");
  if (!first.ok() || !confirm) return first;
  Result<std::string> second = Prompt("Passphrase again: ");
  if (!second.ok()) return second;
  if (*first != *second) return Usage("the two passphrases differ");
  return first;
}

}  // namespace chipledger::cli

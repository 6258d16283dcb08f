#include "witness/key_file.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "ledger/durable_file.h"
#include "ledger/sealed_key.h"

namespace chipledger::witness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kKeyFileVersion = 1;

Status BadKeyFile(const fs::path& path, const std::string& why) {
  return Status::Corruption("key file " + path.string() + ": " + why);
}

Result<json> ReadKeyJson(const fs::path& data) {
  fs::path path = KeyFilePath(data);
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return Status::NotFound(
        "no_key", "--data " + data.string() + ": no witness key (run chipledger-witness init)");
  }
  json file = json::parse(*text, nullptr, false);
  if (!file.is_object() || file.value("version", 0) != kKeyFileVersion) {
    return BadKeyFile(path, "not a version 1 witness key object");
  }
  if (!file.contains("vkey") || !file["vkey"].is_string()) {
    return BadKeyFile(path, "\"vkey\" must be a string");
  }
  return file;
}

Result<KeyPair> SeedKey(const json& file, const fs::path& path) {
  if (!file["seed"].is_string()) return BadKeyFile(path, "\"seed\" must be a string");
  Result<std::string> seed = Base64Decode(file["seed"].get<std::string>(), "seed");
  std::array<uint8_t, 32> bytes{};
  if (!seed.ok() || seed->size() != bytes.size()) {
    return BadKeyFile(path, "\"seed\" must be 32 bytes in base64");
  }
  std::memcpy(bytes.data(), seed->data(), bytes.size());
  KeyPair key = KeyPairFromSeed(bytes);
  sodium_memzero(seed->data(), seed->size());
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

Result<KeyPair> SecretKeyOf(const json& file, const fs::path& path,
                            const std::function<Result<std::string>()>& passphrase) {
  if (file.contains("seed")) return SeedKey(file, path);
  if (!file.contains("sealed")) return BadKeyFile(path, "holds neither \"seed\" nor \"sealed\"");
  Result<std::string> secret = passphrase();
  if (!secret.ok()) return secret.status();
  return OpenKey(file["sealed"].dump(), *secret);
}

}  // namespace

fs::path KeyFilePath(const fs::path& data) { return data / "witness.key"; }

Result<WitnessKey> CreateKeyFile(const fs::path& data, const std::string& name,
                                 const std::optional<std::string>& passphrase) {
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("usage", "--name: \"" + name +
                                                "\" is not a key name (non-empty UTF-8, no spaces, "
                                                "no '+')");
  }
  fs::path path = KeyFilePath(data);
  if (fs::exists(path)) {
    return Status::Conflict("key_exists", path.string() + " exists; refusing to replace a key");
  }
  if (!fs::exists(data)) {
    if (Status made = CreateDirectory(data); !made.ok()) return made;
    ::chmod(data.c_str(), 0700);
  }
  KeyPair key = GenerateKeyPair();
  WitnessKey witness{name, key.public_key};
  json file = {{"version", kKeyFileVersion}, {"vkey", FormatWitnessKey(witness)}};
  if (passphrase) {
    Result<std::string> sealed = SealKey(key, *passphrase, DefaultKdfCost());
    if (!sealed.ok()) return sealed.status();
    file["sealed"] = json::parse(*sealed);
  } else {
    file["seed"] = Base64Encode(std::string_view(
        reinterpret_cast<const char*>(key.secret_key.data()), 32));  // libsodium: seed first
  }
  if (Status written = WriteFileDurably(path, file.dump(2) + "\n", 0600); !written.ok()) {
    return written;
  }
  return witness;
}

Result<WitnessKey> ReadWitnessKey(const fs::path& data) {
  Result<json> file = ReadKeyJson(data);
  if (!file.ok()) return file.status();
  Result<WitnessKey> witness = ParseWitnessKey((*file)["vkey"].get<std::string>());
  if (!witness.ok()) return BadKeyFile(KeyFilePath(data), witness.status().message());
  return witness;
}

Result<LoadedKey> LoadKeyFile(const fs::path& data,
                              const std::function<Result<std::string>()>& passphrase) {
  Result<WitnessKey> witness = ReadWitnessKey(data);
  if (!witness.ok()) return witness.status();
  Result<json> file = ReadKeyJson(data);
  if (!file.ok()) return file.status();
  Result<KeyPair> key = SecretKeyOf(*file, KeyFilePath(data), passphrase);
  if (!key.ok()) return key.status();
  if (key->public_key != witness->key) {
    return BadKeyFile(KeyFilePath(data), "the key does not match its \"vkey\"");
  }
  return LoadedKey{std::move(*witness), std::move(*key)};
}

}  // namespace chipledger::witness

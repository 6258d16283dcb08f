// Writes the harnesses' seed corpora from the repository's own fixtures, so that none is
// committed: make_seeds <source dir> <out dir> fills <out dir>/<harness>/ with one file per seed.
// Event payloads and envelopes come from the schema conformance corpus (tests/ledger/corpus/);
// entries, bundles, checkpoints, notes, receipts and witness bodies are built from them and
// signed with the fuzz keys (fuzz_check.h), so the harnesses reach their success paths.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fuzz/fuzz_check.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/receipt.h"
#include "ledger/tiles.h"
#include "ledger/witness_protocol.h"

namespace chipledger::fuzz {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Seeds = std::map<std::string, std::vector<std::string>>;  // harness -> seeds

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Every case of the corpus, as the schema conformance test feeds it to the parsers.
void AddCorpus(const fs::path& corpus_dir, Seeds* seeds) {
  for (const auto& file : fs::directory_iterator(corpus_dir)) {
    if (file.path().extension() != ".json") continue;
    json corpus = ReadJson(file.path());
    const bool envelope = corpus["schema"] == "envelope.json";
    for (const json& c : corpus["cases"]) {
      std::string bytes =
          c.contains("payload_text") ? c["payload_text"].get<std::string>() : c["payload"].dump();
      (*seeds)[envelope ? "envelope_fuzz" : "event_fuzz"].push_back(std::move(bytes));
    }
  }
}

// Signed envelopes around the valid payloads, the entries of a log of them and its bundles.
std::vector<std::string> AddLog(const Seeds& corpus, Seeds* seeds) {
  std::vector<std::string> entries;
  Hash prev{};
  for (const std::string& payload : corpus.at("event_fuzz")) {
    if (!ParseEvent(payload).ok()) continue;
    Envelope envelope{std::string(kEventPayloadType), payload, {}};
    SignEnvelope(&envelope, FuzzKey(static_cast<uint8_t>(entries.size() % 7)));
    (*seeds)["envelope_fuzz"].push_back(SerializeEnvelope(envelope));
    LogEntry entry{entries.size(), Timestamp{1'790'000'000'123'456'789}, prev, envelope};
    entries.push_back(SerializeEntry(entry));
    prev = LeafHash(entries.back());
  }
  (*seeds)["entry_fuzz"] = entries;
  // Small bundles: libFuzzer's inputs grow no longer than the longest seed.
  for (size_t n : {size_t{1}, size_t{3}, size_t{16}}) {
    std::vector<std::string> bundle(entries.begin(), entries.begin() + std::min(n, entries.size()));
    (*seeds)["entry_bundle_fuzz"].push_back(EncodeEntryBundle(bundle));
  }
  return entries;
}

// A checkpoint of the first two entries, its signed and cosigned notes, a receipt and the
// witness protocol's bodies for it.
void AddCheckpoints(const std::vector<std::string>& entries, Seeds* seeds) {
  const Hash left = LeafHash(entries.at(0)), right = LeafHash(entries.at(1));
  const Checkpoint checkpoint{std::string(kLogOrigin), 2, NodeHash(left, right)};
  const std::string body = CheckpointBody(checkpoint);
  const std::string note = SignCheckpoint(checkpoint, LogKey());
  std::string cosigned = note;
  for (int i = 0; i < 2; ++i) {
    cosigned += Cosign(body, WitnessName(i), WitnessKeyPair(i), 1'790'000'000 + i);
    (*seeds)["verifier_key_fuzz"].push_back(
        FormatWitnessKey({WitnessName(i), WitnessKeyPair(i).public_key}));
  }
  (*seeds)["checkpoint_fuzz"] = {body};
  (*seeds)["signed_note_fuzz"] = {note, cosigned};
  (*seeds)["cosignature_fuzz"] = {note, cosigned};
  (*seeds)["verifier_key_fuzz"].push_back(
      FormatVerifierKey({checkpoint.origin, LogKey().public_key}));
  Receipt receipt{0, left, Sha256("payload"), "2026-11-23T08:15:00.123Z", note, 2, {right}};
  (*seeds)["receipt_fuzz"] = {ReceiptToJson(receipt)};
  (*seeds)["witness_protocol_fuzz"] = {FormatAddCheckpoint({1, {right}, cosigned}),
                                       FormatAddCheckpoint({0, {}, note}), FormatTlogSize(2)};
}

// Sample strings of the tests (tiles_test, time and config tests, the api's query tests).
void AddSamples(Seeds* seeds) {
  (*seeds)["tile_path_fuzz"] = {"0/000",      "0/x001/234.p/17", "1/005",
                                "63/000.p/1", "entries/005",     "entries/x123/x456/789.p/255"};
  (*seeds)["time_fuzz"] = {"2026-11-23T08:15:00Z",           "2026-11-23T08:15:00.123Z",
                           "2026-11-23T08:15:00.123456789Z", "1970-01-01T00:00:00Z",
                           "2024-02-29T23:59:59.5Z",         "2261-12-31T23:59:59.999999999Z"};
  const std::string vkey = FormatWitnessKey({WitnessName(0), WitnessKeyPair(0).public_key});
  (*seeds)["config_fuzz"] = {
      R"({"listen": "127.0.0.1:8080", "data": "/var/lib/chipledger"})",
      R"({"listen": "[::1]:0", "tls": {"cert_file": "c.pem", "key_file": "k.pem"},
          "limits": {"max_body_bytes": 65536, "rate_per_second": 200, "rate_burst": 400,
                     "threads": 128, "read_timeout_s": 5},
          "metrics_from_loopback": true, "access_log": false,
          "trusted_proxies": ["10.0.0.5", "172.16.0.0/12", "fd00::/8"],
          "witnesses": [{"url": "http://127.0.0.1:8081", "vkey": ")" +
          vkey + R"("}], "witness_quorum": 1})"};
  (*seeds)["query_fuzz"] = {
      "/v1/events?type=shipment.dispatched&site=dc-1&serial=GPU-1&agent=exp-1&party=acme"
      "&since=2026-11-23T08:15:00Z&until=2026-11-24T00:00:00.5Z&cursor=10&limit=100",
      "/v1/events?cursor=0&limit=1000",
      "/v1/entries/17",
      "/tile/0/x001/234.p/17",
      "/v1/events?a=%20b&c",
      "/v1/chips/GPU-1?limit=01"};
  (*seeds)["client_address_fuzz"] = {"10.0.0.0/8,::1\n10.0.0.5\n203.0.113.7, 10.0.0.6\n",
                                     "fd00::/8\n::ffff:10.1.2.3\n\n198.51.100.2",
                                     "172.16.0.0/12\n172.16.0.1\n2001:db8::1,172.16.0.9\n"};
}

int Write(const Seeds& seeds, const fs::path& out_dir) {
  for (const auto& [harness, inputs] : seeds) {
    fs::create_directories(out_dir / harness);
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::ofstream(out_dir / harness / ("seed-" + std::to_string(i)), std::ios::binary)
          << inputs[i];
    }
  }
  return 0;
}

}  // namespace
}  // namespace chipledger::fuzz

int main(int argc, char** argv) {
  using namespace chipledger::fuzz;
  if (argc != 3) {
    std::cerr << "usage: make_seeds <source dir> <out dir>\n";
    return 2;
  }
  Seeds seeds;
  AddCorpus(fs::path(argv[1]) / "tests/ledger/corpus", &seeds);
  AddCheckpoints(AddLog(seeds, &seeds), &seeds);
  AddSamples(&seeds);
  return Write(seeds, argv[2]);
}

// Field commands: type-specific event fields built from files and flags an inspector has at hand.
// Values are only shaped here; ParseEvent checks them when the event is composed.
#include <cstdlib>
#include <fstream>
#include <map>

#include "agent/agent.h"
#include "agent/text.h"

namespace chipledger::agent {
namespace {

Status Bad(std::string_view field, std::string_view why) {
  return Status::InvalidArgument("bad_field", std::string(field) + ": " + std::string(why));
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::string MediaType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},       {".png", "image/png"},
      {".heic", "image/heic"},     {".pdf", "application/pdf"},   {".txt", "text/plain"},
      {".csv", "text/csv"},        {".json", "application/json"}, {".mp4", "video/mp4"},
      {".mov", "video/quicktime"}, {".wav", "audio/wav"},         {".m4a", "audio/mp4"},
      {".zip", "application/zip"}};
  std::string extension = file.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Result<nlohmann::json> Seals(const std::vector<std::string>& seals) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& text : seals) {
    Result<SealState> seal = ParseSeal(text);
    if (!seal.ok()) return seal.status();
    out.push_back({{"id", seal->id}, {"intact", seal->intact}});
  }
  return out;
}

Result<nlohmann::json> Serials(const std::filesystem::path& file, const RecordFormat& format) {
  Result<std::vector<std::vector<std::string>>> rows = ReadRecords(file, format);
  if (!rows.ok()) return rows.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : *rows) out.push_back(row[0]);
  return out;
}

}  // namespace

Result<Location> ParseLocation(std::string_view text) {
  std::vector<std::string> parts = Split(text, ',');
  if (parts.size() < 2 || parts.size() > 3) {
    return Bad("location", "must be lat,lon[,accuracy_m]");
  }
  std::optional<double> lat = ParseNumber(Trim(parts[0]));
  std::optional<double> lon = ParseNumber(Trim(parts[1]));
  if (!lat || *lat < -90 || *lat > 90) return Bad("location.lat", "must be a number in [-90, 90]");
  if (!lon || *lon < -180 || *lon > 180) {
    return Bad("location.lon", "must be a number in [-180, 180]");
  }
  Location location{*lat, *lon, std::nullopt};
  if (parts.size() == 3) {
    std::optional<double> accuracy = ParseNumber(Trim(parts[2]));
    if (!accuracy || *accuracy < 0) return Bad("location.accuracy_m", "must be a number >= 0");
    location.accuracy_m = accuracy;
  }
  return location;
}

Result<SealState> ParseSeal(std::string_view text) {
  size_t equals = text.rfind('=');
  if (equals == std::string_view::npos || equals == 0) {
    return Bad("seal", "'" + std::string(text) + "' must be ID=intact or ID=broken");
  }
  std::string state(text.substr(equals + 1));
  if (state != "intact" && state != "broken") {
    return Bad("seal " + std::string(text.substr(0, equals)), "state must be intact or broken");
  }
  return SealState{std::string(text.substr(0, equals)), state == "intact"};
}

Result<nlohmann::json> HashEvidence(const std::filesystem::path& file, std::string description) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Bad("evidence " + file.string(), "cannot be read");
  Sha256Hasher hasher;
  std::string buffer(1 << 16, '\0');
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return Bad("evidence " + file.string(), "read error");
  if (description.empty()) description = file.filename().string();
  return nlohmann::json{{"sha256", ToHex(hasher.Finish())},
                        {"media_type", MediaType(file)},
                        {"description", std::move(description)}};
}

Result<nlohmann::json> InspectionFields(const InspectionInput& input) {
  nlohmann::json fields = {{"inspection", input.inspection},
                           {"site", input.site},
                           {"kind", input.kind},
                           {"purpose_observed", input.purpose},
                           {"result", input.result},
                           {"observed", nlohmann::json::array()},
                           {"evidence", nlohmann::json::array()}};
  if (input.check) fields["check"] = *input.check;
  if (input.observed) {
    Result<std::vector<std::vector<std::string>>> rows =
        ReadRecords(*input.observed, ObservedFormat());
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) {
      nlohmann::json chip = {{"serial", row[0]}};
      if (row.size() > 1 && !row[1].empty()) chip["attested_id"] = row[1];
      if (row.size() > 2 && !row[2].empty()) chip["host"] = row[2];
      fields["observed"].push_back(std::move(chip));
    }
  }
  if (input.sampled) {
    Result<nlohmann::json> sampled = Serials(*input.sampled, SampledFormat());
    if (!sampled.ok()) return sampled.status();
    fields["sampled"] = *sampled;
  }
  Result<nlohmann::json> seals = Seals(input.seals);
  if (!seals.ok()) return seals.status();
  fields["seals"] = *seals;
  for (const std::string& item : input.evidence) {
    size_t equals = item.find('=');
    Result<nlohmann::json> evidence =
        HashEvidence(item.substr(0, equals),
                     equals == std::string::npos ? std::string() : item.substr(equals + 1));
    if (!evidence.ok()) return evidence.status();
    fields["evidence"].push_back(*evidence);
  }
  return fields;
}

Result<nlohmann::json> ReceiptFields(const ReceiptInput& input) {
  Result<nlohmann::json> chips = Serials(input.chips, ReceivedFormat());
  if (!chips.ok()) return chips.status();
  Result<nlohmann::json> seals = Seals(input.seals);
  if (!seals.ok()) return seals.status();
  return nlohmann::json{
      {"shipment", input.shipment}, {"site", input.site}, {"chips", *chips}, {"seals", *seals}};
}

Result<nlohmann::json> InstallFields(const InstallInput& input) {
  Result<std::vector<std::vector<std::string>>> rows = ReadRecords(input.chips, InstallFormat());
  if (!rows.ok()) return rows.status();
  nlohmann::json chips = nlohmann::json::array();
  for (const auto& row : *rows) {
    nlohmann::json chip = {{"serial", row[0]}, {"host", row[1]}};
    if (row.size() > 2 && !row[2].empty()) chip["slot"] = row[2];
    chips.push_back(std::move(chip));
  }
  return nlohmann::json{{"site", input.site}, {"chips", chips}};
}

Result<nlohmann::json> HeartbeatFields(const HeartbeatInput& input) {
  Result<std::vector<std::vector<std::string>>> rows = ReadRecords(input.online, OnlineFormat());
  if (!rows.ok()) return rows.status();
  nlohmann::json online = nlohmann::json::array();
  for (const auto& row : *rows) {
    nlohmann::json chip = {{"serial", row[0]}};
    if (row.size() > 1 && !row[1].empty()) chip["attested_id"] = row[1];
    online.push_back(std::move(chip));
  }
  nlohmann::json fields = {{"site", input.site},
                           {"window_start", input.window_start},
                           {"window_end", input.window_end},
                           {"online", online}};
  for (const std::string& item : input.rtt) {
    size_t equals = item.find('=');
    std::optional<double> ms =
        equals == std::string::npos ? std::nullopt : ParseNumber(item.substr(equals + 1));
    if (equals == 0 || !ms) return Bad("rtt_ms", "'" + item + "' must be LANDMARK=MILLISECONDS");
    fields["rtt_ms"][item.substr(0, equals)] = *ms;
  }
  return fields;
}

}  // namespace chipledger::agent

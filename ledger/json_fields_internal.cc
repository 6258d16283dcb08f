#include "ledger/json_fields_internal.h"

#include <algorithm>
#include <functional>
#include <sstream>
#include <string_view>

namespace chipledger::internal {

namespace {

// ISO 3166-1 alpha-2 codes officially assigned by the ISO 3166 Maintenance Agency (249, as in
// Debian's iso-codes); user-assigned codes such as XK are refused. schemas/common.json lists the
// same codes and the conformance test compares the two.
constexpr std::string_view kCountryCodes =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
    "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
    "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
    "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
    "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM "
    "ZW";

bool IsCountry(std::string_view code) {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
    return false;
  }
  for (size_t i = 0; i + 2 <= kCountryCodes.size(); i += 3) {
    if (kCountryCodes.substr(i, 2) == code) return true;
  }
  return false;
}

bool IsIdChar(char c, bool allow_colon) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || (allow_colon && c == ':');
}

bool IsToken(std::string_view text, bool allow_colon) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!IsIdChar(c, allow_colon)) return false;
  }
  return true;
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// A key as shown in messages: keys are chosen by the sender, so long ones are cut short (on a
// code point boundary, so that the message stays valid UTF-8).
std::string ShownKey(std::string_view key) {
  size_t end = 64;
  if (key.size() <= end) return std::string(key);
  while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xC0) == 0x80) --end;
  return std::string(key.substr(0, end)) + "...";
}

// Builds the parsed value from nlohmann's SAX events, noting the first key that repeats within
// an object. Cheaper than the callback parser, which is on every append's path.
class StrictDomBuilder {
 public:
  explicit StrictDomBuilder(Json* root) : root_(root) {}

  bool null() { return Put(nullptr) != nullptr; }
  bool boolean(bool value) { return Put(value) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return Put(value) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return Put(value) != nullptr; }
  bool number_float(Json::number_float_t value, const std::string&) {
    return Put(value) != nullptr;
  }
  bool string(std::string& value) { return Put(std::move(value)) != nullptr; }
  bool binary(Json::binary_t& value) { return Put(Json::binary(std::move(value))) != nullptr; }
  bool start_object(size_t) {
    open_.push_back(Put(Json::object()));
    return true;
  }
  bool key(std::string& key) {
    Json& object = *open_.back();
    if (object.contains(key) && duplicate_.empty()) duplicate_ = key;
    slot_ = &object[key];
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(size_t) {
    open_.push_back(Put(Json::array()));
    return true;
  }
  bool end_array() { return Close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& error) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 7: why":
    // keep where and why, which is what a person fixing the text needs.
    std::string what = error.what();
    size_t at = what.find("at line ");
    syntax_error_.clear();
    if (at != std::string::npos) syntax_error_.append(" ").append(what, at);
    return false;
  }

  const std::string& duplicate() const { return duplicate_; }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  // Places a value where the parser is: the root, the next array element or the keyed slot.
  // Containers are filled before their parent gets another element, so the pointer stays valid.
  Json* Put(Json value) {
    if (open_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *slot_ = std::move(value);
    return slot_;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  Json* root_;
  std::vector<Json*> open_;  // the containers being filled, innermost last
  Json* slot_ = nullptr;     // the value of the object key just read
  std::string duplicate_;
  std::string syntax_error_;  // " at line L, column C: why", or empty
};

}  // namespace

// Builds the tree of the JSON that needs none of the care of nlohmann's lexer (ASCII strings
// without escapes, integers of at most 18 digits, objects of at most kMaxMembers members without
// a repeated key, no deeper than kMaxDepth) and gives up on anything else: the caller then parses
// that with nlohmann's parser, which words the error if there is one. Every text parsed here
// nlohmann parses to the same document (an integer as number_unsigned, or number_integer when
// negative, as its lexer types them), so this changes no result, only the cost.
class JsonTree::FastParser {
 public:
  FastParser(std::string_view text, std::vector<Node>* nodes) : text_(text), nodes_(nodes) {}

  bool Parse() {
    SkipSpace();
    if (!Value({}, 0)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  static constexpr int kMaxDepth = 32;
  // Repeated keys are looked for member by member, so objects are kept small here.
  static constexpr uint32_t kMaxMembers = 64;

  bool At(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void SkipSpace() {
    while (At(' ') || At('\t') || At('\n') || At('\r')) ++pos_;
  }
  bool Word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  Node& Add(std::string_view key, Kind kind) {
    Node& node = nodes_->emplace_back();
    node.key = key;
    node.kind = kind;
    return node;
  }

  bool Value(std::string_view key, int depth) {
    if (pos_ >= text_.size()) return false;
    switch (text_[pos_]) {
      case '{':
        return depth < kMaxDepth && Container(key, Kind::kObject, depth + 1);
      case '[':
        return depth < kMaxDepth && Container(key, Kind::kArray, depth + 1);
      case '"': {
        std::string_view text;
        if (!String(&text)) return false;
        Add(key, Kind::kString).text = text;
        return true;
      }
      case 't':
        Add(key, Kind::kBool).boolean = true;
        return Word("true");
      case 'f':
        Add(key, Kind::kBool);
        return Word("false");
      case 'n':
        Add(key, Kind::kNull);
        return Word("null");
      default:
        return Integer(key);
    }
  }

  // An object or an array; its node's size and span are set once its contents are read.
  bool Container(std::string_view key, Kind kind, int depth) {
    ++pos_;
    size_t at = nodes_->size();
    Add(key, kind);
    const bool object = kind == Kind::kObject;
    uint32_t size = 0;
    SkipSpace();
    if (!At(object ? '}' : ']')) {
      while (true) {
        std::string_view member;
        if (object && !Key(at, size, &member)) return false;
        if (!Value(member, depth)) return false;
        ++size;
        SkipSpace();
        if (!At(',')) break;
        ++pos_;
        SkipSpace();
      }
    }
    Node& node = (*nodes_)[at];
    node.size = size;
    node.span = static_cast<uint32_t>(nodes_->size() - at);
    return Word(object ? "}" : "]");
  }

  // The next member's key and the colon after it, unless the object at `at`, with `members` read
  // so far, already has that key or is too large.
  bool Key(size_t at, uint32_t members, std::string_view* key) {
    if (members == kMaxMembers || !At('"') || !String(key)) return false;
    const Node* member = (*nodes_)[at].first();
    for (uint32_t i = 0; i < members; ++i, member = Node::next(member)) {
      if (member->key == *key) return false;  // a duplicate: nlohmann's path names it
    }
    SkipSpace();
    if (!At(':')) return false;
    ++pos_;
    SkipSpace();
    return true;
  }

  // At the opening quote; the contents, the closing quote consumed.
  bool String(std::string_view* out) {
    size_t start = ++pos_;
    for (; pos_ < text_.size(); ++pos_) {
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        *out = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
    }
    return false;
  }

  bool Integer(std::string_view key) {
    bool negative = At('-');
    if (negative) ++pos_;
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    size_t digits = pos_ - start;
    if (digits == 0 || digits > 18 || (digits > 1 && text_[start] == '0')) return false;
    if (At('.') || At('e') || At('E')) return false;
    uint64_t value = 0;
    for (size_t i = start; i < pos_; ++i)
      value = value * 10 + static_cast<uint64_t>(text_[i] - '0');
    if (!negative) {
      Add(key, Kind::kUnsigned).unsigned_value = value;
    } else if (value == 0) {
      return false;  // "-0": left to nlohmann
    } else {
      Add(key, Kind::kInteger).integer = -static_cast<int64_t>(value);
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<Node>* nodes_;
};

namespace {

// nlohmann's document for a tree.
Json ToJson(const JsonTree::Node& node) {
  using Kind = JsonTree::Kind;
  switch (node.kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return node.boolean;
    case Kind::kUnsigned:
      return node.unsigned_value;
    case Kind::kInteger:
      return node.integer;
    case Kind::kFloat:
      return node.real;
    case Kind::kString:
      return std::string(node.text);
    case Kind::kArray:
    case Kind::kObject:
      break;
  }
  Json out = node.kind == Kind::kArray ? Json::array() : Json::object();
  const JsonTree::Node* child = node.first();
  for (uint32_t i = 0; i < node.size; ++i, child = JsonTree::Node::next(child)) {
    if (node.kind == Kind::kArray) {
      out.push_back(ToJson(*child));
    } else {
      out.emplace(std::string(child->key), ToJson(*child));
    }
  }
  return out;
}

// The error of a document `what` that cannot be read, and why.
Status Unreadable(const char* code, std::string_view what, const std::string& why) {
  return Status::InvalidArgument(code, std::string(what) + ": " + why);
}

// What nlohmann skips or misreads silently, refused before any parser sees the text.
Status CheckBytes(std::string_view text, std::string_view what, const char* code) {
  auto fail = [&](const std::string& why) { return Unreadable(code, what, why); };
  // nlohmann skips a leading BOM silently; other parsers refuse it.
  if (text.starts_with("\xEF\xBB\xBF")) return fail("must not start with a byte-order mark");
  // nlohmann's lexer takes a NUL byte for the end of the input and never reads what follows, so
  // bytes after one would be signed and stored unchecked. JSON text has no raw NUL anywhere (in a
  // string it must be escaped), so one is refused wherever it is.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return fail("NUL byte at offset " + std::to_string(nul) +
                " (the text must be exactly one JSON document)");
  }
  return Status::Ok();
}

// The strict parse by nlohmann's parser, which words every error.
Result<Json> ParseWithNlohmann(std::string_view text, std::string_view what, const char* code) {
  Json parsed;
  StrictDomBuilder builder(&parsed);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) return Unreadable(code, what, "not valid UTF-8 JSON" + builder.syntax_error());
  if (!builder.duplicate().empty()) {
    return Unreadable(code, what, "duplicate key \"" + ShownKey(builder.duplicate()) + "\"");
  }
  return parsed;
}

}  // namespace

Result<Json> ParseStrictJson(std::string_view text, std::string_view what, const char* code) {
  if (Status bytes = CheckBytes(text, what, code); !bytes.ok()) return bytes;
  JsonTree tree;
  // The fast parser's depth is bounded, and so ToJson's recursion.
  if (JsonTree::FastParser(text, &tree.nodes_).Parse()) return ToJson(tree.root());
  return ParseWithNlohmann(text, what, code);
}

Result<JsonTree> JsonTree::Parse(std::string_view text, std::string_view what, const char* code) {
  if (Status bytes = CheckBytes(text, what, code); !bytes.ok()) return bytes;
  JsonTree tree;
  tree.nodes_.reserve(text.size() / 24 + 8);  // a heartbeat has a node per 30 bytes
  if (FastParser(text, &tree.nodes_).Parse()) return tree;
  Result<Json> parsed = ParseWithNlohmann(text, what, code);
  if (!parsed.ok()) return parsed.status();
  tree.nodes_.clear();
  tree.document_ = std::make_unique<const Json>(std::move(parsed).value());
  tree.Add(*tree.document_);
  return tree;
}

// Appends `root` and its contents, viewing the strings of document_. Without recursion: what
// nlohmann parses may nest as deep as the text allows.
void JsonTree::Add(const Json& root) {
  struct Open {
    const Json* container;
    Json::const_iterator next;
    size_t at;  // the container's node
  };
  std::vector<Open> open;
  auto add = [&](const Json& value, std::string_view key) {
    size_t at = nodes_.size();
    Node& node = nodes_.emplace_back();
    node.key = key;
    switch (value.type()) {
      case Json::value_t::boolean:
        node.kind = Kind::kBool;
        node.boolean = value.get<bool>();
        break;
      case Json::value_t::number_unsigned:
        node.kind = Kind::kUnsigned;
        node.unsigned_value = value.get<uint64_t>();
        break;
      case Json::value_t::number_integer:
        node.kind = Kind::kInteger;
        node.integer = value.get<int64_t>();
        break;
      case Json::value_t::number_float:
        node.kind = Kind::kFloat;
        node.real = value.get<double>();
        break;
      case Json::value_t::string:
        node.kind = Kind::kString;
        node.text = value.get_ref<const std::string&>();
        break;
      case Json::value_t::array:
      case Json::value_t::object:
        node.kind = value.is_array() ? Kind::kArray : Kind::kObject;
        node.size = static_cast<uint32_t>(value.size());
        open.push_back({&value, value.begin(), at});
        break;
      default:  // null; a JSON text has no binary or discarded values
        break;
    }
  };
  add(root, {});
  while (!open.empty()) {
    Open& top = open.back();
    if (top.next == top.container->end()) {
      nodes_[top.at].span = static_cast<uint32_t>(nodes_.size() - top.at);
      open.pop_back();
      continue;
    }
    Json::const_iterator item = top.next++;
    add(*item, top.container->is_object() ? std::string_view(item.key()) : std::string_view());
  }
}

double JsonTree::Node::number() const {
  switch (kind) {
    case Kind::kUnsigned:
      return static_cast<double>(unsigned_value);
    case Kind::kInteger:
      return static_cast<double>(integer);
    default:
      return real;
  }
}

namespace {

// The length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629), or 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = lead < 0x80   ? 1
                  : lead < 0xC2 ? 0
                  : lead < 0xE0 ? 2
                  : lead < 0xF0 ? 3
                  : lead < 0xF5 ? 4
                                : 0;
  if (length == 0 || i + length > text.size()) return 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  for (size_t k = 1; k < length; ++k) {
    unsigned char c = byte(i + k);
    if (c < (k == 1 ? low : 0x80) || c > (k == 1 ? high : 0xBF)) return 0;
  }
  return length;
}

bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// How JsonString writes one byte of valid UTF-8: the two-character escape JSON has for it, else
// \u00XX for another control character, else the byte itself. JsonStringSize counts by the same
// rule, so the size can never differ from what is written.
constexpr std::string_view kControlEscape = "\\u00";  // then two hex digits

std::string_view ShortEscape(char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return {};
  }
}

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20; }

}  // namespace

std::string JsonString(std::string_view text) {
  if (!IsUtf8(text)) {
    return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (std::string_view escape = ShortEscape(c); !escape.empty()) {
      out += escape;
    } else if (IsControl(c)) {
      out += kControlEscape;
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

namespace {

// 1 when `byte` is not printable ASCII or is '"' or '\\'. Without branches (| rather than ||),
// so that a block's 16 tests become vector instructions.
unsigned NotPlain(unsigned char byte) {
  return (byte < 0x20) | (byte > 0x7E) | (byte == '"') | (byte == '\\');
}

}  // namespace

// In blocks of 16 bytes: GCC vectorises a loop of fixed length at -O2, not one over the whole
// text (a 620-byte payload's base64 took 390 ns byte by byte, 69 ns in blocks).
bool IsPlainJsonText(std::string_view text) {
  constexpr size_t kBlock = 16;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  for (; i + kBlock <= text.size(); i += kBlock) {
    unsigned not_plain = 0;
    for (size_t k = 0; k < kBlock; ++k) not_plain |= NotPlain(bytes[i + k]);
    if (not_plain != 0) return false;
  }
  unsigned not_plain = 0;
  for (; i < text.size(); ++i) not_plain |= NotPlain(bytes[i]);
  return not_plain == 0;
}

size_t JsonStringSize(std::string_view text) {
  if (IsPlainJsonText(text)) return text.size() + 2;  // and the quotes
  if (!IsUtf8(text)) return JsonString(text).size();
  size_t size = 2;  // the quotes
  for (char c : text) {
    if (std::string_view escape = ShortEscape(c); !escape.empty()) {
      size += escape.size();
    } else {
      size += IsControl(c) ? kControlEscape.size() + 2 : 1;
    }
  }
  return size;
}

size_t CodePoints(std::string_view utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) count += (c & 0xC0) != 0x80;
  return count;
}

JsonPath JsonPath::Member(const JsonPath& parent, std::string_view key) {
  JsonPath path;
  path.parent_ = &parent;
  path.key_ = key;
  return path;
}

JsonPath JsonPath::Item(const JsonPath& parent, size_t index) {
  JsonPath path;
  path.parent_ = &parent;
  path.index_ = index;
  path.item_ = true;
  return path;
}

std::string JsonPath::str() const {
  if (parent_ == nullptr) return root_;
  std::string parent = parent_->str();
  if (item_) return parent + "[" + std::to_string(index_) + "]";
  return parent.empty() ? ShownKey(key_) : parent + "." + ShownKey(key_);
}

void JsonValue::Fail(const std::string& why) {
  if (error_->ok()) *error_ = Status::InvalidArgument("schema", path_.str() + ": " + why);
}

bool JsonValue::Expect(bool condition, const char* why) {
  if (!error_->ok()) return false;
  if (!condition) Fail(why);
  return condition;
}

std::optional<std::string_view> JsonValue::View() {
  if (!Expect(value_ && value_->kind == JsonTree::Kind::kString, "must be a string")) {
    return std::nullopt;
  }
  return value_->text;
}

std::string JsonValue::String() { return std::string(View().value_or("")); }

std::string JsonValue::Id() {
  std::string text = String();
  Expect(!error_->ok() || IsToken(text, true), "must be 1-64 chars of [A-Za-z0-9._:-]");
  return text;
}

std::string JsonValue::Serial() {
  std::string text = String();
  Expect(!error_->ok() || IsToken(text, false), "must be 1-64 chars of [A-Za-z0-9._-]");
  return text;
}

std::string JsonValue::Country() {
  std::string text = String();
  Expect(!error_->ok() || IsCountry(text), "must be an ISO 3166-1 alpha-2 country code");
  return text;
}

std::string JsonValue::Text(size_t min_chars, size_t max_chars) {
  std::string text = String();
  if (!error_->ok()) return text;
  size_t chars = CodePoints(text);
  if (chars < min_chars || chars > max_chars) {
    Fail("must be " + std::to_string(min_chars) + "-" + std::to_string(max_chars) +
         " characters (has " + std::to_string(chars) + ")");
  }
  return text;
}

Hash JsonValue::Hex() {
  std::optional<std::string_view> text = View();
  if (!text) return {};
  auto hash = HashFromHex(*text, "");  // the message names the path
  if (!hash.ok()) {
    Fail("must be 64 lowercase hex characters");
    return {};
  }
  return *hash;
}

PublicKey JsonValue::Base64Key() {
  std::string text = String();
  if (!error_->ok()) return {};
  auto key = PublicKeyFromBase64(text, "");
  if (!key.ok()) {  // the same check again, for its message naming the path
    *error_ = Status::InvalidArgument("schema",
                                      PublicKeyFromBase64(text, path_.str()).status().message());
    return {};
  }
  return *key;
}

Timestamp JsonValue::Time() {
  std::optional<std::string_view> text = View();
  if (!text) return {};
  auto time = ParseTime(*text, "");
  if (!time.ok()) {  // the same check again, for its message naming the path
    *error_ = Status::InvalidArgument("schema", ParseTime(*text, path_.str()).status().message());
    return {};
  }
  return *time;
}

double JsonValue::Number(NumberRange range) {
  if (!Expect(value_ && value_->is_number(), "must be a number")) return 0;
  double number = value_->number();
  bool above_min = range.exclusive_min ? number > range.min : number >= range.min;
  if (!above_min || number > range.max) {
    std::string lower = (range.exclusive_min ? "> " : ">= ") + FormatNumber(range.min);
    Fail(range.max == NumberRange().max ? "must be a number " + lower
                                        : "must be a number from " + FormatNumber(range.min) +
                                              " to " + FormatNumber(range.max));
  }
  return number;
}

int64_t JsonValue::Integer(int64_t min, int64_t max) {
  const std::string why =
      min == max ? "must be the integer " + std::to_string(min)
                 : "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  using Kind = JsonTree::Kind;
  if (!Expect(value_ && (value_->kind == Kind::kUnsigned || value_->kind == Kind::kInteger),
              why.c_str())) {
    return 0;
  }
  const bool unsigned_value = value_->kind == Kind::kUnsigned;
  const bool too_big = unsigned_value && value_->unsigned_value > static_cast<uint64_t>(max);
  const int64_t number = too_big          ? max
                         : unsigned_value ? static_cast<int64_t>(value_->unsigned_value)
                                          : value_->integer;
  if (too_big || number < min || number > max) {
    Fail(why);
    return 0;
  }
  return number;
}

bool JsonValue::Bool() {
  if (!Expect(value_ && value_->kind == JsonTree::Kind::kBool, "must be true or false")) {
    return false;
  }
  return value_->boolean;
}

void JsonValue::Members(const std::function<void(const std::string&, JsonValue)>& read) {
  if (!Expect(value_ && value_->kind == JsonTree::Kind::kObject, "must be an object")) return;
  std::vector<const Node*> members;
  members.reserve(value_->size);
  const Node* member = value_->first();
  for (uint32_t i = 0; i < value_->size; ++i, member = Node::next(member)) {
    members.push_back(member);
  }
  std::sort(members.begin(), members.end(),
            [](const Node* a, const Node* b) { return a->key < b->key; });
  for (const Node* sorted : members) {
    if (!error_->ok()) return;
    read(std::string(sorted->key), JsonValue(sorted, JsonPath::Member(path_, sorted->key), error_));
  }
}

const JsonTree::Node* FieldReader::Find(std::string_view key, size_t* position) const {
  const JsonTree::Node* member = object_.first();
  for (size_t i = 0; i < object_.size; ++i, member = JsonTree::Node::next(member)) {
    if (member->key == key) {
      *position = i;
      return member;
    }
  }
  return nullptr;
}

void FieldReader::MarkRead(size_t position) {
  if (position < 64) {
    read_first_ |= uint64_t{1} << position;
  } else {
    read_further_.push_back(position);
  }
}

bool FieldReader::WasRead(size_t position) const {
  if (position < 64) return (read_first_ >> position & 1) != 0;
  return std::find(read_further_.begin(), read_further_.end(), position) != read_further_.end();
}

JsonValue FieldReader::Get(std::string_view key) {
  size_t position = 0;
  const JsonTree::Node* member = Find(key, &position);
  if (member == nullptr) {
    if (error_->ok()) {
      *error_ = Status::InvalidArgument(
          "schema", JsonPath::Member(path_, key).str() + ": required field missing");
    }
    return JsonValue(nullptr, JsonPath::Member(path_, key), error_);
  }
  MarkRead(position);
  return JsonValue(member, JsonPath::Member(path_, key), error_);
}

std::optional<JsonValue> FieldReader::Optional(std::string_view key) {
  size_t position = 0;
  const JsonTree::Node* member = Find(key, &position);
  if (member == nullptr) return std::nullopt;
  MarkRead(position);
  return JsonValue(member, JsonPath::Member(path_, key), error_);
}

void FieldReader::Fail(const std::string& why) {
  if (error_->ok()) *error_ = Status::InvalidArgument("schema", path_.str() + ": " + why);
}

void FieldReader::Finish() {
  if (!error_->ok()) return;
  const JsonTree::Node* unknown = nullptr;
  const JsonTree::Node* member = object_.first();
  for (size_t i = 0; i < object_.size; ++i, member = JsonTree::Node::next(member)) {
    if (!WasRead(i) && (unknown == nullptr || member->key < unknown->key)) unknown = member;
  }
  if (unknown != nullptr) {
    *error_ = Status::InvalidArgument(
        "schema", JsonPath::Member(path_, unknown->key).str() + ": unknown field");
  }
}

}  // namespace chipledger::internal

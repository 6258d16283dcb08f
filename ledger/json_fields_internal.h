// Private to ledger/: strict JSON parsing and typed field extraction whose errors name the field by
// its JSON path. A reader remembers the first error it meets and turns every later read into a
// no-op, so that a parser reads like the schema it implements (see event.cc).
#ifndef CHIPLEDGER_LEDGER_JSON_FIELDS_INTERNAL_H_
#define CHIPLEDGER_LEDGER_JSON_FIELDS_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger::internal {

using Json = nlohmann::json;

// Parses `text` as exactly one UTF-8 JSON document: every byte is read, so trailing bytes, a NUL
// byte anywhere and invalid UTF-8 in strings are refused, as is what parsers could read two ways
// (duplicate object keys, a byte-order mark). Failures are InvalidArgument with `code`, the
// message prefixed by `what`.
Result<Json> ParseStrictJson(std::string_view text, std::string_view what, const char* code);

// A parsed JSON document as the typed readers below read it: every value is a node, in document
// order, each container followed by its contents. Building nlohmann's document (a map and a
// string per member) was most of the cost of parsing an event, which the ledger does on every
// append and an audit for every entry it reads. Strings and keys are views: of the parsed text,
// or of a document the tree keeps when the text needed nlohmann's parser (escapes, non-ASCII,
// fractions). The text must outlive the tree.
class JsonTree {
 public:
  enum class Kind : uint8_t { kNull, kBool, kUnsigned, kInteger, kFloat, kString, kArray, kObject };
  struct Node {
    std::string_view key;   // the member's name, for a value inside an object
    std::string_view text;  // kString
    union {
      uint64_t unsigned_value;  // kUnsigned: integers >= 0, as nlohmann types them
      int64_t integer;          // kInteger: negative integers
      double real;              // kFloat
    };
    uint32_t size = 0;  // kArray: items; kObject: members
    uint32_t span = 1;  // nodes in this value's subtree, itself included
    Kind kind = Kind::kNull;
    bool boolean = false;

    Node() : unsigned_value(0) {}
    bool is_number() const {
      return kind == Kind::kUnsigned || kind == Kind::kInteger || kind == Kind::kFloat;
    }
    double number() const;
    // The first item or member (when size > 0), and the one after `child`.
    const Node* first() const { return this + 1; }
    static const Node* next(const Node* child) { return child + child->span; }
  };

  // Same as ParseStrictJson, with the same errors.
  static Result<JsonTree> Parse(std::string_view text, std::string_view what, const char* code);

  const Node& root() const { return nodes_.front(); }

 private:
  friend Result<Json> ParseStrictJson(std::string_view text, std::string_view what,
                                      const char* code);
  class FastParser;
  JsonTree() = default;
  void Add(const Json& root);

  std::vector<Node> nodes_;
  std::unique_ptr<const Json> document_;  // what nodes_ views, when nlohmann parsed the text
};

// `text` as a JSON string literal, escaped byte for byte as nlohmann's dump() escapes it (so
// serialized entries never change), without building a JSON value: this is on the append path.
// Text that is not valid UTF-8 gets U+FFFD for each bad sequence, as dump()'s replacing handler.
std::string JsonString(std::string_view text);
// JsonString(text).size(), without writing it.
size_t JsonStringSize(std::string_view text);
// True when `text` is printable ASCII without '"' or '\\': a JSON string's contents that are
// written, and read, as they are. Vectorised: it runs over every base64 payload an audit reads.
bool IsPlainJsonText(std::string_view text);

// Unicode code points in valid UTF-8 text (JSON Schema's measure of string length).
size_t CodePoints(std::string_view utf8);

// An (inclusive) range of numbers; `exclusive_min` makes the lower bound strict.
struct NumberRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool exclusive_min = false;
};

// Integers limited to the I-JSON range (RFC 7493) so every JSON implementation reads them exactly.
inline constexpr int64_t kMaxSafeInteger = 9007199254740991;

template <typename E>
using NameTable = std::vector<std::pair<std::string_view, E>>;

class FieldReader;

// Where a value sits in the document ("payload.online[2].serial"), spelled out only when a
// message needs it: spelling every field's path as it was read cost allocations on every parse
// (an audit parses millions of fields). A member's or item's path refers to its parent's, which
// must outlive it, as readers nested on the stack do.
class JsonPath {
 public:
  JsonPath(std::string root) : root_(std::move(root)) {}  // NOLINT: implicit, as a path string
  JsonPath(const char* root) : root_(root) {}             // NOLINT: implicit, as a path string

  // `key` must outlive the path (a literal, or a key of the parsed document).
  static JsonPath Member(const JsonPath& parent, std::string_view key);
  static JsonPath Item(const JsonPath& parent, size_t index);

  // "parent.key" ("key" at an empty root; long keys cut short), "parent[index]".
  std::string str() const;

 private:
  JsonPath() = default;

  const JsonPath* parent_ = nullptr;  // none at the root
  std::string root_;
  std::string_view key_;
  size_t index_ = 0;
  bool item_ = false;
};

// One JSON value at a path (or a missing one, once an error is recorded).
class JsonValue {
 public:
  using Node = JsonTree::Node;
  JsonValue(const Node* value, JsonPath path, Status* error)
      : value_(value), path_(std::move(path)), error_(error) {}

  std::string String();  // any string
  std::string Id();
  std::string Serial();
  std::string Country();
  std::string Text(size_t min_chars, size_t max_chars);  // length in code points
  Hash Hex();                                            // 64 lowercase hex
  PublicKey Base64Key();
  Timestamp Time();
  double Number(NumberRange range);
  int64_t Integer(int64_t min, int64_t max);
  bool Bool();

  template <typename E>
  E Enum(const NameTable<E>& names) {
    std::string name = String();
    for (const auto& [text, value] : names) {
      if (text == name) return value;
    }
    std::string choices;
    for (const auto& entry : names) {
      choices += (choices.empty() ? "" : ", ") + std::string(entry.first);
    }
    Fail("must be one of " + choices);
    return names.front().second;
  }

  // `read(JsonValue)` reads each item; at least `min_items` items.
  template <typename F>
  auto List(F read, size_t min_items = 0)
      -> std::vector<decltype(read(std::declval<JsonValue>()))> {
    std::vector<decltype(read(std::declval<JsonValue>()))> out;
    if (!Expect(value_ && value_->kind == JsonTree::Kind::kArray, "must be an array")) return out;
    if (value_->size < min_items) {
      Fail("must have at least " + std::to_string(min_items) + " item(s)");
      return out;
    }
    out.reserve(value_->size);
    const Node* item = value_->first();
    for (size_t i = 0; i < value_->size && error_->ok(); ++i, item = Node::next(item)) {
      out.push_back(read(JsonValue(item, JsonPath::Item(path_, i), error_)));
    }
    return out;
  }

  // `read(FieldReader&)` reads the object's fields; unknown fields are then refused.
  template <typename F>
  auto Object(F read) -> decltype(read(std::declval<FieldReader&>()));

  // Calls `read(key, member)` for every member of an object (a map with free keys), in the
  // order of their keys.
  void Members(const std::function<void(const std::string&, JsonValue)>& read);
  // The value itself, or nullptr when missing.
  const Node* node() const { return value_; }

  void Fail(const std::string& why);

 private:
  bool Expect(bool condition, const char* why);
  // The string's contents, or nullopt (recording why) when it is not one.
  std::optional<std::string_view> View();

  const Node* value_;
  JsonPath path_;
  Status* error_;
};

// The fields of one JSON object. Every field must be read (Get or Optional) before Finish, which
// refuses the ones left over as unknown.
class FieldReader {
 public:
  FieldReader(const JsonTree::Node& object, JsonPath path, Status* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  // A required field; records "required field missing" when absent.
  JsonValue Get(std::string_view key);
  // An optional field, or nullopt when absent.
  std::optional<JsonValue> Optional(std::string_view key);
  // Records an error about the object as a whole (e.g. a rule across fields).
  void Fail(const std::string& why);
  // Refuses the fields not read, as unknown: the first of them in the order of their keys.
  void Finish();

 private:
  // The member named `key` and its position among the members, or nullptr.
  const JsonTree::Node* Find(std::string_view key, size_t* position) const;
  void MarkRead(size_t position);
  bool WasRead(size_t position) const;

  const JsonTree::Node& object_;
  JsonPath path_;
  Status* error_;
  uint64_t read_first_ = 0;           // the first 64 members read, one bit each
  std::vector<size_t> read_further_;  // the others read, by position
};

template <typename F>
auto JsonValue::Object(F read) -> decltype(read(std::declval<FieldReader&>())) {
  if (!Expect(value_ && value_->kind == JsonTree::Kind::kObject, "must be an object")) return {};
  FieldReader fields(*value_, path_, error_);
  auto out = read(fields);
  fields.Finish();
  return out;
}

}  // namespace chipledger::internal

#endif  // CHIPLEDGER_LEDGER_JSON_FIELDS_INTERNAL_H_

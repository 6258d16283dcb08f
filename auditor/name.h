// A string kept once per distinct value for the whole process. Rule ids, subject kinds, sites,
// parties, models, licenses and hosts repeat across many findings, chips and shipments, so a
// record holds a pointer (8 bytes) instead of a copy (32 bytes and maybe a heap block).
#ifndef CHIPLEDGER_AUDITOR_NAME_H_
#define CHIPLEDGER_AUDITOR_NAME_H_

#include <string>
#include <string_view>

namespace chipledger::audit {

class Name {
 public:
  Name();  // ""
  // Explicit: interning costs a lookup under a lock, so it should be visible where it happens.
  explicit Name(std::string_view text);
  Name& operator=(std::string_view text) { return *this = Name(text); }

  const std::string& str() const { return *text_; }
  // Readers use a Name where a string is expected (maps keyed by string, string parameters).
  operator const std::string&() const { return *text_; }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return *text_; }    // NOLINT(google-explicit-constructor)
  bool empty() const { return text_->empty(); }
  void clear() { *this = Name(); }

  // One pointer per distinct value: equal names are the same pointer.
  friend bool operator==(const Name& a, const Name& b) { return a.text_ == b.text_; }
  friend bool operator==(const Name& a, std::string_view b) { return *a.text_ == b; }
  friend std::string operator+(const std::string& a, const Name& b) { return a + b.str(); }
  friend std::string operator+(std::string&& a, const Name& b) { return std::move(a) + b.str(); }
  friend std::string operator+(const char* a, const Name& b) { return a + b.str(); }
  friend std::string operator+(const Name& a, const char* b) { return a.str() + b; }
  friend std::string operator+(const Name& a, const std::string& b) { return a.str() + b; }
  // nlohmann::json writes it as its string (found by argument-dependent lookup).
  template <typename Json>
  friend void to_json(Json& json, const Name& name) {
    json = name.str();
  }

 private:
  const std::string* text_;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_NAME_H_

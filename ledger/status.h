// Status and Result: errors as values at every component boundary, as in LevelDB.
//
// A Status carries a kind (which maps onto an HTTP status at the API edge), a short machine code
// (the "error" field of the API's JSON errors) and a message for people that names the field.
#ifndef CHIPLEDGER_LEDGER_STATUS_H_
#define CHIPLEDGER_LEDGER_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace chipledger {

enum class StatusKind {
  kOk,
  kInvalidArgument,      // 400
  kUnauthenticated,      // 401
  kPermissionDenied,     // 403
  kNotFound,             // 404
  kConflict,             // 409
  kTooLarge,             // 413
  kIOError,              // 500
  kCorruption,           // 500: stored data failed a check
  kUnavailable,          // 503
  kInsufficientStorage,  // 507: the disk is full; nothing was written, retry later
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string code, std::string message) {
    return Status(StatusKind::kInvalidArgument, std::move(code), std::move(message));
  }
  static Status Unauthenticated(std::string code, std::string message) {
    return Status(StatusKind::kUnauthenticated, std::move(code), std::move(message));
  }
  static Status PermissionDenied(std::string code, std::string message) {
    return Status(StatusKind::kPermissionDenied, std::move(code), std::move(message));
  }
  static Status NotFound(std::string code, std::string message) {
    return Status(StatusKind::kNotFound, std::move(code), std::move(message));
  }
  static Status Conflict(std::string code, std::string message) {
    return Status(StatusKind::kConflict, std::move(code), std::move(message));
  }
  static Status TooLarge(std::string code, std::string message) {
    return Status(StatusKind::kTooLarge, std::move(code), std::move(message));
  }
  static Status IOError(std::string message) {
    return Status(StatusKind::kIOError, "io_error", std::move(message));
  }
  static Status Corruption(std::string message) {
    return Status(StatusKind::kCorruption, "corruption", std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusKind::kUnavailable, "unavailable", std::move(message));
  }
  static Status InsufficientStorage(std::string message) {
    return Status(StatusKind::kInsufficientStorage, "insufficient_storage", std::move(message));
  }

  bool ok() const { return kind_ == StatusKind::kOk; }
  StatusKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "ok" : code_ + ": " + message_; }

 private:
  Status(StatusKind kind, std::string code, std::string message)
      : kind_(kind), code_(std::move(code)), message_(std::move(message)) {}

  StatusKind kind_ = StatusKind::kOk;
  std::string code_;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_STATUS_H_

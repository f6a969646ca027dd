// The single error model of faceberg: Status (success or an error code with a message) and
// Result<T> (a value or a Status). No exceptions cross module boundaries; code that wraps a
// throwing third-party library catches at the adapter and returns a Status.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace faceberg {

/// A small, stable set of error codes. Specifics go into the message.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad user input: a malformed name, option, schema string, expression
  kNotFound,         // a table, namespace, snapshot, file or remote object does not exist
  kAlreadyExists,    // creating something that exists
  kCorrupt,          // bytes on disk or on the wire do not parse: bad magic, truncation, bad JSON
  kIOError,          // the local file system failed
  kNetwork,          // a remote call failed after retries
  kConflict,         // an optimistic commit lost a race; the caller may refresh and retry
  kNotSupported,     // valid input that this version does not handle
  kPermission,       // 401/403, a read-only server, a private repo without a token
  kInternal,         // a bug: an invariant did not hold
};

/// Returns a stable lower-case name for `code` ("not found", "conflict", ...).
std::string_view ErrorCodeName(ErrorCode code);

/// Success, or an error code with a one-line human message that says what to do.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message);

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  ErrorCode code() const { return state_ ? state_->code : ErrorCode::kOk; }
  /// The message, empty for OK.
  const std::string& message() const;
  /// "<code name>: <message>", or "ok".
  std::string ToString() const;

  /// Returns a copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    ErrorCode code;
    std::string message;
  };
  // Null means OK, so an OK status costs one pointer and no allocation.
  std::shared_ptr<const State> state_;
};

// Factories taking fmt-style arguments: InvalidArgument("bad type '{}'", name).
#define FACEBERG_STATUS_FACTORY(Name, Code)                                           \
  template <typename... Args>                                                         \
  Status Name(fmt::format_string<Args...> format, Args&&... args) {                   \
    return Status(ErrorCode::Code, fmt::format(format, std::forward<Args>(args)...)); \
  }
FACEBERG_STATUS_FACTORY(InvalidArgument, kInvalidArgument)
FACEBERG_STATUS_FACTORY(NotFound, kNotFound)
FACEBERG_STATUS_FACTORY(AlreadyExists, kAlreadyExists)
FACEBERG_STATUS_FACTORY(Corrupt, kCorrupt)
FACEBERG_STATUS_FACTORY(IOError, kIOError)
FACEBERG_STATUS_FACTORY(NetworkError, kNetwork)
FACEBERG_STATUS_FACTORY(Conflict, kConflict)
FACEBERG_STATUS_FACTORY(NotSupported, kNotSupported)
FACEBERG_STATUS_FACTORY(PermissionDenied, kPermission)
FACEBERG_STATUS_FACTORY(Internal, kInternal)
#undef FACEBERG_STATUS_FACTORY

}  // namespace faceberg

// Result<T>: a value or an error Status. The surface follows std::expected (has_value, value,
// error, and_then, transform) so a later move to C++23 is mechanical.
#pragma once

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "util/status.h"

namespace faceberg {

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : storage_(value) {}        // NOLINT: implicit by design
  Result(T&& value) : storage_(std::move(value)) {}  // NOLINT
  /// Constructs an error. REQUIRES: !status.ok().
  Result(Status status) : storage_(std::move(status)) {  // NOLINT
    if (std::get<Status>(storage_).ok()) {
      storage_ = Status(ErrorCode::kInternal, "Result constructed from an OK status");
    }
  }
  template <typename U>
  requires(std::is_convertible_v<U&&, T> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status>) Result(U&& value)
      : storage_(T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const { return storage_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  /// REQUIRES: has_value(). Aborts otherwise (a programming error, never a user error).
  T& value() & { return CheckedValue(); }
  const T& value() const& { return const_cast<Result*>(this)->CheckedValue(); }
  T&& value() && { return std::move(CheckedValue()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; OK when this holds a value.
  Status status() const { return has_value() ? Status::OK() : std::get<Status>(storage_); }
  const Status& error() const& { return std::get<Status>(storage_); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : T(std::forward<U>(fallback));
  }

  /// f: T -> Result<U>.
  template <typename F>
  auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
    if (!has_value()) return std::get<Status>(storage_);
    return std::forward<F>(f)(std::move(CheckedValue()));
  }
  /// f: T -> U, giving Result<U>.
  template <typename F>
  auto transform(F&& f) && -> Result<std::invoke_result_t<F, T&&>> {
    if (!has_value()) return std::get<Status>(storage_);
    return std::forward<F>(f)(std::move(CheckedValue()));
  }

 private:
  T& CheckedValue() {
    if (!has_value()) std::abort();
    return std::get<0>(storage_);
  }
  std::variant<T, Status> storage_;
};

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace faceberg

#define FACEBERG_CONCAT_INNER(a, b) a##b
#define FACEBERG_CONCAT(a, b) FACEBERG_CONCAT_INNER(a, b)

/// Returns the Status of `expr` (a Status or a Result) from the enclosing function if it failed.
#define RETURN_IF_ERROR(expr)                                                    \
  do {                                                                           \
    auto&& _faceberg_st = (expr);                                                \
    if (!_faceberg_st.ok()) return ::faceberg::internal::ToStatus(_faceberg_st); \
  } while (false)

#define FACEBERG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.has_value()) return tmp.error();            \
  lhs = std::move(tmp).value()

/// `ASSIGN_OR_RETURN(auto x, MakeX());` declares x from the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  FACEBERG_ASSIGN_OR_RETURN_IMPL(FACEBERG_CONCAT(_faceberg_r_, __LINE__), lhs, expr)

/// Returns InvalidArgument(fmt...) when `cond` is false.
#define PRECHECK(cond, ...)                                       \
  do {                                                            \
    if (!(cond)) return ::faceberg::InvalidArgument(__VA_ARGS__); \
  } while (false)

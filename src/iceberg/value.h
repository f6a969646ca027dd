// A single typed value: partition tuple entries, column bounds, literals. The Iceberg type that
// gives it meaning travels beside it (a Value alone does not know whether an int64 is a long, a
// time or a timestamp).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace faceberg::iceberg {

/// The unscaled value of a decimal; the scale comes from the decimal type.
struct Decimal128 {
  __int128 unscaled = 0;
  bool operator==(const Decimal128&) const = default;
};

/// Representation by type:
///   null -> monostate; boolean -> bool; int, date (days) -> int32_t;
///   long, time (micros), timestamp(tz) (micros) -> int64_t; float -> float; double -> double;
///   string (UTF-8), binary, fixed, uuid (16 raw bytes) -> std::string; decimal -> Decimal128.
using Value =
    std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, Decimal128>;

inline bool IsNull(const Value& v) { return std::holds_alternative<std::monostate>(v); }

/// A partition tuple: one value per partition field, in spec order.
using PartitionValues = std::vector<Value>;

}  // namespace faceberg::iceberg

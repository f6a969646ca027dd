// Partition and sort transforms (spec "Partition Transforms"): identity, bucket[N], truncate[W],
// year, month, day, hour and void. A transform string this version does not know is kept as an
// "unknown" transform so metadata written by newer writers still reads and writes back
// unchanged; readers ignore it and writers refuse it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "iceberg/types.h"
#include "iceberg/value.h"
#include "util/result.h"

namespace faceberg::iceberg {

enum class TransformKind {
  kIdentity,
  kBucket,
  kTruncate,
  kYear,
  kMonth,
  kDay,
  kHour,
  kVoid,
  kUnknown,
};

/// One transform, a small immutable value. The default is identity.
class Transform {
 public:
  Transform() = default;

  static Transform Identity() { return Transform(TransformKind::kIdentity, 0, ""); }
  static Transform Year() { return Transform(TransformKind::kYear, 0, ""); }
  static Transform Month() { return Transform(TransformKind::kMonth, 0, ""); }
  static Transform Day() { return Transform(TransformKind::kDay, 0, ""); }
  static Transform Hour() { return Transform(TransformKind::kHour, 0, ""); }
  static Transform Void() { return Transform(TransformKind::kVoid, 0, ""); }
  /// Errors: InvalidArgument unless num_buckets > 0.
  static Result<Transform> Bucket(int64_t num_buckets);
  /// Errors: InvalidArgument unless width > 0.
  static Result<Transform> Truncate(int64_t width);

  /// Parses the metadata form: "identity", "bucket[16]", "truncate[4]", "year", "month", "day",
  /// "hour", "void" (case-insensitive). Any other name gives an unknown transform that keeps the
  /// text.
  /// Errors: InvalidArgument for a malformed bucket or truncate ("bucket[x]", "truncate[0]",
  /// "bucket") or an empty string.
  static Result<Transform> Parse(std::string_view text);

  TransformKind kind() const { return kind_; }
  /// The bucket count or the truncate width; 0 for other transforms.
  int32_t param() const { return param_; }
  bool is_identity() const { return kind_ == TransformKind::kIdentity; }
  bool is_void() const { return kind_ == TransformKind::kVoid; }
  bool is_unknown() const { return kind_ == TransformKind::kUnknown; }

  /// True when the transform is defined on `source` (a primitive type). Unknown transforms
  /// accept nothing.
  bool CanTransform(const Type& source) const;

  /// The type of transformed values: identity, truncate and void keep the source type; bucket,
  /// year, month, day and hour give int (the spec's result types; day values are days since
  /// 1970-01-01 and display as dates); unknown transforms give string, as Java does.
  /// Errors: InvalidArgument when !CanTransform(source) (unknown transforms excepted).
  Result<TypePtr> ResultType(const TypePtr& source) const;

  /// Applies the transform to a value of type `source`. Null gives null; void always gives null.
  /// Time transforms floor, so 1969-12-31T23:00 is day -1 and month -1.
  /// Errors: NotSupported for unknown transforms; InvalidArgument when the transform does not
  /// apply to `source` or `value` does not match it.
  Result<Value> Apply(const Value& value, const Type& source) const;

  /// True when a <= b implies Apply(a) <= Apply(b): identity, truncate and the time transforms.
  /// Bucket, void and unknown transforms do not preserve order.
  bool PreservesOrder() const;

  /// A transformed value for display and partition paths: year "2026", month "2026-01", day
  /// "2026-01-31", hour "2026-01-31-12", bucket "3", identity and truncate as the source value
  /// (see ValueToString), null as "null".
  std::string ToHumanString(const Value& transformed, const Type& source) const;

  /// The metadata form ("bucket[16]"); unknown transforms give their original text.
  std::string ToString() const;

  bool operator==(const Transform& other) const {
    return kind_ == other.kind_ && param_ == other.param_ && unknown_text_ == other.unknown_text_;
  }

 private:
  Transform(TransformKind kind, int32_t param, std::string unknown_text)
      : kind_(kind), param_(param), unknown_text_(std::move(unknown_text)) {}

  TransformKind kind_ = TransformKind::kIdentity;
  int32_t param_ = 0;
  std::string unknown_text_;  // only for kUnknown
};

}  // namespace faceberg::iceberg

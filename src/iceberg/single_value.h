// Single values of primitive Iceberg types in every form the project needs: the spec's binary
// single-value serialization (column bounds, partition summaries), the JSON single-value form
// (defaults, REST), a human display string, literal text typed by a user, and an ordering for
// bounds and pruning. The Iceberg type that gives a Value its meaning is always passed beside it.
#pragma once

#include <string>
#include <string_view>

#include "iceberg/types.h"
#include "iceberg/value.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::iceberg {

/// Returns OK when `value` holds the alternative that represents `type` (see value.h), or is
/// null. Widening alternatives are accepted where the promotion rules allow it: an int32_t for
/// long, time and timestamps (int->long, date->timestamp is not implied: only the integer width),
/// and a float for double.
/// Errors: InvalidArgument naming the type and the value's alternative; NotSupported for nested
/// types.
Status CheckValueType(const Value& value, const Type& type);

/// Serializes a non-null `value` in the spec's single-value binary form for `type`: boolean 1
/// byte, int/date 4 bytes LE, long/time/timestamp(tz) 8 bytes LE, float/double IEEE LE, string
/// UTF-8, uuid 16 bytes, fixed/binary raw, decimal the minimal big-endian two's complement of the
/// unscaled value.
/// Errors: InvalidArgument for null or a value that does not match `type`; NotSupported for
/// nested types.
Result<std::string> ValueToBinary(const Value& value, const Type& type);

/// Reads the single-value binary form of `type`. Reads are lenient to type promotion by byte
/// length: 4 bytes on a long column read as an int, 4 bytes on a double column as a float, 4
/// bytes on a timestamp column as a date (midnight); decimals take 1 to 16 bytes.
/// Errors: Corrupt when the length does not fit the type; NotSupported for nested types.
Result<Value> ValueFromBinary(std::string_view bytes, const Type& type);

/// The JSON single-value form: booleans and numbers as JSON (NaN and infinities as the strings
/// "NaN", "Infinity", "-Infinity"), decimal "14.20", date "2017-11-16", time "22:31:08.123456",
/// timestamp "2017-11-16T22:31:08.123456", timestamptz "...+00:00", uuid lower-case canonical,
/// fixed/binary lower-case hex; null as JSON null.
/// Errors: InvalidArgument when `value` does not match `type`; NotSupported for nested types.
Result<Json> ValueToJson(const Value& value, const Type& type);

/// Inverse of ValueToJson. Also accepts what other writers produce: times and timestamps with
/// 0-9 fractional digits, "Z" or any offset on timestamptz, upper-case hex, decimals in
/// scientific notation or with fewer fraction digits than the scale.
/// Errors: Corrupt naming the type and the offending JSON; NotSupported for nested types.
Result<Value> ValueFromJson(const Json& json, const Type& type);

/// A display string: "null", "true", "42", "1.5", "14.20", "2026-01-31", "12:30:00",
/// "2026-01-31T12:30:00" (fraction shown only when non-zero), timestamptz with "+00:00", strings
/// unquoted, uuid canonical, fixed/binary lower-case hex. A value that does not match `type` is
/// shown by its alternative alone.
std::string ValueToString(const Value& value, const Type& type);

/// Orders two values of the same type; returns <0, 0 or >0. Null sorts before everything;
/// strings, binary, fixed and uuid compare as unsigned bytes (UTF-8 order for strings); floats
/// order as Java's Float.compare: -Inf < -x < -0 < +0 < x < Inf < NaN (any NaN sorts last);
/// decimals of one type compare by unscaled value. int32_t/int64_t and float/double mixes
/// compare numerically; values of unrelated alternatives order by alternative index.
int CompareValues(const Value& a, const Value& b);

/// Parses the raw text of a literal (quotes already removed by the caller) as a value of `type`:
/// "true"/"false", integers, floats ("1.5", "NaN", "inf"), decimals ("14.2" on decimal(9,2)),
/// dates "2026-01-31", times "12:30[:00[.123456]]", timestamps in ISO-8601 with or without a zone
/// (zone-less read as UTC; a bare date is midnight), strings as is, uuids with or without dashes,
/// fixed/binary as hex (optional "0x").
/// Errors: InvalidArgument naming the text, the type and the accepted form.
Result<Value> ParseValue(std::string_view text, const Type& type);

}  // namespace faceberg::iceberg

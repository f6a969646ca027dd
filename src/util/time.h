// Wall-clock time and ISO-8601 parsing/printing for timestamps in epoch milliseconds/micros.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg {

/// Milliseconds since the Unix epoch, now.
int64_t NowMillis();

/// Parses "2026-01-31T12:00:00Z", "2026-01-31 12:00:00.123+02:00", "2026-01-31" (midnight UTC)
/// or a bare integer (epoch milliseconds) into epoch milliseconds.
/// Errors: InvalidArgument naming the accepted forms.
Result<int64_t> ParseTimeMillis(std::string_view text);

/// Parses a timestamp into epoch microseconds; times without a zone are read as UTC.
Result<int64_t> ParseTimestampMicros(std::string_view text);

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
/// Inverse of DaysFromCivil.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

/// "2026-01-31T12:00:00.000Z".
std::string FormatMillisUtc(int64_t epoch_millis);
/// "2026-01-31" for days since epoch.
std::string FormatDate(int32_t days);
/// "2026-01-31T12:00:00.123456" (no zone) for micros since epoch.
std::string FormatTimestampMicros(int64_t micros);

}  // namespace faceberg

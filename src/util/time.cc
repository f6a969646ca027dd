#include "util/time.h"

#include <cctype>
#include <chrono>

#include "util/strings.h"

namespace faceberg {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Howard Hinnant's public-domain civil-date algorithms (facts, re-derived here).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

namespace {

// Reads exactly `n` digits at text[*pos].
bool ReadDigits(std::string_view text, size_t* pos, int n, int64_t* out) {
  if (*pos + n > text.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool ParseIsoMicros(std::string_view text, int64_t* micros) {
  size_t p = 0;
  int64_t y, mo, d, h = 0, mi = 0, s = 0, frac = 0;
  if (!ReadDigits(text, &p, 4, &y) || p >= text.size() || text[p++] != '-' ||
      !ReadDigits(text, &p, 2, &mo) || p >= text.size() || text[p++] != '-' ||
      !ReadDigits(text, &p, 2, &d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  int64_t offset_minutes = 0;
  if (p < text.size() && (text[p] == 'T' || text[p] == ' ')) {
    ++p;
    if (!ReadDigits(text, &p, 2, &h) || p >= text.size() || text[p++] != ':' ||
        !ReadDigits(text, &p, 2, &mi)) {
      return false;
    }
    if (p < text.size() && text[p] == ':') {
      ++p;
      if (!ReadDigits(text, &p, 2, &s)) return false;
      if (p < text.size() && text[p] == '.') {
        ++p;
        int digits = 0;
        while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) {
          if (digits < 6) frac = frac * 10 + (text[p] - '0');
          ++digits;
          ++p;
        }
        if (digits == 0) return false;
        for (int i = digits; i < 6; ++i) frac *= 10;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return false;
    if (p < text.size()) {
      char z = text[p];
      if (z == 'Z' || z == 'z') {
        ++p;
      } else if (z == '+' || z == '-') {
        ++p;
        int64_t oh, om = 0;
        if (!ReadDigits(text, &p, 2, &oh)) return false;
        if (p < text.size() && text[p] == ':') ++p;
        if (p < text.size() && !ReadDigits(text, &p, 2, &om)) return false;
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
      }
    }
  }
  if (p != text.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
  *micros = seconds * 1000000 + frac;
  return true;
}

}  // namespace

Result<int64_t> ParseTimestampMicros(std::string_view text) {
  int64_t micros;
  if (!ParseIsoMicros(Trim(text), &micros)) {
    return InvalidArgument("cannot parse time '{}': use ISO-8601 like 2026-01-31T12:00:00Z", text);
  }
  return micros;
}

Result<int64_t> ParseTimeMillis(std::string_view text) {
  text = Trim(text);
  if (auto n = ParseInt64(text)) return *n;
  int64_t micros;
  if (!ParseIsoMicros(text, &micros)) {
    return InvalidArgument(
        "cannot parse time '{}': use ISO-8601 like 2026-01-31T12:00:00Z or epoch milliseconds",
        text);
  }
  // Floor division so times before 1970 round down like the micros they came from.
  return micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
}

std::string FormatDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t days =
      micros >= 0 ? micros / 86400000000LL : -((-micros + 86399999999LL) / 86400000000LL);
  int64_t rem = micros - days * 86400000000LL;
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:06}", FormatDate(static_cast<int32_t>(days)),
                     secs / 3600, secs / 60 % 60, secs % 60, frac);
}

std::string FormatMillisUtc(int64_t epoch_millis) {
  std::string micros = FormatTimestampMicros(epoch_millis * 1000);
  return micros.substr(0, micros.size() - 3) + "Z";
}

}  // namespace faceberg

#include "util/time.h"

#include "test_util.h"

namespace faceberg {
namespace {

TEST(TimeTest, ParsesIsoForms) {
  EXPECT_EQ(*ParseTimeMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimeMillis("2026-01-31T12:00:00Z"), 1769860800000);
  EXPECT_EQ(*ParseTimeMillis("2026-01-31T14:00:00+02:00"), 1769860800000);
  EXPECT_EQ(*ParseTimeMillis("2026-01-31 12:00:00.250"), 1769860800250);
  EXPECT_EQ(*ParseTimeMillis("2026-01-31"), 1769817600000);
  EXPECT_EQ(*ParseTimeMillis("1769860800000"), 1769860800000);
}

TEST(TimeTest, RejectsGarbageWithAdvice) {
  EXPECT_ERROR(ParseTimeMillis("yesterday"), ErrorCode::kInvalidArgument, "ISO-8601");
  EXPECT_ERROR(ParseTimeMillis("2026-13-01"), ErrorCode::kInvalidArgument, "2026-13-01");
  EXPECT_ERROR(ParseTimeMillis("2026-01-31T25:00"), ErrorCode::kInvalidArgument, "ISO-8601");
}

TEST(TimeTest, MicrosAndFormatting) {
  EXPECT_EQ(*ParseTimestampMicros("2017-11-16T22:31:08.000001"), 1510871468000001);
  EXPECT_EQ(*ParseTimestampMicros("2017-11-16T14:31:08-08:00"), 1510871468000000);
  EXPECT_EQ(FormatTimestampMicros(1510871468000001), "2017-11-16T22:31:08.000001");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatDate(17486), "2017-11-16");
  EXPECT_EQ(FormatMillisUtc(1769860800250), "2026-01-31T12:00:00.250Z");
}

TEST(TimeTest, CivilRoundTrip) {
  for (int64_t days : {-800000, -1, 0, 59, 60, 17486, 2932896}) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
}

}  // namespace
}  // namespace faceberg

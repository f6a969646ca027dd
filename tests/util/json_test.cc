#include "util/json.h"

#include "test_util.h"

namespace faceberg {
namespace {

TEST(JsonTest, ParseJsonReportsSyntaxErrorsAsCorrupt) {
  EXPECT_ERROR(ParseJson("{\"a\": ", "x.json"), ErrorCode::kCorrupt, "x.json is not valid JSON");
}

// Regression: a number beyond a double made nlohmann throw out_of_range (not parse_error), which
// escaped ParseJson and reached the CLI as "internal error".
TEST(JsonTest, ParseJsonReportsNumberOverflowAsCorrupt) {
  EXPECT_ERROR(ParseJson("{\"last-sequence-number\": 1e400}", "v2.metadata.json"),
               ErrorCode::kCorrupt, "v2.metadata.json is not valid JSON");
  EXPECT_ERROR(ParseJson("[-1e400]", "body"), ErrorCode::kCorrupt, "1e400");
}

}  // namespace
}  // namespace faceberg

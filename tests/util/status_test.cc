#include "test_util.h"
#include "util/result.h"

namespace faceberg {
namespace {

Result<int> Half(int x) {
  PRECHECK(x % 2 == 0, "{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckPositive(int x) {
  if (x <= 0) return InvalidArgument("{} is not positive", x);
  return Status::OK();
}

Status Both(int a, int b) {
  RETURN_IF_ERROR(CheckPositive(a));
  RETURN_IF_ERROR(Half(b));
  return Status::OK();
}

TEST(StatusTest, OkHasNoMessage) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), ErrorCode::kOk);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.ToString(), "ok");
}

TEST(StatusTest, FactoriesFormat) {
  Status st = NotFound("table {} in {}", "t", 3);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kNotFound);
  EXPECT_EQ(st.message(), "table t in 3");
  EXPECT_EQ(st.ToString(), "not found: table t in 3");
  EXPECT_EQ(st.WithContext("loading").message(), "loading: table t in 3");
}

TEST(ResultTest, PropagatesErrorsAndValues) {
  ASSERT_OK_AND_ASSIGN(int q, Quarter(8));
  EXPECT_EQ(q, 2);
  EXPECT_ERROR(Quarter(6), ErrorCode::kInvalidArgument, "3 is odd");
  EXPECT_OK(Both(1, 2));
  EXPECT_ERROR(Both(0, 2), ErrorCode::kInvalidArgument, "not positive");
  EXPECT_ERROR(Both(1, 3), ErrorCode::kInvalidArgument, "3 is odd");
}

TEST(ResultTest, MonadicHelpers) {
  auto doubled = Half(8).transform([](int v) { return v * 2; });
  ASSERT_TRUE(doubled.has_value());
  EXPECT_EQ(*doubled, 8);
  auto chained = Half(8).and_then([](int v) { return Half(v); });
  EXPECT_EQ(*chained, 2);
  auto failed = Half(3).and_then([](int v) { return Half(v); });
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> r{Status::OK()};
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace faceberg

// iceberg_bucket inside DuckDB, checked against the spec's murmur3 vectors and against
// Transform::Apply.
#include <limits>

#include "engine/database.h"
#include "test_util.h"

namespace faceberg::engine {
namespace {

constexpr int32_t kIntMax = std::numeric_limits<int32_t>::max();

class BucketFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, Database::Open());
    ASSERT_OK_AND_ASSIGN(con_, Connection::Open(*db_));
  }

  // The single value of `sql`, which must yield one row and column.
  std::optional<std::string> Scalar(const std::string& sql) {
    auto r = con_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r.ok() || r->rows.size() != 1) return "<no row>";
    return r->rows[0][0];
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> con_;
};

struct SpecVector {
  std::string literal;  // a DuckDB expression
  int32_t hash;
};

TEST_F(BucketFunctionTest, SpecVectors) {
  std::vector<SpecVector> vectors = {
      {"34::INTEGER", 2017239379},
      {"34::BIGINT", 2017239379},
      {"34::SMALLINT", 2017239379},
      {"34::UTINYINT", 2017239379},
      {"14.20::DECIMAL(9,2)", -500754589},
      {"14.20::DECIMAL(38,2)", -500754589},
      {"14.20::DECIMAL(4,2)", -500754589},
      {"14.20::DECIMAL(18,2)", -500754589},
      {"DATE '2017-11-16'", -653330422},
      {"TIME '22:31:08'", -662762989},
      {"TIMESTAMP '2017-11-16 22:31:08'", -2047944441},
      {"TIMESTAMP '2017-11-16 22:31:08.000001'", -1207196810},
      {"TIMESTAMPTZ '2017-11-16 14:31:08-08:00'", -2047944441},
      {"TIMESTAMPTZ '2017-11-16 14:31:08.000001-08:00'", -1207196810},
      {"'2017-11-16 22:31:08'::TIMESTAMP_S", -2047944441},
      {"'iceberg'", 1210000089},
      {"'iceberg'::VARCHAR", 1210000089},
      {"'f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID", 1488055340},
      {"'\\x00\\x01\\x02\\x03'::BLOB", -188683207},
      {"unhex('00010203')", -188683207},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.literal);
    int32_t masked = v.hash & kIntMax;
    EXPECT_EQ(Scalar(fmt::format("SELECT iceberg_bucket({}, {})", v.literal, kIntMax)),
              std::to_string(masked % kIntMax));
    EXPECT_EQ(Scalar(fmt::format("SELECT iceberg_bucket({}, 16)", v.literal)),
              std::to_string(masked % 16));
  }
}

TEST_F(BucketFunctionTest, WorksOnColumnsWithNulls) {
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      con_->Query("SELECT iceberg_bucket(v, 4) AS b FROM (VALUES (34), (NULL), (34)) t(v)"));
  EXPECT_EQ(r.column_types[0], "INTEGER");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0][0], std::to_string((2017239379 & kIntMax) % 4));
  EXPECT_EQ(r.rows[1][0], std::nullopt);
  EXPECT_EQ(r.rows[2][0], r.rows[0][0]);
  EXPECT_EQ(Scalar("SELECT iceberg_bucket(NULL, 4)"), std::nullopt);
  EXPECT_EQ(Scalar("SELECT iceberg_bucket(34, NULL)"), std::nullopt);
  // Many rows, spanning several chunks, with varying bucket counts.
  ASSERT_OK_AND_ASSIGN(QueryResult many,
                       con_->Query("SELECT count(*) FILTER (WHERE b < 0 OR b >= n) AS bad, "
                                   "count(DISTINCT b) AS buckets FROM (SELECT 1 + range % 7 AS n, "
                                   "iceberg_bucket(range, (1 + range % 7)::INT) AS b FROM "
                                   "range(100000))"));
  EXPECT_EQ(many.rows[0][0], "0");
  EXPECT_EQ(many.rows[0][1], "7");
}

TEST_F(BucketFunctionTest, RefusesUnsupportedTypesAndCounts) {
  EXPECT_ERROR(con_->Query("SELECT iceberg_bucket(1.5::DOUBLE, 4)"), ErrorCode::kInvalidArgument,
               "iceberg_bucket is defined for");
  EXPECT_ERROR(con_->Query("SELECT iceberg_bucket(true, 4)"), ErrorCode::kInvalidArgument,
               "iceberg_bucket is defined for");
  EXPECT_ERROR(con_->Query("SELECT iceberg_bucket(1, 0)"), ErrorCode::kInvalidArgument,
               "bucket count 0");
}

}  // namespace
}  // namespace faceberg::engine

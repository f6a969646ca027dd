#include "engine/database.h"

#include "engine/sql.h"
#include "test_util.h"

namespace faceberg::engine {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, Database::Open());
    ASSERT_OK_AND_ASSIGN(con_, Connection::Open(*db_));
  }
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> con_;
};

TEST_F(DatabaseTest, ReportsTheLibraryVersion) {
  EXPECT_TRUE(Database::LibraryVersion().starts_with("v1.5.")) << Database::LibraryVersion();
}

TEST_F(DatabaseTest, QueryReturnsNamesTypesAndTextValues) {
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      con_->Query("SELECT 1::BIGINT AS id, 'a' AS name, NULL::INT AS n, [1, 2] AS l, "
                  "{'x': 1.5::DOUBLE} AS s, 14.20::DECIMAL(9,2) AS d, DATE '2026-01-31' AS day"));
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"id", "name", "n", "l", "s", "d", "day"}));
  EXPECT_EQ(r.column_types,
            (std::vector<std::string>{"BIGINT", "VARCHAR", "INTEGER", "INTEGER[]",
                                      "STRUCT(\"x\" DOUBLE)", "DECIMAL(9,2)", "DATE"}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0],
            (Row{"1", "a", std::nullopt, "[1, 2]", "{'x': 1.5}", "14.20", "2026-01-31"}));
}

TEST_F(DatabaseTest, ExecuteRunsSeveralStatements) {
  ASSERT_OK(con_->Execute("CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2), (3);"));
  ASSERT_OK_AND_ASSIGN(QueryResult r, con_->Query("SELECT sum(a) AS s FROM t;"));
  EXPECT_EQ(r.rows[0][0], "6");
}

TEST_F(DatabaseTest, NonSelectStatementsReturnTheirRows) {
  ASSERT_OK(con_->Execute("CREATE TABLE t (a INT, b VARCHAR)"));
  ASSERT_OK_AND_ASSIGN(QueryResult r, con_->Query("DESCRIBE t"));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.column_names[0], "column_name");
  EXPECT_EQ(r.rows[1][0], "b");
  ASSERT_OK_AND_ASSIGN(QueryResult shown, con_->Query("SHOW TABLES"));
  ASSERT_EQ(shown.rows.size(), 1u);
  EXPECT_EQ(shown.rows[0][0], "t");
}

TEST_F(DatabaseTest, SqlErrorsAreInvalidArgumentWithDuckDBsMessage) {
  EXPECT_ERROR(con_->Query("SELEC 1"), ErrorCode::kInvalidArgument, "Parser Error");
  EXPECT_ERROR(con_->Query("SELECT nope FROM range(3)"), ErrorCode::kInvalidArgument,
               "Binder Error");
  EXPECT_ERROR(con_->Execute("SELECT * FROM missing_table"), ErrorCode::kInvalidArgument,
               "Catalog Error");
  EXPECT_ERROR(con_->Query("SELECT 'x'::INT"), ErrorCode::kInvalidArgument, "Conversion Error");
  EXPECT_ERROR(con_->Query("SELECT 1; SELECT 2"), ErrorCode::kInvalidArgument, "");
  EXPECT_ERROR(con_->Query("SELECT * FROM read_csv('/nonexistent/x.csv')"), ErrorCode::kNotFound,
               "x.csv");
}

TEST_F(DatabaseTest, StreamingReadsChunkByChunkAndReportsLateErrors) {
  ASSERT_OK_AND_ASSIGN(auto stream, con_->Stream("SELECT range AS i FROM range(10000)"));
  EXPECT_EQ(stream->column_names(), std::vector<std::string>{"i"});
  EXPECT_EQ(stream->column_types(), std::vector<std::string>{"BIGINT"});
  std::vector<Row> rows;
  int64_t total = 0;
  int chunks = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&rows));
    if (!more) break;
    EXPECT_LE(rows.size(), 2048u);
    total += static_cast<int64_t>(rows.size());
    ++chunks;
  }
  EXPECT_EQ(total, 10000);
  EXPECT_GE(chunks, 5);

  // An error raised during execution surfaces from Stream or from Next (DuckDB runs ahead of
  // the reader on its worker threads).
  Status status;
  auto failing = con_->Stream(
      "SELECT CASE WHEN range = 9000 THEN error('boom at 9000') ELSE range END AS i FROM "
      "range(10000)");
  if (!failing.ok()) status = failing.status();
  while (status.ok()) {
    auto more = (*failing)->Next(&rows);
    if (!more.ok()) status = more.status();
    if (!more.ok() || !*more) break;
  }
  EXPECT_ERROR(status, ErrorCode::kInvalidArgument, "boom at 9000");
}

TEST_F(DatabaseTest, ConnectionsUseUtc) {
  ASSERT_OK_AND_ASSIGN(QueryResult r,
                       con_->Query("SELECT TIMESTAMPTZ '2026-01-31 12:00:00+02' AS t"));
  EXPECT_EQ(r.rows[0][0], "2026-01-31 10:00:00+00");
}

TEST(QuoteTest, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

}  // namespace
}  // namespace faceberg::engine

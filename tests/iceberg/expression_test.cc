#include "iceberg/expression.h"

#include <cmath>
#include <limits>

#include "iceberg/single_value.h"
#include "iceberg/transform.h"
#include "test_util.h"
#include "util/time.h"

namespace faceberg::iceberg {
namespace {

class ExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = ParseSchemaString(
        "id long not null, name string, ts timestamptz, day date, price decimal(9,2), "
        "score double, ratio float, flag boolean, point struct<x: double, y: double>, "
        "split string, uid uuid, data binary, small int, t timestamp, clock time");
    ASSERT_OK(schema);
    schema_ = *schema;
  }

  int32_t Id(const std::string& name) const {
    auto c = ResolveColumn(*schema_, name);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->field_id : -1;
  }
  TypePtr TypeOf(const std::string& name) const { return ResolveColumn(*schema_, name)->type; }

  BoundExpressionPtr BindOrDie(const std::string& text) const {
    auto bound = ParseFilter(text, *schema_);
    EXPECT_TRUE(bound.ok()) << text << ": " << bound.status().ToString();
    return bound.ok() ? *bound : BoundExpression::False();
  }

  std::string Bytes(const std::string& column, const Value& v) const {
    auto b = ValueToBinary(v, *TypeOf(column));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : "";
  }

  // Metrics for one column of a file of `rows` rows.
  FileMetrics Metrics(const std::string& column, int64_t rows, std::optional<int64_t> nulls,
                      std::optional<Value> lower, std::optional<Value> upper,
                      std::optional<int64_t> nans = std::nullopt) const {
    FileMetrics m;
    m.record_count = rows;
    const int32_t id = Id(column);
    m.value_counts[id] = rows;
    if (nulls) m.null_value_counts[id] = *nulls;
    if (nans) m.nan_value_counts[id] = *nans;
    if (lower) m.lower_bounds[id] = Bytes(column, *lower);
    if (upper) m.upper_bounds[id] = Bytes(column, *upper);
    return m;
  }

  bool Might(const std::string& filter, const FileMetrics& m) const {
    return InclusiveMetricsEvaluator(BindOrDie(filter)).MightMatch(m);
  }
  bool All(const std::string& filter, const FileMetrics& m) const {
    return StrictMetricsEvaluator(BindOrDie(filter)).AllMatch(m);
  }

  SchemaPtr schema_;
};

// ---- parsing ----

TEST_F(ExpressionTest, ParsesTheFilterLanguage) {
  ASSERT_OK_AND_ASSIGN(auto e,
                       ParseExpression("split = 'train' AND id >= 10 AND name IS NOT NULL"));
  EXPECT_EQ(ToString(*e), "((split = 'train' AND id >= 10) AND name IS NOT NULL)");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("a in (1, -2.5, 'x') or not b is null and c <> 1e3"));
  EXPECT_EQ(ToString(*e), "(a IN (1, -2.5, 'x') OR (NOT b IS NULL AND c != 1e3))");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("x NOT IN (1,2) AND y IS NAN AND z IS NOT NAN"));
  EXPECT_EQ(ToString(*e), "((x NOT IN (1, 2) AND y IS NAN) AND z IS NOT NAN)");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("x BETWEEN 1 AND 5 AND y NOT BETWEEN 'a' AND 'b'"));
  EXPECT_EQ(ToString(*e), "((x >= 1 AND x <= 5) AND (y < 'a' OR y > 'b'))");
  // Literal on the left is flipped; TRUE / FALSE constants fold.
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("10 <= id AND TRUE"));
  EXPECT_EQ(ToString(*e), "id >= 10");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("FALSE OR (flag = true)"));
  EXPECT_EQ(ToString(*e), "flag = TRUE");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("   "));
  EXPECT_EQ(e->op(), Operation::kTrue);
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("x == +5 AND y>-3 AND z<.5"));
  EXPECT_EQ(ToString(*e), "((x = 5 AND y > -3) AND z < .5)");
}

TEST_F(ExpressionTest, ParsesStringsAndQuotedNames) {
  ASSERT_OK_AND_ASSIGN(auto e, ParseExpression("name = 'it''s' AND \"my \"\"col\" = ''"));
  ASSERT_EQ(e->op(), Operation::kAnd);
  const auto& left = e->left()->predicate();
  EXPECT_EQ(left.column, std::vector<std::string>{"name"});
  EXPECT_EQ(left.literals[0].kind, Literal::Kind::kString);
  EXPECT_EQ(left.literals[0].text, "it's");
  EXPECT_EQ(left.literals[0].position, 8);
  const auto& right = e->right()->predicate();
  EXPECT_EQ(right.column, std::vector<std::string>{"my \"col"});
  EXPECT_EQ(right.literals[0].text, "");
  EXPECT_EQ(ToString(*e), "(name = 'it''s' AND \"my \"\"col\" = '')");

  ASSERT_OK_AND_ASSIGN(e, ParseExpression("point.x > 1.5 AND \"a.b\".\"c\" = 1 AND \"and\" = 2"));
  EXPECT_EQ(e->left()->left()->predicate().column, (std::vector<std::string>{"point", "x"}));
  EXPECT_EQ(e->left()->right()->predicate().column, (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(e->right()->predicate().column, std::vector<std::string>{"and"});
  EXPECT_EQ(e->left()->left()->predicate().literals[0].kind, Literal::Kind::kNumber);
  // Keywords are case-insensitive, and a keyword can be a column only when quoted.
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("nan IS NOT NAN"));
  EXPECT_EQ(ToString(*e), "nan IS NOT NAN");
  ASSERT_OK_AND_ASSIGN(e, ParseExpression("Id Is Not Null oR x iN (1)"));
  EXPECT_EQ(ToString(*e), "(Id IS NOT NULL OR x IN (1))");
}

TEST_F(ExpressionTest, ParseErrorsSayWhatAndWhere) {
  EXPECT_ERROR(ParseExpression("split = 'train' AND id >="), ErrorCode::kInvalidArgument,
               "expected a value after '>=' at column 26 (the filter ends there)");
  EXPECT_ERROR(ParseExpression("id >= AND x = 1"), ErrorCode::kInvalidArgument,
               "expected a value after '>=' at column 7, found 'AND'");
  EXPECT_ERROR(ParseExpression("name = 'abc"), ErrorCode::kInvalidArgument,
               "unterminated string starting at column 8");
  EXPECT_ERROR(ParseExpression("\"abc = 1"), ErrorCode::kInvalidArgument,
               "unterminated quoted column name starting at column 1");
  EXPECT_ERROR(ParseExpression("id = 1 AND"), ErrorCode::kInvalidArgument,
               "expected a column, a condition or '(' at column 11");
  EXPECT_ERROR(ParseExpression("(id = 1 OR x = 2"), ErrorCode::kInvalidArgument,
               "expected ')' to close the '(' at column 1");
  EXPECT_ERROR(ParseExpression("id = 1 x = 2"), ErrorCode::kInvalidArgument,
               "expected AND, OR or the end of the filter at column 8, found 'x'");
  EXPECT_ERROR(ParseExpression("id # 1"), ErrorCode::kInvalidArgument,
               "unexpected character '#' at column 4");
  EXPECT_ERROR(ParseExpression("id ! 1"), ErrorCode::kInvalidArgument, "did you mean '!='?");
  EXPECT_ERROR(ParseExpression("id = NULL"), ErrorCode::kInvalidArgument, "IS NULL");
  EXPECT_ERROR(ParseExpression("id IN (1, NULL)"), ErrorCode::kInvalidArgument, "IS NULL");
  EXPECT_ERROR(ParseExpression("1 = 2"), ErrorCode::kInvalidArgument,
               "a comparison needs one column and one value");
  EXPECT_ERROR(ParseExpression("a = b"), ErrorCode::kInvalidArgument,
               "a comparison needs one column and one value");
  EXPECT_ERROR(ParseExpression("id IN ()"), ErrorCode::kInvalidArgument,
               "expected a value in the IN list at column 8, found ')'");
  EXPECT_ERROR(ParseExpression("id IN (1 2)"), ErrorCode::kInvalidArgument,
               "expected ',' or ')' in the IN list opened at column 7");
  EXPECT_ERROR(ParseExpression("id IN 1"), ErrorCode::kInvalidArgument, "expected '(' after IN");
  EXPECT_ERROR(ParseExpression("id IN (x)"), ErrorCode::kInvalidArgument,
               "a value must be a literal");
  EXPECT_ERROR(ParseExpression("id"), ErrorCode::kInvalidArgument,
               "expected a comparison (=, !=, <, <=, >, >=), IN, BETWEEN or IS after id at "
               "column 3");
  EXPECT_ERROR(ParseExpression("id IS 5"), ErrorCode::kInvalidArgument,
               "expected NULL, NOT NULL, NAN or NOT NAN after IS at column 7");
  EXPECT_ERROR(ParseExpression("id NOT LIKE 'a'"), ErrorCode::kInvalidArgument,
               "expected IN or BETWEEN after NOT at column 8");
  EXPECT_ERROR(ParseExpression("id BETWEEN 1 5"), ErrorCode::kInvalidArgument,
               "expected AND between the two BETWEEN values at column 14");
  EXPECT_ERROR(ParseExpression("5 IS NULL"), ErrorCode::kInvalidArgument,
               "IS needs a column on its left");
  EXPECT_ERROR(ParseExpression("id = 12abc"), ErrorCode::kInvalidArgument, "malformed number");
  EXPECT_ERROR(ParseExpression("id = 1e"), ErrorCode::kInvalidArgument, "malformed number");
  EXPECT_ERROR(ParseExpression("point. = 1"), ErrorCode::kInvalidArgument,
               "expected a field name after '.' at column 6");
  EXPECT_ERROR(ParseExpression("\"\" = 1"), ErrorCode::kInvalidArgument, "empty column name");
  // Non-ASCII text counts characters, not bytes.
  EXPECT_ERROR(ParseExpression("name = 'é' AND id >"), ErrorCode::kInvalidArgument, "at column 20");
  std::string deep(300, '(');
  EXPECT_ERROR(ParseExpression(deep + "x = 1" + std::string(300, ')')), ErrorCode::kInvalidArgument,
               "nests more than 200 levels");
}

// ---- binding ----

TEST_F(ExpressionTest, BindsNamesAndTypes) {
  auto e = BindOrDie("ID = 5 AND point.X > 1.5 AND day = '2026-01-31' AND price = 14.2");
  ASSERT_EQ(e->op(), Operation::kAnd);
  const auto& id = e->left()->left()->left()->predicate();
  EXPECT_EQ(id.field_id, Id("id"));
  EXPECT_EQ(id.name, "id");
  EXPECT_EQ(id.values[0], Value(int64_t{5}));
  const auto& x = e->left()->left()->right()->predicate();
  EXPECT_EQ(x.field_id, Id("point.x"));
  EXPECT_EQ(x.name, "point.x");
  EXPECT_EQ(x.values[0], Value(1.5));
  EXPECT_EQ(e->left()->right()->predicate().values[0],
            Value(static_cast<int32_t>(DaysFromCivil(2026, 1, 31))));
  EXPECT_EQ(e->right()->predicate().values[0], Value(Decimal128{1420}));

  e = BindOrDie(
      "ts >= '2026-01-31' AND small < 7 AND ratio = 0.1 AND flag = TRUE AND "
      "uid = 'f79c3e09-677c-4bbd-a479-3f349cb785e7' AND id = 10.0 AND score < 2");
  std::vector<BoundPredicate> preds;
  std::function<void(const BoundExpression&)> collect = [&](const BoundExpression& n) {
    if (n.is_predicate()) {
      preds.push_back(n.predicate());
    } else {
      collect(*n.left());
      collect(*n.right());
    }
  };
  collect(*e);
  ASSERT_EQ(preds.size(), 7u);
  EXPECT_EQ(preds[0].values[0], Value(DaysFromCivil(2026, 1, 31) * 86400 * 1000000));
  EXPECT_EQ(preds[1].values[0], Value(int32_t{7}));
  EXPECT_EQ(preds[2].values[0], Value(0.1f));
  EXPECT_EQ(preds[3].values[0], Value(true));
  EXPECT_EQ(std::get<std::string>(preds[4].values[0]).size(), 16u);
  EXPECT_EQ(preds[5].values[0], Value(int64_t{10}));
  EXPECT_EQ(preds[6].values[0], Value(2.0));
}

TEST_F(ExpressionTest, BindingPushesNotAndNormalizesIn) {
  EXPECT_EQ(ToString(*BindOrDie("NOT (id < 5 OR name IS NULL)")), "(id >= 5 AND name IS NOT NULL)");
  EXPECT_EQ(ToString(*BindOrDie("NOT NOT id = 5")), "id = 5");
  EXPECT_EQ(ToString(*BindOrDie("NOT (id IN (1, 2) AND score IS NAN)")),
            "(id NOT IN (1, 2) OR score IS NOT NAN)");
  EXPECT_EQ(ToString(*BindOrDie("id IN (3, 1, 3, 2)")), "id IN (1, 2, 3)");
  EXPECT_EQ(ToString(*BindOrDie("id IN (4, 4)")), "id = 4");
  EXPECT_EQ(ToString(*BindOrDie("id NOT IN (4)")), "id != 4");
  EXPECT_EQ(ToString(*BindOrDie("id NOT BETWEEN 1 AND 5")), "(id < 1 OR id > 5)");
  EXPECT_EQ(ToString(*BindOrDie("NOT TRUE OR split = 'a'")), "split = 'a'");
  EXPECT_EQ(ToString(*BindOrDie("day = '2026-01-31' AND price > 1")),
            "(day = '2026-01-31' AND price > 1.00)");
  EXPECT_EQ(BindOrDie("")->op(), Operation::kTrue);
}

TEST_F(ExpressionTest, BindingErrors) {
  EXPECT_ERROR(ParseFilter("nme = 1", *schema_), ErrorCode::kInvalidArgument,
               "unknown column 'nme': the columns are id, name, ts, day, price");
  EXPECT_ERROR(ParseFilter("point = 1", *schema_), ErrorCode::kInvalidArgument,
               "column 'point' is a struct: filter on one of its fields (x, y)");
  EXPECT_ERROR(ParseFilter("point.z = 1", *schema_), ErrorCode::kInvalidArgument,
               "struct 'point' has no field 'z': its fields are x, y");
  EXPECT_ERROR(ParseFilter("id.x = 1", *schema_), ErrorCode::kInvalidArgument,
               "column 'id' is long, which has no field 'x'");
  EXPECT_ERROR(ParseFilter("id = 'abc'", *schema_), ErrorCode::kInvalidArgument,
               "'abc' at column 6 does not fit column 'id' (long): 'abc' is not a long");
  EXPECT_ERROR(ParseFilter("ts > 2026", *schema_), ErrorCode::kInvalidArgument,
               "write the value in quotes, like '2026-01-31T12:30:00Z'");
  EXPECT_ERROR(ParseFilter("id = 1.5", *schema_), ErrorCode::kInvalidArgument,
               "1.5 is not a whole number");
  EXPECT_ERROR(ParseFilter("small = 3000000000", *schema_), ErrorCode::kInvalidArgument,
               "does not fit column 'small' (int)");
  EXPECT_ERROR(ParseFilter("small = 3e9", *schema_), ErrorCode::kInvalidArgument,
               "3e9 is out of range");
  EXPECT_ERROR(ParseFilter("flag = 1", *schema_), ErrorCode::kInvalidArgument, "use TRUE or FALSE");
  EXPECT_ERROR(ParseFilter("name = TRUE", *schema_), ErrorCode::kInvalidArgument,
               "TRUE and FALSE only compare with booleans");
  EXPECT_ERROR(ParseFilter("price = 1.234", *schema_), ErrorCode::kInvalidArgument,
               "does not fit column 'price' (decimal(9,2))");
  EXPECT_ERROR(ParseFilter("day = '2026-13-01'", *schema_), ErrorCode::kInvalidArgument,
               "does not fit column 'day' (date)");
  EXPECT_ERROR(ParseFilter("id IS NAN", *schema_), ErrorCode::kInvalidArgument,
               "IS NAN applies to float and double columns, and 'id' is long");
  EXPECT_ERROR(ParseFilter("id IN (1, 'x')", *schema_), ErrorCode::kInvalidArgument,
               "'x' at column 11 does not fit column 'id'");
  // Case-insensitive matching refuses ambiguity.
  auto twins = ParseSchemaString("a int, A int");
  ASSERT_OK(twins);
  EXPECT_OK(ParseFilter("a = 1 AND A = 2", **twins));
  EXPECT_ERROR(ParseFilter("\"a\" = 1 AND \"Ab\" = 1", **twins), ErrorCode::kInvalidArgument,
               "unknown column 'Ab'");
}

TEST_F(ExpressionTest, ResolveColumn) {
  ASSERT_OK_AND_ASSIGN(auto c, ResolveColumn(*schema_, "POINT.y"));
  EXPECT_EQ(c.name, "point.y");
  EXPECT_EQ(c.type->id(), TypeId::kDouble);
  ASSERT_OK_AND_ASSIGN(c, ResolveColumn(*schema_, "\"point\""));
  EXPECT_EQ(c.type->id(), TypeId::kStruct);
  EXPECT_ERROR(ResolveColumn(*schema_, "a b"), ErrorCode::kInvalidArgument, "is not a column name");
  EXPECT_ERROR(ResolveColumn(*schema_, "point."), ErrorCode::kInvalidArgument,
               "is not a column name");
  EXPECT_ERROR(ResolveColumn(*schema_, "nope"), ErrorCode::kInvalidArgument, "unknown column");
}

// ---- rows ----

TEST_F(ExpressionTest, RowsUseThreeValuedLogic) {
  std::map<int32_t, Value> row = {{Id("id"), Value(int64_t{1})}, {Id("name"), Value{}}};
  auto eval = [&](const std::string& filter) {
    return EvaluateRow(*BindOrDie(filter), [&](int32_t id) {
      auto it = row.find(id);
      return it == row.end() ? Value{} : it->second;
    });
  };
  EXPECT_TRUE(eval("id = 1"));
  EXPECT_FALSE(eval("name = 'x'"));
  EXPECT_FALSE(eval("name != 'x'"));
  EXPECT_FALSE(eval("NOT (name = 'x')"));
  EXPECT_TRUE(eval("name IS NULL"));
  EXPECT_FALSE(eval("name IS NOT NULL"));
  EXPECT_TRUE(eval("name = 'x' OR id = 1"));
  EXPECT_FALSE(eval("name = 'x' OR id = 2"));
  EXPECT_FALSE(eval("NOT (name = 'x' AND id = 1)"));  // NOT unknown is unknown
  EXPECT_TRUE(eval("NOT (name = 'x' AND id = 2)"));   // NOT false is true
  EXPECT_TRUE(eval("id IN (1, 2)"));
  EXPECT_FALSE(eval("id NOT IN (1, 2)"));
  EXPECT_FALSE(eval("name IN ('a', 'b')"));
  EXPECT_FALSE(eval("name NOT IN ('a', 'b')"));
  EXPECT_TRUE(eval("TRUE"));
  EXPECT_FALSE(eval("FALSE"));

  // Strings compare as UTF-8 bytes; NaN is above everything and equal to itself; -0 = +0.
  row[Id("name")] = Value(std::string("é"));
  EXPECT_TRUE(eval("name > 'z'"));
  row[Id("score")] = Value(std::nan(""));
  EXPECT_TRUE(eval("score > 100"));
  EXPECT_FALSE(eval("score < 100"));
  EXPECT_TRUE(eval("score = 'NaN'"));
  EXPECT_TRUE(eval("score IS NAN"));
  EXPECT_FALSE(eval("score IS NOT NAN"));
  EXPECT_TRUE(eval("score != 1"));
  row[Id("score")] = Value(-0.0);
  EXPECT_TRUE(eval("score = 0"));
  EXPECT_FALSE(eval("score < 0"));
  EXPECT_TRUE(eval("score IS NOT NAN"));
  row.erase(Id("score"));
  EXPECT_FALSE(eval("score IS NOT NAN"));  // null: unknown
  // Promoted values compare numerically (an int read for a long column).
  row[Id("id")] = Value(int32_t{7});
  EXPECT_TRUE(eval("id BETWEEN 7 AND 8"));
}

// ---- inclusive metrics ----

TEST_F(ExpressionTest, InclusiveMetricsOnBounds) {
  auto m = Metrics("id", 100, 0, Value(int64_t{10}), Value(int64_t{20}));
  EXPECT_FALSE(Might("id < 10", m));
  EXPECT_TRUE(Might("id <= 10", m));
  EXPECT_FALSE(Might("id > 20", m));
  EXPECT_TRUE(Might("id >= 20", m));
  EXPECT_FALSE(Might("id = 5", m));
  EXPECT_FALSE(Might("id = 21", m));
  EXPECT_TRUE(Might("id = 15", m));
  EXPECT_FALSE(Might("id IN (1, 30)", m));
  EXPECT_TRUE(Might("id IN (1, 15)", m));
  EXPECT_TRUE(Might("id != 10", m));
  EXPECT_TRUE(Might("id NOT IN (10, 20)", m));
  EXPECT_FALSE(Might("id IS NULL", m));
  EXPECT_TRUE(Might("id IS NOT NULL", m));
  EXPECT_FALSE(Might("id < 5 OR id > 25", m));
  EXPECT_TRUE(Might("id < 5 OR id > 15", m));
  EXPECT_FALSE(Might("id > 25 AND id < 12", m));
  EXPECT_TRUE(Might("id > 15 AND id < 12", m));  // each side alone might match
}

TEST_F(ExpressionTest, InclusiveMetricsSingleValueNullsAndMissingStats) {
  auto single = Metrics("id", 10, 0, Value(int64_t{7}), Value(int64_t{7}));
  EXPECT_FALSE(Might("id != 7", single));
  EXPECT_FALSE(Might("id NOT IN (7, 8)", single));
  EXPECT_TRUE(Might("id != 8", single));

  auto all_null = Metrics("name", 10, 10, std::nullopt, std::nullopt);
  EXPECT_FALSE(Might("name = 'a'", all_null));
  EXPECT_FALSE(Might("name != 'a'", all_null));
  EXPECT_FALSE(Might("name IS NOT NULL", all_null));
  EXPECT_TRUE(Might("name IS NULL", all_null));

  FileMetrics none;
  none.record_count = 10;
  EXPECT_TRUE(Might("id = 5 AND name < 'a' AND score IS NAN AND name IS NULL", none));
  none.record_count = 0;
  EXPECT_FALSE(Might("TRUE", none));

  // An undecodable bound counts as absent; a 4-byte bound on a long column reads as an int.
  auto bad = Metrics("id", 10, 0, std::nullopt, std::nullopt);
  bad.lower_bounds[Id("id")] = "abc";
  bad.upper_bounds[Id("id")] = std::string("\x05\0\0\0", 4);
  EXPECT_TRUE(Might("id = 1", bad));
  EXPECT_FALSE(Might("id = 6", bad));
}

TEST_F(ExpressionTest, InclusiveMetricsNaN) {
  auto some_nan = Metrics("score", 10, 0, Value(1.0), Value(2.0), /*nans=*/1);
  EXPECT_TRUE(Might("score > 5", some_nan));  // NaN > 5
  EXPECT_FALSE(Might("score < 0", some_nan));
  EXPECT_TRUE(Might("score = 'NaN'", some_nan));
  EXPECT_TRUE(Might("score IS NAN", some_nan));
  EXPECT_TRUE(Might("score IS NOT NAN", some_nan));
  auto no_nan = Metrics("score", 10, 0, Value(1.0), Value(2.0), /*nans=*/0);
  EXPECT_FALSE(Might("score > 5", no_nan));
  EXPECT_FALSE(Might("score IS NAN", no_nan));
  EXPECT_FALSE(Might("score = 'NaN'", no_nan));
  EXPECT_TRUE(Might("score < 'NaN'", no_nan));
  auto all_nan = Metrics("score", 10, 0, std::nullopt, std::nullopt, /*nans=*/10);
  EXPECT_FALSE(Might("score < 5", all_nan));
  EXPECT_TRUE(Might("score > 5", all_nan));
  EXPECT_FALSE(Might("score IS NOT NAN", all_nan));
  EXPECT_FALSE(Might("score IS NULL", all_nan));
  auto unknown_nan = Metrics("score", 10, 0, Value(1.0), Value(2.0));
  EXPECT_TRUE(Might("score > 5", unknown_nan));
  EXPECT_FALSE(Might("score < 0", unknown_nan));
  // A float bound read for a float column; -0 and +0 are equal.
  auto zero = Metrics("ratio", 10, 0, Value(-0.0f), Value(0.0f), 0);
  EXPECT_TRUE(Might("ratio = 0", zero));
  EXPECT_FALSE(Might("ratio < 0", zero));
}

TEST_F(ExpressionTest, InclusiveMetricsTruncatedStrings) {
  // Java-style truncate(16): the lower bound is a prefix of the smallest value and the upper
  // bound a prefix rounded up.
  auto m = Metrics("name", 10, 0, Value(std::string("abcdefghijklmnop")),
                   Value(std::string("abcdefghijklmnoq")));
  EXPECT_TRUE(Might("name = 'abcdefghijklmnopqrstuvwxyz'", m));
  EXPECT_FALSE(Might("name < 'abcdefghijklmnop'", m));
  EXPECT_TRUE(Might("name <= 'abcdefghijklmnop'", m));
  EXPECT_TRUE(Might("name < 'abcdefghijklmnopa'", m));
  EXPECT_FALSE(Might("name = 'abc'", m));
  EXPECT_FALSE(Might("name > 'abcdefghijklmnor'", m));
  // An upper bound equal to the literal might be an unrounded prefix of larger values.
  EXPECT_TRUE(Might("name > 'abcdefghijklmnoq'", m));
  EXPECT_FALSE(Might("name = 'abd'", m));
  // An upper bound truncated without rounding up still stands for longer values it prefixes.
  auto prefix = Metrics("name", 10, 0, Value(std::string("abcdefghijklmnop")),
                        Value(std::string("abcdefghijklmnop")));
  EXPECT_TRUE(Might("name = 'abcdefghijklmnopzzz'", prefix));
  EXPECT_TRUE(Might("name > 'abcdefghijklmnopa'", prefix));
  EXPECT_TRUE(Might("name != 'abcdefghijklmnop'", prefix));
  EXPECT_FALSE(Might("name > 'abd'", prefix));
  EXPECT_FALSE(Might("name = 'abcdefghijklmnoq'", prefix));
  // Binary bounds behave the same way.
  auto bin =
      Metrics("data", 10, 0, Value(std::string("\x01\x02", 2)), Value(std::string("\x01\x03", 2)));
  EXPECT_TRUE(Might("data = '0102ff'", bin));
  EXPECT_TRUE(Might("data = '0103ff'", bin));
  EXPECT_FALSE(Might("data = '0104'", bin));
}

// ---- strict metrics ----

TEST_F(ExpressionTest, StrictMetrics) {
  auto m = Metrics("id", 100, 0, Value(int64_t{10}), Value(int64_t{20}));
  EXPECT_TRUE(All("id >= 10", m));
  EXPECT_FALSE(All("id > 10", m));
  EXPECT_TRUE(All("id < 21", m));
  EXPECT_FALSE(All("id < 20", m));
  EXPECT_TRUE(All("id <= 20", m));
  EXPECT_TRUE(All("id != 25", m));
  EXPECT_FALSE(All("id != 15", m));
  EXPECT_TRUE(All("id NOT IN (1, 30)", m));
  EXPECT_FALSE(All("id NOT IN (1, 15)", m));
  EXPECT_TRUE(All("id IS NOT NULL", m));
  EXPECT_FALSE(All("id IS NULL", m));
  EXPECT_FALSE(All("id = 15", m));
  EXPECT_TRUE(All("id < 0 OR id >= 10", m));
  EXPECT_FALSE(All("id < 15 OR id > 15", m));  // each side alone may fail
  EXPECT_TRUE(All("id >= 10 AND id <= 20", m));

  auto single = Metrics("id", 10, 0, Value(int64_t{7}), Value(int64_t{7}));
  EXPECT_TRUE(All("id = 7", single));
  EXPECT_TRUE(All("id IN (6, 7)", single));

  auto nulls = Metrics("id", 100, 3, Value(int64_t{10}), Value(int64_t{20}));
  EXPECT_FALSE(All("id >= 10", nulls));
  EXPECT_FALSE(All("id IS NOT NULL", nulls));
  auto unknown_nulls = Metrics("id", 100, std::nullopt, Value(int64_t{10}), Value(int64_t{20}));
  EXPECT_FALSE(All("id >= 10", unknown_nulls));
  auto all_null = Metrics("name", 10, 10, std::nullopt, std::nullopt);
  EXPECT_TRUE(All("name IS NULL", all_null));
  EXPECT_FALSE(All("name = 'a'", all_null));

  FileMetrics empty;
  EXPECT_TRUE(All("id = 1", empty));
  FileMetrics none;
  none.record_count = 5;
  EXPECT_FALSE(All("id = 1", none));
  EXPECT_TRUE(All("TRUE", none));

  auto nan = Metrics("score", 10, 0, Value(1.0), Value(2.0), /*nans=*/1);
  EXPECT_TRUE(All("score > 0", nan));  // NaN > 0 too
  EXPECT_FALSE(All("score < 5", nan));
  EXPECT_FALSE(All("score IS NOT NAN", nan));
  auto no_nan = Metrics("score", 10, 0, Value(1.0), Value(2.0), /*nans=*/0);
  EXPECT_TRUE(All("score < 5", no_nan));
  EXPECT_TRUE(All("score IS NOT NAN", no_nan));
  auto unknown_nan = Metrics("score", 10, 0, Value(1.0), Value(2.0));
  EXPECT_FALSE(All("score < 5", unknown_nan));
  auto all_nan = Metrics("score", 10, 0, std::nullopt, std::nullopt, /*nans=*/10);
  EXPECT_TRUE(All("score IS NAN", all_nan));
  EXPECT_TRUE(All("score = 'NaN'", all_nan));

  // A truncated lower bound is still a lower bound.
  auto s = Metrics("name", 10, 0, Value(std::string("abcdefghijklmnop")),
                   Value(std::string("abcdefghijklmnoq")));
  EXPECT_TRUE(All("name >= 'abc'", s));
  EXPECT_TRUE(All("name > 'abcdefghijklmno'", s));
  EXPECT_FALSE(All("name = 'abcdefghijklmnop'", s));
}

TEST_F(ExpressionTest, IdentityPartitionValuesCompleteMetrics) {
  auto spec = ParsePartitionSpecString("split, day(ts)", *schema_);
  ASSERT_OK(spec);
  DataFile file;
  file.metrics = Metrics("id", 50, 0, Value(int64_t{1}), Value(int64_t{50}));
  file.partition = {Value(std::string("train")), Value(int32_t{20000})};
  FileMetrics completed = MetricsWithIdentityPartitions(file, *spec, *schema_);
  EXPECT_TRUE(All("split = 'train' AND id > 0", completed));
  EXPECT_FALSE(All("split = 'train' AND id > 1", completed));
  EXPECT_FALSE(Might("split = 'test'", completed));
  EXPECT_FALSE(Might("split IS NULL", completed));
  EXPECT_FALSE(All("split = 'train'", file.metrics));
  // The file's own metrics win; a null partition value means all nulls.
  file.partition[0] = Value{};
  completed = MetricsWithIdentityPartitions(file, *spec, *schema_);
  EXPECT_TRUE(All("split IS NULL", completed));
  file.metrics.null_value_counts[Id("split")] = 0;
  completed = MetricsWithIdentityPartitions(file, *spec, *schema_);
  EXPECT_FALSE(All("split IS NULL", completed));
}

// ---- projection ----

class ProjectionTest : public ExpressionTest {
 protected:
  PartitionFilter Filter(const std::string& spec_text, const std::string& filter) {
    auto spec = ParsePartitionSpecString(spec_text, *schema_);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return PartitionFilter::Make(*BindOrDie(filter), *spec);
  }
  Value Apply(const std::string& transform, const std::string& column, const Value& v) {
    auto t = Transform::Parse(transform);
    auto r = t->Apply(v, *TypeOf(column));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }
};

TEST_F(ProjectionTest, Identity) {
  auto f = Filter("split", "split = 'train'");
  EXPECT_EQ(ToString(*f.projected()), "split = 'train'");
  EXPECT_EQ(f.projected()->predicate().field_id, 1000);
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value(std::string("train"))}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(std::string("test"))}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value{}}));
  EXPECT_TRUE(f.MightMatch(PartitionValues{}));  // a tuple of the wrong arity prunes nothing
  f = Filter("split", "split IS NULL OR split NOT IN ('a', 'b')");
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value{}}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(std::string("a"))}));
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value(std::string("c"))}));
  // Predicates on other columns project to true.
  f = Filter("split", "id = 5");
  EXPECT_TRUE(f.always_true());
  f = Filter("split", "split = 'a' OR id > 5");
  EXPECT_TRUE(f.always_true());
  f = Filter("split", "split = 'a' AND id > 5");
  EXPECT_EQ(ToString(*f.projected()), "split = 'a'");
}

TEST_F(ProjectionTest, Bucket) {
  auto f = Filter("bucket(16, id)", "id = 34");
  const Value b34 = Apply("bucket[16]", "id", Value(int64_t{34}));
  EXPECT_EQ(ToString(*f.projected()), "id_bucket = " + ValueToString(b34, *Type::Int()));
  EXPECT_TRUE(f.MightMatch(PartitionValues{b34}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(int32_t{(std::get<int32_t>(b34) + 1) % 16})}));
  f = Filter("bucket(16, id)", "id IN (34, 35)");
  EXPECT_EQ(f.projected()->op(), Operation::kIn);
  EXPECT_TRUE(f.MightMatch(PartitionValues{Apply("bucket[16]", "id", Value(int64_t{35}))}));
  EXPECT_TRUE(Filter("bucket(16, id)", "id > 5").always_true());
  EXPECT_TRUE(Filter("bucket(16, id)", "id != 34").always_true());
  f = Filter("bucket(16, id)", "name IS NULL AND id IS NULL");
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value{}}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{b34}));
}

TEST_F(ProjectionTest, Truncate) {
  auto f = Filter("truncate(10, id)", "id < 20");
  EXPECT_EQ(ToString(*f.projected()), "id_trunc <= 10");  // id <= 19 -> trunc 10
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value(int64_t{10})}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(int64_t{20})}));
  f = Filter("truncate(10, id)", "id > 19");
  EXPECT_EQ(ToString(*f.projected()), "id_trunc >= 20");
  f = Filter("truncate(10, id)", "id >= 25 AND id <= 31");
  EXPECT_EQ(ToString(*f.projected()), "(id_trunc >= 20 AND id_trunc <= 30)");
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(int64_t{10})}));
  f = Filter("truncate(10, id)", "id = 25");
  EXPECT_EQ(ToString(*f.projected()), "id_trunc = 20");
  EXPECT_TRUE(Filter("truncate(10, id)", "id != 25").always_true());
  f = Filter("truncate(3, name)", "name = 'abcdef'");
  EXPECT_EQ(ToString(*f.projected()), "name_trunc = 'abc'");
  f = Filter("truncate(3, name)", "name < 'abd'");
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value(std::string("abd"))}));
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(std::string("abe"))}));
  f = Filter("truncate(100, price)", "price < 10");  // unscaled 1000 -> <= 999 -> trunc 900
  EXPECT_EQ(ToString(*f.projected()), "price_trunc <= 9.00");
}

TEST_F(ProjectionTest, TimeTransforms) {
  const int32_t jan31 = static_cast<int32_t>(DaysFromCivil(2026, 1, 31));
  auto f = Filter("day(ts)", "ts >= '2026-01-31T12:00:00Z'");
  EXPECT_EQ(ToString(*f.projected()), "ts_day >= '2026-01-31'");
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(jan31 - 1)}));
  EXPECT_TRUE(f.MightMatch(PartitionValues{Value(jan31)}));
  // ts < midnight Feb 1 is ts <= Jan 31 23:59:59.999999, so day Feb 1 is pruned.
  f = Filter("day(ts)", "ts < '2026-02-01'");
  EXPECT_EQ(ToString(*f.projected()), "ts_day <= '2026-01-31'");
  EXPECT_FALSE(f.MightMatch(PartitionValues{Value(jan31 + 1)}));
  f = Filter("day(ts)", "ts = '2026-01-31T05:00:00Z'");
  EXPECT_EQ(ToString(*f.projected()), "ts_day = '2026-01-31'");
  EXPECT_TRUE(Filter("day(ts)", "ts != '2026-01-31'").always_true());
  f = Filter("month(ts)", "ts > '2026-01-31T23:59:59.999999Z'");
  EXPECT_EQ(ToString(*f.projected()), "ts_month >= 673");  // Feb 2026
  f = Filter("year(day)", "day BETWEEN '2025-06-01' AND '2026-02-01'");
  EXPECT_EQ(ToString(*f.projected()), "(day_year >= 55 AND day_year <= 56)");
  f = Filter("hour(t)", "t <= '1970-01-01 01:30:00'");
  EXPECT_EQ(ToString(*f.projected()), "t_hour <= 1");
  f = Filter("day(ts)", "ts < '1970-01-01'");  // before the epoch: floors
  EXPECT_EQ(ToString(*f.projected()), "ts_day <= '1969-12-31'");
}

TEST_F(ProjectionTest, SeveralFieldsOneSourceAndVoid) {
  auto f = Filter("day(ts), bucket(4, ts)", "ts = '2026-01-31T05:00:00Z'");
  EXPECT_EQ(f.projected()->op(), Operation::kAnd);
  EXPECT_TRUE(Filter("void(id)", "id = 1").always_true());
}

TEST_F(ProjectionTest, ManifestSummaries) {
  auto f = Filter("split", "split = 'validation'");
  FieldSummary s;
  s.lower_bound = "test";
  s.upper_bound = "train";
  EXPECT_FALSE(f.MightMatch(std::vector<FieldSummary>{s}));
  EXPECT_TRUE(Filter("split", "split = 'train'").MightMatch(std::vector<FieldSummary>{s}));
  EXPECT_TRUE(Filter("split", "split > 'tesa'").MightMatch(std::vector<FieldSummary>{s}));
  EXPECT_FALSE(Filter("split", "split IS NULL").MightMatch(std::vector<FieldSummary>{s}));
  EXPECT_TRUE(f.MightMatch(std::vector<FieldSummary>{}));  // no summaries: cannot prune
  FieldSummary only_null;
  only_null.contains_null = true;
  EXPECT_FALSE(f.MightMatch(std::vector<FieldSummary>{only_null}));
  EXPECT_TRUE(Filter("split", "split IS NULL").MightMatch(std::vector<FieldSummary>{only_null}));
  EXPECT_FALSE(
      Filter("split", "split IS NOT NULL").MightMatch(std::vector<FieldSummary>{only_null}));
  FieldSummary unknown;  // no nulls, no bounds: a writer that left them out
  EXPECT_TRUE(f.MightMatch(std::vector<FieldSummary>{unknown}));

  const int32_t jan31 = static_cast<int32_t>(DaysFromCivil(2026, 1, 31));
  auto days = Filter("split, day(ts)", "ts >= '2026-02-01' AND split = 'train'");
  FieldSummary d;
  d.lower_bound = *ValueToBinary(Value(jan31 - 10), *Type::Date());
  d.upper_bound = *ValueToBinary(Value(jan31), *Type::Date());
  EXPECT_FALSE(days.MightMatch(std::vector<FieldSummary>{s, d}));
  d.upper_bound = *ValueToBinary(Value(jan31 + 1), *Type::Date());
  EXPECT_TRUE(days.MightMatch(std::vector<FieldSummary>{s, d}));

  auto nan = Filter("score", "score > 100");
  FieldSummary n;
  n.lower_bound = *ValueToBinary(Value(1.0), *Type::Double());
  n.upper_bound = *ValueToBinary(Value(2.0), *Type::Double());
  n.contains_nan = false;
  EXPECT_FALSE(nan.MightMatch(std::vector<FieldSummary>{n}));
  n.contains_nan = true;
  EXPECT_TRUE(nan.MightMatch(std::vector<FieldSummary>{n}));
}

// ---- SQL ----

TEST_F(ExpressionTest, ToSql) {
  auto sql = [&](const std::string& filter) {
    auto r = ToSql(*BindOrDie(filter), *schema_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  };
  EXPECT_EQ(sql("split = 'it''s' AND id >= 10 AND name IS NOT NULL"),
            "((\"split\" = 'it''s' AND \"id\" >= 10) AND \"name\" IS NOT NULL)");
  EXPECT_EQ(sql("day = '2026-01-31'"), "\"day\" = DATE '2026-01-31'");
  EXPECT_EQ(sql("ts >= '2026-01-31T12:30:00.5Z'"),
            "\"ts\" >= TIMESTAMPTZ '2026-01-31 12:30:00.500000+00:00'");
  EXPECT_EQ(sql("t < '2026-01-31'"), "\"t\" < TIMESTAMP '2026-01-31 00:00:00'");
  EXPECT_EQ(sql("clock = '12:30'"), "\"clock\" = TIME '12:30:00'");
  EXPECT_EQ(sql("price != 14.2"), "\"price\" <> CAST('14.20' AS DECIMAL(9,2))");
  EXPECT_EQ(sql("ratio = 0.1"), "\"ratio\" = CAST('0.1' AS FLOAT)");
  EXPECT_EQ(sql("score < 'NaN' OR score > '-inf'"),
            "(\"score\" < CAST('NaN' AS DOUBLE) OR \"score\" > CAST('-Infinity' AS DOUBLE))");
  EXPECT_EQ(sql("id IN (3, 1)"), "\"id\" IN (1, 3)");
  EXPECT_EQ(sql("NOT id IN (3, 1)"), "\"id\" NOT IN (1, 3)");
  EXPECT_EQ(sql("point.x > 1.5"), "\"point\".\"x\" > CAST('1.5' AS DOUBLE)");
  EXPECT_EQ(sql("score IS NAN OR score IS NOT NAN"), "(isnan(\"score\") OR NOT isnan(\"score\"))");
  EXPECT_EQ(sql("flag = FALSE AND name IS NULL"), "(\"flag\" = FALSE AND \"name\" IS NULL)");
  EXPECT_EQ(sql("uid = 'F79C3E09677C4BBDA4793F349CB785E7'"),
            "\"uid\" = CAST('f79c3e09-677c-4bbd-a479-3f349cb785e7' AS UUID)");
  EXPECT_EQ(sql("data = '00ff'"), "\"data\" = CAST('\\x00\\xFF' AS BLOB)");
  EXPECT_EQ(sql(""), "TRUE");
  EXPECT_EQ(sql("FALSE"), "FALSE");

  // Names come from the schema given, so a renamed column gets its new name.
  Schema renamed(1, {NestedField{Id("id"), "id", true, Type::Long()},
                     NestedField{Id("name"), "we\"ird", false, Type::String()}});
  ASSERT_OK_AND_ASSIGN(auto bound, ParseFilter("name = 'x'", *schema_));
  ASSERT_OK_AND_ASSIGN(std::string text, ToSql(*bound, renamed));
  EXPECT_EQ(text, "\"we\"\"ird\" = 'x'");
  ASSERT_OK_AND_ASSIGN(bound, ParseFilter("score = 1", *schema_));
  EXPECT_ERROR(ToSql(*bound, renamed), ErrorCode::kInvalidArgument, "is not in the schema");

  EXPECT_EQ(*ToSqlLiteral(Value{}, *Type::String()), "NULL");
  EXPECT_EQ(*ToSqlLiteral(Value(int64_t{-5}), *Type::Long()), "-5");
  EXPECT_EQ(QuoteSqlIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_ERROR(ToSqlLiteral(Value(1.5), *Type::String()), ErrorCode::kInvalidArgument, "");
}

}  // namespace
}  // namespace faceberg::iceberg

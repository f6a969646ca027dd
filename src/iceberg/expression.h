// Row filters: the CLI filter language, binding to a schema, and evaluation of bound filters on
// rows, on data-file metrics (inclusive and strict), on partition tuples and manifest partition
// summaries (through an inclusive projection onto a partition spec), and as a DuckDB WHERE
// clause.
//
// Semantics are SQL's, as DuckDB runs the residual filter: a comparison with a null value is
// unknown, NOT of unknown is unknown, AND/OR follow three-valued logic, and a row matches only
// when the filter is true. Floating-point values order as DuckDB orders them: NaN equals NaN and
// is greater than every other value, and -0 equals +0. Every evaluator here agrees with these
// semantics, so pruning never drops a row DuckDB would return.
//
// The filter language (keywords are case-insensitive):
//   expr      := or
//   or        := and (OR and)*
//   and       := not (AND not)*
//   not       := NOT not | primary
//   primary   := '(' expr ')' | TRUE | FALSE | predicate
//   predicate := operand (= | != | <> | < | <= | > | >=) operand
//              | column [NOT] IN '(' literal (',' literal)* ')'
//              | column [NOT] BETWEEN literal AND literal
//              | column IS [NOT] NULL | column IS [NOT] NAN
//   operand   := column | literal
//   column    := part ('.' part)*     part: a bare name [A-Za-z_][A-Za-z0-9_]* or "double quoted"
//   literal   := integer | decimal/float (1.5, -2e3) | 'string' ('' escapes a quote)
//              | TRUE | FALSE
// One side of a comparison must be a column and the other a literal. NULL is rejected as a value
// (use IS NULL). Dotted names address struct fields.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/metrics.h"
#include "iceberg/partition_spec.h"
#include "iceberg/schema.h"
#include "iceberg/types.h"
#include "iceberg/value.h"
#include "util/result.h"

namespace faceberg::iceberg {

enum class Operation {
  kTrue,
  kFalse,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kNotNull,
  kIsNan,
  kNotNan,
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kEq,
  kNotEq,
  kIn,
  kNotIn,
};

/// The filter-language spelling: "<=", "!=", "IN", "IS NULL", "AND", ...
std::string_view OperationName(Operation op);

/// A literal as written, before binding gives it a type.
struct Literal {
  enum class Kind {
    kInteger,  // -12
    kNumber,   // 1.5, 2e3: a number with a fraction or an exponent
    kString,   // 'text', quotes removed and '' unescaped
    kBoolean,  // TRUE / FALSE, text "true" / "false"
  };
  Kind kind = Kind::kString;
  std::string text;
  /// 1-based character column in the filter text (0 when built by hand).
  int position = 0;

  bool operator==(const Literal&) const = default;
};

/// A predicate as parsed: a column path and literal text.
struct UnboundPredicate {
  Operation op = Operation::kEq;
  /// One element per struct level: a.b -> {"a", "b"}.
  std::vector<std::string> column;
  /// One for comparisons, one or more for IN / NOT IN, none for IS [NOT] NULL / NAN.
  std::vector<Literal> literals;
  int position = 0;
};

/// A predicate bound to a schema (or, after projection, to a partition spec's fields).
struct BoundPredicate {
  Operation op = Operation::kEq;
  /// A schema field id, or a partition field id for projected predicates.
  int32_t field_id = 0;
  /// The full dotted name in the bound schema (the partition field name after projection).
  std::string name;
  TypePtr type;
  /// Typed literals: one for comparisons; for IN / NOT IN at least two, sorted and distinct in
  /// filter order (a single value is bound as = / !=); none for null and NaN checks.
  std::vector<Value> values;
};

/// An immutable expression tree node. AND, OR and NOT have children; predicates have a payload.
/// The factories fold constants: And(True, x) is x, Or(True, x) is True, Not(False) is True.
/// Shared through ExprNode::Ptr; safe to read from several threads.
template <typename P>
class ExprNode {
  struct Token {
    explicit Token() = default;
  };

 public:
  using Ptr = std::shared_ptr<const ExprNode>;

  /// Use the factories.
  ExprNode(Token, Operation op, Ptr left, Ptr right, std::optional<P> predicate)
      : op_(op),
        left_(std::move(left)),
        right_(std::move(right)),
        predicate_(std::move(predicate)) {}

  static Ptr True() {
    static const Ptr node = Make(Operation::kTrue, nullptr, nullptr, std::nullopt);
    return node;
  }
  static Ptr False() {
    static const Ptr node = Make(Operation::kFalse, nullptr, nullptr, std::nullopt);
    return node;
  }
  static Ptr And(Ptr left, Ptr right) {
    if (left->op() == Operation::kFalse || right->op() == Operation::kFalse) return False();
    if (left->op() == Operation::kTrue) return right;
    if (right->op() == Operation::kTrue) return left;
    return Make(Operation::kAnd, std::move(left), std::move(right), std::nullopt);
  }
  static Ptr Or(Ptr left, Ptr right) {
    if (left->op() == Operation::kTrue || right->op() == Operation::kTrue) return True();
    if (left->op() == Operation::kFalse) return right;
    if (right->op() == Operation::kFalse) return left;
    return Make(Operation::kOr, std::move(left), std::move(right), std::nullopt);
  }
  static Ptr Not(Ptr child) {
    if (child->op() == Operation::kTrue) return False();
    if (child->op() == Operation::kFalse) return True();
    return Make(Operation::kNot, std::move(child), nullptr, std::nullopt);
  }
  static Ptr Predicate(P predicate) {
    Operation op = predicate.op;
    return Make(op, nullptr, nullptr, std::move(predicate));
  }

  Operation op() const { return op_; }
  bool is_predicate() const { return predicate_.has_value(); }
  /// AND / OR: both children; NOT: left() is the child. Null for other nodes.
  const Ptr& left() const { return left_; }
  const Ptr& right() const { return right_; }
  /// REQUIRES: is_predicate().
  const P& predicate() const { return *predicate_; }

 private:
  static Ptr Make(Operation op, Ptr left, Ptr right, std::optional<P> predicate) {
    return std::make_shared<const ExprNode>(Token{}, op, std::move(left), std::move(right),
                                            std::move(predicate));
  }

  Operation op_;
  Ptr left_;
  Ptr right_;
  std::optional<P> predicate_;
};

/// A parsed filter whose names and literals are not yet checked against a schema.
using Expression = ExprNode<UnboundPredicate>;
using ExpressionPtr = Expression::Ptr;
/// A filter bound to a schema. Bound filters never contain NOT: binding pushes negations into
/// the predicates (NOT a < 1 is a >= 1), which is exact under the semantics above.
using BoundExpression = ExprNode<BoundPredicate>;
using BoundExpressionPtr = BoundExpression::Ptr;

/// The filter-language form: "(id >= 10 AND name IS NOT NULL)".
std::string ToString(const Expression& expr);
/// The filter-language form with typed values: "ts >= '2026-01-31T00:00:00+00:00'".
std::string ToString(const BoundExpression& expr);

// ---- parsing and binding ----

/// Parses a filter. Blank text gives True.
/// Errors: InvalidArgument saying what was expected and where ("expected a value after '>=' at
/// column 14").
Result<ExpressionPtr> ParseExpression(std::string_view text);

/// Resolves column paths, converts literals to the column types (integers and decimals to numeric
/// types; quoted text through ParseValue, so '2026-01-31' works for dates and timestamps), turns
/// single-value IN into =, and pushes NOT into the predicates. Names match exactly, else by a
/// unique case-insensitive match.
/// Errors: InvalidArgument naming an unknown column (and listing the columns), a nested column
/// that is not a struct field, a literal that does not fit the column type, or IS NAN on a column
/// that is not float or double.
Result<BoundExpressionPtr> Bind(const Expression& expr, const Schema& schema);

/// ParseExpression then Bind. Blank text gives True.
Result<BoundExpressionPtr> ParseFilter(std::string_view text, const Schema& schema);

/// A column of a schema found by name.
struct ResolvedColumn {
  int32_t field_id = 0;
  /// The full dotted name as the schema spells it.
  std::string name;
  TypePtr type;
};

/// Finds a column by a reference in the filter language's column syntax ("a.b", "\"odd name\""),
/// at any struct depth, exactly or by a unique case-insensitive match. Structs may be named.
/// Errors: InvalidArgument for a malformed reference or an unknown column (listing the columns).
Result<ResolvedColumn> ResolveColumn(const Schema& schema, std::string_view reference);

// ---- evaluation ----

/// Gives the value of a field (by field id) of one row; null for a missing value.
using FieldValueFn = std::function<Value(int32_t field_id)>;

/// True when the row satisfies `expr` (unknown counts as not satisfied).
bool EvaluateRow(const BoundExpression& expr, const FieldValueFn& row);

/// Answers "may a data file with these metrics hold a row matching the filter?" from its record
/// count, value / null / NaN counts and lower / upper bounds. False only when no row can match.
/// Bounds are decoded leniently (ValueFromBinary; undecodable bounds count as absent). Truncated
/// string and binary bounds are handled: a lower bound is a prefix of the smallest value, and an
/// upper bound that is a prefix of the literal may stand for larger values (a writer that did not
/// round it up), so it never prunes. Thread-safe.
class InclusiveMetricsEvaluator {
 public:
  /// `expr` is bound to the schema whose field ids key the metrics.
  explicit InclusiveMetricsEvaluator(BoundExpressionPtr expr) : expr_(std::move(expr)) {}

  bool MightMatch(const FileMetrics& metrics) const;

 private:
  BoundExpressionPtr expr_;
};

/// Answers "do all rows of a data file with these metrics match the filter?" (to drop whole
/// files in a copy-on-write delete). True only when the metrics prove it: comparisons need a zero
/// null count and bounds on the right side; bounds are trusted as the spec defines them (lower <=
/// every value <= upper). Empty files match vacuously. Thread-safe.
class StrictMetricsEvaluator {
 public:
  explicit StrictMetricsEvaluator(BoundExpressionPtr expr) : expr_(std::move(expr)) {}

  bool AllMatch(const FileMetrics& metrics) const;

 private:
  BoundExpressionPtr expr_;
};

/// The metrics of `file` completed from its partition tuple: every identity-partitioned source
/// column that the file has no metrics for (such as an HF "split" column that lives only in the
/// partition) gets exact counts and bounds from the partition value. Fields of `spec` whose
/// source is not in `schema`, and values that do not encode, are skipped.
FileMetrics MetricsWithIdentityPartitions(const DataFile& file, const PartitionSpec& spec,
                                          const Schema& schema);

/// The inclusive projection of a row filter onto one partition spec, and its evaluation on a data
/// file's partition tuple and on a manifest's partition summaries. A partition (or manifest) is
/// rejected only when no row in it can match the row filter.
///
/// Projection by transform: identity keeps every predicate; bucket projects = and IN (and null
/// checks); truncate and year/month/day/hour project =, IN and range predicates (a strict < or >
/// on a discrete type is first tightened to <= / >=); void, unknown transforms and predicates
/// without a projection become true. Predicates on several partition fields of one source are
/// all applied. Thread-safe.
class PartitionFilter {
 public:
  /// `row_filter` is bound to the schema whose field ids the spec's source ids refer to.
  static PartitionFilter Make(const BoundExpression& row_filter, const PartitionSpec& spec);

  /// The projected filter; its predicates use partition field ids, names and result types.
  const BoundExpressionPtr& projected() const { return projected_; }
  /// True when the projection is the constant true (nothing can be pruned).
  bool always_true() const { return projected_->op() == Operation::kTrue; }

  /// May a file with this partition tuple (values in spec order) hold a matching row?
  bool MightMatch(const PartitionValues& partition) const;
  /// May a manifest with these partition summaries (one per spec field) hold a matching row?
  bool MightMatch(const std::vector<FieldSummary>& summaries) const;

 private:
  PartitionFilter(BoundExpressionPtr projected, std::map<int32_t, size_t> index)
      : projected_(std::move(projected)), index_(std::move(index)) {}

  BoundExpressionPtr projected_;
  /// Partition field id -> position in the tuple.
  std::map<int32_t, size_t> index_;
};

// ---- SQL ----

/// A DuckDB identifier: "name" with embedded quotes doubled.
std::string QuoteSqlIdentifier(std::string_view name);
/// Quotes an SQL string literal: it's -> 'it''s'.
std::string QuoteSqlString(std::string_view text);

/// A typed DuckDB literal for `value` of `type`: TRUE, 42, CAST('1.5' AS DOUBLE),
/// CAST('14.20' AS DECIMAL(9,2)), DATE '2026-01-31', TIME '12:00:00', TIMESTAMP '...',
/// TIMESTAMPTZ '...+00:00', 'it''s', CAST('...' AS UUID), '\x01\xAB'::BLOB, NULL.
/// Errors: InvalidArgument when the value does not match the type; NotSupported for nested types.
Result<std::string> ToSqlLiteral(const Value& value, const Type& type);

/// A DuckDB WHERE condition equivalent to `expr`, naming columns by their path in `schema`
/// ("a"."b" for struct fields). True / false give TRUE / FALSE.
/// Errors: InvalidArgument when a field id is not a struct-reachable column of `schema`.
Result<std::string> ToSql(const BoundExpression& expr, const Schema& schema);

}  // namespace faceberg::iceberg

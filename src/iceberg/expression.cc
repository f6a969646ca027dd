#include "iceberg/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "iceberg/single_value.h"
#include "util/strings.h"

namespace faceberg::iceberg {

namespace {

using BoundPtr = BoundExpressionPtr;

// ---- operations ----

Operation Negate(Operation op) {
  switch (op) {
    case Operation::kTrue:
      return Operation::kFalse;
    case Operation::kFalse:
      return Operation::kTrue;
    case Operation::kIsNull:
      return Operation::kNotNull;
    case Operation::kNotNull:
      return Operation::kIsNull;
    case Operation::kIsNan:
      return Operation::kNotNan;
    case Operation::kNotNan:
      return Operation::kIsNan;
    case Operation::kLt:
      return Operation::kGtEq;
    case Operation::kLtEq:
      return Operation::kGt;
    case Operation::kGt:
      return Operation::kLtEq;
    case Operation::kGtEq:
      return Operation::kLt;
    case Operation::kEq:
      return Operation::kNotEq;
    case Operation::kNotEq:
      return Operation::kEq;
    case Operation::kIn:
      return Operation::kNotIn;
    case Operation::kNotIn:
      return Operation::kIn;
    default:
      return op;  // AND / OR / NOT are negated structurally
  }
}

// `literal op column` as `column op' literal`.
Operation Flip(Operation op) {
  switch (op) {
    case Operation::kLt:
      return Operation::kGt;
    case Operation::kLtEq:
      return Operation::kGtEq;
    case Operation::kGt:
      return Operation::kLt;
    case Operation::kGtEq:
      return Operation::kLtEq;
    default:
      return op;
  }
}

bool IsComparison(Operation op) {
  return op == Operation::kLt || op == Operation::kLtEq || op == Operation::kGt ||
         op == Operation::kGtEq || op == Operation::kEq || op == Operation::kNotEq;
}

bool IsFloating(const Type& type) {
  return type.id() == TypeId::kFloat || type.id() == TypeId::kDouble;
}

bool MayBeTruncated(const Type& type) {
  return type.id() == TypeId::kString || type.id() == TypeId::kBinary ||
         type.id() == TypeId::kFixed;
}

std::optional<double> AsDouble(const Value& v) {
  if (auto* f = std::get_if<float>(&v)) return static_cast<double>(*f);
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

bool IsNaN(const Value& v) {
  auto d = AsDouble(v);
  return d && std::isnan(*d);
}

Value NaNValue() { return Value(std::numeric_limits<double>::quiet_NaN()); }

// The filter order: CompareValues, except that floats compare as DuckDB compares them (NaN equals
// NaN and is above everything; -0 equals +0).
int FilterCompare(const Value& a, const Value& b) {
  auto da = AsDouble(a), db = AsDouble(b);
  if (da && db) {
    bool a_nan = std::isnan(*da), b_nan = std::isnan(*db);
    if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
    return *da < *db ? -1 : (*da > *db ? 1 : 0);
  }
  return CompareValues(a, b);
}

bool Contains(const std::vector<Value>& sorted, const Value& v) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), v, [](const Value& a, const Value& b) {
    return FilterCompare(a, b) < 0;
  });
  return it != sorted.end() && FilterCompare(*it, v) == 0;
}

void SortDistinct(std::vector<Value>* values) {
  std::sort(values->begin(), values->end(),
            [](const Value& a, const Value& b) { return FilterCompare(a, b) < 0; });
  values->erase(
      std::unique(values->begin(), values->end(),
                  [](const Value& a, const Value& b) { return FilterCompare(a, b) == 0; }),
      values->end());
}

// Applies a comparison, IN or NaN-check predicate to a non-null value.
bool TestValue(const BoundPredicate& p, const Value& v) {
  switch (p.op) {
    case Operation::kIsNan:
      return IsNaN(v);
    case Operation::kNotNan:
      return !IsNaN(v);
    case Operation::kIn:
      return Contains(p.values, v);
    case Operation::kNotIn:
      return !Contains(p.values, v);
    default:
      break;
  }
  if (p.values.empty()) return false;
  int c = FilterCompare(v, p.values[0]);
  switch (p.op) {
    case Operation::kLt:
      return c < 0;
    case Operation::kLtEq:
      return c <= 0;
    case Operation::kGt:
      return c > 0;
    case Operation::kGtEq:
      return c >= 0;
    case Operation::kEq:
      return c == 0;
    case Operation::kNotEq:
      return c != 0;
    default:
      return false;
  }
}

// ---- names ----

bool IsBareName(std::string_view name) {
  if (name.empty()) return false;
  auto first = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(first) || first == '_' || first >= 0x80)) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_' || c >= 0x80)) return false;
  }
  // NAN is a keyword only after IS, so a column may be called nan.
  static const std::set<std::string> kKeywords = {"and",  "or",   "not",   "in",     "is",
                                                  "null", "true", "false", "between"};
  return kKeywords.count(ToLower(name)) == 0;
}

std::string QuoteNamePart(std::string_view name) {
  if (IsBareName(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string DisplayPath(const std::vector<std::string>& path) {
  std::vector<std::string> parts;
  for (const auto& p : path) parts.push_back(QuoteNamePart(p));
  return Join(parts, ".");
}

// ---- lexer ----

enum class TokenKind {
  kEnd,
  kName,
  kQuotedName,
  kString,
  kNumber,
  kOperator,
  kLParen,
  kRParen,
  kComma,
  kDot
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // names and strings unquoted; operators and numbers as written
  size_t offset = 0;  // byte offset in the filter text
  bool integer = false;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // 1-based character column of a byte offset (UTF-8 continuation bytes do not count).
  int Column(size_t offset) const {
    int column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return column;
  }

  Result<std::vector<Token>> Tokenize() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      Token t;
      t.offset = pos_;
      if (pos_ >= text_.size()) {
        tokens.push_back(t);
        return tokens;
      }
      const char c = text_[pos_];
      const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
      const bool after_name = !tokens.empty() && (tokens.back().kind == TokenKind::kName ||
                                                  tokens.back().kind == TokenKind::kQuotedName);
      auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
      if (c == '(' || c == ')' || c == ',') {
        t.kind =
            c == '(' ? TokenKind::kLParen : (c == ')' ? TokenKind::kRParen : TokenKind::kComma);
        t.text = std::string(1, c);
        ++pos_;
      } else if (c == '.' && !(digit(next) && !after_name)) {
        t.kind = TokenKind::kDot;
        t.text = ".";
        ++pos_;
      } else if (digit(c) || (c == '.' && digit(next)) ||
                 ((c == '-' || c == '+') &&
                  (digit(next) ||
                   (next == '.' && pos_ + 2 < text_.size() && digit(text_[pos_ + 2]))))) {
        RETURN_IF_ERROR(LexNumber(&t));
      } else if (c == '\'') {
        RETURN_IF_ERROR(LexQuoted('\'', "string", &t));
        t.kind = TokenKind::kString;
      } else if (c == '"') {
        RETURN_IF_ERROR(LexQuoted('"', "quoted column name", &t));
        t.kind = TokenKind::kQuotedName;
        if (t.text.empty()) {
          return InvalidArgument("empty column name \"\" at column {}", Column(t.offset));
        }
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                 static_cast<unsigned char>(c) >= 0x80) {
        size_t start = pos_;
        while (pos_ < text_.size()) {
          auto ch = static_cast<unsigned char>(text_[pos_]);
          if (!(std::isalnum(ch) || ch == '_' || ch >= 0x80)) break;
          ++pos_;
        }
        t.kind = TokenKind::kName;
        t.text = std::string(text_.substr(start, pos_ - start));
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        t.kind = TokenKind::kOperator;
        std::string two(text_.substr(pos_, 2));
        if (two == "<=" || two == ">=" || two == "!=" || two == "<>" || two == "==") {
          t.text = two;
          pos_ += 2;
        } else if (c == '!') {
          return InvalidArgument("unexpected character '!' at column {}: did you mean '!='?",
                                 Column(pos_));
        } else {
          t.text = std::string(1, c);
          ++pos_;
        }
      } else {
        return InvalidArgument("unexpected character '{}' at column {}", c, Column(pos_));
      }
      tokens.push_back(std::move(t));
    }
  }

 private:
  Status LexNumber(Token* t) {
    auto digit = [&](size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
    size_t start = pos_;
    if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
    bool integer = true;
    while (digit(pos_)) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integer = false;
      ++pos_;
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t e = pos_ + 1;
      if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
      if (!digit(e)) {
        return InvalidArgument("malformed number '{}' at column {}", text_.substr(start, e - start),
                               Column(start));
      }
      integer = false;
      pos_ = e;
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < text_.size()) {
      auto ch = static_cast<unsigned char>(text_[pos_]);
      if (std::isalnum(ch) || ch == '_' || ch == '.') {
        return InvalidArgument("malformed number at column {}: a number cannot run into '{}'",
                               Column(start), text_[pos_]);
      }
    }
    std::string_view number = text_.substr(start, pos_ - start);
    if (!number.empty() && number[0] == '+') number.remove_prefix(1);
    t->kind = TokenKind::kNumber;
    t->text = std::string(number);
    t->integer = integer;
    return Status::OK();
  }

  // Reads a quote-delimited token where a doubled quote stands for one.
  Status LexQuoted(char quote, std::string_view what, Token* t) {
    size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) {
        return InvalidArgument("unterminated {} starting at column {}: close it with {}", what,
                               Column(start), quote);
      }
      char c = text_[pos_++];
      if (c == quote) {
        if (pos_ < text_.size() && text_[pos_] == quote) {
          out += quote;
          ++pos_;
          continue;
        }
        break;
      }
      out += c;
    }
    t->text = std::move(out);
    return Status::OK();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---- parser ----

constexpr int kMaxDepth = 200;

class Parser {
 public:
  Parser(const Lexer& lexer, std::vector<Token> tokens)
      : lexer_(lexer), tokens_(std::move(tokens)) {}

  Result<ExpressionPtr> Parse() {
    ASSIGN_OR_RETURN(ExpressionPtr expr, ParseOr(0));
    if (Peek().kind != TokenKind::kEnd) {
      return Unexpected("expected AND, OR or the end of the filter", Peek());
    }
    return expr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(index_ + ahead, tokens_.size() - 1)];
  }
  const Token& Advance() {
    const Token& t = tokens_[index_];
    if (index_ + 1 < tokens_.size()) ++index_;
    return t;
  }
  static bool IsKeyword(const Token& t, std::string_view keyword) {
    return t.kind == TokenKind::kName && ToLower(t.text) == keyword;
  }
  bool AcceptKeyword(std::string_view keyword) {
    if (!IsKeyword(Peek(), keyword)) return false;
    Advance();
    return true;
  }
  int Column(const Token& t) const { return lexer_.Column(t.offset); }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kString:
        return QuoteSqlString(t.text);
      case TokenKind::kQuotedName:
        return QuoteNamePart(t.text);
      default:
        return "'" + t.text + "'";
    }
  }
  Status Unexpected(std::string_view expected, const Token& t) const {
    if (t.kind == TokenKind::kEnd) {
      return InvalidArgument("{} at column {} (the filter ends there)", expected, Column(t));
    }
    return InvalidArgument("{} at column {}, found {}", expected, Column(t), Describe(t));
  }

  Result<ExpressionPtr> ParseOr(int depth) {
    ASSIGN_OR_RETURN(ExpressionPtr left, ParseAnd(depth));
    while (AcceptKeyword("or")) {
      ASSIGN_OR_RETURN(ExpressionPtr right, ParseAnd(depth));
      left = Expression::Or(std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExpressionPtr> ParseAnd(int depth) {
    ASSIGN_OR_RETURN(ExpressionPtr left, ParseNot(depth));
    while (AcceptKeyword("and")) {
      ASSIGN_OR_RETURN(ExpressionPtr right, ParseNot(depth));
      left = Expression::And(std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExpressionPtr> ParseNot(int depth) {
    if (depth > kMaxDepth) {
      return InvalidArgument("the filter nests more than {} levels deep at column {}", kMaxDepth,
                             Column(Peek()));
    }
    if (AcceptKeyword("not")) {
      ASSIGN_OR_RETURN(ExpressionPtr child, ParseNot(depth + 1));
      return Expression::Not(std::move(child));
    }
    return ParsePrimary(depth);
  }

  Result<ExpressionPtr> ParsePrimary(int depth) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      Advance();
      ASSIGN_OR_RETURN(ExpressionPtr inner, ParseOr(depth + 1));
      if (Peek().kind != TokenKind::kRParen) {
        return Unexpected(fmt::format("expected ')' to close the '(' at column {}", Column(t)),
                          Peek());
      }
      Advance();
      return inner;
    }
    // A bare TRUE / FALSE is a constant unless a comparison follows.
    if ((IsKeyword(t, "true") || IsKeyword(t, "false")) && Peek(1).kind != TokenKind::kOperator) {
      Advance();
      return IsKeyword(t, "true") ? Expression::True() : Expression::False();
    }
    return ParsePredicate();
  }

  struct Operand {
    bool is_column = false;
    std::vector<std::string> column;
    Literal literal;
    const Token* token = nullptr;
  };

  // A column path or a literal; `context` describes what is expected for errors.
  Result<Operand> ParseOperand(std::string_view context) {
    const Token& t = Peek();
    Operand op;
    op.token = &t;
    if (t.kind == TokenKind::kName || t.kind == TokenKind::kQuotedName) {
      if (t.kind == TokenKind::kName) {
        std::string lower = ToLower(t.text);
        if (lower == "true" || lower == "false") {
          Advance();
          op.literal = Literal{Literal::Kind::kBoolean, lower, Column(t)};
          return op;
        }
        if (lower == "null") {
          return InvalidArgument(
              "NULL is not a value to compare with (column {}): use 'column IS NULL' or "
              "'column IS NOT NULL'",
              Column(t));
        }
        if (!IsBareName(t.text)) return Unexpected(context, t);
      }
      op.is_column = true;
      op.column.push_back(Advance().text);
      while (Peek().kind == TokenKind::kDot) {
        const Token& dot = Advance();
        const Token& part = Peek();
        if (part.kind == TokenKind::kQuotedName ||
            (part.kind == TokenKind::kName && IsBareName(part.text))) {
          op.column.push_back(Advance().text);
        } else {
          return Unexpected(
              fmt::format("expected a field name after '.' at column {}", Column(dot)), part);
        }
      }
      return op;
    }
    if (t.kind == TokenKind::kString || t.kind == TokenKind::kNumber) {
      Advance();
      Literal::Kind kind = t.kind == TokenKind::kString
                               ? Literal::Kind::kString
                               : (t.integer ? Literal::Kind::kInteger : Literal::Kind::kNumber);
      op.literal = Literal{kind, t.text, Column(t)};
      return op;
    }
    return Unexpected(context, t);
  }

  Result<Literal> ParseLiteral(std::string_view context) {
    ASSIGN_OR_RETURN(Operand op, ParseOperand(context));
    if (op.is_column) {
      return InvalidArgument("{} at column {}, found the column {}: a value must be a literal",
                             context, Column(*op.token), DisplayPath(op.column));
    }
    return op.literal;
  }

  Result<ExpressionPtr> ParsePredicate() {
    ASSIGN_OR_RETURN(Operand left, ParseOperand("expected a column, a condition or '('"));
    const Token& t = Peek();
    const int left_column = Column(*left.token);
    const std::string left_text = left.is_column ? DisplayPath(left.column) : Describe(*left.token);
    if (t.kind == TokenKind::kOperator) {
      const Token& op_token = Advance();
      Operation op = Operation::kEq;
      if (op_token.text == "<") op = Operation::kLt;
      if (op_token.text == "<=") op = Operation::kLtEq;
      if (op_token.text == ">") op = Operation::kGt;
      if (op_token.text == ">=") op = Operation::kGtEq;
      if (op_token.text == "!=" || op_token.text == "<>") op = Operation::kNotEq;
      ASSIGN_OR_RETURN(Operand right,
                       ParseOperand(fmt::format("expected a value after '{}'", op_token.text)));
      if (left.is_column == right.is_column) {
        return InvalidArgument("{} {} {} at column {}: a comparison needs one column and one value",
                               left_text, op_token.text,
                               right.is_column ? DisplayPath(right.column) : Describe(*right.token),
                               left_column);
      }
      UnboundPredicate p;
      p.op = left.is_column ? op : Flip(op);
      p.column = left.is_column ? left.column : right.column;
      p.literals = {left.is_column ? right.literal : left.literal};
      p.position = left.is_column ? left_column : Column(*right.token);
      return Expression::Predicate(std::move(p));
    }
    const bool negated = IsKeyword(t, "not");
    const Token& keyword = negated ? Peek(1) : t;
    const bool known = IsKeyword(keyword, "in") || IsKeyword(keyword, "between") ||
                       (!negated && IsKeyword(keyword, "is"));
    if (!known) {
      if (negated) return Unexpected("expected IN or BETWEEN after NOT", keyword);
      return Unexpected(fmt::format("expected a comparison (=, !=, <, <=, >, >=), IN, BETWEEN or "
                                    "IS after {}",
                                    left_text),
                        t);
    }
    if (!left.is_column) {
      return InvalidArgument("{} at column {}: {} needs a column on its left", left_text,
                             left_column, ToUpper(keyword.text));
    }
    UnboundPredicate p;
    p.column = left.column;
    p.position = left_column;
    if (negated) Advance();
    if (AcceptKeyword("in")) {
      if (Peek().kind != TokenKind::kLParen) {
        return Unexpected("expected '(' after IN", Peek());
      }
      const Token& open = Advance();
      while (true) {
        ASSIGN_OR_RETURN(Literal lit, ParseLiteral("expected a value in the IN list"));
        p.literals.push_back(std::move(lit));
        if (Peek().kind != TokenKind::kComma) break;
        Advance();
      }
      if (Peek().kind != TokenKind::kRParen) {
        return Unexpected(
            fmt::format("expected ',' or ')' in the IN list opened at column {}", Column(open)),
            Peek());
      }
      Advance();
      p.op = negated ? Operation::kNotIn : Operation::kIn;
      return Expression::Predicate(std::move(p));
    }
    if (AcceptKeyword("between")) {
      ASSIGN_OR_RETURN(Literal low, ParseLiteral("expected a value after BETWEEN"));
      if (!AcceptKeyword("and")) {
        return Unexpected("expected AND between the two BETWEEN values", Peek());
      }
      ASSIGN_OR_RETURN(Literal high, ParseLiteral("expected a value after BETWEEN ... AND"));
      UnboundPredicate lo = p, hi = p;
      lo.op = negated ? Operation::kLt : Operation::kGtEq;
      lo.literals = {std::move(low)};
      hi.op = negated ? Operation::kGt : Operation::kLtEq;
      hi.literals = {std::move(high)};
      auto a = Expression::Predicate(std::move(lo));
      auto b = Expression::Predicate(std::move(hi));
      return negated ? Expression::Or(a, b) : Expression::And(a, b);
    }
    Advance();  // IS
    const bool is_not = AcceptKeyword("not");
    if (AcceptKeyword("null")) {
      p.op = is_not ? Operation::kNotNull : Operation::kIsNull;
    } else if (AcceptKeyword("nan")) {
      p.op = is_not ? Operation::kNotNan : Operation::kIsNan;
    } else {
      const char* expected = is_not ? "expected NULL or NAN after IS NOT"
                                    : "expected NULL, NOT NULL, NAN or NOT NAN after IS";
      return Unexpected(expected, Peek());
    }
    return Expression::Predicate(std::move(p));
  }

  static std::string ToUpper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  const Lexer& lexer_;
  std::vector<Token> tokens_;
  size_t index_ = 0;
};

// ---- binding ----

std::string ListColumns(const std::vector<NestedField>& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) {
    if (names.size() == 40) {
      names.push_back(fmt::format("... ({} in all)", fields.size()));
      break;
    }
    names.push_back(QuoteNamePart(f.name));
  }
  return names.empty() ? "(none)" : Join(names, ", ");
}

Result<const NestedField*> ResolvePath(const Schema& schema, const std::vector<std::string>& path,
                                       std::string* full_name) {
  if (path.empty()) return InvalidArgument("empty column name");
  const std::vector<NestedField>* fields = &schema.fields();
  const NestedField* field = nullptr;
  std::vector<std::string> resolved;
  for (const auto& part : path) {
    if (!fields) {
      return InvalidArgument(
          "column '{}' is {}, which has no field '{}': filters reach struct "
          "fields only",
          DisplayPath(resolved), field->type->ToString(), part);
    }
    const NestedField* found = nullptr;
    int insensitive = 0;
    const NestedField* insensitive_match = nullptr;
    const std::string lower = ToLower(part);
    for (const auto& f : *fields) {
      if (f.name == part) {
        found = &f;
        break;
      }
      if (ToLower(f.name) == lower) {
        ++insensitive;
        insensitive_match = &f;
      }
    }
    if (!found && insensitive == 1) found = insensitive_match;
    if (!found) {
      if (insensitive > 1) {
        return InvalidArgument(
            "column name '{}' matches several columns that differ only in "
            "case: write it exactly, in double quotes",
            part);
      }
      if (resolved.empty()) {
        return InvalidArgument("unknown column '{}': the columns are {}", DisplayPath(path),
                               ListColumns(*fields));
      }
      return InvalidArgument("struct '{}' has no field '{}': its fields are {}",
                             DisplayPath(resolved), part, ListColumns(*fields));
    }
    field = found;
    resolved.push_back(field->name);
    fields = field->type->id() == TypeId::kStruct ? &field->type->fields() : nullptr;
  }
  *full_name = Join(resolved, ".");
  return field;
}

std::string LiteralToString(const Literal& lit) {
  switch (lit.kind) {
    case Literal::Kind::kString:
      return QuoteSqlString(lit.text);
    case Literal::Kind::kBoolean:
      return lit.text == "true" ? "TRUE" : "FALSE";
    default:
      return lit.text;
  }
}

std::string QuoteExample(const Type& type) {
  switch (type.id()) {
    case TypeId::kDate:
      return "'2026-01-31'";
    case TypeId::kTime:
      return "'12:30:00'";
    case TypeId::kTimestamp:
      return "'2026-01-31 12:30:00'";
    case TypeId::kTimestampTz:
      return "'2026-01-31T12:30:00Z'";
    case TypeId::kUuid:
      return "'f79c3e09-677c-4bbd-a479-3f349cb785e7'";
    case TypeId::kBinary:
    case TypeId::kFixed:
      return "'cafe' (hex)";
    default:
      return "'text'";
  }
}

Result<Value> ConvertLiteral(const Literal& lit, const NestedField& field,
                             const std::string& name) {
  const Type& type = *field.type;
  auto fail = [&](const std::string& reason) {
    std::string where = lit.position > 0 ? fmt::format(" at column {}", lit.position) : "";
    return InvalidArgument("{}{} does not fit column '{}' ({}): {}", LiteralToString(lit), where,
                           name, type.ToString(), reason);
  };
  const bool numeric = type.id() == TypeId::kInt || type.id() == TypeId::kLong ||
                       type.id() == TypeId::kFloat || type.id() == TypeId::kDouble ||
                       type.id() == TypeId::kDecimal;
  switch (lit.kind) {
    case Literal::Kind::kBoolean:
      if (type.id() != TypeId::kBoolean) return fail("TRUE and FALSE only compare with booleans");
      return Value(lit.text == "true");
    case Literal::Kind::kInteger:
    case Literal::Kind::kNumber: {
      if (!numeric) {
        if (type.id() == TypeId::kBoolean) return fail("use TRUE or FALSE");
        return fail("write the value in quotes, like " + QuoteExample(type));
      }
      if (lit.kind == Literal::Kind::kNumber &&
          (type.id() == TypeId::kInt || type.id() == TypeId::kLong)) {
        // 10.0 and 1e3 are whole numbers; 1.5 is not.
        ASSIGN_OR_RETURN(TypePtr whole, Type::Decimal(38, 0));
        auto parsed = ParseValue(lit.text, *whole);
        if (!parsed.ok()) return fail(fmt::format("{} is not a whole number", lit.text));
        __int128 v = std::get<Decimal128>(*parsed).unscaled;
        const __int128 lo = type.id() == TypeId::kInt ? std::numeric_limits<int32_t>::min()
                                                      : std::numeric_limits<int64_t>::min();
        const __int128 hi = type.id() == TypeId::kInt ? std::numeric_limits<int32_t>::max()
                                                      : std::numeric_limits<int64_t>::max();
        if (v < lo || v > hi) return fail(fmt::format("{} is out of range", lit.text));
        if (type.id() == TypeId::kInt) return Value(static_cast<int32_t>(v));
        return Value(static_cast<int64_t>(v));
      }
      auto parsed = ParseValue(lit.text, type);
      if (!parsed.ok()) return fail(parsed.status().message());
      return *parsed;
    }
    case Literal::Kind::kString: {
      auto parsed = ParseValue(lit.text, type);
      if (!parsed.ok()) return fail(parsed.status().message());
      return *parsed;
    }
  }
  return fail("unsupported literal");
}

Result<BoundPtr> BindPredicate(const UnboundPredicate& p, const Schema& schema, bool negate) {
  std::string name;
  ASSIGN_OR_RETURN(const NestedField* field, ResolvePath(schema, p.column, &name));
  if (!field->type->is_primitive()) {
    if (field->type->id() == TypeId::kStruct) {
      return InvalidArgument("column '{}' is a struct: filter on one of its fields ({})", name,
                             ListColumns(field->type->fields()));
    }
    return InvalidArgument("column '{}' is {}: filters apply to primitive columns only", name,
                           field->type->ToString());
  }
  BoundPredicate b;
  b.op = negate ? Negate(p.op) : p.op;
  b.field_id = field->id;
  b.name = name;
  b.type = field->type;
  if (p.op == Operation::kIsNan || p.op == Operation::kNotNan) {
    if (!IsFloating(*field->type)) {
      return InvalidArgument("IS NAN applies to float and double columns, and '{}' is {}", name,
                             field->type->ToString());
    }
  }
  for (const auto& lit : p.literals) {
    ASSIGN_OR_RETURN(Value v, ConvertLiteral(lit, *field, name));
    b.values.push_back(std::move(v));
  }
  if (IsComparison(p.op) && b.values.size() != 1) {
    return InvalidArgument("comparison on '{}' needs exactly one value", name);
  }
  if (b.op == Operation::kIn || b.op == Operation::kNotIn) {
    if (b.values.empty()) return InvalidArgument("IN on '{}' needs at least one value", name);
    SortDistinct(&b.values);
    if (b.values.size() == 1) b.op = b.op == Operation::kIn ? Operation::kEq : Operation::kNotEq;
  }
  return BoundExpression::Predicate(std::move(b));
}

Result<BoundPtr> BindNode(const Expression& e, const Schema& schema, bool negate) {
  switch (e.op()) {
    case Operation::kTrue:
      return negate ? BoundExpression::False() : BoundExpression::True();
    case Operation::kFalse:
      return negate ? BoundExpression::True() : BoundExpression::False();
    case Operation::kNot:
      return BindNode(*e.left(), schema, !negate);
    case Operation::kAnd:
    case Operation::kOr: {
      ASSIGN_OR_RETURN(BoundPtr l, BindNode(*e.left(), schema, negate));
      ASSIGN_OR_RETURN(BoundPtr r, BindNode(*e.right(), schema, negate));
      // De Morgan holds in three-valued logic.
      const bool is_and = (e.op() == Operation::kAnd) != negate;
      return is_and ? BoundExpression::And(std::move(l), std::move(r))
                    : BoundExpression::Or(std::move(l), std::move(r));
    }
    default:
      if (!e.is_predicate()) return Internal("malformed expression node");
      return BindPredicate(e.predicate(), schema, negate);
  }
}

// ---- display ----

std::string ValueDisplay(const Value& v, const Type& type) {
  if (IsNull(v)) return "NULL";
  switch (type.id()) {
    case TypeId::kBoolean:
      return std::get_if<bool>(&v) && std::get<bool>(v) ? "TRUE" : "FALSE";
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDecimal:
      return ValueToString(v, type);
    case TypeId::kFloat:
    case TypeId::kDouble: {
      auto d = AsDouble(v);
      if (d && std::isfinite(*d)) return ValueToString(v, type);
      return d && std::isnan(*d) ? "'NaN'" : (d && *d > 0 ? "'Infinity'" : "'-Infinity'");
    }
    default:
      return QuoteSqlString(ValueToString(v, type));
  }
}

template <typename P, typename PredicateFn>
std::string NodeToString(const ExprNode<P>& e, const PredicateFn& predicate) {
  switch (e.op()) {
    case Operation::kTrue:
      return "TRUE";
    case Operation::kFalse:
      return "FALSE";
    case Operation::kNot:
      return "NOT " + NodeToString(*e.left(), predicate);
    case Operation::kAnd:
    case Operation::kOr:
      return "(" + NodeToString(*e.left(), predicate) +
             (e.op() == Operation::kAnd ? " AND " : " OR ") + NodeToString(*e.right(), predicate) +
             ")";
    default:
      return predicate(e.predicate());
  }
}

std::string PredicateToString(Operation op, const std::string& column,
                              const std::vector<std::string>& values) {
  switch (op) {
    case Operation::kIsNull:
    case Operation::kNotNull:
    case Operation::kIsNan:
    case Operation::kNotNan:
      return column + " " + std::string(OperationName(op));
    case Operation::kIn:
    case Operation::kNotIn:
      return column + " " + std::string(OperationName(op)) + " (" + Join(values, ", ") + ")";
    default:
      return column + " " + std::string(OperationName(op)) + " " +
             (values.empty() ? "?" : values[0]);
  }
}

// ---- row evaluation ----

enum class Tri { kFalse, kTrue, kUnknown };

Tri EvalRow(const BoundExpression& e, const FieldValueFn& row) {
  switch (e.op()) {
    case Operation::kTrue:
      return Tri::kTrue;
    case Operation::kFalse:
      return Tri::kFalse;
    case Operation::kNot: {
      Tri c = EvalRow(*e.left(), row);
      return c == Tri::kUnknown ? c : (c == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
    }
    case Operation::kAnd: {
      Tri l = EvalRow(*e.left(), row);
      if (l == Tri::kFalse) return l;
      Tri r = EvalRow(*e.right(), row);
      if (r == Tri::kFalse) return r;
      return l == Tri::kTrue && r == Tri::kTrue ? Tri::kTrue : Tri::kUnknown;
    }
    case Operation::kOr: {
      Tri l = EvalRow(*e.left(), row);
      if (l == Tri::kTrue) return l;
      Tri r = EvalRow(*e.right(), row);
      if (r == Tri::kTrue) return r;
      return l == Tri::kFalse && r == Tri::kFalse ? Tri::kFalse : Tri::kUnknown;
    }
    default:
      break;
  }
  const BoundPredicate& p = e.predicate();
  const Value v = row(p.field_id);
  if (p.op == Operation::kIsNull) return IsNull(v) ? Tri::kTrue : Tri::kFalse;
  if (p.op == Operation::kNotNull) return IsNull(v) ? Tri::kFalse : Tri::kTrue;
  if (IsNull(v)) return Tri::kUnknown;
  return TestValue(p, v) ? Tri::kTrue : Tri::kFalse;
}

// ---- column statistics ----

// What one column of a file (or one partition field of a manifest) may hold. Each "may" flag is
// false only when the statistics prove the kind of value absent.
struct ColumnStats {
  bool may_have_null = true;
  bool may_have_nan = false;
  bool may_have_value = true;  // a non-null, non-NaN value
  std::optional<Value> lower;
  std::optional<Value> upper;
  // The upper bound may be a truncated prefix that a writer did not round up.
  bool upper_may_be_truncated = false;
};

template <typename V>
std::optional<V> Find(const std::map<int32_t, V>& m, int32_t id) {
  auto it = m.find(id);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<Value> DecodeBound(const std::optional<std::string>& bytes, const Type& type) {
  if (!bytes) return std::nullopt;
  auto v = ValueFromBinary(*bytes, type);
  if (!v.ok() || IsNull(*v) || IsNaN(*v)) return std::nullopt;
  return *v;
}

ColumnStats StatsFromMetrics(const FileMetrics& m, int32_t id, const Type& type) {
  ColumnStats s;
  const bool floating = IsFloating(type);
  s.upper_may_be_truncated = MayBeTruncated(type);
  auto values = Find(m.value_counts, id);
  auto nulls = Find(m.null_value_counts, id);
  auto nans = Find(m.nan_value_counts, id);
  s.may_have_null = !nulls || *nulls > 0;
  s.may_have_nan = floating && (!nans || *nans > 0);
  if (values) {
    if (nulls && *nulls >= *values) {
      s.may_have_nan = false;
      s.may_have_value = false;
    } else if (floating && nans && *nans >= *values) {
      s.may_have_null = false;
      s.may_have_value = false;
    } else if (nulls && (!floating || nans) && *nulls + (floating ? *nans : 0) >= *values) {
      s.may_have_value = false;
    }
  }
  s.lower = DecodeBound(Find(m.lower_bounds, id), type);
  s.upper = DecodeBound(Find(m.upper_bounds, id), type);
  return s;
}

ColumnStats StatsFromSummary(const FieldSummary& summary, const Type& type) {
  ColumnStats s;
  const bool floating = IsFloating(type);
  s.may_have_null = summary.contains_null;
  s.may_have_nan = floating && summary.contains_nan.value_or(true);
  // Bounds are absent when every value is null or NaN (or when a writer left them out, which the
  // null and NaN flags then do not explain).
  s.may_have_value = summary.lower_bound.has_value() ||
                     !(summary.contains_null || (floating && summary.contains_nan.value_or(false)));
  s.lower = DecodeBound(summary.lower_bound, type);
  s.upper = DecodeBound(summary.upper_bound, type);
  return s;
}

bool IsPrefixOf(const Value& prefix, const Value& value) {
  auto* p = std::get_if<std::string>(&prefix);
  auto* v = std::get_if<std::string>(&value);
  return p && v && StartsWith(*v, *p);
}

// May some non-null, non-NaN value within the bounds satisfy `p`?
bool BoundsMightMatch(const BoundPredicate& p, const ColumnStats& s) {
  // Some value may be below (or at) `lit`: the lower bound is <= the smallest value.
  auto may_be_below = [&](const Value& lit, bool or_equal) {
    if (!s.lower) return true;
    int c = FilterCompare(*s.lower, lit);
    return or_equal ? c <= 0 : c < 0;
  };
  // Some value may be above (or at) `lit`: the upper bound is >= the largest value, unless it is a
  // truncated prefix that was not rounded up, which may stand for anything it prefixes.
  auto may_be_above = [&](const Value& lit, bool or_equal) {
    if (!s.upper) return true;
    int c = FilterCompare(*s.upper, lit);
    if (or_equal ? c >= 0 : c > 0) return true;
    return s.upper_may_be_truncated && IsPrefixOf(*s.upper, lit);
  };
  auto may_equal = [&](const Value& lit) {
    return may_be_below(lit, true) && may_be_above(lit, true);
  };
  // Every value equals the single bound value (only provable from exact bounds).
  auto single_value = [&]() -> std::optional<Value> {
    if (!s.lower || !s.upper || s.upper_may_be_truncated) return std::nullopt;
    if (FilterCompare(*s.lower, *s.upper) != 0) return std::nullopt;
    return s.lower;
  };
  switch (p.op) {
    case Operation::kLt:
      return may_be_below(p.values[0], false);
    case Operation::kLtEq:
      return may_be_below(p.values[0], true);
    case Operation::kGt:
      return may_be_above(p.values[0], false);
    case Operation::kGtEq:
      return may_be_above(p.values[0], true);
    case Operation::kEq:
      return may_equal(p.values[0]);
    case Operation::kIn:
      return std::any_of(p.values.begin(), p.values.end(), may_equal);
    case Operation::kNotEq: {
      auto only = single_value();
      return !only || FilterCompare(*only, p.values[0]) != 0;
    }
    case Operation::kNotIn: {
      auto only = single_value();
      return !only || !Contains(p.values, *only);
    }
    default:
      return true;
  }
}

bool MightMatch(const BoundPredicate& p, const ColumnStats& s) {
  switch (p.op) {
    case Operation::kIsNull:
      return s.may_have_null;
    case Operation::kNotNull:
      return s.may_have_nan || s.may_have_value;
    case Operation::kIsNan:
      return s.may_have_nan;
    case Operation::kNotNan:
      return s.may_have_value;
    default:
      break;
  }
  if (p.values.empty()) return true;
  if (s.may_have_nan && TestValue(p, NaNValue())) return true;
  if (!s.may_have_value) return false;
  return BoundsMightMatch(p, s);
}

// Do all non-null, non-NaN values within the bounds satisfy `p`?
bool BoundsAllMatch(const BoundPredicate& p, const ColumnStats& s) {
  const auto& lo = s.lower;
  const auto& hi = s.upper;
  auto outside = [&](const Value& lit) {
    return (lo && FilterCompare(*lo, lit) > 0) || (hi && FilterCompare(*hi, lit) < 0);
  };
  switch (p.op) {
    case Operation::kLt:
      return hi && FilterCompare(*hi, p.values[0]) < 0;
    case Operation::kLtEq:
      return hi && FilterCompare(*hi, p.values[0]) <= 0;
    case Operation::kGt:
      return lo && FilterCompare(*lo, p.values[0]) > 0;
    case Operation::kGtEq:
      return lo && FilterCompare(*lo, p.values[0]) >= 0;
    case Operation::kEq:
      return lo && hi && FilterCompare(*lo, p.values[0]) == 0 &&
             FilterCompare(*hi, p.values[0]) == 0;
    case Operation::kIn:
      return lo && hi && FilterCompare(*lo, *hi) == 0 && Contains(p.values, *lo);
    case Operation::kNotEq:
      return outside(p.values[0]);
    case Operation::kNotIn:
      return std::all_of(p.values.begin(), p.values.end(), outside);
    default:
      return false;
  }
}

bool AllMatch(const BoundPredicate& p, const ColumnStats& s) {
  switch (p.op) {
    case Operation::kIsNull:
      return !s.may_have_nan && !s.may_have_value;
    case Operation::kNotNull:
      return !s.may_have_null;
    case Operation::kIsNan:
      return !s.may_have_null && !s.may_have_value;
    case Operation::kNotNan:
      return !s.may_have_null && !s.may_have_nan;
    default:
      break;
  }
  if (p.values.empty() || s.may_have_null) return false;
  if (s.may_have_nan && !TestValue(p, NaNValue())) return false;
  if (!s.may_have_value) return true;
  return BoundsAllMatch(p, s);
}

bool InclusiveEval(const BoundExpression& e, const FileMetrics& m) {
  switch (e.op()) {
    case Operation::kTrue:
      return true;
    case Operation::kFalse:
      return false;
    case Operation::kNot:
      return true;  // bound expressions have no NOT; stay inclusive if one was built by hand
    case Operation::kAnd:
      return InclusiveEval(*e.left(), m) && InclusiveEval(*e.right(), m);
    case Operation::kOr:
      return InclusiveEval(*e.left(), m) || InclusiveEval(*e.right(), m);
    default: {
      const BoundPredicate& p = e.predicate();
      return MightMatch(p, StatsFromMetrics(m, p.field_id, *p.type));
    }
  }
}

bool StrictEval(const BoundExpression& e, const FileMetrics& m) {
  switch (e.op()) {
    case Operation::kTrue:
      return true;
    case Operation::kFalse:
      return false;
    case Operation::kNot:
      return false;
    case Operation::kAnd:
      return StrictEval(*e.left(), m) && StrictEval(*e.right(), m);
    case Operation::kOr:
      return StrictEval(*e.left(), m) || StrictEval(*e.right(), m);
    default: {
      const BoundPredicate& p = e.predicate();
      return AllMatch(p, StatsFromMetrics(m, p.field_id, *p.type));
    }
  }
}

// ---- projection ----

// The neighbour of a value of a discrete type (`delta` is +1 or -1); nullopt for continuous types
// or at the edge of the range.
std::optional<Value> Adjacent(const Value& v, const Type& type, int delta) {
  switch (type.id()) {
    case TypeId::kInt:
    case TypeId::kDate: {
      auto* i = std::get_if<int32_t>(&v);
      if (!i) return std::nullopt;
      int64_t n = int64_t{*i} + delta;
      if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
        return std::nullopt;
      }
      return Value(static_cast<int32_t>(n));
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t n = 0;
      if (auto* i = std::get_if<int32_t>(&v)) {
        n = *i;
      } else if (auto* l = std::get_if<int64_t>(&v)) {
        n = *l;
      } else {
        return std::nullopt;
      }
      if ((delta > 0 && n == std::numeric_limits<int64_t>::max()) ||
          (delta < 0 && n == std::numeric_limits<int64_t>::min())) {
        return std::nullopt;
      }
      return Value(n + delta);
    }
    case TypeId::kDecimal: {
      auto* d = std::get_if<Decimal128>(&v);
      if (!d) return std::nullopt;
      return Value(Decimal128{d->unscaled + delta});
    }
    default:
      return std::nullopt;
  }
}

BoundPtr ProjectPredicate(const BoundPredicate& p, const PartitionField& field) {
  const Transform& t = field.transform;
  const TypePtr& source = p.type;
  if (!source || t.is_void() || t.is_unknown() || !t.CanTransform(*source)) {
    return BoundExpression::True();
  }
  auto result_type = t.ResultType(source);
  if (!result_type.ok()) return BoundExpression::True();
  auto make = [&](Operation op, std::vector<Value> values) {
    BoundPredicate q;
    q.op = op;
    q.field_id = field.field_id;
    q.name = field.name;
    q.type = *result_type;
    q.values = std::move(values);
    return BoundExpression::Predicate(std::move(q));
  };
  auto apply = [&](const Value& v) -> std::optional<Value> {
    auto r = t.Apply(v, *source);
    if (!r.ok() || IsNull(*r)) return std::nullopt;
    return *r;
  };
  switch (p.op) {
    case Operation::kIsNull:
    case Operation::kNotNull:
      return make(p.op, {});
    case Operation::kIsNan:
    case Operation::kNotNan:
      return t.is_identity() ? make(p.op, {}) : BoundExpression::True();
    default:
      break;
  }
  // Each literal through the transform; nullopt when one does not transform.
  auto apply_all = [&]() -> std::optional<std::vector<Value>> {
    std::vector<Value> out;
    for (const auto& v : p.values) {
      auto r = apply(v);
      if (!r) return std::nullopt;
      out.push_back(std::move(*r));
    }
    SortDistinct(&out);
    return out;
  };
  if (t.is_identity()) {
    auto values = apply_all();
    if (!values) return BoundExpression::True();
    return make(p.op, std::move(*values));
  }
  switch (p.op) {
    case Operation::kEq:
    case Operation::kIn: {
      auto values = apply_all();
      if (!values || values->empty()) return BoundExpression::True();
      const Operation op = values->size() == 1 ? Operation::kEq : Operation::kIn;
      return make(op, std::move(*values));
    }
    case Operation::kLt:
    case Operation::kLtEq:
    case Operation::kGt:
    case Operation::kGtEq: {
      if (!t.PreservesOrder() || p.values.empty()) return BoundExpression::True();
      Value bound = p.values[0];
      const bool upper = p.op == Operation::kLt || p.op == Operation::kLtEq;
      if (p.op == Operation::kLt || p.op == Operation::kGt) {
        // x < 10 is x <= 9 on a discrete type, which projects tighter.
        if (auto adjacent = Adjacent(bound, *source, upper ? -1 : 1)) bound = *adjacent;
      }
      auto v = apply(bound);
      if (!v) return BoundExpression::True();
      return make(upper ? Operation::kLtEq : Operation::kGtEq, {*v});
    }
    default:
      return BoundExpression::True();  // != and NOT IN say nothing about a lossy transform
  }
}

BoundPtr Project(const BoundExpression& e, const PartitionSpec& spec) {
  switch (e.op()) {
    case Operation::kTrue:
    case Operation::kFalse:
      return e.op() == Operation::kTrue ? BoundExpression::True() : BoundExpression::False();
    case Operation::kNot:
      return BoundExpression::True();
    case Operation::kAnd:
      return BoundExpression::And(Project(*e.left(), spec), Project(*e.right(), spec));
    case Operation::kOr:
      return BoundExpression::Or(Project(*e.left(), spec), Project(*e.right(), spec));
    default: {
      const BoundPredicate& p = e.predicate();
      BoundPtr result = BoundExpression::True();
      for (const auto& field : spec.fields) {
        if (field.source_id != p.field_id) continue;
        result = BoundExpression::And(result, ProjectPredicate(p, field));
      }
      return result;
    }
  }
}

bool SummaryEval(const BoundExpression& e, const std::vector<FieldSummary>& summaries,
                 const std::map<int32_t, size_t>& index) {
  switch (e.op()) {
    case Operation::kTrue:
      return true;
    case Operation::kFalse:
      return false;
    case Operation::kNot:
      return true;
    case Operation::kAnd:
      return SummaryEval(*e.left(), summaries, index) && SummaryEval(*e.right(), summaries, index);
    case Operation::kOr:
      return SummaryEval(*e.left(), summaries, index) || SummaryEval(*e.right(), summaries, index);
    default: {
      const BoundPredicate& p = e.predicate();
      auto it = index.find(p.field_id);
      if (it == index.end() || it->second >= summaries.size()) return true;
      ColumnStats s = StatsFromSummary(summaries[it->second], *p.type);
      return MightMatch(p, s);
    }
  }
}

// ---- SQL ----

bool FindPath(const std::vector<NestedField>& fields, int32_t id, std::vector<std::string>* path) {
  for (const auto& f : fields) {
    path->push_back(f.name);
    if (f.id == id) return true;
    if (f.type->id() == TypeId::kStruct && FindPath(f.type->fields(), id, path)) return true;
    path->pop_back();
  }
  return false;
}

std::string SqlFloat(double d, bool is_float, const std::string& finite_text) {
  std::string text =
      std::isnan(d) ? "NaN" : (std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : finite_text);
  return fmt::format("CAST('{}' AS {})", text, is_float ? "FLOAT" : "DOUBLE");
}

Result<std::string> NodeToSql(const BoundExpression& e, const Schema& schema) {
  switch (e.op()) {
    case Operation::kTrue:
      return std::string("TRUE");
    case Operation::kFalse:
      return std::string("FALSE");
    case Operation::kNot: {
      ASSIGN_OR_RETURN(std::string c, NodeToSql(*e.left(), schema));
      return "(NOT " + c + ")";
    }
    case Operation::kAnd:
    case Operation::kOr: {
      ASSIGN_OR_RETURN(std::string l, NodeToSql(*e.left(), schema));
      ASSIGN_OR_RETURN(std::string r, NodeToSql(*e.right(), schema));
      return "(" + l + (e.op() == Operation::kAnd ? " AND " : " OR ") + r + ")";
    }
    default:
      break;
  }
  const BoundPredicate& p = e.predicate();
  std::vector<std::string> path;
  if (!FindPath(schema.fields(), p.field_id, &path)) {
    return InvalidArgument("the filter column '{}' (field id {}) is not in the schema", p.name,
                           p.field_id);
  }
  std::vector<std::string> quoted;
  for (const auto& part : path) quoted.push_back(QuoteSqlIdentifier(part));
  const std::string column = Join(quoted, ".");
  const NestedField* field = schema.FindFieldById(p.field_id);
  const Type& type = *field->type;
  std::vector<std::string> literals;
  for (const auto& v : p.values) {
    ASSIGN_OR_RETURN(std::string lit, ToSqlLiteral(v, type));
    literals.push_back(std::move(lit));
  }
  switch (p.op) {
    case Operation::kIsNull:
      return column + " IS NULL";
    case Operation::kNotNull:
      return column + " IS NOT NULL";
    case Operation::kIsNan:
      return "isnan(" + column + ")";
    case Operation::kNotNan:
      return "NOT isnan(" + column + ")";
    case Operation::kIn:
      return column + " IN (" + Join(literals, ", ") + ")";
    case Operation::kNotIn:
      return column + " NOT IN (" + Join(literals, ", ") + ")";
    default:
      break;
  }
  if (literals.size() != 1) return InvalidArgument("comparison on '{}' needs one value", p.name);
  const char* op = "=";
  switch (p.op) {
    case Operation::kLt:
      op = "<";
      break;
    case Operation::kLtEq:
      op = "<=";
      break;
    case Operation::kGt:
      op = ">";
      break;
    case Operation::kGtEq:
      op = ">=";
      break;
    case Operation::kNotEq:
      op = "<>";
      break;
    default:
      break;
  }
  return column + " " + op + " " + literals[0];
}

}  // namespace

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kTrue:
      return "TRUE";
    case Operation::kFalse:
      return "FALSE";
    case Operation::kAnd:
      return "AND";
    case Operation::kOr:
      return "OR";
    case Operation::kNot:
      return "NOT";
    case Operation::kIsNull:
      return "IS NULL";
    case Operation::kNotNull:
      return "IS NOT NULL";
    case Operation::kIsNan:
      return "IS NAN";
    case Operation::kNotNan:
      return "IS NOT NAN";
    case Operation::kLt:
      return "<";
    case Operation::kLtEq:
      return "<=";
    case Operation::kGt:
      return ">";
    case Operation::kGtEq:
      return ">=";
    case Operation::kEq:
      return "=";
    case Operation::kNotEq:
      return "!=";
    case Operation::kIn:
      return "IN";
    case Operation::kNotIn:
      return "NOT IN";
  }
  return "?";
}

std::string ToString(const Expression& expr) {
  return NodeToString(expr, [](const UnboundPredicate& p) {
    std::vector<std::string> values;
    for (const auto& lit : p.literals) values.push_back(LiteralToString(lit));
    return PredicateToString(p.op, DisplayPath(p.column), values);
  });
}

std::string ToString(const BoundExpression& expr) {
  return NodeToString(expr, [](const BoundPredicate& p) {
    std::vector<std::string> values;
    for (const auto& v : p.values) values.push_back(ValueDisplay(v, *p.type));
    return PredicateToString(p.op, DisplayPath(Split(p.name, '.')), values);
  });
}

Result<ExpressionPtr> ParseExpression(std::string_view text) {
  if (Trim(text).empty()) return Expression::True();
  Lexer lexer(text);
  ASSIGN_OR_RETURN(std::vector<Token> tokens, lexer.Tokenize());
  Parser parser(lexer, std::move(tokens));
  return parser.Parse();
}

Result<BoundExpressionPtr> Bind(const Expression& expr, const Schema& schema) {
  return BindNode(expr, schema, /*negate=*/false);
}

Result<BoundExpressionPtr> ParseFilter(std::string_view text, const Schema& schema) {
  ASSIGN_OR_RETURN(ExpressionPtr expr, ParseExpression(text));
  return Bind(*expr, schema);
}

Result<ResolvedColumn> ResolveColumn(const Schema& schema, std::string_view reference) {
  auto bad = [&]() {
    return InvalidArgument(
        "'{}' is not a column name: write a name, a dotted struct path (a.b) or "
        "a \"quoted name\"",
        reference);
  };
  Lexer lexer(reference);
  auto tokens = lexer.Tokenize();
  if (!tokens.ok()) return bad();
  std::vector<std::string> path;
  bool expect_part = true;
  for (const auto& t : *tokens) {
    if (t.kind == TokenKind::kEnd) break;
    if (expect_part && (t.kind == TokenKind::kQuotedName || t.kind == TokenKind::kName)) {
      path.push_back(t.text);
      expect_part = false;
    } else if (!expect_part && t.kind == TokenKind::kDot) {
      expect_part = true;
    } else {
      return bad();
    }
  }
  if (path.empty() || expect_part) return bad();
  std::string name;
  ASSIGN_OR_RETURN(const NestedField* field, ResolvePath(schema, path, &name));
  return ResolvedColumn{field->id, name, field->type};
}

bool EvaluateRow(const BoundExpression& expr, const FieldValueFn& row) {
  return EvalRow(expr, row) == Tri::kTrue;
}

bool InclusiveMetricsEvaluator::MightMatch(const FileMetrics& metrics) const {
  if (metrics.record_count == 0) return false;
  return InclusiveEval(*expr_, metrics);
}

bool StrictMetricsEvaluator::AllMatch(const FileMetrics& metrics) const {
  if (metrics.record_count == 0) return true;
  return StrictEval(*expr_, metrics);
}

FileMetrics MetricsWithIdentityPartitions(const DataFile& file, const PartitionSpec& spec,
                                          const Schema& schema) {
  FileMetrics out = file.metrics;
  const int64_t rows = file.record_count();
  for (size_t i = 0; i < spec.fields.size() && i < file.partition.size(); ++i) {
    const PartitionField& pf = spec.fields[i];
    if (!pf.transform.is_identity()) continue;
    const NestedField* source = schema.FindFieldById(pf.source_id);
    if (!source || !source->type->is_primitive()) continue;
    const int32_t id = pf.source_id;
    if (out.value_counts.count(id) || out.null_value_counts.count(id) ||
        out.nan_value_counts.count(id) || out.lower_bounds.count(id) ||
        out.upper_bounds.count(id)) {
      continue;  // the file's own metrics win
    }
    const Value& v = file.partition[i];
    const bool floating = IsFloating(*source->type);
    std::string bytes;
    if (!IsNull(v) && !IsNaN(v)) {
      auto encoded = ValueToBinary(v, *source->type);
      if (!encoded.ok()) continue;
      bytes = std::move(*encoded);
    }
    out.value_counts[id] = rows;
    out.null_value_counts[id] = IsNull(v) ? rows : 0;
    if (floating) out.nan_value_counts[id] = IsNaN(v) ? rows : 0;
    if (!IsNull(v) && !IsNaN(v)) {
      out.lower_bounds[id] = bytes;
      out.upper_bounds[id] = bytes;
    }
  }
  return out;
}

PartitionFilter PartitionFilter::Make(const BoundExpression& row_filter,
                                      const PartitionSpec& spec) {
  std::map<int32_t, size_t> index;
  for (size_t i = 0; i < spec.fields.size(); ++i) index[spec.fields[i].field_id] = i;
  return PartitionFilter(Project(row_filter, spec), std::move(index));
}

bool PartitionFilter::MightMatch(const PartitionValues& partition) const {
  if (always_true()) return true;
  if (partition.size() != index_.size()) return true;
  return EvaluateRow(*projected_, [&](int32_t field_id) -> Value {
    auto it = index_.find(field_id);
    return it == index_.end() ? Value{} : partition[it->second];
  });
}

bool PartitionFilter::MightMatch(const std::vector<FieldSummary>& summaries) const {
  if (always_true()) return true;
  if (summaries.size() != index_.size()) return true;
  return SummaryEval(*projected_, summaries, index_);
}

std::string QuoteSqlIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteSqlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Result<std::string> ToSqlLiteral(const Value& value, const Type& type) {
  if (!type.is_primitive()) {
    return NotSupported("{} values cannot be written as a SQL literal", type.ToString());
  }
  if (IsNull(value)) return std::string("NULL");
  RETURN_IF_ERROR(CheckValueType(value, type));
  switch (type.id()) {
    case TypeId::kBoolean:
      return std::string(std::get<bool>(value) ? "TRUE" : "FALSE");
    case TypeId::kInt:
    case TypeId::kLong:
      return ValueToString(value, type);
    case TypeId::kFloat: {
      float f = std::get<float>(value);
      return SqlFloat(f, /*is_float=*/true, fmt::format("{}", f));
    }
    case TypeId::kDouble: {
      double d = *AsDouble(value);
      return SqlFloat(d, /*is_float=*/false, fmt::format("{}", d));
    }
    case TypeId::kDecimal:
      return fmt::format("CAST('{}' AS DECIMAL({},{}))", ValueToString(value, type),
                         type.precision(), type.scale());
    case TypeId::kDate:
      return "DATE '" + ValueToString(value, type) + "'";
    case TypeId::kTime:
      return "TIME '" + ValueToString(value, type) + "'";
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      std::string text = ValueToString(value, type);
      if (auto t = text.find('T', 1); t != std::string::npos) text[t] = ' ';
      return (type.id() == TypeId::kTimestamp ? "TIMESTAMP '" : "TIMESTAMPTZ '") + text + "'";
    }
    case TypeId::kString:
      return QuoteSqlString(std::get<std::string>(value));
    case TypeId::kUuid:
      return "CAST('" + ValueToString(value, type) + "' AS UUID)";
    default: {  // binary, fixed
      std::string out = "CAST('";
      for (unsigned char c : std::get<std::string>(value)) out += fmt::format("\\x{:02X}", c);
      return out + "' AS BLOB)";
    }
  }
}

Result<std::string> ToSql(const BoundExpression& expr, const Schema& schema) {
  return NodeToSql(expr, schema);
}

}  // namespace faceberg::iceberg

#include "engine/sql.h"

#include "iceberg/expression.h"
#include "iceberg/single_value.h"

namespace faceberg::engine {

using iceberg::Type;
using iceberg::TypeId;
using iceberg::Value;

std::string QuoteIdentifier(std::string_view name) { return iceberg::QuoteSqlIdentifier(name); }

std::string QuoteLiteral(std::string_view text) { return iceberg::QuoteSqlString(text); }

std::string_view TrimStatement(std::string_view sql) {
  while (!sql.empty()) {
    char c = sql.back();
    if (c != ';' && c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    sql.remove_suffix(1);
  }
  return sql;
}

std::string DuckDBType(const Type& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInt:
      return "INTEGER";
    case TypeId::kLong:
      return "BIGINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return fmt::format("DECIMAL({},{})", type.precision(), type.scale());
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kString:
      return "VARCHAR";
    case TypeId::kUuid:
      return "UUID";
    case TypeId::kFixed:
    case TypeId::kBinary:
      return "BLOB";
    case TypeId::kList:
      return DuckDBType(*type.element().type) + "[]";
    case TypeId::kMap:
      return fmt::format("MAP({}, {})", DuckDBType(*type.key().type),
                         DuckDBType(*type.value().type));
    case TypeId::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.fields().size(); ++i) {
        const auto& field = type.fields()[i];
        if (i > 0) out += ", ";
        out += QuoteIdentifier(field.name) + " " + DuckDBType(*field.type);
      }
      return out + ")";
    }
  }
  return "VARCHAR";
}

Result<std::string> DuckDBValueText(const Value& value, const Type& type) {
  PRECHECK(!iceberg::IsNull(value), "a null {} value has no text form", type.ToString());
  RETURN_IF_ERROR(iceberg::CheckValueType(value, type));
  switch (type.id()) {
    case TypeId::kFloat:
      return fmt::format("{}", std::get<float>(value));
    case TypeId::kDouble: {
      // A float promoted to double keeps its exact (widened) value.
      double d = std::holds_alternative<float>(value) ? static_cast<double>(std::get<float>(value))
                                                      : std::get<double>(value);
      return fmt::format("{}", d);
    }
    case TypeId::kString:
      return std::get<std::string>(value);
    case TypeId::kFixed:
    case TypeId::kBinary: {
      // DuckDB's VARCHAR -> BLOB cast reads \xHH escapes.
      std::string out;
      for (unsigned char c : std::get<std::string>(value)) out += fmt::format("\\x{:02X}", c);
      return out;
    }
    default:
      // Integers, booleans, decimals ("14.20"), dates, times, timestamps (ISO with 'T', which
      // DuckDB reads), timestamptz with "+00:00", canonical uuids.
      return iceberg::ValueToString(value, type);
  }
}

Result<std::string> SqlLiteral(const Value& value, const Type& type) {
  if (iceberg::IsNull(value)) return fmt::format("CAST(NULL AS {})", DuckDBType(type));
  ASSIGN_OR_RETURN(std::string text, DuckDBValueText(value, type));
  return fmt::format("CAST({} AS {})", QuoteLiteral(text), DuckDBType(type));
}

namespace {

void AppendFieldIds(const iceberg::NestedField& field, std::string* out);

void AppendNestedIds(const Type& type, std::string* out) {
  switch (type.id()) {
    case TypeId::kList:
      *out += ", element: ";
      AppendFieldIds(type.element(), out);
      break;
    case TypeId::kMap:
      *out += ", key: ";
      AppendFieldIds(type.key(), out);
      *out += ", value: ";
      AppendFieldIds(type.value(), out);
      break;
    default:  // struct
      for (const auto& child : type.fields()) {
        *out += ", " + QuoteLiteral(child.name) + ": ";
        AppendFieldIds(child, out);
      }
      break;
  }
}

// The id entry of one field: a bare id for primitives, a struct for nested types.
void AppendFieldIds(const iceberg::NestedField& field, std::string* out) {
  if (field.type->is_primitive()) {
    *out += std::to_string(field.id);
    return;
  }
  *out += "{__duckdb_field_id: " + std::to_string(field.id);
  AppendNestedIds(*field.type, out);
  *out += "}";
}

}  // namespace

std::string FieldIdsOption(const std::vector<iceberg::NestedField>& fields) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteLiteral(fields[i].name) + ": ";
    AppendFieldIds(fields[i], &out);
  }
  return out + "}";
}

}  // namespace faceberg::engine

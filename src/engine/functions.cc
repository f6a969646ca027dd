#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "engine/functions_internal.h"
#include "iceberg/transform.h"
#include "iceberg/types.h"
#include "iceberg/value.h"

namespace faceberg::engine {

namespace {

using iceberg::Type;
using iceberg::TypePtr;
using iceberg::Value;

class LogicalTypeOwner {
 public:
  explicit LogicalTypeOwner(duckdb_logical_type type) : type_(type) {}
  ~LogicalTypeOwner() {
    if (type_ != nullptr) duckdb_destroy_logical_type(&type_);
  }
  LogicalTypeOwner(const LogicalTypeOwner&) = delete;
  LogicalTypeOwner& operator=(const LogicalTypeOwner&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

class ScalarFunctionOwner {
 public:
  ScalarFunctionOwner() : function_(duckdb_create_scalar_function()) {}
  ~ScalarFunctionOwner() {
    if (function_ != nullptr) duckdb_destroy_scalar_function(&function_);
  }
  ScalarFunctionOwner(const ScalarFunctionOwner&) = delete;
  ScalarFunctionOwner& operator=(const ScalarFunctionOwner&) = delete;
  duckdb_scalar_function get() const { return function_; }

 private:
  duckdb_scalar_function function_;
};

__int128 HugeintValue(const duckdb_hugeint& h) {
  return static_cast<__int128>(
      static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64 | h.lower);
}

// DuckDB stores a UUID as a hugeint whose top bit is flipped (so that integer order matches the
// text order); the 16 raw bytes are the big-endian form of the unflipped value.
std::string UuidBytes(const duckdb_hugeint& h) {
  uint64_t upper = static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63);
  std::string out(16, '\0');
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>(upper >> (56 - 8 * i));
    out[8 + i] = static_cast<char>(h.lower >> (56 - 8 * i));
  }
  return out;
}

// How one DuckDB input type is read into an Iceberg value of `type`.
struct SourceReader {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  duckdb_type decimal_storage = DUCKDB_TYPE_INVALID;
  TypePtr type;
};

std::optional<SourceReader> MakeReader(duckdb_logical_type logical) {
  SourceReader reader;
  reader.id = duckdb_get_type_id(logical);
  switch (reader.id) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
      reader.type = Type::Long();  // the spec hashes int and long alike, as 8-byte longs
      break;
    case DUCKDB_TYPE_DATE:
      reader.type = Type::Date();
      break;
    case DUCKDB_TYPE_TIME:
      reader.type = Type::Time();
      break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      reader.type = Type::Timestamp();  // timestamptz hashes the same UTC micros
      break;
    case DUCKDB_TYPE_VARCHAR:
      reader.type = Type::String();
      break;
    case DUCKDB_TYPE_BLOB:
      reader.type = Type::Binary();
      break;
    case DUCKDB_TYPE_UUID:
      reader.type = Type::Uuid();
      break;
    case DUCKDB_TYPE_DECIMAL: {
      auto decimal = Type::Decimal(duckdb_decimal_width(logical), duckdb_decimal_scale(logical));
      if (!decimal.ok()) return std::nullopt;
      reader.type = *decimal;
      reader.decimal_storage = duckdb_decimal_internal_type(logical);
      break;
    }
    default:
      return std::nullopt;
  }
  return reader;
}

// Reads row `row` of a flat vector's `data`. nullopt (with `error` set) when the value cannot be
// represented in Iceberg.
std::optional<Value> ReadValue(const SourceReader& reader, void* data, idx_t row,
                               std::string* error) {
  switch (reader.id) {
    case DUCKDB_TYPE_TINYINT:
      return Value(int64_t{static_cast<int8_t*>(data)[row]});
    case DUCKDB_TYPE_SMALLINT:
      return Value(int64_t{static_cast<int16_t*>(data)[row]});
    case DUCKDB_TYPE_INTEGER:
      return Value(int64_t{static_cast<int32_t*>(data)[row]});
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Value(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS: {
      int64_t v = static_cast<int64_t*>(data)[row];
      int64_t factor = reader.id == DUCKDB_TYPE_TIMESTAMP_S ? 1'000'000 : 1'000;
      if (v > std::numeric_limits<int64_t>::max() / factor ||
          v < std::numeric_limits<int64_t>::min() / factor) {
        *error = "iceberg_bucket: timestamp out of range";
        return std::nullopt;
      }
      return Value(v * factor);
    }
    case DUCKDB_TYPE_UTINYINT:
      return Value(int64_t{static_cast<uint8_t*>(data)[row]});
    case DUCKDB_TYPE_USMALLINT:
      return Value(int64_t{static_cast<uint16_t*>(data)[row]});
    case DUCKDB_TYPE_UINTEGER:
      return Value(int64_t{static_cast<uint32_t*>(data)[row]});
    case DUCKDB_TYPE_UBIGINT: {
      uint64_t v = static_cast<uint64_t*>(data)[row];
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *error =
            "iceberg_bucket: UBIGINT value " + std::to_string(v) + " does not fit an Iceberg long";
        return std::nullopt;
      }
      return Value(static_cast<int64_t>(v));
    }
    case DUCKDB_TYPE_DATE:
      return Value(static_cast<int32_t*>(data)[row]);
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      auto* strings = static_cast<duckdb_string_t*>(data);
      return Value(
          std::string(duckdb_string_t_data(&strings[row]), duckdb_string_t_length(strings[row])));
    }
    case DUCKDB_TYPE_UUID:
      return Value(UuidBytes(static_cast<duckdb_hugeint*>(data)[row]));
    case DUCKDB_TYPE_DECIMAL: {
      __int128 unscaled = 0;
      switch (reader.decimal_storage) {
        case DUCKDB_TYPE_SMALLINT:
          unscaled = static_cast<int16_t*>(data)[row];
          break;
        case DUCKDB_TYPE_INTEGER:
          unscaled = static_cast<int32_t*>(data)[row];
          break;
        case DUCKDB_TYPE_BIGINT:
          unscaled = static_cast<int64_t*>(data)[row];
          break;
        default:
          unscaled = HugeintValue(static_cast<duckdb_hugeint*>(data)[row]);
          break;
      }
      return Value(iceberg::Decimal128{unscaled});
    }
    default:
      *error = "iceberg_bucket: unsupported type";
      return std::nullopt;
  }
}

void BucketFunction(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  idx_t size = duckdb_data_chunk_get_size(input);
  duckdb_vector values = duckdb_data_chunk_get_vector(input, 0);
  duckdb_vector counts = duckdb_data_chunk_get_vector(input, 1);
  LogicalTypeOwner value_type(duckdb_vector_get_column_type(values));
  duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_validity = duckdb_vector_get_validity(output);
  if (duckdb_get_type_id(value_type.get()) == DUCKDB_TYPE_SQLNULL) {
    for (idx_t row = 0; row < size; ++row) duckdb_validity_set_row_invalid(out_validity, row);
    return;
  }
  std::optional<SourceReader> reader = MakeReader(value_type.get());
  if (!reader) {
    duckdb_scalar_function_set_error(
        info,
        "iceberg_bucket is defined for integers, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, VARCHAR, "
        "BLOB, UUID and DECIMAL values; cast the argument to one of them");
    return;
  }
  void* value_data = duckdb_vector_get_data(values);
  uint64_t* value_validity = duckdb_vector_get_validity(values);
  auto* count_data = static_cast<int32_t*>(duckdb_vector_get_data(counts));
  uint64_t* count_validity = duckdb_vector_get_validity(counts);
  auto* out = static_cast<int32_t*>(duckdb_vector_get_data(output));

  std::optional<iceberg::Transform> transform;
  std::string error;
  for (idx_t row = 0; row < size; ++row) {
    bool valid = (value_validity == nullptr || duckdb_validity_row_is_valid(value_validity, row)) &&
                 (count_validity == nullptr || duckdb_validity_row_is_valid(count_validity, row));
    if (!valid) {
      duckdb_validity_set_row_invalid(out_validity, row);
      continue;
    }
    int32_t n = count_data[row];
    if (!transform || transform->param() != n) {
      auto made = iceberg::Transform::Bucket(n);
      if (!made.ok()) {
        std::string message = "iceberg_bucket: " + made.status().message();
        duckdb_scalar_function_set_error(info, message.c_str());
        return;
      }
      transform = *made;
    }
    std::optional<Value> value = ReadValue(*reader, value_data, row, &error);
    if (!value) {
      duckdb_scalar_function_set_error(info, error.c_str());
      return;
    }
    auto bucket = transform->Apply(*value, *reader->type);
    if (!bucket.ok()) {
      std::string message = "iceberg_bucket: " + bucket.status().message();
      duckdb_scalar_function_set_error(info, message.c_str());
      return;
    }
    out[row] = std::get<int32_t>(*bucket);
  }
}

}  // namespace

Status RegisterIcebergFunctions(duckdb_connection connection) {
  ScalarFunctionOwner function;
  duckdb_scalar_function_set_name(function.get(), "iceberg_bucket");
  LogicalTypeOwner any(duckdb_create_logical_type(DUCKDB_TYPE_ANY));
  LogicalTypeOwner integer(duckdb_create_logical_type(DUCKDB_TYPE_INTEGER));
  duckdb_scalar_function_add_parameter(function.get(), any.get());
  duckdb_scalar_function_add_parameter(function.get(), integer.get());
  duckdb_scalar_function_set_return_type(function.get(), integer.get());
  duckdb_scalar_function_set_function(function.get(), BucketFunction);
  if (duckdb_register_scalar_function(connection, function.get()) != DuckDBSuccess) {
    return Internal("DuckDB refused to register the iceberg_bucket function");
  }
  return Status::OK();
}

}  // namespace faceberg::engine

// faceberg's own declarations of the part of DuckDB's C API (duckdb.h, DuckDB 1.5) that the engine
// layer calls. DuckDB ships no header with the shared library faceberg links (libduckdb.so from
// the pinned npm package), so every type and function used is declared here, and only here.
//
// Rules for this file:
//  - Only src/engine/*.cc include it; no public header of any layer may.
//  - Struct layouts that cross the boundary by value or through caller-owned storage
//    (duckdb_result, duckdb_string_t, duckdb_hugeint) must match duckdb.h of DuckDB 1.5 exactly;
//    the static_asserts at the end pin their sizes, and Database::Open checks the library version.
//  - Opaque handles are pointers to one-pointer structs, as in duckdb.h.
//  - Enum values are the ones DuckDB 1.5 assigns; only the values faceberg uses are listed.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

using idx_t = uint64_t;

enum duckdb_state : int { DuckDBSuccess = 0, DuckDBError = 1 };

// Type ids (duckdb_type).
enum duckdb_type : int {
  DUCKDB_TYPE_INVALID = 0,
  DUCKDB_TYPE_BOOLEAN = 1,
  DUCKDB_TYPE_TINYINT = 2,
  DUCKDB_TYPE_SMALLINT = 3,
  DUCKDB_TYPE_INTEGER = 4,
  DUCKDB_TYPE_BIGINT = 5,
  DUCKDB_TYPE_UTINYINT = 6,
  DUCKDB_TYPE_USMALLINT = 7,
  DUCKDB_TYPE_UINTEGER = 8,
  DUCKDB_TYPE_UBIGINT = 9,
  DUCKDB_TYPE_FLOAT = 10,
  DUCKDB_TYPE_DOUBLE = 11,
  DUCKDB_TYPE_TIMESTAMP = 12,
  DUCKDB_TYPE_DATE = 13,
  DUCKDB_TYPE_TIME = 14,
  DUCKDB_TYPE_INTERVAL = 15,
  DUCKDB_TYPE_HUGEINT = 16,
  DUCKDB_TYPE_VARCHAR = 17,
  DUCKDB_TYPE_BLOB = 18,
  DUCKDB_TYPE_DECIMAL = 19,
  DUCKDB_TYPE_TIMESTAMP_S = 20,
  DUCKDB_TYPE_TIMESTAMP_MS = 21,
  DUCKDB_TYPE_TIMESTAMP_NS = 22,
  DUCKDB_TYPE_ENUM = 23,
  DUCKDB_TYPE_LIST = 24,
  DUCKDB_TYPE_STRUCT = 25,
  DUCKDB_TYPE_MAP = 26,
  DUCKDB_TYPE_UUID = 27,
  DUCKDB_TYPE_UNION = 28,
  DUCKDB_TYPE_BIT = 29,
  DUCKDB_TYPE_TIME_TZ = 30,
  DUCKDB_TYPE_TIMESTAMP_TZ = 31,
  DUCKDB_TYPE_UHUGEINT = 32,
  DUCKDB_TYPE_ARRAY = 33,
  DUCKDB_TYPE_ANY = 34,
  DUCKDB_TYPE_BIGNUM = 35,
  DUCKDB_TYPE_SQLNULL = 36,
  DUCKDB_TYPE_STRING_LITERAL = 37,
  DUCKDB_TYPE_INTEGER_LITERAL = 38,
  DUCKDB_TYPE_TIME_NS = 39,
};

// Error classes of a failed result (duckdb_error_type); the ones faceberg tells apart.
enum duckdb_error_type : int {
  DUCKDB_ERROR_INVALID = 0,
  DUCKDB_ERROR_NETWORK = 25,
  DUCKDB_ERROR_IO = 28,
  DUCKDB_ERROR_INTERRUPT = 29,
  DUCKDB_ERROR_FATAL = 30,
  DUCKDB_ERROR_INTERNAL = 31,
  DUCKDB_ERROR_OUT_OF_MEMORY = 33,
  DUCKDB_ERROR_PERMISSION = 34,
  DUCKDB_ERROR_HTTP = 38,
};

enum duckdb_statement_type : int {
  DUCKDB_STATEMENT_TYPE_INVALID = 0,
  DUCKDB_STATEMENT_TYPE_SELECT = 1,
};

// A 128-bit integer: upper * 2^64 + lower.
struct duckdb_hugeint {
  uint64_t lower;
  int64_t upper;
};

// DuckDB's string_t: strings of up to 12 bytes are inlined, longer ones keep a 4-byte prefix and a
// pointer. Read through duckdb_string_t_length / duckdb_string_t_data.
struct duckdb_string_t {
  union {
    struct {
      uint32_t length;
      char prefix[4];
      char* ptr;
    } pointer;
    struct {
      uint32_t length;
      char inlined[12];
    } inlined;
  } value;
};

// Only ever handled through a pointer inside duckdb_result.
struct duckdb_column;

// A query result, owned by the caller's storage and released with duckdb_destroy_result. The
// deprecated fields are never read; they are declared so the size matches.
struct duckdb_result {
  idx_t deprecated_column_count;
  idx_t deprecated_row_count;
  idx_t deprecated_rows_changed;
  duckdb_column* deprecated_columns;
  char* deprecated_error_message;
  void* internal_data;
};

#define FACEBERG_DUCKDB_HANDLE(name) \
  struct _##name {                   \
    void* internal_ptr;              \
  };                                 \
  using name = _##name*
FACEBERG_DUCKDB_HANDLE(duckdb_database);
FACEBERG_DUCKDB_HANDLE(duckdb_connection);
FACEBERG_DUCKDB_HANDLE(duckdb_config);
FACEBERG_DUCKDB_HANDLE(duckdb_prepared_statement);
FACEBERG_DUCKDB_HANDLE(duckdb_pending_result);
FACEBERG_DUCKDB_HANDLE(duckdb_logical_type);
FACEBERG_DUCKDB_HANDLE(duckdb_data_chunk);
FACEBERG_DUCKDB_HANDLE(duckdb_vector);
FACEBERG_DUCKDB_HANDLE(duckdb_function_info);
FACEBERG_DUCKDB_HANDLE(duckdb_scalar_function);
#undef FACEBERG_DUCKDB_HANDLE

using duckdb_scalar_function_t = void (*)(duckdb_function_info info, duckdb_data_chunk input,
                                          duckdb_vector output);

// ---- library, database, connection ----
const char* duckdb_library_version();
duckdb_state duckdb_create_config(duckdb_config* out_config);
duckdb_state duckdb_set_config(duckdb_config config, const char* name, const char* option);
void duckdb_destroy_config(duckdb_config* config);
// `out_error`, when set on failure, must be released with duckdb_free.
duckdb_state duckdb_open_ext(const char* path, duckdb_database* out_database, duckdb_config config,
                             char** out_error);
void duckdb_close(duckdb_database* database);
duckdb_state duckdb_connect(duckdb_database database, duckdb_connection* out_connection);
void duckdb_disconnect(duckdb_connection* connection);
void duckdb_free(void* ptr);

// ---- queries and results ----
// The result must be destroyed even when the query fails.
duckdb_state duckdb_query(duckdb_connection connection, const char* query,
                          duckdb_result* out_result);
void duckdb_destroy_result(duckdb_result* result);
const char* duckdb_result_error(duckdb_result* result);
duckdb_error_type duckdb_result_error_type(duckdb_result* result);
idx_t duckdb_column_count(duckdb_result* result);
const char* duckdb_column_name(duckdb_result* result, idx_t col);
duckdb_logical_type duckdb_column_logical_type(duckdb_result* result, idx_t col);
// Materialized-result accessors (DuckDB calls them deprecated; fine for small results). The
// returned text is released with duckdb_free.
idx_t duckdb_row_count(duckdb_result* result);
char* duckdb_value_varchar(duckdb_result* result, idx_t col, idx_t row);
bool duckdb_value_is_null(duckdb_result* result, idx_t col, idx_t row);

// ---- prepared statements and streaming ----
// The statement must be destroyed even when preparing fails.
duckdb_state duckdb_prepare(duckdb_connection connection, const char* query,
                            duckdb_prepared_statement* out_prepared_statement);
void duckdb_destroy_prepare(duckdb_prepared_statement* prepared_statement);
const char* duckdb_prepare_error(duckdb_prepared_statement prepared_statement);
duckdb_statement_type duckdb_prepared_statement_type(duckdb_prepared_statement statement);
idx_t duckdb_prepared_statement_column_count(duckdb_prepared_statement prepared_statement);
// duckdb.h declares the result const, but the caller owns it: release it with duckdb_free.
char* duckdb_prepared_statement_column_name(duckdb_prepared_statement prepared_statement,
                                            idx_t col_idx);
duckdb_logical_type duckdb_prepared_statement_column_logical_type(
    duckdb_prepared_statement prepared_statement, idx_t col_idx);
// Runs the statement to completion; the result must be destroyed even when this fails.
duckdb_state duckdb_execute_prepared(duckdb_prepared_statement prepared_statement,
                                     duckdb_result* out_result);
// The pending result must be destroyed even when this fails.
duckdb_state duckdb_pending_prepared_streaming(duckdb_prepared_statement prepared_statement,
                                               duckdb_pending_result* out_result);
void duckdb_destroy_pending(duckdb_pending_result* pending_result);
const char* duckdb_pending_error(duckdb_pending_result pending_result);
duckdb_state duckdb_execute_pending(duckdb_pending_result pending_result,
                                    duckdb_result* out_result);
// Null when the result is exhausted or failed (then duckdb_result_error is set).
duckdb_data_chunk duckdb_fetch_chunk(duckdb_result result);

// ---- data chunks and vectors ----
void duckdb_destroy_data_chunk(duckdb_data_chunk* chunk);
idx_t duckdb_data_chunk_get_column_count(duckdb_data_chunk chunk);
idx_t duckdb_data_chunk_get_size(duckdb_data_chunk chunk);
duckdb_vector duckdb_data_chunk_get_vector(duckdb_data_chunk chunk, idx_t col_idx);
// The returned type must be destroyed.
duckdb_logical_type duckdb_vector_get_column_type(duckdb_vector vector);
void* duckdb_vector_get_data(duckdb_vector vector);
// Null when every row is valid.
uint64_t* duckdb_vector_get_validity(duckdb_vector vector);
void duckdb_vector_ensure_validity_writable(duckdb_vector vector);
bool duckdb_validity_row_is_valid(uint64_t* validity, idx_t row);
void duckdb_validity_set_row_invalid(uint64_t* validity, idx_t row);
uint32_t duckdb_string_t_length(duckdb_string_t string);
const char* duckdb_string_t_data(duckdb_string_t* string);

// ---- logical types ----
duckdb_logical_type duckdb_create_logical_type(duckdb_type type);
void duckdb_destroy_logical_type(duckdb_logical_type* type);
duckdb_type duckdb_get_type_id(duckdb_logical_type type);
uint8_t duckdb_decimal_width(duckdb_logical_type type);
uint8_t duckdb_decimal_scale(duckdb_logical_type type);
duckdb_type duckdb_decimal_internal_type(duckdb_logical_type type);
// Child types are owned by the caller (destroy them); names are released with duckdb_free.
duckdb_logical_type duckdb_list_type_child_type(duckdb_logical_type type);
duckdb_logical_type duckdb_array_type_child_type(duckdb_logical_type type);
idx_t duckdb_array_type_array_size(duckdb_logical_type type);
duckdb_logical_type duckdb_map_type_key_type(duckdb_logical_type type);
duckdb_logical_type duckdb_map_type_value_type(duckdb_logical_type type);
idx_t duckdb_struct_type_child_count(duckdb_logical_type type);
char* duckdb_struct_type_child_name(duckdb_logical_type type, idx_t index);
duckdb_logical_type duckdb_struct_type_child_type(duckdb_logical_type type, idx_t index);

// ---- scalar functions ----
duckdb_scalar_function duckdb_create_scalar_function();
void duckdb_destroy_scalar_function(duckdb_scalar_function* scalar_function);
void duckdb_scalar_function_set_name(duckdb_scalar_function scalar_function, const char* name);
void duckdb_scalar_function_add_parameter(duckdb_scalar_function scalar_function,
                                          duckdb_logical_type type);
void duckdb_scalar_function_set_return_type(duckdb_scalar_function scalar_function,
                                            duckdb_logical_type type);
void duckdb_scalar_function_set_function(duckdb_scalar_function scalar_function,
                                         duckdb_scalar_function_t function);
duckdb_state duckdb_register_scalar_function(duckdb_connection con,
                                             duckdb_scalar_function scalar_function);
void duckdb_scalar_function_set_error(duckdb_function_info info, const char* error);

}  // extern "C"

// The layouts faceberg relies on (x86-64 / aarch64 LP64, as DuckDB 1.5 defines them).
static_assert(sizeof(duckdb_result) == 48, "duckdb_result must match DuckDB 1.5's layout");
static_assert(offsetof(duckdb_result, internal_data) == 40, "duckdb_result.internal_data offset");
static_assert(sizeof(duckdb_string_t) == 16, "duckdb_string_t must match DuckDB 1.5's layout");
static_assert(sizeof(duckdb_hugeint) == 16, "duckdb_hugeint must match DuckDB 1.5's layout");

// faceberg's SQL functions inside DuckDB, registered on every engine Connection.
//
//   iceberg_bucket(value, n) -> INTEGER
//     Iceberg's bucket[n] transform (spec "Bucket Transform Details"): murmur3_x86_32 of the
//     value's spec byte form, masked to non-negative, modulo n. Accepts TINYINT..BIGINT,
//     UTINYINT..UBIGINT (as long), DATE, TIME, TIMESTAMP, TIMESTAMPTZ (and TIMESTAMP_S/_MS),
//     VARCHAR, BLOB, UUID and DECIMAL of any width and scale. NULL in, NULL out. Other types and
//     n <= 0 fail the query with a message naming the problem.
#pragma once

#include "engine/duckdb_capi_internal.h"
#include "util/status.h"

namespace faceberg::engine {

/// Registers faceberg's functions on `connection`.
/// Errors: Internal when DuckDB refuses a registration.
Status RegisterIcebergFunctions(duckdb_connection connection);

}  // namespace faceberg::engine

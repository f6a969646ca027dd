// Reading a table's data files with DuckDB: an SQL relation that yields the rows of a set of
// data files in one schema, matching file columns to table columns by Iceberg field id.
#pragma once

#include <string>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/schema.h"
#include "iceberg/table_metadata.h"
#include "io/file_io.h"
#include "util/result.h"

namespace faceberg::engine {

/// Returns a DuckDB relation, an item for a FROM clause (a read_parquet call or a parenthesized
/// subquery; it takes an alias: `SELECT ... FROM <relation> AS t`), that yields the rows of `files`
/// (data files of the table `metadata` describes) with the top-level columns `columns` of
/// `read_schema`, in that order (all of its columns when `columns` is empty), named and typed as in
/// `read_schema` (DuckDBType).
///
/// Columns are matched by field id, so a renamed column keeps its data, a dropped one is not
/// read, and a column added after a file was written reads as NULL in that file. Files written
/// without field ids are matched through the table's name mapping (the property
/// schema.name-mapping.default, else the current column names). An identity-partition column
/// missing from a file takes the value of the file's partition tuple. Values of promoted types
/// (int to long, float to double, decimal widening) are cast. Nested fields are matched by id
/// too: renamed struct fields inside structs, lists and maps keep their data.
///
/// Each file's footer is read through `io` (in parallel) to learn whether it carries field ids
/// and how its columns are named. Files that can be read alike share one read_parquet call (with
/// DuckDB's `schema` parameter mapping field ids to columns, types and defaults), and when one
/// call reads all files the relation is that call itself, so DuckDB pushes every filter into the
/// scan and reads as fast as a direct read_parquet of the files. Otherwise the groups are joined
/// with UNION ALL. An empty `files` gives a relation with the right columns and no rows.
///
/// `io` must allow concurrent NewInputFile/ReadAt calls.
///
/// Errors: InvalidArgument naming an unknown column; Corrupt / NotFound / IOError from reading a
/// footer (naming the file); NotSupported for a file column type DuckDB cannot read as its
/// table type.
Result<std::string> ScanRelationSql(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                    const iceberg::Schema& read_schema,
                                    const std::vector<iceberg::DataFile>& files,
                                    const std::vector<std::string>& columns);

}  // namespace faceberg::engine

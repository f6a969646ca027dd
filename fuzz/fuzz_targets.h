// Fuzz targets: one function per parser that faceberg feeds with untrusted bytes. Each takes the
// fuzzer's input, drives the parser entry point the product uses, exercises what it returns
// (serializes it back, iterates records, binds and evaluates) and returns 0.
//
// Contract of every target: any input is acceptable. A parser error is a normal outcome; a crash,
// a sanitizer report, a leak, an unbounded allocation or a broken round trip (checked with
// FUZZ_CHECK, which aborts with a message) is a bug. Targets are deterministic and keep no state
// between calls (rest_request resets its in-memory catalog for every input).
//
// The <name>_fuzzer executables (fuzz/CMakeLists.txt, clang only) wrap one function each; the
// replay test (tests/fuzz/fuzz_replay_test.cc) runs the checked-in corpus fuzz/corpus/<name>/ and
// the saved crashers tests/data/fuzz-regressions/<name>/ through them in every build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace faceberg::fuzz {

/// An Avro object container file (manifests, manifest lists): ContainerReader over the bytes,
/// every record read; then the same bytes as a manifest list and as a manifest.
int FuzzAvroContainer(const uint8_t* data, size_t size);

/// A Parquet file: ReadFooter, the schema tree, the Iceberg schema and the column metrics, as
/// adding a file or creating a dataset table does.
int FuzzParquetFooter(const uint8_t* data, size_t size);

/// A vN.metadata.json: TableMetadataFromJson, the lookups, and a write/read round trip.
int FuzzTableMetadata(const uint8_t* data, size_t size);

/// faceberg.yml text: ParseBridgeConfig, then DumpBridgeConfig must read back to the same config.
int FuzzBridgeConfig(const uint8_t* data, size_t size);

/// An hf:// URI: ParseHfUri, ToString round trip, the wire encodings and repository ids.
int FuzzHfUri(const uint8_t* data, size_t size);

/// A row filter in the CLI filter language: ParseExpression, ToString round trip, Bind to a schema
/// of every primitive type, SQL, row / metrics / partition evaluation.
int FuzzFilterExpression(const uint8_t* data, size_t size);

/// A REST request body: sent as the JSON body of every POST endpoint (namespace create and
/// properties, table create / register / commit / rename, transactions, metrics, tokens) of a
/// RestCatalogService over a file catalog held in memory, holding namespace "db" and table "db.t".
int FuzzRestRequest(const uint8_t* data, size_t size);

/// A target by name, for the replay test and tools.
struct FuzzTarget {
  std::string_view name;  // the corpus folder name: fuzz/corpus/<name>/
  int (*function)(const uint8_t* data, size_t size);
};

/// Every target, in a fixed order.
const std::vector<FuzzTarget>& AllFuzzTargets();

}  // namespace faceberg::fuzz

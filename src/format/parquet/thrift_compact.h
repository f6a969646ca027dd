// A decoder for the Thrift compact protocol, the encoding of Parquet's footer (FileMetaData) and
// page headers. Written from the protocol description: integers are zigzag varints, struct fields
// carry a type nibble and a delta-encoded id, collections carry an element count.
//
// The input is untrusted. Every count and length is checked against the bytes that remain before
// anything is allocated, nesting is bounded, and every failure is a Corrupt status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace faceberg::parquet {

/// The wire type of a compact-protocol value (the low nibble of a field header).
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // in a field header: a boolean field whose value is true
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

/// A human name for a wire type ("i32", "struct", ...), for error messages.
std::string_view CompactTypeName(CompactType type);

/// One struct field header. `type == kStop` marks the end of the struct.
struct FieldHeader {
  int16_t id = 0;
  CompactType type = CompactType::kStop;
  bool is_stop() const { return type == CompactType::kStop; }
};

/// The header of a list or set: element type and count.
struct ListHeader {
  CompactType element_type = CompactType::kStop;
  uint32_t size = 0;
};

/// The header of a map: key and value types and entry count.
struct MapHeader {
  CompactType key_type = CompactType::kStop;
  CompactType value_type = CompactType::kStop;
  uint32_t size = 0;
};

/// Reads compact-protocol values from a byte buffer it does not own. Not thread-safe.
///
/// Structs are read with BeginStruct / ReadFieldHeader (until stop) / EndStruct; booleans that
/// are struct fields carry their value in the header (FieldBool), list elements are one byte each
/// (ReadBool). Unknown fields are skipped with Skip, which recurses into nested values.
class CompactDecoder {
 public:
  static constexpr int kDefaultMaxDepth = 64;

  /// `data` must outlive the decoder. `max_depth` bounds struct/list/map nesting.
  explicit CompactDecoder(std::string_view data, int max_depth = kDefaultMaxDepth)
      : data_(data), max_depth_(max_depth) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  /// An unsigned LEB128 varint of at most 10 bytes.
  Result<uint64_t> ReadVarint();
  Result<int8_t> ReadByte();
  Result<int16_t> ReadI16();
  Result<int32_t> ReadI32();
  Result<int64_t> ReadI64();
  Result<double> ReadDouble();
  /// A list/set element boolean (one byte: 1 true, 0 or 2 false).
  Result<bool> ReadBool();
  /// A length-prefixed byte string; the view points into the input.
  Result<std::string_view> ReadBinaryView();
  Result<std::string> ReadBinary();

  /// Enters a struct. Errors: Corrupt when nesting exceeds the limit.
  Status BeginStruct();
  /// The next field header, or one with type kStop at the end of the struct.
  Result<FieldHeader> ReadFieldHeader();
  /// Leaves the struct entered by the matching BeginStruct (after the stop field was read).
  void EndStruct();

  /// Errors: Corrupt when the count exceeds the bytes left (every element takes at least one).
  Result<ListHeader> ReadListHeader();
  Result<MapHeader> ReadMapHeader();

  /// Skips one value of `type`, recursing into structs, lists, sets and maps. For a boolean
  /// struct field the value lives in the header and nothing is consumed.
  Status Skip(CompactType type);
  /// Skips one list, set or map element of `type` (booleans take one byte there).
  Status SkipElement(CompactType type);

  /// The value of a boolean struct field from its header type.
  static bool FieldBool(CompactType type) { return type == CompactType::kBoolTrue; }
  /// True when a field header's type holds a value of `expected` (both boolean nibbles match a
  /// boolean; a set matches a list).
  static bool TypeMatches(CompactType actual, CompactType expected);

 private:
  Status Truncated(std::string_view what) const;
  Result<CompactType> ToType(uint8_t nibble) const;

  std::string_view data_;
  size_t pos_ = 0;
  int max_depth_;
  int depth_ = 0;
  // Last field id of each open struct, for delta-encoded field headers.
  std::vector<int16_t> last_field_ids_;
};

}  // namespace faceberg::parquet

// Avro binary encoding: primitives (Decoder/Encoder) and whole datums walked against a schema.
// Every read is checked against the remaining input before anything is allocated, so hostile
// bytes produce Corrupt errors, never a crash or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/avro/datum.h"
#include "format/avro/schema.h"
#include "util/result.h"

namespace faceberg::avro {

/// Recursion through a recursive schema deeper than this is rejected as Corrupt.
inline constexpr int kMaxDatumDepth = 256;
/// Limit on array/map items that take no input bytes, per Decoder (per container file).
inline constexpr int64_t kMaxZeroSizeItems = int64_t{1} << 20;

/// Reads Avro binary primitives from a borrowed byte range. Errors are Corrupt and name the
/// offset: "truncated input: ...", "varint at offset 3 is longer than 10 bytes ...".
class Decoder {
 public:
  /// `zero_size_items_used` carries the ConsumeZeroSizeItems budget over from an earlier
  /// Decoder (one container file's blocks share one budget).
  explicit Decoder(std::string_view data, int64_t zero_size_items_used = 0)
      : data_(data), zero_size_items_(zero_size_items_used) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  Result<bool> ReadBool();
  /// A zig-zag varint of at most 5 bytes whose value fits 32 bits.
  Result<int32_t> ReadInt();
  /// A zig-zag varint of at most 10 bytes.
  Result<int64_t> ReadLong();
  Result<float> ReadFloat();
  Result<double> ReadDouble();
  /// A long length followed by that many bytes; a view into the input.
  Result<std::string_view> ReadBytes();
  /// Exactly `size` bytes; a view into the input.
  Result<std::string_view> ReadFixed(size_t size);

  /// Counts items that occupy no input (nulls, empty records in arrays and maps) against a
  /// limit of kMaxZeroSizeItems, so a few bytes cannot expand into unbounded values.
  /// Errors: Corrupt past the limit.
  Status ConsumeZeroSizeItems(int64_t count);
  int64_t zero_size_items() const { return zero_size_items_; }

 private:
  Status Truncated(size_t needed, std::string_view what) const;

  std::string_view data_;
  size_t pos_ = 0;
  int64_t zero_size_items_ = 0;
};

/// Appends Avro binary primitives to a borrowed string.
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  void WriteBool(bool value) { out_.push_back(value ? 1 : 0); }
  void WriteInt(int32_t value) { WriteLong(value); }
  void WriteLong(int64_t value);
  void WriteFloat(float value);
  void WriteDouble(double value);
  /// Length-prefixed bytes or string.
  void WriteBytes(std::string_view value);
  /// Raw bytes (fixed, sync markers).
  void WriteFixed(std::string_view value) { out_.append(value); }

 private:
  std::string& out_;
};

/// Reads one datum of type `schema`. Union values carry their branch index. Arrays and maps may
/// use negative block counts (with a byte size). Errors: Corrupt naming the failed check and,
/// for record fields, the field path.
Result<Datum> DecodeDatum(Decoder& decoder, const Node& schema);

/// Appends `datum` as type `schema`. Arrays and maps are written as one block plus a 0
/// terminator. Accepted promotions: int for long, float for double, bytes and string for each
/// other, bytes of the right size for fixed, a string naming a symbol for enum. A union takes
/// datum.branch() when set, else the first branch of the same type, else the first that
/// accepts a promotion.
/// Errors: InvalidArgument naming the field path when the datum does not match the schema
/// (`out` may then hold a partial encoding).
Status EncodeDatum(const Datum& datum, const Node& schema, Encoder& encoder);

/// Decodes a datum that must span all of `data`. Errors: as DecodeDatum; Corrupt on
/// trailing bytes.
Result<Datum> DecodeBinary(std::string_view data, const Node& schema);
/// Encodes a datum into a new string. Errors: as EncodeDatum.
Result<std::string> EncodeBinary(const Datum& datum, const Node& schema);

}  // namespace faceberg::avro

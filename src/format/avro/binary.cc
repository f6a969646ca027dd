#include "format/avro/binary.h"

#include <algorithm>
#include <limits>

#include "util/bytes.h"

namespace faceberg::avro {

namespace {

// Never reserve more than this many items up front; vectors grow past it as items arrive.
constexpr int64_t kMaxReserve = 4096;

}  // namespace

// --- Decoder ---

Status Decoder::Truncated(size_t needed, std::string_view what) const {
  return Corrupt("truncated input: {} needs {} bytes at offset {}, {} left", what, needed, pos_,
                 remaining());
}

Result<bool> Decoder::ReadBool() {
  if (remaining() < 1) return Truncated(1, "boolean");
  auto byte = static_cast<uint8_t>(data_[pos_]);
  if (byte > 1) return Corrupt("invalid boolean byte {} at offset {}", byte, pos_);
  ++pos_;
  return byte == 1;
}

Result<int64_t> Decoder::ReadLong() {
  size_t start = pos_;
  uint64_t raw = 0;
  for (int i = 0;; ++i) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      return Truncated(static_cast<size_t>(i) + 1, "varint");
    }
    auto byte = static_cast<uint8_t>(data_[pos_++]);
    // The 10th byte holds bit 63 only; anything more is an over-long or overflowing varint.
    if (i == 9 && byte > 1) {
      return Corrupt("varint at offset {} is longer than 10 bytes or overflows a long", start);
    }
    raw |= uint64_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

Result<int32_t> Decoder::ReadInt() {
  size_t start = pos_;
  uint32_t raw = 0;
  for (int i = 0;; ++i) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      return Truncated(static_cast<size_t>(i) + 1, "varint");
    }
    auto byte = static_cast<uint8_t>(data_[pos_++]);
    // The 5th byte holds bits 28..31 only.
    if (i == 4 && byte > 0x0f) {
      return Corrupt("int varint at offset {} is longer than 5 bytes or overflows an int", start);
    }
    raw |= uint32_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

Result<float> Decoder::ReadFloat() {
  if (remaining() < 4) return Truncated(4, "float");
  auto value = LoadLittleEndian<float>(data_.substr(pos_, 4));
  pos_ += 4;
  return value;
}

Result<double> Decoder::ReadDouble() {
  if (remaining() < 8) return Truncated(8, "double");
  auto value = LoadLittleEndian<double>(data_.substr(pos_, 8));
  pos_ += 8;
  return value;
}

Result<std::string_view> Decoder::ReadBytes() {
  size_t start = pos_;
  ASSIGN_OR_RETURN(int64_t length, ReadLong());
  if (length < 0) return Corrupt("negative length {} at offset {}", length, start);
  if (static_cast<uint64_t>(length) > remaining()) {
    return Corrupt("length {} at offset {} exceeds the remaining {} bytes", length, start,
                   remaining());
  }
  std::string_view value = data_.substr(pos_, static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return value;
}

Result<std::string_view> Decoder::ReadFixed(size_t size) {
  if (remaining() < size) return Truncated(size, "fixed");
  std::string_view value = data_.substr(pos_, size);
  pos_ += size;
  return value;
}

Status Decoder::ConsumeZeroSizeItems(int64_t count) {
  if (count > kMaxZeroSizeItems - zero_size_items_) {
    return Corrupt("more than {} zero-size items at offset {}", kMaxZeroSizeItems, pos_);
  }
  zero_size_items_ += count;
  return Status::OK();
}

// --- Encoder ---

void Encoder::WriteLong(int64_t value) {
  uint64_t raw = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (raw >= 0x80) {
    out_.push_back(static_cast<char>((raw & 0x7f) | 0x80));
    raw >>= 7;
  }
  out_.push_back(static_cast<char>(raw));
}

void Encoder::WriteFloat(float value) { AppendLittleEndian(out_, value); }

void Encoder::WriteDouble(double value) { AppendLittleEndian(out_, value); }

void Encoder::WriteBytes(std::string_view value) {
  WriteLong(static_cast<int64_t>(value.size()));
  out_.append(value);
}

// --- Datum decoding ---

namespace {

// Reads one block header of an array or map: the item count (0 ends the value) and, for a
// negative count, the block's byte size, which is checked but not otherwise needed.
// Sets *byte_size to -1 when the block has none.
Status ReadBlockHeader(Decoder& decoder, int64_t item_min_size, std::string_view what,
                       int64_t* count, int64_t* byte_size) {
  size_t start = decoder.position();
  ASSIGN_OR_RETURN(*count, decoder.ReadLong());
  *byte_size = -1;
  if (*count < 0) {
    if (*count == std::numeric_limits<int64_t>::min()) {
      return Corrupt("{} block count at offset {} is out of range", what, start);
    }
    *count = -*count;
    ASSIGN_OR_RETURN(*byte_size, decoder.ReadLong());
    if (*byte_size < 0 || static_cast<uint64_t>(*byte_size) > decoder.remaining()) {
      return Corrupt("{} block byte size {} at offset {} exceeds the remaining {} bytes", what,
                     *byte_size, start, decoder.remaining());
    }
  }
  if (item_min_size > 0) {
    if (*count > static_cast<int64_t>(decoder.remaining()) / item_min_size) {
      return Corrupt("{} block of {} items at offset {} exceeds the remaining {} bytes", what,
                     *count, start, decoder.remaining());
    }
  } else {
    Status st = decoder.ConsumeZeroSizeItems(*count);
    if (!st.ok()) return st.WithContext(what);
  }
  return Status::OK();
}

Status CheckBlockSize(const Decoder& decoder, size_t block_start, int64_t byte_size,
                      std::string_view what) {
  if (byte_size >= 0 && decoder.position() - block_start != static_cast<uint64_t>(byte_size)) {
    return Corrupt("{} block at offset {} declares {} bytes but holds {}", what, block_start,
                   byte_size, decoder.position() - block_start);
  }
  return Status::OK();
}

Result<Datum> Decode(Decoder& decoder, const Node& schema, int depth) {
  if (depth > kMaxDatumDepth) {
    return Corrupt("value nesting deeper than {} levels at offset {}", kMaxDatumDepth,
                   decoder.position());
  }
  switch (schema.type()) {
    case Type::kNull:
      return Datum::Null();
    case Type::kBoolean: {
      ASSIGN_OR_RETURN(bool v, decoder.ReadBool());
      return Datum::Boolean(v);
    }
    case Type::kInt: {
      ASSIGN_OR_RETURN(int32_t v, decoder.ReadInt());
      return Datum::Int(v);
    }
    case Type::kLong: {
      ASSIGN_OR_RETURN(int64_t v, decoder.ReadLong());
      return Datum::Long(v);
    }
    case Type::kFloat: {
      ASSIGN_OR_RETURN(float v, decoder.ReadFloat());
      return Datum::Float(v);
    }
    case Type::kDouble: {
      ASSIGN_OR_RETURN(double v, decoder.ReadDouble());
      return Datum::Double(v);
    }
    case Type::kBytes: {
      ASSIGN_OR_RETURN(std::string_view v, decoder.ReadBytes());
      return Datum::Bytes(std::string(v));
    }
    case Type::kString: {
      ASSIGN_OR_RETURN(std::string_view v, decoder.ReadBytes());
      return Datum::String(std::string(v));
    }
    case Type::kFixed: {
      ASSIGN_OR_RETURN(std::string_view v,
                       decoder.ReadFixed(static_cast<size_t>(schema.fixed_size())));
      return Datum::Fixed(std::string(v));
    }
    case Type::kEnum: {
      size_t start = decoder.position();
      ASSIGN_OR_RETURN(int32_t index, decoder.ReadInt());
      if (index < 0 || static_cast<size_t>(index) >= schema.symbols().size()) {
        return Corrupt("enum index {} at offset {} is out of range for '{}' ({} symbols)", index,
                       start, schema.full_name(), schema.symbols().size());
      }
      return Datum::Enum(index);
    }
    case Type::kUnion: {
      size_t start = decoder.position();
      ASSIGN_OR_RETURN(int64_t index, decoder.ReadLong());
      if (index < 0 || static_cast<uint64_t>(index) >= schema.branches().size()) {
        return Corrupt("union branch index {} at offset {} is out of range ({} branches)", index,
                       start, schema.branches().size());
      }
      ASSIGN_OR_RETURN(Datum value,
                       Decode(decoder, *schema.branches()[static_cast<size_t>(index)], depth + 1));
      value.set_branch(static_cast<int32_t>(index));
      return value;
    }
    case Type::kRecord: {
      std::vector<Datum> fields;
      fields.reserve(schema.fields().size());
      for (const Field& field : schema.fields()) {
        auto value = Decode(decoder, field.type(), depth + 1);
        if (!value.ok()) {
          return value.status().WithContext(fmt::format("field '{}'", field.name()));
        }
        fields.push_back(std::move(value).value());
      }
      return Datum::Record(std::move(fields));
    }
    case Type::kArray: {
      Datum array = Datum::Array({});
      auto& items = array.mutable_children();
      const Node& item_type = schema.items();
      while (true) {
        int64_t count = 0, byte_size = -1;
        RETURN_IF_ERROR(
            ReadBlockHeader(decoder, item_type.min_encoded_size(), "array", &count, &byte_size));
        if (count == 0) break;
        size_t block_start = decoder.position();
        items.reserve(items.size() + static_cast<size_t>(std::min(count, kMaxReserve)));
        for (int64_t i = 0; i < count; ++i) {
          ASSIGN_OR_RETURN(Datum item, Decode(decoder, item_type, depth + 1));
          items.push_back(std::move(item));
        }
        RETURN_IF_ERROR(CheckBlockSize(decoder, block_start, byte_size, "array"));
      }
      return array;
    }
    case Type::kMap: {
      Datum map = Datum::Map({});
      const Node& value_type = schema.values();
      // Every entry has at least a one-byte key length.
      int64_t entry_min = 1 + value_type.min_encoded_size();
      while (true) {
        int64_t count = 0, byte_size = -1;
        RETURN_IF_ERROR(ReadBlockHeader(decoder, entry_min, "map", &count, &byte_size));
        if (count == 0) break;
        size_t block_start = decoder.position();
        for (int64_t i = 0; i < count; ++i) {
          ASSIGN_OR_RETURN(std::string_view key, decoder.ReadBytes());
          ASSIGN_OR_RETURN(Datum value, Decode(decoder, value_type, depth + 1));
          map.Append(std::string(key), std::move(value));
        }
        RETURN_IF_ERROR(CheckBlockSize(decoder, block_start, byte_size, "map"));
      }
      return map;
    }
  }
  return Internal("unhandled avro type {}", static_cast<int>(schema.type()));
}

// --- Datum encoding ---

// Whether a datum of type `datum` may be written as `node` (same type or a promotion).
bool Accepts(Type node, Type datum) {
  if (node == datum) return true;
  switch (node) {
    case Type::kLong:
      return datum == Type::kInt;
    case Type::kDouble:
      return datum == Type::kFloat;
    case Type::kBytes:
      return datum == Type::kString;
    case Type::kString:
      return datum == Type::kBytes;
    case Type::kFixed:
      return datum == Type::kBytes;
    case Type::kEnum:
      return datum == Type::kString;
    default:
      return false;
  }
}

Result<size_t> ChooseBranch(const Datum& datum, const Node& schema) {
  const auto& branches = schema.branches();
  if (datum.branch() >= 0) {
    if (static_cast<size_t>(datum.branch()) >= branches.size()) {
      return InvalidArgument("union branch {} is out of range ({} branches)", datum.branch(),
                             branches.size());
    }
    return static_cast<size_t>(datum.branch());
  }
  for (size_t i = 0; i < branches.size(); ++i) {
    if (branches[i]->type() == datum.type()) return i;
  }
  for (size_t i = 0; i < branches.size(); ++i) {
    if (Accepts(branches[i]->type(), datum.type())) return i;
  }
  return InvalidArgument("no union branch accepts a {} value", TypeName(datum.type()));
}

Status Encode(const Datum& datum, const Node& schema, Encoder& encoder, int depth) {
  if (depth > kMaxDatumDepth) {
    return InvalidArgument("value nesting deeper than {} levels", kMaxDatumDepth);
  }
  if (schema.type() != Type::kUnion && !Accepts(schema.type(), datum.type())) {
    return InvalidArgument("expected a {} value, got {}", TypeName(schema.type()),
                           TypeName(datum.type()));
  }
  switch (schema.type()) {
    case Type::kNull:
      return Status::OK();
    case Type::kBoolean:
      encoder.WriteBool(datum.bool_value());
      return Status::OK();
    case Type::kInt:
      encoder.WriteInt(datum.int_value());
      return Status::OK();
    case Type::kLong:
      encoder.WriteLong(datum.long_value());
      return Status::OK();
    case Type::kFloat:
      encoder.WriteFloat(datum.float_value());
      return Status::OK();
    case Type::kDouble:
      encoder.WriteDouble(datum.double_value());
      return Status::OK();
    case Type::kBytes:
    case Type::kString:
      encoder.WriteBytes(datum.bytes());
      return Status::OK();
    case Type::kFixed:
      if (static_cast<int64_t>(datum.bytes().size()) != schema.fixed_size()) {
        return InvalidArgument("fixed '{}' needs {} bytes, got {}", schema.full_name(),
                               schema.fixed_size(), datum.bytes().size());
      }
      encoder.WriteFixed(datum.bytes());
      return Status::OK();
    case Type::kEnum: {
      const auto& symbols = schema.symbols();
      if (datum.type() == Type::kString) {
        auto it = std::find(symbols.begin(), symbols.end(), datum.bytes());
        if (it == symbols.end()) {
          return InvalidArgument("'{}' is not a symbol of enum '{}'", datum.bytes(),
                                 schema.full_name());
        }
        encoder.WriteInt(static_cast<int32_t>(it - symbols.begin()));
        return Status::OK();
      }
      if (datum.enum_index() < 0 || static_cast<size_t>(datum.enum_index()) >= symbols.size()) {
        return InvalidArgument("enum index {} is out of range for '{}' ({} symbols)",
                               datum.enum_index(), schema.full_name(), symbols.size());
      }
      encoder.WriteInt(datum.enum_index());
      return Status::OK();
    }
    case Type::kUnion: {
      ASSIGN_OR_RETURN(size_t index, ChooseBranch(datum, schema));
      encoder.WriteLong(static_cast<int64_t>(index));
      return Encode(datum, *schema.branches()[index], encoder, depth + 1);
    }
    case Type::kRecord: {
      const auto& fields = schema.fields();
      if (datum.size() != fields.size()) {
        return InvalidArgument("record '{}' has {} fields, the value has {}", schema.full_name(),
                               fields.size(), datum.size());
      }
      for (size_t i = 0; i < fields.size(); ++i) {
        Status st = Encode(datum[i], fields[i].type(), encoder, depth + 1);
        if (!st.ok()) return st.WithContext(fmt::format("field '{}'", fields[i].name()));
      }
      return Status::OK();
    }
    case Type::kArray: {
      if (datum.size() > 0) {
        encoder.WriteLong(static_cast<int64_t>(datum.size()));
        for (const Datum& item : datum.children()) {
          RETURN_IF_ERROR(Encode(item, schema.items(), encoder, depth + 1));
        }
      }
      encoder.WriteLong(0);
      return Status::OK();
    }
    case Type::kMap: {
      if (datum.keys().size() != datum.size()) {
        return InvalidArgument("map value has {} keys for {} values", datum.keys().size(),
                               datum.size());
      }
      if (datum.size() > 0) {
        encoder.WriteLong(static_cast<int64_t>(datum.size()));
        for (size_t i = 0; i < datum.size(); ++i) {
          encoder.WriteBytes(datum.key(i));
          RETURN_IF_ERROR(Encode(datum[i], schema.values(), encoder, depth + 1));
        }
      }
      encoder.WriteLong(0);
      return Status::OK();
    }
  }
  return Internal("unhandled avro type {}", static_cast<int>(schema.type()));
}

}  // namespace

Result<Datum> DecodeDatum(Decoder& decoder, const Node& schema) {
  return Decode(decoder, schema, 0);
}

Status EncodeDatum(const Datum& datum, const Node& schema, Encoder& encoder) {
  return Encode(datum, schema, encoder, 0);
}

Result<Datum> DecodeBinary(std::string_view data, const Node& schema) {
  Decoder decoder(data);
  ASSIGN_OR_RETURN(Datum datum, DecodeDatum(decoder, schema));
  if (decoder.remaining() != 0) {
    return Corrupt("{} bytes left after the value at offset {}", decoder.remaining(),
                   decoder.position());
  }
  return datum;
}

Result<std::string> EncodeBinary(const Datum& datum, const Node& schema) {
  std::string out;
  Encoder encoder(out);
  RETURN_IF_ERROR(EncodeDatum(datum, schema, encoder));
  return out;
}

}  // namespace faceberg::avro

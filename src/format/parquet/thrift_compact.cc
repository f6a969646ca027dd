#include "format/parquet/thrift_compact.h"

#include <cstring>

namespace faceberg::parquet {

std::string_view CompactTypeName(CompactType type) {
  switch (type) {
    case CompactType::kStop:
      return "stop";
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return "bool";
    case CompactType::kByte:
      return "byte";
    case CompactType::kI16:
      return "i16";
    case CompactType::kI32:
      return "i32";
    case CompactType::kI64:
      return "i64";
    case CompactType::kDouble:
      return "double";
    case CompactType::kBinary:
      return "binary";
    case CompactType::kList:
      return "list";
    case CompactType::kSet:
      return "set";
    case CompactType::kMap:
      return "map";
    case CompactType::kStruct:
      return "struct";
  }
  return "unknown";
}

bool CompactDecoder::TypeMatches(CompactType actual, CompactType expected) {
  auto is_bool = [](CompactType t) {
    return t == CompactType::kBoolTrue || t == CompactType::kBoolFalse;
  };
  auto is_list = [](CompactType t) { return t == CompactType::kList || t == CompactType::kSet; };
  if (is_bool(expected)) return is_bool(actual);
  if (is_list(expected)) return is_list(actual);
  return actual == expected;
}

Status CompactDecoder::Truncated(std::string_view what) const {
  return Corrupt("truncated footer: {} at byte {} runs past the end ({} bytes)", what, pos_,
                 data_.size());
}

Result<CompactType> CompactDecoder::ToType(uint8_t nibble) const {
  if (nibble > static_cast<uint8_t>(CompactType::kStruct)) {
    return Corrupt("invalid thrift type {} at byte {}", nibble, pos_);
  }
  return static_cast<CompactType>(nibble);
}

Result<uint64_t> CompactDecoder::ReadVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return Truncated("varint");
    auto byte = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && byte > 1) return Corrupt("varint overflows 64 bits at byte {}", pos_);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return Corrupt("varint longer than 10 bytes at byte {}", pos_);
}

namespace {
int64_t ZigZagDecode(uint64_t n) {
  return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
}
}  // namespace

Result<int8_t> CompactDecoder::ReadByte() {
  if (pos_ >= data_.size()) return Truncated("byte");
  return static_cast<int8_t>(data_[pos_++]);
}

Result<int16_t> CompactDecoder::ReadI16() {
  ASSIGN_OR_RETURN(int64_t v, ReadI64());
  if (v < INT16_MIN || v > INT16_MAX) return Corrupt("i16 value {} out of range", v);
  return static_cast<int16_t>(v);
}

Result<int32_t> CompactDecoder::ReadI32() {
  ASSIGN_OR_RETURN(int64_t v, ReadI64());
  if (v < INT32_MIN || v > INT32_MAX) return Corrupt("i32 value {} out of range", v);
  return static_cast<int32_t>(v);
}

Result<int64_t> CompactDecoder::ReadI64() {
  ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  return ZigZagDecode(raw);
}

Result<double> CompactDecoder::ReadDouble() {
  if (remaining() < 8) return Truncated("double");
  double value;
  std::memcpy(&value, data_.data() + pos_, 8);  // little-endian on the wire and on the host
  pos_ += 8;
  return value;
}

Result<bool> CompactDecoder::ReadBool() {
  ASSIGN_OR_RETURN(int8_t b, ReadByte());
  return b == 1;
}

Result<std::string_view> CompactDecoder::ReadBinaryView() {
  ASSIGN_OR_RETURN(uint64_t length, ReadVarint());
  if (length > remaining()) {
    return Corrupt("truncated footer: binary of {} bytes at byte {} but only {} remain", length,
                   pos_, remaining());
  }
  std::string_view view = data_.substr(pos_, length);
  pos_ += length;
  return view;
}

Result<std::string> CompactDecoder::ReadBinary() {
  ASSIGN_OR_RETURN(std::string_view view, ReadBinaryView());
  return std::string(view);
}

Status CompactDecoder::BeginStruct() {
  if (depth_ >= max_depth_) {
    return Corrupt("thrift nesting deeper than {} at byte {}", max_depth_, pos_);
  }
  ++depth_;
  last_field_ids_.push_back(0);
  return Status::OK();
}

void CompactDecoder::EndStruct() {
  if (!last_field_ids_.empty()) last_field_ids_.pop_back();
  if (depth_ > 0) --depth_;
}

Result<FieldHeader> CompactDecoder::ReadFieldHeader() {
  if (pos_ >= data_.size()) return Truncated("field header");
  auto byte = static_cast<uint8_t>(data_[pos_++]);
  FieldHeader header;
  ASSIGN_OR_RETURN(header.type, ToType(byte & 0x0f));
  if (header.type == CompactType::kStop) return header;
  int16_t last = last_field_ids_.empty() ? int16_t{0} : last_field_ids_.back();
  uint8_t delta = byte >> 4;
  if (delta != 0) {
    int32_t id = int32_t{last} + delta;
    if (id > INT16_MAX) return Corrupt("thrift field id {} out of range at byte {}", id, pos_);
    header.id = static_cast<int16_t>(id);
  } else {
    ASSIGN_OR_RETURN(header.id, ReadI16());
  }
  if (!last_field_ids_.empty()) last_field_ids_.back() = header.id;
  return header;
}

Result<ListHeader> CompactDecoder::ReadListHeader() {
  if (pos_ >= data_.size()) return Truncated("list header");
  auto byte = static_cast<uint8_t>(data_[pos_++]);
  ListHeader header;
  ASSIGN_OR_RETURN(header.element_type, ToType(byte & 0x0f));
  uint64_t size = byte >> 4;
  if (size == 15) {
    ASSIGN_OR_RETURN(size, ReadVarint());
  }
  // Every element, whatever its type, takes at least one byte.
  if (size > remaining()) {
    return Corrupt("truncated footer: list of {} elements at byte {} but only {} bytes remain",
                   size, pos_, remaining());
  }
  if (size > 0 && header.element_type == CompactType::kStop) {
    return Corrupt("list of {} elements with invalid element type at byte {}", size, pos_);
  }
  header.size = static_cast<uint32_t>(size);
  return header;
}

Result<MapHeader> CompactDecoder::ReadMapHeader() {
  ASSIGN_OR_RETURN(uint64_t size, ReadVarint());
  MapHeader header;
  if (size == 0) return header;
  // Every entry takes at least two bytes, plus the one-byte key/value type header.
  if (size > remaining() / 2) {
    return Corrupt("truncated footer: map of {} entries at byte {} but only {} bytes remain", size,
                   pos_, remaining());
  }
  if (pos_ >= data_.size()) return Truncated("map header");
  auto byte = static_cast<uint8_t>(data_[pos_++]);
  ASSIGN_OR_RETURN(header.key_type, ToType(byte >> 4));
  ASSIGN_OR_RETURN(header.value_type, ToType(byte & 0x0f));
  if (header.key_type == CompactType::kStop || header.value_type == CompactType::kStop) {
    return Corrupt("map with invalid key or value type at byte {}", pos_);
  }
  header.size = static_cast<uint32_t>(size);
  return header;
}

Status CompactDecoder::Skip(CompactType type) {
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return Status::OK();  // a struct field boolean lives in its header
    default:
      return SkipElement(type);
  }
}

Status CompactDecoder::SkipElement(CompactType type) {
  switch (type) {
    case CompactType::kStop:
      return Corrupt("unexpected stop type at byte {}", pos_);
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
    case CompactType::kByte:
      return ReadByte().status();
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64:
      return ReadVarint().status();
    case CompactType::kDouble:
      return ReadDouble().status();
    case CompactType::kBinary:
      return ReadBinaryView().status();
    case CompactType::kStruct: {
      RETURN_IF_ERROR(BeginStruct());
      while (true) {
        ASSIGN_OR_RETURN(FieldHeader field, ReadFieldHeader());
        if (field.is_stop()) break;
        RETURN_IF_ERROR(Skip(field.type));
      }
      EndStruct();
      return Status::OK();
    }
    case CompactType::kList:
    case CompactType::kSet: {
      if (depth_ >= max_depth_) {
        return Corrupt("thrift nesting deeper than {} at byte {}", max_depth_, pos_);
      }
      ASSIGN_OR_RETURN(ListHeader list, ReadListHeader());
      ++depth_;
      for (uint32_t i = 0; i < list.size; ++i) {
        Status st = SkipElement(list.element_type);
        if (!st.ok()) {
          --depth_;
          return st;
        }
      }
      --depth_;
      return Status::OK();
    }
    case CompactType::kMap: {
      if (depth_ >= max_depth_) {
        return Corrupt("thrift nesting deeper than {} at byte {}", max_depth_, pos_);
      }
      ASSIGN_OR_RETURN(MapHeader map, ReadMapHeader());
      ++depth_;
      for (uint32_t i = 0; i < map.size; ++i) {
        Status st = SkipElement(map.key_type);
        if (st.ok()) st = SkipElement(map.value_type);
        if (!st.ok()) {
          --depth_;
          return st;
        }
      }
      --depth_;
      return Status::OK();
    }
  }
  return Corrupt("invalid thrift type at byte {}", pos_);
}

}  // namespace faceberg::parquet

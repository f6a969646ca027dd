#include "format/parquet/metadata.h"

#include <type_traits>
#include <utility>

#include "format/parquet/thrift_compact.h"

namespace faceberg::parquet {

namespace {

// --- Generic field readers -------------------------------------------------------------------
// A field whose wire type does not match the schema is skipped, as Thrift-generated readers do;
// a required field skipped that way is then reported missing.

template <typename T>
constexpr CompactType WireType() {
  if constexpr (std::is_same_v<T, std::string>) return CompactType::kBinary;
  if constexpr (std::is_same_v<T, bool>) return CompactType::kBoolTrue;
  if constexpr (std::is_same_v<T, int8_t>) return CompactType::kByte;
  if constexpr (std::is_same_v<T, int16_t>) return CompactType::kI16;
  if constexpr (std::is_same_v<T, int32_t>) return CompactType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return CompactType::kI64;
  if constexpr (std::is_same_v<T, double>) return CompactType::kDouble;
}

template <typename T>
Status ReadValue(CompactDecoder& d, const FieldHeader& h, T* out) {
  if constexpr (std::is_same_v<T, std::string>) {
    ASSIGN_OR_RETURN(*out, d.ReadBinary());
  } else if constexpr (std::is_same_v<T, bool>) {
    *out = CompactDecoder::FieldBool(h.type);
  } else if constexpr (std::is_same_v<T, int8_t>) {
    ASSIGN_OR_RETURN(*out, d.ReadByte());
  } else if constexpr (std::is_same_v<T, int16_t>) {
    ASSIGN_OR_RETURN(*out, d.ReadI16());
  } else if constexpr (std::is_same_v<T, int32_t>) {
    ASSIGN_OR_RETURN(*out, d.ReadI32());
  } else if constexpr (std::is_same_v<T, int64_t>) {
    ASSIGN_OR_RETURN(*out, d.ReadI64());
  } else {
    static_assert(std::is_same_v<T, double>);
    ASSIGN_OR_RETURN(*out, d.ReadDouble());
  }
  return Status::OK();
}

// Reads a field into `out`, setting `*seen` when it was present with the right wire type.
template <typename T>
Status ReadField(CompactDecoder& d, const FieldHeader& h, T* out, bool* seen = nullptr) {
  if (!CompactDecoder::TypeMatches(h.type, WireType<T>())) return d.Skip(h.type);
  RETURN_IF_ERROR(ReadValue(d, h, out));
  if (seen != nullptr) *seen = true;
  return Status::OK();
}

template <typename T>
Status ReadField(CompactDecoder& d, const FieldHeader& h, std::optional<T>* out) {
  if (!CompactDecoder::TypeMatches(h.type, WireType<T>())) return d.Skip(h.type);
  T value{};
  RETURN_IF_ERROR(ReadValue(d, h, &value));
  *out = std::move(value);
  return Status::OK();
}

// Reads a struct, calling `on_field(header)` for each field; the callback must consume the value
// (read it or Skip it).
template <typename Fn>
Status ReadStruct(CompactDecoder& d, Fn&& on_field) {
  RETURN_IF_ERROR(d.BeginStruct());
  while (true) {
    ASSIGN_OR_RETURN(FieldHeader header, d.ReadFieldHeader());
    if (header.is_stop()) break;
    RETURN_IF_ERROR(on_field(header));
  }
  d.EndStruct();
  return Status::OK();
}

// Reads a list field whose elements have wire type `element_type`, calling `read_element()` for
// each. Elements are appended one at a time: the count alone never drives an allocation.
template <typename Fn>
Status ReadList(CompactDecoder& d, const FieldHeader& h, CompactType element_type,
                std::string_view what, bool* seen, Fn&& read_element) {
  if (!CompactDecoder::TypeMatches(h.type, CompactType::kList)) return d.Skip(h.type);
  ASSIGN_OR_RETURN(ListHeader list, d.ReadListHeader());
  if (list.size > 0 && !CompactDecoder::TypeMatches(list.element_type, element_type)) {
    return Corrupt("{} is a list of {}, expected {}", what, CompactTypeName(list.element_type),
                   CompactTypeName(element_type));
  }
  for (uint32_t i = 0; i < list.size; ++i) RETURN_IF_ERROR(read_element());
  if (seen != nullptr) *seen = true;
  return Status::OK();
}

Status Missing(std::string_view structure, std::string_view field) {
  return Corrupt("{} is missing required field '{}'", structure, field);
}

// --- Enums ------------------------------------------------------------------------------------

Result<PhysicalType> ToPhysicalType(int32_t v) {
  if (v < 0 || v > static_cast<int32_t>(PhysicalType::kFixedLenByteArray)) {
    return Corrupt("invalid physical type {}", v);
  }
  return static_cast<PhysicalType>(v);
}

Result<Repetition> ToRepetition(int32_t v) {
  if (v < 0 || v > static_cast<int32_t>(Repetition::kRepeated)) {
    return Corrupt("invalid repetition type {}", v);
  }
  return static_cast<Repetition>(v);
}

// --- Structs ----------------------------------------------------------------------------------

// TimeUnit is a union of empty structs.
Result<TimeUnit> ReadTimeUnit(CompactDecoder& d) {
  std::optional<TimeUnit> unit;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    if (h.type == CompactType::kStruct && h.id >= 1 && h.id <= 3) {
      unit = h.id == 1 ? TimeUnit::kMillis : h.id == 2 ? TimeUnit::kMicros : TimeUnit::kNanos;
    }
    return d.Skip(h.type);
  }));
  if (!unit) return Corrupt("time unit has no known member");
  return *unit;
}

// TimeType and TimestampType share their layout.
Status ReadTimeLike(CompactDecoder& d, LogicalType* out) {
  bool has_unit = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return ReadField(d, h, &out->is_adjusted_to_utc);
      case 2: {
        if (h.type != CompactType::kStruct) return d.Skip(h.type);
        ASSIGN_OR_RETURN(out->unit, ReadTimeUnit(d));
        has_unit = true;
        return Status::OK();
      }
      default:
        return d.Skip(h.type);
    }
  }));
  if (!has_unit) return Missing("TimeType/TimestampType", "unit");
  return Status::OK();
}

Result<std::optional<LogicalType>> ReadLogicalType(CompactDecoder& d) {
  std::optional<LogicalType> result;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    if (h.type != CompactType::kStruct) return d.Skip(h.type);
    LogicalType lt;
    using Kind = LogicalType::Kind;
    switch (h.id) {
      case 5: {
        lt.kind = Kind::kDecimal;
        bool has_scale = false;
        bool has_precision = false;
        RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return ReadField(d, f, &lt.scale, &has_scale);
          if (f.id == 2) return ReadField(d, f, &lt.precision, &has_precision);
          return d.Skip(f.type);
        }));
        if (!has_scale || !has_precision) return Missing("DecimalType", "scale/precision");
        break;
      }
      case 7:
        lt.kind = Kind::kTime;
        RETURN_IF_ERROR(ReadTimeLike(d, &lt));
        break;
      case 8:
        lt.kind = Kind::kTimestamp;
        RETURN_IF_ERROR(ReadTimeLike(d, &lt));
        break;
      case 10: {
        lt.kind = Kind::kInteger;
        int8_t bit_width = 0;
        bool has_width = false;
        bool has_signed = false;
        RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& f) -> Status {
          if (f.id == 1) return ReadField(d, f, &bit_width, &has_width);
          if (f.id == 2) return ReadField(d, f, &lt.is_signed, &has_signed);
          return d.Skip(f.type);
        }));
        if (!has_width || !has_signed) return Missing("IntType", "bitWidth/isSigned");
        lt.bit_width = bit_width;
        break;
      }
      default: {
        static constexpr std::pair<int, Kind> kEmptyMembers[] = {
            {1, Kind::kString},    {2, Kind::kMap},      {3, Kind::kList},
            {4, Kind::kEnum},      {6, Kind::kDate},     {11, Kind::kUnknown},
            {12, Kind::kJson},     {13, Kind::kBson},    {14, Kind::kUuid},
            {15, Kind::kFloat16},  {16, Kind::kVariant}, {17, Kind::kGeometry},
            {18, Kind::kGeography}};
        lt.kind = Kind::kOther;
        lt.other_field_id = h.id;
        for (const auto& [id, kind] : kEmptyMembers) {
          if (id == h.id) lt.kind = kind;
        }
        RETURN_IF_ERROR(d.Skip(h.type));  // members with parameters we do not use (crs, ...)
        break;
      }
    }
    result = lt;
    return Status::OK();
  }));
  return result;
}

Result<SchemaElement> ReadSchemaElement(CompactDecoder& d) {
  SchemaElement e;
  bool has_name = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1: {
        std::optional<int32_t> v;
        RETURN_IF_ERROR(ReadField(d, h, &v));
        if (v) {
          ASSIGN_OR_RETURN(e.type, ToPhysicalType(*v));
        }
        return Status::OK();
      }
      case 2:
        return ReadField(d, h, &e.type_length);
      case 3: {
        std::optional<int32_t> v;
        RETURN_IF_ERROR(ReadField(d, h, &v));
        if (v) {
          ASSIGN_OR_RETURN(e.repetition_type, ToRepetition(*v));
        }
        return Status::OK();
      }
      case 4:
        return ReadField(d, h, &e.name, &has_name);
      case 5:
        return ReadField(d, h, &e.num_children);
      case 6: {
        std::optional<int32_t> v;
        RETURN_IF_ERROR(ReadField(d, h, &v));
        if (v) e.converted_type = static_cast<ConvertedType>(*v);
        return Status::OK();
      }
      case 7:
        return ReadField(d, h, &e.scale);
      case 8:
        return ReadField(d, h, &e.precision);
      case 9:
        return ReadField(d, h, &e.field_id);
      case 10: {
        if (h.type != CompactType::kStruct) return d.Skip(h.type);
        ASSIGN_OR_RETURN(e.logical_type, ReadLogicalType(d));
        return Status::OK();
      }
      default:
        return d.Skip(h.type);
    }
  }));
  if (!has_name) return Missing("SchemaElement", "name");
  return e;
}

Result<Statistics> ReadStatistics(CompactDecoder& d) {
  Statistics s;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return ReadField(d, h, &s.max);
      case 2:
        return ReadField(d, h, &s.min);
      case 3:
        return ReadField(d, h, &s.null_count);
      case 4:
        return ReadField(d, h, &s.distinct_count);
      case 5:
        return ReadField(d, h, &s.max_value);
      case 6:
        return ReadField(d, h, &s.min_value);
      case 7:
        return ReadField(d, h, &s.is_max_value_exact);
      case 8:
        return ReadField(d, h, &s.is_min_value_exact);
      case 9:
        return ReadField(d, h, &s.nan_count);
      default:
        return d.Skip(h.type);
    }
  }));
  return s;
}

Result<KeyValue> ReadKeyValue(CompactDecoder& d) {
  KeyValue kv;
  bool has_key = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    if (h.id == 1) return ReadField(d, h, &kv.key, &has_key);
    if (h.id == 2) return ReadField(d, h, &kv.value);
    return d.Skip(h.type);
  }));
  if (!has_key) return Missing("KeyValue", "key");
  return kv;
}

Result<ColumnMetaData> ReadColumnMetaData(CompactDecoder& d) {
  ColumnMetaData m;
  bool has_type = false, has_path = false, has_num_values = false, has_uncompressed = false,
       has_compressed = false, has_data_page = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1: {
        int32_t v = 0;
        bool seen = false;
        RETURN_IF_ERROR(ReadField(d, h, &v, &seen));
        if (seen) {
          ASSIGN_OR_RETURN(m.type, ToPhysicalType(v));
          has_type = true;
        }
        return Status::OK();
      }
      case 3:
        return ReadList(d, h, CompactType::kBinary, "path_in_schema", &has_path, [&]() -> Status {
          ASSIGN_OR_RETURN(std::string part, d.ReadBinary());
          m.path_in_schema.push_back(std::move(part));
          return Status::OK();
        });
      case 4: {
        int32_t v = 0;
        RETURN_IF_ERROR(ReadField(d, h, &v));
        m.codec = static_cast<CompressionCodec>(v);
        return Status::OK();
      }
      case 5:
        return ReadField(d, h, &m.num_values, &has_num_values);
      case 6:
        return ReadField(d, h, &m.total_uncompressed_size, &has_uncompressed);
      case 7:
        return ReadField(d, h, &m.total_compressed_size, &has_compressed);
      case 9:
        return ReadField(d, h, &m.data_page_offset, &has_data_page);
      case 10:
        return ReadField(d, h, &m.index_page_offset);
      case 11:
        return ReadField(d, h, &m.dictionary_page_offset);
      case 12: {
        if (h.type != CompactType::kStruct) return d.Skip(h.type);
        ASSIGN_OR_RETURN(m.statistics, ReadStatistics(d));
        return Status::OK();
      }
      case 14:
        return ReadField(d, h, &m.bloom_filter_offset);
      case 15:
        return ReadField(d, h, &m.bloom_filter_length);
      default:
        return d.Skip(h.type);  // encodings, key_value_metadata, encoding_stats, size stats, ...
    }
  }));
  if (!has_type) return Missing("ColumnMetaData", "type");
  if (!has_path) return Missing("ColumnMetaData", "path_in_schema");
  if (!has_num_values) return Missing("ColumnMetaData", "num_values");
  if (!has_uncompressed) return Missing("ColumnMetaData", "total_uncompressed_size");
  if (!has_compressed) return Missing("ColumnMetaData", "total_compressed_size");
  if (!has_data_page) return Missing("ColumnMetaData", "data_page_offset");
  return m;
}

Result<ColumnChunk> ReadColumnChunk(CompactDecoder& d) {
  ColumnChunk c;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return ReadField(d, h, &c.file_path);
      case 2:
        return ReadField(d, h, &c.file_offset);
      case 3: {
        if (h.type != CompactType::kStruct) return d.Skip(h.type);
        ASSIGN_OR_RETURN(c.meta_data, ReadColumnMetaData(d));
        return Status::OK();
      }
      default:
        return d.Skip(h.type);
    }
  }));
  return c;
}

Result<RowGroup> ReadRowGroup(CompactDecoder& d) {
  RowGroup rg;
  bool has_columns = false, has_byte_size = false, has_rows = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return ReadList(d, h, CompactType::kStruct, "RowGroup.columns", &has_columns,
                        [&]() -> Status {
                          ASSIGN_OR_RETURN(ColumnChunk chunk, ReadColumnChunk(d));
                          rg.columns.push_back(std::move(chunk));
                          return Status::OK();
                        });
      case 2:
        return ReadField(d, h, &rg.total_byte_size, &has_byte_size);
      case 3:
        return ReadField(d, h, &rg.num_rows, &has_rows);
      case 5:
        return ReadField(d, h, &rg.file_offset);
      case 6:
        return ReadField(d, h, &rg.total_compressed_size);
      case 7:
        return ReadField(d, h, &rg.ordinal);
      default:
        return d.Skip(h.type);
    }
  }));
  if (!has_columns) return Missing("RowGroup", "columns");
  if (!has_byte_size) return Missing("RowGroup", "total_byte_size");
  if (!has_rows) return Missing("RowGroup", "num_rows");
  return rg;
}

Result<ColumnOrder> ReadColumnOrder(CompactDecoder& d) {
  ColumnOrder order = ColumnOrder::kUnknown;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    if (h.type == CompactType::kStruct && h.id == 1) order = ColumnOrder::kTypeDefined;
    if (h.type == CompactType::kStruct && h.id == 2) order = ColumnOrder::kIeee754TotalOrder;
    return d.Skip(h.type);
  }));
  return order;
}

}  // namespace

std::optional<std::string> FileMetaData::FindKeyValue(std::string_view key) const {
  for (const auto& kv : key_value_metadata) {
    if (kv.key == key) return kv.value;
  }
  return std::nullopt;
}

std::string_view PhysicalTypeName(PhysicalType type) {
  switch (type) {
    case PhysicalType::kBoolean:
      return "BOOLEAN";
    case PhysicalType::kInt32:
      return "INT32";
    case PhysicalType::kInt64:
      return "INT64";
    case PhysicalType::kInt96:
      return "INT96";
    case PhysicalType::kFloat:
      return "FLOAT";
    case PhysicalType::kDouble:
      return "DOUBLE";
    case PhysicalType::kByteArray:
      return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

Result<FileMetaData> DecodeFileMetaData(std::string_view bytes) {
  CompactDecoder d(bytes);
  FileMetaData md;
  bool has_version = false, has_schema = false, has_rows = false, has_row_groups = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](const FieldHeader& h) -> Status {
    switch (h.id) {
      case 1:
        return ReadField(d, h, &md.version, &has_version);
      case 2:
        return ReadList(d, h, CompactType::kStruct, "FileMetaData.schema", &has_schema,
                        [&]() -> Status {
                          ASSIGN_OR_RETURN(SchemaElement e, ReadSchemaElement(d));
                          md.schema.push_back(std::move(e));
                          return Status::OK();
                        });
      case 3:
        return ReadField(d, h, &md.num_rows, &has_rows);
      case 4:
        return ReadList(d, h, CompactType::kStruct, "FileMetaData.row_groups", &has_row_groups,
                        [&]() -> Status {
                          ASSIGN_OR_RETURN(RowGroup rg, ReadRowGroup(d));
                          md.row_groups.push_back(std::move(rg));
                          return Status::OK();
                        });
      case 5:
        return ReadList(d, h, CompactType::kStruct, "FileMetaData.key_value_metadata", nullptr,
                        [&]() -> Status {
                          ASSIGN_OR_RETURN(KeyValue kv, ReadKeyValue(d));
                          md.key_value_metadata.push_back(std::move(kv));
                          return Status::OK();
                        });
      case 6:
        return ReadField(d, h, &md.created_by);
      case 7:
        return ReadList(d, h, CompactType::kStruct, "FileMetaData.column_orders", nullptr,
                        [&]() -> Status {
                          ASSIGN_OR_RETURN(ColumnOrder order, ReadColumnOrder(d));
                          md.column_orders.push_back(order);
                          return Status::OK();
                        });
      case 8:
        md.has_encryption_algorithm = true;
        return d.Skip(h.type);
      default:
        return d.Skip(h.type);
    }
  }));
  if (!has_version) return Missing("FileMetaData", "version");
  if (!has_schema) return Missing("FileMetaData", "schema");
  if (!has_rows) return Missing("FileMetaData", "num_rows");
  if (!has_row_groups) return Missing("FileMetaData", "row_groups");
  if (md.num_rows < 0) return Corrupt("negative num_rows {}", md.num_rows);
  return md;
}

}  // namespace faceberg::parquet

#include "iceberg/manifest.h"

#include <algorithm>
#include <cmath>

#include "format/avro/container.h"
#include "format/avro/datum.h"
#include "format/avro/schema.h"
#include "iceberg/single_value.h"
#include "iceberg/table_metadata.h"

namespace faceberg::iceberg {

using avro::Datum;

namespace {

constexpr uint64_t kMaxManifestBytes = uint64_t{1} << 30;

// ---- Avro schemas (Java-compatible names and field ids) ----

int DecimalBytes(int precision) {
  // Smallest n with 2^(8n-1) > 10^precision.
  int n = 1;
  while (std::ldexp(1.0, 8 * n - 1) <= std::pow(10.0, precision)) ++n;
  return n;
}

Json AvroTypeOf(const Type& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDate:
      return Json{{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTime:
      return Json{{"type", "long"}, {"logicalType", "time-micros"}};
    case TypeId::kTimestamp:
      return Json{{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", false}};
    case TypeId::kTimestampTz:
      return Json{{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", true}};
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return Json{{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}};
    case TypeId::kFixed:
      return Json{{"type", "fixed"},
                  {"name", fmt::format("fixed_{}", type.fixed_length())},
                  {"size", type.fixed_length()}};
    case TypeId::kBinary:
      return "bytes";
    case TypeId::kDecimal:
      return Json{{"type", "fixed"},
                  {"name", fmt::format("decimal_{}_{}", type.precision(), type.scale())},
                  {"size", DecimalBytes(type.precision())},
                  {"logicalType", "decimal"},
                  {"precision", type.precision()},
                  {"scale", type.scale()}};
    default:
      return "null";  // nested types never appear in partition tuples
  }
}

Json Optional(Json type) { return Json::array({"null", std::move(type)}); }

Json AvroField(const char* name, Json type, int field_id, bool optional) {
  Json f = {{"name", name},
            {"type", optional ? Optional(std::move(type)) : std::move(type)},
            {"field-id", field_id}};
  if (optional) f["default"] = nullptr;
  return f;
}

// Java writes int-keyed maps as arrays of key/value records marked logicalType "map".
Json KeyValueArray(int key_id, int value_id, const char* value_type) {
  Json record = {{"type", "record"},
                 {"name", fmt::format("k{}_v{}", key_id, value_id)},
                 {"fields", Json::array({AvroField("key", "int", key_id, false),
                                         AvroField("value", value_type, value_id, false)})}};
  return Json{{"type", "array"}, {"items", std::move(record)}, {"logicalType", "map"}};
}

Json ListOf(const char* item_type, int element_id) {
  return Json{{"type", "array"}, {"items", item_type}, {"element-id", element_id}};
}

Json ManifestEntrySchema(const Type& partition_type, int format_version) {
  Json partition_fields = Json::array();
  for (const auto& f : partition_type.fields()) {
    partition_fields.push_back(AvroField(f.name.c_str(), AvroTypeOf(*f.type), f.id, true));
  }
  Json partition = {{"type", "record"}, {"name", "r102"}, {"fields", std::move(partition_fields)}};
  Json df = Json::array();
  if (format_version >= 2) df.push_back(AvroField("content", "int", 134, false));
  df.push_back(AvroField("file_path", "string", 100, false));
  df.push_back(AvroField("file_format", "string", 101, false));
  df.push_back(AvroField("partition", std::move(partition), 102, false));
  df.push_back(AvroField("record_count", "long", 103, false));
  df.push_back(AvroField("file_size_in_bytes", "long", 104, false));
  if (format_version == 1) df.push_back(AvroField("block_size_in_bytes", "long", 105, false));
  df.push_back(AvroField("column_sizes", KeyValueArray(117, 118, "long"), 108, true));
  df.push_back(AvroField("value_counts", KeyValueArray(119, 120, "long"), 109, true));
  df.push_back(AvroField("null_value_counts", KeyValueArray(121, 122, "long"), 110, true));
  df.push_back(AvroField("nan_value_counts", KeyValueArray(138, 139, "long"), 137, true));
  df.push_back(AvroField("lower_bounds", KeyValueArray(126, 127, "bytes"), 125, true));
  df.push_back(AvroField("upper_bounds", KeyValueArray(129, 130, "bytes"), 128, true));
  df.push_back(AvroField("key_metadata", "bytes", 131, true));
  df.push_back(AvroField("split_offsets", ListOf("long", 133), 132, true));
  if (format_version >= 2) df.push_back(AvroField("equality_ids", ListOf("int", 136), 135, true));
  df.push_back(AvroField("sort_order_id", "int", 140, true));
  Json data_file = {{"type", "record"}, {"name", "r2"}, {"fields", std::move(df)}};
  Json fields = Json::array();
  fields.push_back(AvroField("status", "int", 0, false));
  fields.push_back(AvroField("snapshot_id", "long", 1, format_version >= 2));
  if (format_version >= 2) {
    fields.push_back(AvroField("sequence_number", "long", 3, true));
    fields.push_back(AvroField("file_sequence_number", "long", 4, true));
  }
  fields.push_back(AvroField("data_file", std::move(data_file), 2, false));
  return Json{{"type", "record"}, {"name", "manifest_entry"}, {"fields", std::move(fields)}};
}

Json ManifestListSchema(int format_version) {
  const bool v2 = format_version >= 2;
  Json summary = {{"type", "record"},
                  {"name", "r508"},
                  {"fields", Json::array({AvroField("contains_null", "boolean", 509, false),
                                          AvroField("contains_nan", "boolean", 518, true),
                                          AvroField("lower_bound", "bytes", 510, true),
                                          AvroField("upper_bound", "bytes", 511, true)})}};
  Json partitions = {{"type", "array"}, {"items", std::move(summary)}, {"element-id", 508}};
  Json f = Json::array();
  f.push_back(AvroField("manifest_path", "string", 500, false));
  f.push_back(AvroField("manifest_length", "long", 501, false));
  f.push_back(AvroField("partition_spec_id", "int", 502, false));
  if (v2) {
    f.push_back(AvroField("content", "int", 517, false));
    f.push_back(AvroField("sequence_number", "long", 515, false));
    f.push_back(AvroField("min_sequence_number", "long", 516, false));
  }
  f.push_back(AvroField("added_snapshot_id", "long", 503, false));
  f.push_back(AvroField(v2 ? "added_files_count" : "added_data_files_count", "int", 504, !v2));
  f.push_back(
      AvroField(v2 ? "existing_files_count" : "existing_data_files_count", "int", 505, !v2));
  f.push_back(AvroField(v2 ? "deleted_files_count" : "deleted_data_files_count", "int", 506, !v2));
  f.push_back(AvroField("added_rows_count", "long", 512, !v2));
  f.push_back(AvroField("existing_rows_count", "long", 513, !v2));
  f.push_back(AvroField("deleted_rows_count", "long", 514, !v2));
  f.push_back(AvroField("partitions", std::move(partitions), 507, true));
  f.push_back(AvroField("key_metadata", "bytes", 519, true));
  return Json{{"type", "record"}, {"name", "manifest_file"}, {"fields", std::move(f)}};
}

// ---- values <-> datums ----

Result<Datum> PartitionValueToDatum(const Value& value, const Type& type) {
  if (IsNull(value)) return Datum::Null();
  RETURN_IF_ERROR(CheckValueType(value, type));
  switch (type.id()) {
    case TypeId::kBoolean:
      return Datum::Boolean(std::get<bool>(value));
    case TypeId::kInt:
    case TypeId::kDate:
      return Datum::Int(std::get<int32_t>(value));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return Datum::Long(std::get<int64_t>(value));
    case TypeId::kFloat:
      return Datum::Float(std::get<float>(value));
    case TypeId::kDouble:
      return Datum::Double(std::get<double>(value));
    case TypeId::kString:
      return Datum::String(std::get<std::string>(value));
    case TypeId::kBinary:
      return Datum::Bytes(std::get<std::string>(value));
    case TypeId::kUuid:
    case TypeId::kFixed:
      return Datum::Fixed(std::get<std::string>(value));
    case TypeId::kDecimal: {
      // Fixed-size big-endian two's complement, sign-extended.
      __int128 unscaled = std::get<Decimal128>(value).unscaled;
      int size = DecimalBytes(type.precision());
      std::string bytes(static_cast<size_t>(size), '\0');
      for (int i = size - 1; i >= 0; --i) {
        bytes[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(unscaled & 0xff));
        unscaled >>= 8;
      }
      return Datum::Fixed(std::move(bytes));
    }
    default:
      return InvalidArgument("type {} cannot be a partition value", type.ToString());
  }
}

Result<Value> DatumToPartitionValue(const Datum& d, const Type& type) {
  if (d.is_null()) return Value{};
  switch (type.id()) {
    case TypeId::kBoolean: {
      ASSIGN_OR_RETURN(bool b, d.AsBool());
      return Value{b};
    }
    case TypeId::kInt:
    case TypeId::kDate: {
      ASSIGN_OR_RETURN(int32_t v, d.AsInt());
      return Value{v};
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      ASSIGN_OR_RETURN(int64_t v, d.AsLong());
      return Value{v};
    }
    case TypeId::kFloat: {
      ASSIGN_OR_RETURN(double v, d.AsDouble());
      return Value{static_cast<float>(v)};
    }
    case TypeId::kDouble: {
      ASSIGN_OR_RETURN(double v, d.AsDouble());
      return Value{v};
    }
    default: {
      // string, binary, fixed, uuid and decimal share the single-value binary form.
      ASSIGN_OR_RETURN(std::string_view bytes, d.AsBytes());
      return ValueFromBinary(bytes, type);
    }
  }
}

Datum IntLongMap(const std::map<int32_t, int64_t>& m) {
  std::vector<Datum> items;
  for (const auto& [k, v] : m) items.push_back(Datum::Record({Datum::Int(k), Datum::Long(v)}));
  return Datum::Array(std::move(items));
}

Datum IntBytesMap(const std::map<int32_t, std::string>& m) {
  std::vector<Datum> items;
  for (const auto& [k, v] : m) items.push_back(Datum::Record({Datum::Int(k), Datum::Bytes(v)}));
  return Datum::Array(std::move(items));
}

template <typename T>
Datum OptionalDatum(const std::optional<T>& v, Datum (*make)(T)) {
  return v ? make(*v) : Datum::Null();
}

// The record schema of a (possibly optional) field.
const avro::Node* FieldNode(const avro::Node& record, int32_t field_id) {
  const avro::Field* f = record.FindFieldById(field_id);
  if (!f) return nullptr;
  const avro::Node* node = &f->type();
  if (node->type() == avro::Type::kUnion) {
    auto branch = node->NonNullBranch();
    if (!branch) return nullptr;
    node = node->branches()[*branch];
  }
  return node;
}

// Reads an int-keyed map written either as an array of key/value records or as an Avro map.
template <typename V, typename Convert>
Status ReadIntMap(const Datum* d, std::map<int32_t, V>* out, Convert convert) {
  if (!d || d->is_null()) return Status::OK();
  if (d->type() == avro::Type::kArray) {
    for (const auto& item : d->children()) {
      if (item.type() != avro::Type::kRecord || item.size() < 2) {
        return Corrupt("a metrics map entry is not a key/value record");
      }
      ASSIGN_OR_RETURN(int32_t key, item[0].AsInt());
      ASSIGN_OR_RETURN(V value, convert(item[1]));
      (*out)[key] = std::move(value);
    }
    return Status::OK();
  }
  return Corrupt("a metrics map has unexpected Avro type {}", avro::TypeName(d->type()));
}

Result<std::optional<int64_t>> OptionalLong(const Datum* d) {
  if (!d || d->is_null()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t v, d->AsLong());
  return std::optional<int64_t>(v);
}

Result<int64_t> RequiredLongField(const Datum& record, const avro::Node& schema, int32_t id,
                                  const char* name) {
  const Datum* d = avro::FieldById(record, schema, id);
  if (!d || d->is_null()) return Corrupt("required field {} ({}) is missing", name, id);
  return d->AsLong();
}

// Summaries of each partition field over `entries`, for the manifest list.
Result<std::vector<FieldSummary>> SummarizePartitions(const Type& partition_type,
                                                      const std::vector<ManifestEntry>& entries) {
  std::vector<FieldSummary> summaries(partition_type.fields().size());
  for (size_t i = 0; i < summaries.size(); ++i) {
    const Type& type = *partition_type.fields()[i].type;
    std::optional<Value> lo, hi;
    bool is_float = type.id() == TypeId::kFloat || type.id() == TypeId::kDouble;
    if (is_float) summaries[i].contains_nan = false;
    for (const auto& e : entries) {
      const Value& v = e.data_file.partition[i];
      if (IsNull(v)) {
        summaries[i].contains_null = true;
        continue;
      }
      bool nan = (std::holds_alternative<float>(v) && std::isnan(std::get<float>(v))) ||
                 (std::holds_alternative<double>(v) && std::isnan(std::get<double>(v)));
      if (nan) {
        summaries[i].contains_nan = true;
        continue;
      }
      if (!lo || CompareValues(v, *lo) < 0) lo = v;
      if (!hi || CompareValues(v, *hi) > 0) hi = v;
    }
    if (lo) {
      ASSIGN_OR_RETURN(summaries[i].lower_bound, ValueToBinary(*lo, type));
      ASSIGN_OR_RETURN(summaries[i].upper_bound, ValueToBinary(*hi, type));
    }
  }
  return summaries;
}

}  // namespace

// ---- manifests ----

Result<ManifestFile> WriteManifest(io::FileIO& io, const std::string& path, const Schema& schema,
                                   const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries,
                                   const ManifestWriteOptions& options) {
  ASSIGN_OR_RETURN(TypePtr partition_type, PartitionType(spec, schema));
  ASSIGN_OR_RETURN(avro::SchemaPtr avro_schema, avro::Schema::FromJson(ManifestEntrySchema(
                                                    *partition_type, options.format_version)));
  std::map<std::string, std::string> header = {
      {"schema", DumpJson(SchemaToJson(schema))},
      {"schema-id", std::to_string(schema.schema_id())},
      {"partition-spec", DumpJson(PartitionFieldsToJson(spec))},
      {"partition-spec-id", std::to_string(spec.spec_id)},
      {"format-version", std::to_string(options.format_version)},
      {"content", options.content == ManifestContent::kData ? "data" : "deletes"},
  };
  ASSIGN_OR_RETURN(avro::Codec codec, avro::ParseCodec(options.codec));
  avro::ContainerWriterOptions writer_options;
  writer_options.codec = codec;
  writer_options.metadata = std::move(header);
  ASSIGN_OR_RETURN(auto writer,
                   avro::ContainerWriter::Make(avro_schema, std::move(writer_options)));
  ManifestFile mf;
  mf.manifest_path = path;
  mf.partition_spec_id = spec.spec_id;
  mf.content = options.content;
  mf.added_snapshot_id = options.snapshot_id;
  const size_t arity = partition_type->fields().size();
  for (const auto& e : entries) {
    const DataFile& f = e.data_file;
    PRECHECK(f.partition.size() == arity, "{}: {} partition values for a spec with {} fields",
             f.file_path, f.partition.size(), arity);
    std::vector<Datum> partition;
    for (size_t i = 0; i < arity; ++i) {
      auto d = PartitionValueToDatum(f.partition[i], *partition_type->fields()[i].type);
      if (!d.ok()) return d.status().WithContext(f.file_path);
      partition.push_back(std::move(*d));
    }
    std::vector<Datum> df;
    if (options.format_version >= 2) df.push_back(Datum::Int(static_cast<int32_t>(f.content)));
    df.push_back(Datum::String(f.file_path));
    df.push_back(Datum::String(f.file_format));
    df.push_back(Datum::Record(std::move(partition)));
    df.push_back(Datum::Long(f.record_count()));
    df.push_back(Datum::Long(f.file_size_in_bytes));
    if (options.format_version == 1) df.push_back(Datum::Long(67108864));
    df.push_back(IntLongMap(f.metrics.column_sizes));
    df.push_back(IntLongMap(f.metrics.value_counts));
    df.push_back(IntLongMap(f.metrics.null_value_counts));
    df.push_back(IntLongMap(f.metrics.nan_value_counts));
    df.push_back(IntBytesMap(f.metrics.lower_bounds));
    df.push_back(IntBytesMap(f.metrics.upper_bounds));
    df.push_back(f.key_metadata ? Datum::Bytes(*f.key_metadata) : Datum::Null());
    if (f.metrics.split_offsets.empty()) {
      df.push_back(Datum::Null());
    } else {
      std::vector<Datum> offsets;
      for (int64_t o : f.metrics.split_offsets) offsets.push_back(Datum::Long(o));
      df.push_back(Datum::Array(std::move(offsets)));
    }
    if (options.format_version >= 2) {
      if (f.equality_ids.empty()) {
        df.push_back(Datum::Null());
      } else {
        std::vector<Datum> ids;
        for (int32_t id : f.equality_ids) ids.push_back(Datum::Int(id));
        df.push_back(Datum::Array(std::move(ids)));
      }
    }
    df.push_back(OptionalDatum<int32_t>(f.sort_order_id, &Datum::Int));

    std::vector<Datum> entry;
    entry.push_back(Datum::Int(static_cast<int32_t>(e.status)));
    const bool added = e.status == EntryStatus::kAdded;
    if (options.format_version >= 2) {
      // ADDED entries inherit snapshot id and sequence numbers from the manifest list.
      entry.push_back(added ? Datum::Null() : OptionalDatum<int64_t>(e.snapshot_id, &Datum::Long));
      entry.push_back(added ? Datum::Null()
                            : OptionalDatum<int64_t>(e.sequence_number, &Datum::Long));
      entry.push_back(added ? Datum::Null()
                            : OptionalDatum<int64_t>(e.file_sequence_number, &Datum::Long));
      PRECHECK(added || (e.snapshot_id && e.sequence_number),
               "{}: existing and deleted entries need explicit snapshot id and sequence number",
               f.file_path);
    } else {
      entry.push_back(Datum::Long(e.snapshot_id.value_or(options.snapshot_id)));
    }
    entry.push_back(Datum::Record(std::move(df)));
    RETURN_IF_ERROR(writer->Append(Datum::Record(std::move(entry))));

    switch (e.status) {
      case EntryStatus::kAdded:
        ++mf.added_files_count;
        mf.added_rows_count += f.record_count();
        break;
      case EntryStatus::kExisting:
        ++mf.existing_files_count;
        mf.existing_rows_count += f.record_count();
        break;
      case EntryStatus::kDeleted:
        ++mf.deleted_files_count;
        mf.deleted_rows_count += f.record_count();
        break;
    }
    if (!added && e.sequence_number) {
      mf.min_sequence_number = mf.min_sequence_number == ManifestFile::kUnassignedSequenceNumber
                                   ? *e.sequence_number
                                   : std::min(mf.min_sequence_number, *e.sequence_number);
    }
  }
  ASSIGN_OR_RETURN(mf.partitions, SummarizePartitions(*partition_type, entries));
  ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
  mf.manifest_length = static_cast<int64_t>(bytes.size());
  RETURN_IF_ERROR(io.WriteFile(path, bytes, io::WriteMode::kNoReplace));
  return mf;
}

Result<std::vector<ManifestEntry>> ReadManifest(io::FileIO& io, const ManifestFile& manifest,
                                                const TableMetadata& metadata) {
  auto fail = [&](const Status& st) {
    return st.WithContext("manifest " + manifest.manifest_path);
  };
  PartitionSpecPtr spec = metadata.SpecById(manifest.partition_spec_id);
  if (!spec) {
    return Corrupt("manifest {} uses partition spec {} which the table does not have",
                   manifest.manifest_path, manifest.partition_spec_id);
  }
  // Partition values are typed through the spec against the current schema (source columns are
  // never dropped while a spec uses them).
  ASSIGN_OR_RETURN(TypePtr partition_type, PartitionType(*spec, *metadata.CurrentSchema()));
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(manifest.manifest_path));
  ASSIGN_OR_RETURN(std::string bytes, file->ReadAll(kMaxManifestBytes));
  auto reader = avro::ContainerReader::Open(manifest.manifest_path, std::move(bytes));
  if (!reader.ok()) return reader.status();
  const avro::Node& entry_schema = (*reader)->schema()->root();
  if (entry_schema.type() != avro::Type::kRecord) return fail(Corrupt("entries are not records"));
  const avro::Node* df_schema = FieldNode(entry_schema, 2);
  if (!df_schema || df_schema->type() != avro::Type::kRecord) {
    return fail(Corrupt("no data_file record (field id 2)"));
  }
  const avro::Node* partition_schema = FieldNode(*df_schema, 102);
  const bool v1 = metadata.format_version == 1 || !entry_schema.FindFieldById(3);

  std::vector<ManifestEntry> entries;
  Datum record;
  while (true) {
    ASSIGN_OR_RETURN(bool more, (*reader)->Next(&record));
    if (!more) break;
    auto entry = [&]() -> Result<ManifestEntry> {
      ManifestEntry e;
      ASSIGN_OR_RETURN(int64_t status, RequiredLongField(record, entry_schema, 0, "status"));
      if (status < 0 || status > 2) return Corrupt("entry status {} is invalid", status);
      e.status = static_cast<EntryStatus>(status);
      ASSIGN_OR_RETURN(e.snapshot_id, OptionalLong(avro::FieldById(record, entry_schema, 1)));
      ASSIGN_OR_RETURN(e.sequence_number, OptionalLong(avro::FieldById(record, entry_schema, 3)));
      ASSIGN_OR_RETURN(e.file_sequence_number,
                       OptionalLong(avro::FieldById(record, entry_schema, 4)));
      // Inheritance (spec: "Sequence Number Inheritance").
      if (!e.snapshot_id) e.snapshot_id = manifest.added_snapshot_id;
      if (v1) {
        e.sequence_number = 0;
        e.file_sequence_number = 0;
      } else if (e.status == EntryStatus::kAdded) {
        if (!e.sequence_number) e.sequence_number = manifest.sequence_number;
        if (!e.file_sequence_number) e.file_sequence_number = manifest.sequence_number;
      }
      const Datum* df = avro::FieldById(record, entry_schema, 2);
      if (!df || df->type() != avro::Type::kRecord) return Corrupt("entry has no data_file");
      DataFile& f = e.data_file;
      f.spec_id = manifest.partition_spec_id;
      const Datum* content = avro::FieldById(*df, *df_schema, 134);
      if (content && !content->is_null()) {
        ASSIGN_OR_RETURN(int32_t c, content->AsInt());
        if (c < 0 || c > 2) return Corrupt("data file content {} is invalid", c);
        f.content = static_cast<FileContent>(c);
      }
      const Datum* path = avro::FieldById(*df, *df_schema, 100);
      if (!path || path->is_null()) return Corrupt("data file has no file_path");
      ASSIGN_OR_RETURN(std::string_view path_view, path->AsBytes());
      f.file_path = std::string(path_view);
      const Datum* format = avro::FieldById(*df, *df_schema, 101);
      if (format && !format->is_null()) {
        ASSIGN_OR_RETURN(std::string_view fmt_view, format->AsBytes());
        f.file_format = std::string(fmt_view);
      }
      ASSIGN_OR_RETURN(f.metrics.record_count,
                       RequiredLongField(*df, *df_schema, 103, "record_count"));
      ASSIGN_OR_RETURN(f.file_size_in_bytes,
                       RequiredLongField(*df, *df_schema, 104, "file_size_in_bytes"));
      const Datum* partition = avro::FieldById(*df, *df_schema, 102);
      for (const auto& pf : partition_type->fields()) {
        const Datum* v = (partition && partition_schema)
                             ? avro::FieldById(*partition, *partition_schema, pf.id)
                             : nullptr;
        if (!v) {
          f.partition.push_back(Value{});
          continue;
        }
        auto value = DatumToPartitionValue(*v, *pf.type);
        if (!value.ok()) return value.status().WithContext("partition field " + pf.name);
        f.partition.push_back(std::move(*value));
      }
      auto as_long = [](const Datum& d) { return d.AsLong(); };
      auto as_bytes = [](const Datum& d) -> Result<std::string> {
        ASSIGN_OR_RETURN(std::string_view b, d.AsBytes());
        return std::string(b);
      };
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 108), &f.metrics.column_sizes, as_long));
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 109), &f.metrics.value_counts, as_long));
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 110), &f.metrics.null_value_counts, as_long));
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 137), &f.metrics.nan_value_counts, as_long));
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 125), &f.metrics.lower_bounds, as_bytes));
      RETURN_IF_ERROR(
          ReadIntMap(avro::FieldById(*df, *df_schema, 128), &f.metrics.upper_bounds, as_bytes));
      const Datum* key_metadata = avro::FieldById(*df, *df_schema, 131);
      if (key_metadata && !key_metadata->is_null()) {
        ASSIGN_OR_RETURN(f.key_metadata, as_bytes(*key_metadata));
      }
      const Datum* offsets = avro::FieldById(*df, *df_schema, 132);
      if (offsets && offsets->type() == avro::Type::kArray) {
        for (const auto& o : offsets->children()) {
          ASSIGN_OR_RETURN(int64_t v, o.AsLong());
          f.metrics.split_offsets.push_back(v);
        }
      }
      const Datum* eq = avro::FieldById(*df, *df_schema, 135);
      if (eq && eq->type() == avro::Type::kArray) {
        for (const auto& o : eq->children()) {
          ASSIGN_OR_RETURN(int32_t v, o.AsInt());
          f.equality_ids.push_back(v);
        }
      }
      const Datum* sort_order = avro::FieldById(*df, *df_schema, 140);
      if (sort_order && !sort_order->is_null()) {
        ASSIGN_OR_RETURN(int32_t v, sort_order->AsInt());
        f.sort_order_id = v;
      }
      return e;
    }();
    if (!entry.ok())
      return fail(entry.status().WithContext(fmt::format("entry {}", entries.size())));
    entries.push_back(std::move(*entry));
  }
  return entries;
}

// ---- manifest lists ----

Status WriteManifestList(io::FileIO& io, const std::string& path,
                         std::vector<ManifestFile> manifests,
                         const ManifestListWriteOptions& options) {
  ASSIGN_OR_RETURN(avro::SchemaPtr avro_schema,
                   avro::Schema::FromJson(ManifestListSchema(options.format_version)));
  std::map<std::string, std::string> header = {
      {"snapshot-id", std::to_string(options.snapshot_id)},
      {"parent-snapshot-id",
       options.parent_snapshot_id ? std::to_string(*options.parent_snapshot_id) : "null"},
      {"format-version", std::to_string(options.format_version)},
  };
  if (options.format_version >= 2)
    header["sequence-number"] = std::to_string(options.sequence_number);
  ASSIGN_OR_RETURN(avro::Codec codec, avro::ParseCodec(options.codec));
  avro::ContainerWriterOptions writer_options;
  writer_options.codec = codec;
  writer_options.metadata = std::move(header);
  ASSIGN_OR_RETURN(auto writer,
                   avro::ContainerWriter::Make(avro_schema, std::move(writer_options)));
  const bool v2 = options.format_version >= 2;
  for (auto& m : manifests) {
    if (m.sequence_number == ManifestFile::kUnassignedSequenceNumber) {
      m.sequence_number = options.sequence_number;
    }
    if (m.min_sequence_number == ManifestFile::kUnassignedSequenceNumber) {
      m.min_sequence_number = m.sequence_number;
    }
    std::vector<Datum> f;
    f.push_back(Datum::String(m.manifest_path));
    f.push_back(Datum::Long(m.manifest_length));
    f.push_back(Datum::Int(m.partition_spec_id));
    if (v2) {
      f.push_back(Datum::Int(static_cast<int32_t>(m.content)));
      f.push_back(Datum::Long(m.sequence_number));
      f.push_back(Datum::Long(m.min_sequence_number));
    }
    f.push_back(Datum::Long(m.added_snapshot_id));
    f.push_back(Datum::Int(m.added_files_count));
    f.push_back(Datum::Int(m.existing_files_count));
    f.push_back(Datum::Int(m.deleted_files_count));
    f.push_back(Datum::Long(m.added_rows_count));
    f.push_back(Datum::Long(m.existing_rows_count));
    f.push_back(Datum::Long(m.deleted_rows_count));
    std::vector<Datum> partitions;
    for (const auto& s : m.partitions) {
      partitions.push_back(Datum::Record(
          {Datum::Boolean(s.contains_null), OptionalDatum<bool>(s.contains_nan, &Datum::Boolean),
           s.lower_bound ? Datum::Bytes(*s.lower_bound) : Datum::Null(),
           s.upper_bound ? Datum::Bytes(*s.upper_bound) : Datum::Null()}));
    }
    f.push_back(Datum::Array(std::move(partitions)));
    f.push_back(m.key_metadata ? Datum::Bytes(*m.key_metadata) : Datum::Null());
    RETURN_IF_ERROR(writer->Append(Datum::Record(std::move(f))));
  }
  ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
  return io.WriteFile(path, bytes, io::WriteMode::kNoReplace);
}

Result<std::vector<ManifestFile>> ReadManifestList(io::FileIO& io, const std::string& path) {
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(path));
  ASSIGN_OR_RETURN(std::string bytes, file->ReadAll(kMaxManifestBytes));
  ASSIGN_OR_RETURN(auto reader, avro::ContainerReader::Open(path, std::move(bytes)));
  const avro::Node& schema = reader->schema()->root();
  if (schema.type() != avro::Type::kRecord)
    return Corrupt("manifest list {}: rows are not records", path);
  const avro::Node* summary_schema = nullptr;
  if (const avro::Node* parts = FieldNode(schema, 507);
      parts && parts->type() == avro::Type::kArray) {
    summary_schema = &parts->items();
  }
  std::vector<ManifestFile> out;
  Datum r;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(&r));
    if (!more) break;
    auto row = [&]() -> Result<ManifestFile> {
      ManifestFile m;
      const Datum* p = avro::FieldById(r, schema, 500);
      if (!p || p->is_null()) return Corrupt("row has no manifest_path");
      ASSIGN_OR_RETURN(std::string_view pv, p->AsBytes());
      m.manifest_path = std::string(pv);
      ASSIGN_OR_RETURN(m.manifest_length, RequiredLongField(r, schema, 501, "manifest_length"));
      ASSIGN_OR_RETURN(int64_t spec_id, RequiredLongField(r, schema, 502, "partition_spec_id"));
      m.partition_spec_id = static_cast<int32_t>(spec_id);
      ASSIGN_OR_RETURN(auto content, OptionalLong(avro::FieldById(r, schema, 517)));
      if (content.value_or(0) < 0 || content.value_or(0) > 1) {
        return Corrupt("manifest content {} is invalid", *content);
      }
      m.content = static_cast<ManifestContent>(content.value_or(0));
      ASSIGN_OR_RETURN(auto seq, OptionalLong(avro::FieldById(r, schema, 515)));
      ASSIGN_OR_RETURN(auto min_seq, OptionalLong(avro::FieldById(r, schema, 516)));
      m.sequence_number = seq.value_or(0);
      m.min_sequence_number = min_seq.value_or(m.sequence_number);
      ASSIGN_OR_RETURN(m.added_snapshot_id, RequiredLongField(r, schema, 503, "added_snapshot_id"));
      auto count = [&](int32_t id) -> Result<int64_t> {
        ASSIGN_OR_RETURN(auto v, OptionalLong(avro::FieldById(r, schema, id)));
        return v.value_or(0);
      };
      ASSIGN_OR_RETURN(int64_t added, count(504));
      ASSIGN_OR_RETURN(int64_t existing, count(505));
      ASSIGN_OR_RETURN(int64_t deleted, count(506));
      m.added_files_count = static_cast<int32_t>(added);
      m.existing_files_count = static_cast<int32_t>(existing);
      m.deleted_files_count = static_cast<int32_t>(deleted);
      ASSIGN_OR_RETURN(m.added_rows_count, count(512));
      ASSIGN_OR_RETURN(m.existing_rows_count, count(513));
      ASSIGN_OR_RETURN(m.deleted_rows_count, count(514));
      const Datum* parts = avro::FieldById(r, schema, 507);
      if (parts && parts->type() == avro::Type::kArray && summary_schema) {
        for (const auto& s : parts->children()) {
          FieldSummary fs;
          const Datum* cn = avro::FieldById(s, *summary_schema, 509);
          if (cn && !cn->is_null()) {
            ASSIGN_OR_RETURN(fs.contains_null, cn->AsBool());
          }
          const Datum* nan = avro::FieldById(s, *summary_schema, 518);
          if (nan && !nan->is_null()) {
            ASSIGN_OR_RETURN(fs.contains_nan, nan->AsBool());
          }
          const Datum* lo = avro::FieldById(s, *summary_schema, 510);
          if (lo && !lo->is_null()) {
            ASSIGN_OR_RETURN(std::string_view b, lo->AsBytes());
            fs.lower_bound = std::string(b);
          }
          const Datum* hi = avro::FieldById(s, *summary_schema, 511);
          if (hi && !hi->is_null()) {
            ASSIGN_OR_RETURN(std::string_view b, hi->AsBytes());
            fs.upper_bound = std::string(b);
          }
          m.partitions.push_back(std::move(fs));
        }
      }
      const Datum* km = avro::FieldById(r, schema, 519);
      if (km && !km->is_null()) {
        ASSIGN_OR_RETURN(std::string_view b, km->AsBytes());
        m.key_metadata = std::string(b);
      }
      return m;
    }();
    if (!row.ok()) {
      return row.status().WithContext(fmt::format("manifest list {} row {}", path, out.size()));
    }
    out.push_back(std::move(*row));
  }
  return out;
}

}  // namespace faceberg::iceberg

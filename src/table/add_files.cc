#include "table/add_files.h"

#include <filesystem>
#include <set>

#include "format/parquet/footer.h"
#include "iceberg/name_mapping.h"
#include "iceberg/parquet_metrics.h"
#include "table/append.h"
#include "util/strings.h"

namespace faceberg::table {

using iceberg::DataFile;

namespace {

std::string AbsoluteLocation(const std::string& path) {
  if (path.find("://") != std::string::npos) return path;
  return std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

Result<DataFile> DescribeParquetFooter(const iceberg::TableMetadata& metadata,
                                       const parquet::FileMetaData& footer,
                                       const FooterDescription& description) {
  const std::string& path = description.location;
  auto schema = metadata.CurrentSchema();
  iceberg::ParquetSchemaInfo info;
  auto file_schema = iceberg::SchemaFromParquet(footer, &info);
  if (!file_schema.ok()) return file_schema.status().WithContext(path);

  // Map each file column to a table field id.
  std::map<std::string, int32_t> name_to_id;
  const std::map<std::string, int32_t>* mapping_arg = nullptr;
  if (!info.ids_from_file) {
    iceberg::NameMapping mapping = iceberg::NameMappingFromSchema(*schema);
    auto prop = metadata.properties.find(iceberg::kNameMappingProperty);
    if (prop != metadata.properties.end()) {
      ASSIGN_OR_RETURN(mapping, iceberg::ParseNameMapping(prop->second));
    }
    // field_names use Iceberg's names ("element" for list elements), whatever the file calls
    // the level (Arrow writes "element" or "item"), so both spellings map alike.
    for (const auto& column : info.columns) {
      auto id = mapping.Find(info.field_names[column.field_id]);
      if (!id) {
        return InvalidArgument(
            "{}: column '{}' is not in the table schema; add it first with "
            "'faceberg alter TABLE add-column'",
            path, column.dotted_path);
      }
      name_to_id[column.dotted_path] = *id;
    }
    mapping_arg = &name_to_id;
  } else {
    for (const auto& column : info.columns) {
      if (!schema->FindFieldById(column.field_id)) {
        return InvalidArgument("{}: column '{}' has field id {} which the table does not have",
                               path, column.dotted_path, column.field_id);
      }
    }
  }
  // Required top-level table columns must be present in the file.
  std::set<int32_t> present;
  for (const auto& column : info.columns) {
    present.insert(mapping_arg ? name_to_id[column.dotted_path] : column.field_id);
  }
  for (const auto& field : schema->fields()) {
    if (!field.required || !field.type->is_primitive()) continue;
    if (!present.count(field.id)) {
      return InvalidArgument("{}: required column '{}' is missing from the file", path, field.name);
    }
  }
  auto metrics = iceberg::MetricsFromParquet(footer, *schema, mapping_arg);
  if (!metrics.ok()) return metrics.status().WithContext(path);
  DataFile df;
  df.file_path = path;
  df.file_format = "PARQUET";
  df.file_size_in_bytes = static_cast<int64_t>(description.file_size);
  df.metrics = std::move(*metrics);
  auto spec = metadata.DefaultSpec();
  df.spec_id = spec->spec_id;
  if (description.partition) {
    if (description.partition->size() != spec->fields.size()) {
      return InvalidArgument("{}: {} partition values given but the table's spec has {} fields",
                             path, description.partition->size(), spec->fields.size());
    }
    df.partition = *description.partition;
    return df;
  }
  auto partition = iceberg::PartitionFromBounds(*spec, *schema, df.metrics);
  if (!partition.ok()) return partition.status().WithContext(path);
  df.partition = std::move(*partition);
  return df;
}

Result<DataFile> DescribeParquetFile(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                     const std::string& path) {
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(path));
  ASSIGN_OR_RETURN(parquet::FileMetaData footer, parquet::ReadFileMetaData(*file));
  FooterDescription description;
  description.location = path;  // errors name the file as the caller wrote it
  ASSIGN_OR_RETURN(description.file_size, file->Size());
  ASSIGN_OR_RETURN(DataFile described, DescribeParquetFooter(metadata, footer, description));
  described.file_path = AbsoluteLocation(path);
  return described;
}

Result<iceberg::Snapshot> AddParquetFiles(TableOperations& ops,
                                          const std::vector<std::string>& paths,
                                          const AddFilesOptions& options) {
  PRECHECK(!paths.empty(), "no files given: name one or more Parquet files");
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops.Refresh());
  std::set<std::string> existing;
  if (const auto* current = metadata->CurrentSnapshot()) {
    ASSIGN_OR_RETURN(auto live, LiveDataFiles(ops.io(), *metadata, *current));
    for (const auto& f : live) existing.insert(f.file_path);
  }
  std::vector<DataFile> files;
  std::set<std::string> seen;
  for (const auto& path : paths) {
    // Iceberg stores file paths as UTF-8 strings (Avro, JSON): other readers reject anything else.
    if (FindInvalidUtf8(path) != std::string_view::npos) {
      return InvalidArgument(
          "{}: the file name is not valid UTF-8, which Iceberg cannot record; rename the file "
          "(nothing was added)",
          path);
    }
    std::string location = AbsoluteLocation(path);
    if (existing.count(location)) {
      return AlreadyExists("{} is already in the table; nothing was added", location);
    }
    if (!seen.insert(location).second) {
      return AlreadyExists("{} is given twice; nothing was added", location);
    }
    ASSIGN_OR_RETURN(DataFile f, DescribeParquetFile(ops.io(), *metadata, path));
    files.push_back(std::move(f));
  }
  AppendOptions append;
  append.summary = options.summary;
  if (!metadata->properties.count(iceberg::kNameMappingProperty)) {
    append.set_properties[iceberg::kNameMappingProperty] =
        iceberg::NameMappingToJson(iceberg::NameMappingFromSchema(*metadata->CurrentSchema()));
  }
  return AppendFiles(ops, files, append);
}

}  // namespace faceberg::table

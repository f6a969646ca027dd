#include "engine/scan.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "engine/sql.h"
#include "format/parquet/footer.h"
#include "iceberg/name_mapping.h"
#include "iceberg/parquet_metrics.h"
#include "iceberg/single_value.h"
#include "util/strings.h"

namespace faceberg::engine {

namespace {

using iceberg::DataFile;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;
using iceberg::Value;

// Footers are read by up to this many threads at once.
constexpr size_t kMaxFooterThreads = 16;

// A data file's columns as the table sees them: names and types from the file, ids from the file
// or, for files written without ids, from the name mapping (0 when a column is unmapped).
struct FileShape {
  bool has_ids = false;
  std::vector<NestedField> fields;
};

// Rebuilds nested `type` with the mapped ids of its fields.
TypePtr RemapType(const Type& type, const iceberg::ParquetSchemaInfo& info,
                  const iceberg::NameMapping& mapping);

// `field` of a file without ids (fresh ids from SchemaFromParquet) with its mapped id.
NestedField RemapField(const NestedField& field, const iceberg::ParquetSchemaInfo& info,
                       const iceberg::NameMapping& mapping) {
  NestedField out = field;
  auto names = info.field_names.find(field.id);
  std::optional<int32_t> id;
  if (names != info.field_names.end()) id = mapping.Find(names->second);
  out.id = id.value_or(0);
  if (field.type->is_nested()) out.type = RemapType(*field.type, info, mapping);
  return out;
}

TypePtr RemapType(const Type& type, const iceberg::ParquetSchemaInfo& info,
                  const iceberg::NameMapping& mapping) {
  switch (type.id()) {
    case TypeId::kStruct: {
      std::vector<NestedField> children;
      for (const auto& child : type.fields()) children.push_back(RemapField(child, info, mapping));
      return Type::Struct(std::move(children));
    }
    case TypeId::kList: {
      NestedField element = RemapField(type.element(), info, mapping);
      return Type::List(element.id, element.required, element.type);
    }
    default: {  // map
      NestedField key = RemapField(type.key(), info, mapping);
      NestedField value = RemapField(type.value(), info, mapping);
      return Type::Map(key.id, key.type, value.id, value.required, value.type);
    }
  }
}

Result<FileShape> ReadShape(io::FileIO& io, const std::string& path,
                            const iceberg::NameMapping& mapping) {
  auto file = io.NewInputFile(path);
  if (!file.ok()) return file.status().WithContext("reading data file footer");
  auto footer = parquet::ReadFileMetaData(**file);
  if (!footer.ok()) return footer.status();
  iceberg::ParquetSchemaInfo info;
  auto schema = iceberg::SchemaFromParquet(*footer, &info);
  if (!schema.ok()) return schema.status().WithContext(path);
  FileShape shape;
  shape.has_ids = info.ids_from_file;
  if (shape.has_ids) {
    shape.fields = (*schema)->fields();
    return shape;
  }
  for (const auto& field : (*schema)->fields()) {
    shape.fields.push_back(RemapField(field, info, mapping));
  }
  return shape;
}

// Reads the shapes of all files, several footers at a time.
Result<std::vector<FileShape>> ReadShapes(io::FileIO& io, const std::vector<DataFile>& files,
                                          const iceberg::NameMapping& mapping) {
  std::vector<Result<FileShape>> results(files.size(), Status(ErrorCode::kInternal, "unread"));
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t i = next++; i < files.size(); i = next++) {
      results[i] = ReadShape(io, files[i].file_path, mapping);
    }
  };
  size_t thread_count = std::min(kMaxFooterThreads, files.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < thread_count; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  std::vector<FileShape> out;
  for (auto& r : results) {
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

const NestedField* FindById(const std::vector<NestedField>& fields, int32_t id) {
  for (const auto& f : fields) {
    if (f.id == id && id != 0) return &f;
  }
  return nullptr;
}

// True when DuckDB can read file type `file` as `read` by casting, matching nested fields by
// name: the kinds agree and every nested field of `read` present in the file (by id) has the
// same name there.
bool CastCompatible(const Type& read, const Type& file) {
  if (read.is_primitive() || file.is_primitive()) {
    return read.is_primitive() && file.is_primitive();
  }
  if (read.id() != file.id()) return false;
  if (read.id() == TypeId::kStruct) {
    // DuckDB casts structs by name and needs at least one field in common.
    bool any_common = false;
    for (const auto& child : read.fields()) {
      const NestedField* f = FindById(file.fields(), child.id);
      if (f != nullptr) any_common = true;
      if (f == nullptr) {
        // A file field of the same name but another id must not be mistaken for it.
        for (const auto& other : file.fields()) {
          if (other.name == child.name) return false;
        }
        continue;
      }
      if (f->name != child.name || !CastCompatible(*child.type, *f->type)) return false;
    }
    return any_common;
  }
  if (read.id() == TypeId::kList) {
    return read.element().id == file.element().id &&
           CastCompatible(*read.element().type, *file.element().type);
  }
  return read.key().id == file.key().id && read.value().id == file.value().id &&
         CastCompatible(*read.key().type, *file.key().type) &&
         CastCompatible(*read.value().type, *file.value().type);
}

// An expression converting `input` (of file type `file`) to read type `read`, field by field
// through structs, lists and maps. `depth` keeps lambda variable names unique.
Result<std::string> ConvertExpression(const Type& read, const Type& file, const std::string& input,
                                      int depth) {
  std::string target = DuckDBType(read);
  if (read.is_primitive() || file.is_primitive()) {
    if (!read.is_primitive() || !file.is_primitive()) {
      return NotSupported("a {} column cannot be read as {}", file.ToString(), read.ToString());
    }
    if (DuckDBType(file) == target) return input;
    return fmt::format("CAST({} AS {})", input, target);
  }
  if (read.id() != file.id()) {
    return NotSupported("a {} column cannot be read as {}", file.ToString(), read.ToString());
  }
  std::string var = "__x" + std::to_string(depth);
  switch (read.id()) {
    case TypeId::kStruct: {
      std::vector<std::string> parts;
      for (const auto& child : read.fields()) {
        const NestedField* f = FindById(file.fields(), child.id);
        std::string value;
        if (f == nullptr) {
          value = fmt::format("CAST(NULL AS {})", DuckDBType(*child.type));
        } else {
          ASSIGN_OR_RETURN(value, ConvertExpression(*child.type, *f->type,
                                                    fmt::format("struct_extract({}, {})", input,
                                                                QuoteLiteral(f->name)),
                                                    depth + 1));
        }
        parts.push_back(QuoteIdentifier(child.name) + " := " + value);
      }
      return fmt::format("CASE WHEN {0} IS NULL THEN NULL ELSE struct_pack({1}) END", input,
                         Join(parts, ", "));
    }
    case TypeId::kList: {
      ASSIGN_OR_RETURN(
          std::string element,
          ConvertExpression(*read.element().type, *file.element().type, var, depth + 1));
      return fmt::format("list_transform({}, lambda {}: {})", input, var, element);
    }
    default: {  // map
      ASSIGN_OR_RETURN(std::string key,
                       ConvertExpression(*read.key().type, *file.key().type,
                                         fmt::format("struct_extract({}, 'key')", var), depth + 1));
      ASSIGN_OR_RETURN(
          std::string value,
          ConvertExpression(*read.value().type, *file.value().type,
                            fmt::format("struct_extract({}, 'value')", var), depth + 1));
      return fmt::format(
          "map_from_entries(list_transform(map_entries({}), lambda {}: struct_pack(k := {}, v := "
          "{})))",
          input, var, key, value);
    }
  }
}

// A file's columns, rendered for grouping files that DuckDB reads alike.
void AppendSignature(const std::vector<NestedField>& fields, std::string* out) {
  for (const auto& f : fields) {
    *out += fmt::format("{}:{}:", f.id, f.name);
    if (f.type->is_primitive()) {
      *out += f.type->ToString();
    } else {
      *out += "<";
      AppendSignature(f.type->fields(), out);
      *out += ">";
    }
    *out += ",";
  }
}

// How one projected column is produced for one file.
struct ColumnSource {
  const NestedField* file_field = nullptr;  // the file's column, or null when absent
  bool cast_compatible = false;
  std::optional<std::string> fill_text;  // DuckDBValueText of the fill value; nullopt = NULL
};

struct Group {
  // Every column is in every file under its read name and type: a plain read_parquet.
  bool plain = false;
  bool expression_mode = false;
  bool has_ids = false;
  std::vector<ColumnSource> sources;
  std::vector<std::string> paths;
};

std::string ReadParquetCall(const std::vector<std::string>& paths, const std::string& extra) {
  std::vector<std::string> quoted;
  for (const auto& p : paths) quoted.push_back(QuoteLiteral(p));
  return fmt::format("read_parquet([{}], hive_partitioning = false{})", Join(quoted, ", "), extra);
}

// The read_parquet call of a plain or schema-mode group; it yields exactly the projected columns.
std::string ReadCall(const Group& group, const std::vector<const NestedField*>& projected) {
  if (group.plain) return ReadParquetCall(group.paths, "");
  // DuckDB's schema parameter: file columns by field id (or by name for files without ids),
  // read as the given type, with a default for columns a file lacks.
  std::vector<std::string> entries;
  for (size_t c = 0; c < projected.size(); ++c) {
    const NestedField& read = *projected[c];
    const ColumnSource& src = group.sources[c];
    std::string key;
    if (group.has_ids) {
      key = std::to_string(read.id);
    } else {
      key = QuoteLiteral(src.file_field != nullptr ? src.file_field->name
                                                   : "__faceberg_missing_" + std::to_string(c));
    }
    std::string fill = "NULL";
    if (src.file_field == nullptr && src.fill_text) fill = QuoteLiteral(*src.fill_text);
    entries.push_back(fmt::format("{}: {{name: {}, type: {}, default_value: {}}}", key,
                                  QuoteLiteral(read.name), QuoteLiteral(DuckDBType(*read.type)),
                                  fill));
  }
  return ReadParquetCall(group.paths, ", schema = MAP {" + Join(entries, ", ") + "}");
}

// A SELECT yielding the projected columns from the files of `group`.
Result<std::string> GroupSql(const Group& group, const std::vector<const NestedField*>& projected) {
  std::vector<std::string> select;
  if (!group.expression_mode) {
    for (const NestedField* read : projected) select.push_back(QuoteIdentifier(read->name));
    return fmt::format("SELECT {} FROM {}", Join(select, ", "), ReadCall(group, projected));
  }
  for (size_t c = 0; c < projected.size(); ++c) {
    const NestedField& read = *projected[c];
    const ColumnSource& src = group.sources[c];
    std::string expr;
    if (src.file_field != nullptr) {
      auto converted = ConvertExpression(*read.type, *src.file_field->type,
                                         QuoteIdentifier(src.file_field->name), 0);
      if (!converted.ok()) {
        return converted.status().WithContext(
            fmt::format("column '{}' of {}", read.name, group.paths.front()));
      }
      expr = *converted;
    } else if (src.fill_text) {
      expr = fmt::format("CAST({} AS {})", QuoteLiteral(*src.fill_text), DuckDBType(*read.type));
    } else {
      expr = fmt::format("CAST(NULL AS {})", DuckDBType(*read.type));
    }
    select.push_back(expr + " AS " + QuoteIdentifier(read.name));
  }
  return fmt::format("SELECT {} FROM {}", Join(select, ", "), ReadParquetCall(group.paths, ""));
}

// The value an identity partition gives field `field_id` in `file`, as DuckDB text; nullopt when
// the file's spec has no identity field on it or the value is null.
Result<std::optional<std::string>> FillText(const iceberg::TableMetadata& metadata,
                                            const DataFile& file, const NestedField& field) {
  if (!field.type->is_primitive()) return std::optional<std::string>();
  iceberg::PartitionSpecPtr spec = metadata.SpecById(file.spec_id);
  if (!spec) return std::optional<std::string>();
  for (size_t i = 0; i < spec->fields.size() && i < file.partition.size(); ++i) {
    const auto& pf = spec->fields[i];
    if (pf.source_id != field.id || !pf.transform.is_identity()) continue;
    if (iceberg::IsNull(file.partition[i])) return std::optional<std::string>();
    auto text = DuckDBValueText(file.partition[i], *field.type);
    if (!text.ok()) {
      return text.status().WithContext(
          fmt::format("partition value of '{}' for {}", field.name, file.file_path));
    }
    return std::optional<std::string>(*text);
  }
  return std::optional<std::string>();
}

}  // namespace

Result<std::string> ScanRelationSql(io::FileIO& io, const iceberg::TableMetadata& metadata,
                                    const iceberg::Schema& read_schema,
                                    const std::vector<DataFile>& files,
                                    const std::vector<std::string>& columns) {
  // The projection.
  std::vector<const NestedField*> projected;
  if (columns.empty()) {
    for (const auto& f : read_schema.fields()) projected.push_back(&f);
  } else {
    for (const auto& name : columns) {
      const NestedField* found = nullptr;
      for (const auto& f : read_schema.fields()) {
        if (f.name == name) found = &f;
      }
      if (found == nullptr) {
        for (const auto& f : read_schema.fields()) {
          if (ToLower(f.name) == ToLower(name)) found = &f;
        }
      }
      if (found == nullptr) {
        std::vector<std::string> names;
        for (const auto& f : read_schema.fields()) names.push_back(f.name);
        return InvalidArgument("column '{}' is not in the table; its columns are: {}", name,
                               Join(names, ", "));
      }
      if (std::find(projected.begin(), projected.end(), found) != projected.end()) {
        return InvalidArgument("column '{}' is selected twice", found->name);
      }
      projected.push_back(found);
    }
  }
  PRECHECK(!projected.empty(), "the table has no columns to read");

  if (files.empty()) {
    std::vector<std::string> select;
    for (const NestedField* f : projected) {
      select.push_back(
          fmt::format("CAST(NULL AS {}) AS {}", DuckDBType(*f->type), QuoteIdentifier(f->name)));
    }
    return fmt::format("(SELECT {} LIMIT 0)", Join(select, ", "));
  }

  // How files without field ids map to the table.
  iceberg::NameMapping mapping;
  auto property = metadata.properties.find(iceberg::kNameMappingProperty);
  if (property != metadata.properties.end()) {
    ASSIGN_OR_RETURN(mapping, iceberg::ParseNameMapping(property->second));
  } else if (auto current = metadata.CurrentSchema()) {
    mapping = iceberg::NameMappingFromSchema(*current);
  }
  ASSIGN_OR_RETURN(std::vector<FileShape> shapes, ReadShapes(io, files, mapping));

  // Group files DuckDB reads alike, keeping the order of first appearance.
  std::map<std::string, size_t> group_of;
  std::vector<Group> groups;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileShape& shape = shapes[i];
    std::vector<ColumnSource> sources;
    bool expression_mode = false;
    std::string key;
    for (const NestedField* read : projected) {
      ColumnSource src;
      src.file_field = FindById(shape.fields, read->id);
      if (src.file_field != nullptr) {
        src.cast_compatible = CastCompatible(*read->type, *src.file_field->type);
        if (!src.cast_compatible) expression_mode = true;
        key += "P:" + (shape.has_ids ? std::string() : src.file_field->name) + ";";
      } else {
        ASSIGN_OR_RETURN(src.fill_text, FillText(metadata, files[i], *read));
        key += src.fill_text ? "F:" + QuoteLiteral(*src.fill_text) + ";" : "N;";
      }
      sources.push_back(std::move(src));
    }
    // The file holds exactly the projected columns, in order, under their read names and types
    // (and so with the right ids): a plain read_parquet returns them as they are.
    bool plain = !expression_mode && shape.fields.size() == projected.size();
    std::set<std::string> lower_names;
    for (size_t c = 0; plain && c < projected.size(); ++c) {
      const NestedField& f = shape.fields[c];
      plain = f.id == projected[c]->id && f.name == projected[c]->name &&
              DuckDBType(*f.type) == DuckDBType(*projected[c]->type) &&
              CastCompatible(*projected[c]->type, *f.type) &&
              lower_names.insert(ToLower(f.name)).second;  // DuckDB matches names ignoring case
    }
    if (plain) {
      key = "plain";
    } else if (expression_mode) {
      std::string signature;
      AppendSignature(shape.fields, &signature);
      key = "expr|" + signature + "|" + key;
    } else {
      key = (shape.has_ids ? "id|" : "name|") + key;
    }
    auto [it, inserted] = group_of.emplace(key, groups.size());
    if (inserted) {
      Group group;
      group.plain = plain;
      group.expression_mode = expression_mode;
      group.has_ids = shape.has_ids;
      group.sources = std::move(sources);
      groups.push_back(std::move(group));
    }
    groups[it->second].paths.push_back(io::LocalPath(files[i].file_path));
  }

  // One group that needs no expressions is returned as the bare read_parquet call: DuckDB pushes
  // every filter into a table function, but not all of them through a subquery.
  if (groups.size() == 1 && !groups[0].expression_mode) return ReadCall(groups[0], projected);
  std::vector<std::string> parts;
  for (const auto& group : groups) {
    ASSIGN_OR_RETURN(std::string sql, GroupSql(group, projected));
    parts.push_back(std::move(sql));
  }
  return "(" + Join(parts, "\nUNION ALL\n") + ")";
}

}  // namespace faceberg::engine

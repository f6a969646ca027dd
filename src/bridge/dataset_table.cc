#include "bridge/dataset_table.h"

#include <atomic>
#include <map>
#include <set>
#include <utility>

#include "bridge/properties.h"
#include "format/parquet/footer.h"
#include "hub/hf_uri.h"
#include "iceberg/name_mapping.h"
#include "iceberg/parquet_metrics.h"
#include "table/add_files.h"
#include "table/append.h"
#include "table/row_delta.h"
#include "table/schema_update.h"
#include "table/update.h"
#include "util/failpoint.h"
#include "util/parallel.h"
#include "util/progress.h"
#include "util/strings.h"

namespace faceberg::bridge {

using iceberg::DataFile;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypePtr;

namespace {

// Footer tails fetched per ReadTails call: bounds memory (batch x tail bytes) and lets the
// progress bar move while many requests stay in flight.
constexpr size_t kFooterBatch = 256;
// Threads decoding footers (and making the rare second reads) of one batch.
constexpr int kDecodeThreads = 8;

// ---- the files of a config ---------------------------------------------------------------------

// A dataset file of the config, where it is read from, and its split.
struct SourceFile {
  RepoFile file;
  std::string split;
  std::string location;
};

Result<std::vector<SourceFile>> FilesOf(const std::string& repo, const ConfigLayout& config,
                                        const DatasetLayout::Source& source) {
  std::vector<SourceFile> out;
  for (const SplitFiles& split : config.splits) {
    for (const RepoFile& file : split.files) {
      ASSIGN_OR_RETURN(std::string location, DatasetFileLocation(repo, source.commit, file.path));
      out.push_back({file, split.split, std::move(location)});
    }
  }
  return out;
}

std::string PartialSplits(const ConfigLayout& config) {
  std::vector<std::string> partial;
  for (const SplitFiles& split : config.splits) {
    if (split.partial) partial.push_back(split.split);
  }
  return Join(partial, ",");
}

// ---- footers ---------------------------------------------------------------------------------

// An input file whose tail was already fetched: ReadFooter takes the footer from the tail and
// asks the real file only for footers longer than it (counted in `requests`).
class PrefetchedTailFile final : public io::InputFile {
 public:
  PrefetchedTailFile(std::unique_ptr<io::InputFile> file, std::string tail, uint64_t asked,
                     std::atomic<int64_t>* requests)
      : file_(std::move(file)), tail_(std::move(tail)), asked_(asked), requests_(requests) {}

  const std::string& location() const override { return file_->location(); }
  Result<uint64_t> Size() override { return file_->Size(); }
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    ++*requests_;
    return file_->ReadAt(offset, length);
  }
  Result<std::string> ReadTail(uint64_t length) override {
    if (length <= tail_.size()) return tail_.substr(tail_.size() - length);
    if (tail_.size() < asked_) return tail_;  // the tail was the whole file
    ++*requests_;
    return file_->ReadTail(length);
  }

 private:
  std::unique_ptr<io::InputFile> file_;
  const std::string tail_;
  const uint64_t asked_;
  std::atomic<int64_t>* const requests_;
};

struct FooterReads {
  std::vector<parquet::FileMetaData> footers;
  int64_t requests = 0;
};

// Reads the footers of `files`: one suffix-range request per file (sizes seeded from the listing,
// so none needs a HEAD), many in flight; a second request only for a footer longer than
// `tail_bytes`. Errors name the file's hf:// location.
Result<FooterReads> ReadFooters(hub::HfFileIO& hfio, const std::vector<SourceFile>& files,
                                uint64_t tail_bytes, bool show_progress, const std::string& label) {
  for (const SourceFile& f : files) {
    if (f.file.size > 0) RETURN_IF_ERROR(hfio.SeedSize(f.location, f.file.size));
  }
  FooterReads out;
  out.footers.resize(files.size());
  std::atomic<int64_t> requests{0};
  ProgressOptions progress_options;
  progress_options.enabled = show_progress;
  ProgressBar progress(label, files.size(), progress_options);
  parquet::FooterReadOptions read_options;
  read_options.initial_read_size = tail_bytes;
  for (size_t begin = 0; begin < files.size(); begin += kFooterBatch) {
    const size_t end = std::min(files.size(), begin + kFooterBatch);
    std::vector<std::string> locations;
    for (size_t i = begin; i < end; ++i) locations.push_back(files[i].location);
    std::vector<Result<std::string>> tails = hfio.ReadTails(locations, tail_bytes);
    requests += static_cast<int64_t>(locations.size());
    RETURN_IF_ERROR(ParallelFor(end - begin, kDecodeThreads, [&](size_t k) -> Status {
      const SourceFile& f = files[begin + k];
      auto context = [&](const Status& st) {
        // hf:// errors already name the location; footer errors name it too.
        return StartsWith(st.message(), f.location) ? st : st.WithContext(f.location);
      };
      if (!tails[k].ok()) return context(tails[k].status());
      ASSIGN_OR_RETURN(auto input, hfio.NewInputFile(f.location));
      PrefetchedTailFile file(std::move(input), std::move(*tails[k]), tail_bytes, &requests);
      auto footer = parquet::ReadFileMetaData(file, read_options);
      if (!footer.ok()) return context(footer.status());
      out.footers[begin + k] = std::move(*footer);
      progress.Advance();
      return Status::OK();
    }));
  }
  progress.Finish();
  out.requests = requests;
  return out;
}

// ---- schemas ---------------------------------------------------------------------------------

// `type` with every struct field, list element and map value optional (map keys stay
// required); ids kept.
TypePtr OptionalType(const TypePtr& type) {
  switch (type->id()) {
    case iceberg::TypeId::kStruct: {
      std::vector<NestedField> fields;
      for (const NestedField& f : type->fields()) {
        NestedField optional = f;
        optional.required = false;
        optional.type = OptionalType(f.type);
        fields.push_back(std::move(optional));
      }
      return Type::Struct(std::move(fields));
    }
    case iceberg::TypeId::kList:
      return Type::List(type->element().id, false, OptionalType(type->element().type));
    case iceberg::TypeId::kMap:
      return Type::Map(type->key().id, OptionalType(type->key().type), type->value().id, false,
                       OptionalType(type->value().type));
    default:
      return type;
  }
}

TypePtr WithNestedType(const Type& nested, int32_t id, const TypePtr& type);

// `fields` with the type of field `id` (at any depth) replaced by `type`.
std::vector<NestedField> WithFieldType(const std::vector<NestedField>& fields, int32_t id,
                                       const TypePtr& type) {
  std::vector<NestedField> out;
  for (const NestedField& f : fields) {
    NestedField g = f;
    if (f.id == id) {
      g.type = type;
    } else if (f.type->is_nested()) {
      g.type = WithNestedType(*f.type, id, type);
    }
    out.push_back(std::move(g));
  }
  return out;
}

TypePtr WithNestedType(const Type& nested, int32_t id, const TypePtr& type) {
  std::vector<NestedField> fields = WithFieldType(nested.fields(), id, type);
  switch (nested.id()) {
    case iceberg::TypeId::kList:
      return Type::List(fields[0].id, fields[0].required, fields[0].type);
    case iceberg::TypeId::kMap:
      return Type::Map(fields[0].id, fields[0].type, fields[1].id, fields[1].required,
                       fields[1].type);
    default:
      return Type::Struct(std::move(fields));
  }
}

// A file's columns: the Iceberg schema of its footer and how its columns are named.
struct FileSchema {
  iceberg::SchemaPtr schema;
  iceberg::ParquetSchemaInfo info;
};

Result<FileSchema> SchemaOf(const parquet::FileMetaData& footer, const std::string& file_name) {
  FileSchema out;
  auto schema = iceberg::SchemaFromParquet(footer, &out.info);
  if (!schema.ok()) return schema.status().WithContext(file_name);
  out.schema = std::move(*schema);
  return out;
}

// How one file's columns differ from a table schema.
struct SchemaDiff {
  struct Added {
    int32_t parent_id = 0;  // the table struct it goes into; 0 = the top level
    std::string name;
    TypePtr type;      // optional fields; nested ids are placeholders
    std::string path;  // the file's dotted column path
  };
  std::vector<Added> added;
  /// Table field id -> the file's wider primitive type.
  std::map<int32_t, TypePtr> widened;
  /// Table columns the file lacks (dotted names; the outermost missing field of each).
  std::vector<std::string> missing;
};

// Compares a file's columns with `table` field by field: by the file's field ids when it has
// them, else by name through `mapping`. `reference` names what the table stands for in
// messages ("the table", or the first file of a new table).
class SchemaDiffer {
 public:
  SchemaDiffer(const iceberg::Schema& table, const iceberg::NameMapping& mapping, int32_t split_id,
               std::string reference)
      : table_(table), mapping_(mapping), split_id_(split_id), reference_(std::move(reference)) {}

  /// Errors: InvalidArgument naming the file and column for a type that is neither equal nor a
  /// promotion either way, or a nested type of another kind; NotSupported for a `split` column.
  Result<SchemaDiff> Diff(const FileSchema& file, const std::string& file_name) {
    SchemaDiff diff;
    std::set<int32_t> seen;
    RETURN_IF_ERROR(Walk(file, file_name, file.schema->fields(), 0, &seen, &diff));
    CollectMissing(table_.fields(), seen, &diff.missing);
    return diff;
  }

 private:
  Status Walk(const FileSchema& file, const std::string& file_name,
              const std::vector<NestedField>& fields, int32_t parent_id, std::set<int32_t>* seen,
              SchemaDiff* diff) {
    for (const NestedField& f : fields) {
      auto names_it = file.info.field_names.find(f.id);
      std::vector<std::string> names = names_it != file.info.field_names.end()
                                           ? names_it->second
                                           : std::vector<std::string>{f.name};
      const std::string path = Join(names, ".");
      std::optional<int32_t> id =
          file.info.ids_from_file ? std::optional<int32_t>(f.id) : mapping_.Find(names);
      const NestedField* t = id ? table_.FindFieldById(*id) : nullptr;
      if (t != nullptr && t->id == split_id_) {
        return NotSupported(
            "{}: the dataset has a column named '{}', the name faceberg gives the HF split "
            "partition column; such datasets cannot be mapped yet",
            file_name, kSplitColumn);
      }
      if (t == nullptr) {
        if (file.info.ids_from_file) {
          return InvalidArgument(
              "{}: column '{}' carries Parquet field id {}, which {} does not have; files with "
              "field ids must use the table's ids",
              file_name, path, f.id, reference_);
        }
        diff->added.push_back({parent_id, f.name, OptionalType(f.type), path});
        continue;
      }
      seen->insert(t->id);
      const Type& file_type = *f.type;
      const Type& table_type = *t->type;
      if (file_type.is_primitive() && table_type.is_primitive()) {
        if (file_type.Equals(table_type) || iceberg::IsPromotionAllowed(file_type, table_type)) {
          continue;
        }
        if (iceberg::IsPromotionAllowed(table_type, file_type)) {
          auto [it, inserted] = diff->widened.emplace(t->id, f.type);
          if (!inserted && iceberg::IsPromotionAllowed(*it->second, file_type)) {
            it->second = f.type;
          }
          continue;
        }
      }
      if (file_type.is_primitive() || table_type.is_primitive() ||
          file_type.id() != table_type.id()) {
        return InvalidArgument(
            "{}: column '{}' is {} there but {} in {} (allowed differences: int/long, "
            "float/double, a wider decimal)",
            file_name, path, file_type.ToString(), table_type.ToString(), reference_);
      }
      RETURN_IF_ERROR(Walk(file, file_name, file_type.fields(), t->id, seen, diff));
    }
    return Status::OK();
  }

  void CollectMissing(const std::vector<NestedField>& fields, const std::set<int32_t>& seen,
                      std::vector<std::string>* missing) const {
    for (const NestedField& t : fields) {
      if (t.id == split_id_) continue;
      if (!seen.count(t.id)) {
        missing->push_back(table_.FindColumnName(t.id));
        continue;
      }
      if (t.type->is_nested()) CollectMissing(t.type->fields(), seen, missing);
    }
  }

  const iceberg::Schema& table_;
  const iceberg::NameMapping& mapping_;
  const int32_t split_id_;
  const std::string reference_;
};

// The schema of a new table over `files` (with `footers`): the first file's columns (its field
// ids, or fresh ones), all optional, widened by later files, plus the `split` column.
// Errors: InvalidArgument naming the first file and column that differ beyond a promotion.
Result<iceberg::SchemaPtr> TableSchemaOf(const std::vector<SourceFile>& files,
                                         const std::vector<parquet::FileMetaData>& footers,
                                         const std::string& config_name) {
  ASSIGN_OR_RETURN(FileSchema first, SchemaOf(footers[0], files[0].file.path));
  std::vector<NestedField> fields;
  for (const NestedField& f : first.schema->fields()) {
    if (f.name == kSplitColumn) {
      return NotSupported(
          "{}: the dataset has a column named '{}', the name faceberg gives the HF split "
          "partition column; such datasets cannot be mapped yet",
          files[0].file.path, kSplitColumn);
    }
    NestedField optional = f;
    optional.required = false;
    optional.type = OptionalType(f.type);
    fields.push_back(std::move(optional));
  }
  const int32_t split_id = first.schema->HighestFieldId() + 1;
  fields.push_back(NestedField{split_id, kSplitColumn, false, Type::String(), ""});
  auto schema = std::make_shared<const iceberg::Schema>(0, fields);
  const std::string reference = files[0].file.path;
  for (size_t i = 1; i < files.size(); ++i) {
    const std::string& name = files[i].file.path;
    ASSIGN_OR_RETURN(FileSchema file, SchemaOf(footers[i], name));
    const iceberg::NameMapping mapping = iceberg::NameMappingFromSchema(*schema);
    SchemaDiffer differ(*schema, mapping, split_id, reference);
    ASSIGN_OR_RETURN(SchemaDiff diff, differ.Diff(file, name));
    if (!diff.added.empty()) {
      return InvalidArgument(
          "{}: column '{}' is not in {}; the files of config '{}' must have the same columns", name,
          diff.added[0].path, reference, config_name);
    }
    if (!diff.missing.empty()) {
      return InvalidArgument(
          "{}: column '{}' of {} is missing; the files of config '{}' must have the same "
          "columns",
          name, diff.missing[0], reference, config_name);
    }
    for (const auto& [id, type] : diff.widened) fields = WithFieldType(fields, id, type);
    schema = std::make_shared<const iceberg::Schema>(0, fields);
  }
  return schema;
}

// ---- describing files ------------------------------------------------------------------------

// The partition tuple of a file of `split` in a table partitioned by identity(split).
iceberg::PartitionValues SplitPartition(const std::string& split) {
  return iceberg::PartitionValues{iceberg::Value(split)};
}

Result<std::vector<DataFile>> Describe(const iceberg::TableMetadata& metadata,
                                       const std::vector<SourceFile>& files,
                                       const std::vector<parquet::FileMetaData>& footers) {
  std::vector<DataFile> out;
  out.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    table::FooterDescription description;
    description.location = files[i].location;
    description.file_size = files[i].file.size;
    description.partition = SplitPartition(files[i].split);
    ASSIGN_OR_RETURN(DataFile f, table::DescribeParquetFooter(metadata, footers[i], description));
    out.push_back(std::move(f));
  }
  return out;
}

// ---- committing a sync -----------------------------------------------------------------------

// TableOperations that show `inner`'s table with `updates` applied, so that an operation written
// against TableOperations (CommitRowDelta) commits them in the same commit as its own changes,
// as a Java transaction's operations do: Refresh returns the staged metadata (after checking
// `requirements`: a concurrent schema change is a Conflict), and Commit(staged, updated) commits
// `updated` over the metadata the staged one was made from.
class StagedTableOperations final : public table::TableOperations {
 public:
  StagedTableOperations(table::TableOperations& inner,
                        std::vector<table::TableRequirement> requirements,
                        std::vector<table::TableUpdate> updates)
      : inner_(inner), requirements_(std::move(requirements)), updates_(std::move(updates)) {}

  /// The staged view of `base`, which must be `inner`'s last refreshed metadata.
  /// Errors: Conflict when a requirement fails; InvalidArgument when an update does not apply.
  Result<iceberg::TableMetadataPtr> Stage(iceberg::TableMetadataPtr base) {
    RETURN_IF_ERROR(table::CheckRequirements(base.get(), requirements_));
    ASSIGN_OR_RETURN(iceberg::TableMetadata staged, table::ApplyUpdates(*base, updates_));
    base_ = std::move(base);
    staged_ = std::make_shared<const iceberg::TableMetadata>(std::move(staged));
    return staged_;
  }

  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr base, inner_.Refresh());
    return Stage(std::move(base));
  }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  Status Commit(const iceberg::TableMetadata* base,
                const iceberg::TableMetadata& updated) override {
    if (base == nullptr || base != staged_.get()) {
      return Conflict("the table changed since the sync read it; run the sync again");
    }
    return inner_.Commit(base_.get(), updated);
  }

 private:
  table::TableOperations& inner_;
  const std::vector<table::TableRequirement> requirements_;
  const std::vector<table::TableUpdate> updates_;
  iceberg::TableMetadataPtr base_;
  iceberg::TableMetadataPtr staged_;
};

// The index of the identity(split) field in `spec`, if any.
std::optional<size_t> SplitFieldIndex(const iceberg::PartitionSpec& spec, int32_t split_id) {
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    if (spec.fields[i].source_id == split_id && spec.fields[i].transform.is_identity()) return i;
  }
  return std::nullopt;
}

void FillTotals(const iceberg::Snapshot* snapshot, DatasetTableResult* result) {
  if (snapshot == nullptr) return;
  result->snapshot_id = snapshot->snapshot_id;
  result->rows = snapshot->SummaryInt(iceberg::summary::kTotalRecords, 0);
  result->bytes = snapshot->SummaryInt(iceberg::summary::kTotalFilesSize, 0);
}

std::string SyncAdvice(const catalog::TableIdentifier& id) {
  return fmt::format("create a new table: faceberg drop {0} && faceberg create {0}", id.ToString());
}

// The error of a dataset change the table cannot follow.
Status CannotFollow(const catalog::TableIdentifier& id, std::string_view what) {
  return InvalidArgument("the dataset changed in a way table '{}' cannot follow: {}; {}",
                         id.ToString(), what, SyncAdvice(id));
}

// Blob ids (as RepoFile::blob_id) by path of the files of `repo` at `commit`: one listing.
// Empty when the commit is gone (squashed history): every file then counts as changed.
Result<std::map<std::string, std::string>> BlobIdsAt(const hub::HfApi& api, const std::string& repo,
                                                     const std::string& commit) {
  std::map<std::string, std::string> blobs;
  auto listed = ListRepoFiles(api, repo, commit);
  if (!listed.ok()) {
    if (listed.status().code() == ErrorCode::kNotFound) return blobs;
    return listed.status();
  }
  for (const RepoFile& file : *listed) blobs[file.path] = file.blob_id;
  return blobs;
}

// What a sync does to the table's files.
struct FileChanges {
  /// New files, and files whose content (blob id) or split changed: their footers are read.
  std::vector<SourceFile> added;
  /// Live files of the dataset that are gone or changed.
  std::vector<DataFile> removed;
  /// Live files that stay (unchanged dataset files, and files that are not the dataset's).
  int64_t kept = 0;
};

// Compares the table's `live` files with the dataset's `new_files`. A live file is the dataset's
// when it is an hf:// file of `repo`; it stays when the new layout has its path with the blob id
// it had (`old_blobs`), in the same split.
FileChanges CompareFiles(const iceberg::TableMetadata& md, const std::vector<DataFile>& live,
                         const std::string& repo, int32_t split_id,
                         const std::vector<SourceFile>& new_files,
                         const std::map<std::string, std::string>& old_blobs) {
  struct LiveFile {
    const DataFile* file;
    std::string split;
  };
  std::map<std::string, LiveFile> live_by_path;
  for (const DataFile& f : live) {
    if (!hub::IsHfUri(f.file_path)) continue;
    auto uri = hub::ParseHfUri(f.file_path);
    if (!uri.ok() || uri->repo_id() != repo) continue;
    std::string split;
    if (iceberg::PartitionSpecPtr spec = md.SpecById(f.spec_id)) {
      auto index = SplitFieldIndex(*spec, split_id);
      if (index && *index < f.partition.size()) {
        if (const auto* value = std::get_if<std::string>(&f.partition[*index])) split = *value;
      }
    }
    live_by_path.emplace(uri->path, LiveFile{&f, std::move(split)});
  }
  FileChanges changes;
  std::set<std::string> kept_paths;
  for (const SourceFile& f : new_files) {
    auto it = live_by_path.find(f.file.path);
    auto old = old_blobs.find(f.file.path);
    const bool same = it != live_by_path.end() && old != old_blobs.end() &&
                      !f.file.blob_id.empty() && old->second == f.file.blob_id &&
                      it->second.split == f.split;
    if (!same || !kept_paths.insert(f.file.path).second) changes.added.push_back(f);
  }
  for (const auto& [path, entry] : live_by_path) {
    if (!kept_paths.count(path)) changes.removed.push_back(*entry.file);
  }
  changes.kept = static_cast<int64_t>(live.size() - changes.removed.size());
  return changes;
}

// The wider of two primitive types (either when equal); null when neither promotes to the other.
TypePtr WiderPrimitive(const TypePtr& a, const TypePtr& b) {
  if (!a->is_primitive() || !b->is_primitive()) return nullptr;
  if (iceberg::IsPromotionAllowed(*b, *a)) return a;
  if (iceberg::IsPromotionAllowed(*a, *b)) return b;
  return nullptr;
}

// The schema change a sync makes for its new files, as commit requirements and updates (none
// when no change is needed), and the names of the columns it adds and widens.
struct SchemaChange {
  std::vector<table::TableRequirement> requirements;
  std::vector<table::TableUpdate> updates;
  std::vector<std::string> added;
  std::vector<std::string> widened;
};

// New columns of the new `files` become optional columns (new ids; the name mapping follows);
// a wider type of a column widens it.
// Errors: InvalidArgument (CannotFollow) for a file without a column of the table, a type that
// is not a promotion, or a new column with unrelated types in different files.
Result<SchemaChange> PlanSchemaChange(const iceberg::TableMetadata& md, int32_t split_id,
                                      const std::vector<SourceFile>& files,
                                      const std::vector<parquet::FileMetaData>& footers,
                                      const catalog::TableIdentifier& id) {
  const iceberg::Schema& current = *md.CurrentSchema();
  iceberg::NameMapping mapping = iceberg::NameMappingFromSchema(current);
  if (auto it = md.properties.find(iceberg::kNameMappingProperty); it != md.properties.end()) {
    ASSIGN_OR_RETURN(mapping, iceberg::ParseNameMapping(it->second));
  }
  SchemaDiffer differ(current, mapping, split_id, "the table");
  std::map<std::pair<int32_t, std::string>, SchemaDiff::Added> added;
  std::map<int32_t, TypePtr> widened;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& name = files[i].file.path;
    auto diff = [&]() -> Result<SchemaDiff> {
      ASSIGN_OR_RETURN(FileSchema file, SchemaOf(footers[i], name));
      return differ.Diff(file, name);
    }();
    if (!diff.ok()) {
      if (diff.status().code() != ErrorCode::kInvalidArgument) return diff.status();
      return CannotFollow(id, diff.status().message());
    }
    if (!diff->missing.empty()) {
      return CannotFollow(id, fmt::format("{} has no column '{}'", name, diff->missing[0]));
    }
    for (const auto& [field_id, type] : diff->widened) {
      auto [it, inserted] = widened.emplace(field_id, type);
      // Both widen the same table type, so one of them is the wider.
      if (!inserted) it->second = WiderPrimitive(it->second, type);
    }
    for (const SchemaDiff::Added& a : diff->added) {
      auto [it, inserted] = added.emplace(std::make_pair(a.parent_id, a.name), a);
      if (inserted || it->second.type->ToString() == a.type->ToString()) continue;
      TypePtr wider = WiderPrimitive(it->second.type, a.type);
      if (wider == nullptr) {
        return CannotFollow(
            id, fmt::format("new column '{}' is {} in {} but {} in another file", a.path,
                            a.type->ToString(), name, it->second.type->ToString()));
      }
      it->second.type = wider;
    }
  }
  SchemaChange change;
  table::SchemaUpdate update(md);
  for (const auto& [field_id, type] : widened) {
    std::string column = current.FindColumnName(field_id);
    if (Status st = update.UpdateColumnType(column, type); !st.ok()) {
      return CannotFollow(
          id, fmt::format("column '{}' became {}: {}", column, type->ToString(), st.message()));
    }
    change.widened.push_back(column);
  }
  for (const auto& [key, a] : added) {
    std::string column =
        a.parent_id == 0 ? a.name : current.FindColumnName(a.parent_id) + "." + a.name;
    if (Status st = update.AddColumn(column, a.type); !st.ok()) {
      return CannotFollow(id, fmt::format("new column '{}': {}", a.path, st.message()));
    }
    change.added.push_back(column);
  }
  if (!update.empty()) {
    change.requirements = update.Requirements();
    ASSIGN_OR_RETURN(change.updates, update.Updates());
  }
  return change;
}

}  // namespace

Result<std::string> DatasetFileLocation(std::string_view repo, std::string_view commit,
                                        std::string_view path) {
  RETURN_IF_ERROR(hub::ValidateRepoId(repo));
  hub::HfUri uri;
  size_t slash = repo.find('/');
  uri.owner = std::string(repo.substr(0, slash));
  uri.name = std::string(repo.substr(slash + 1));
  uri.revision = std::string(commit);
  uri.path = std::string(path);
  std::string location = uri.ToString();
  // Round-trips only for a valid path (no empty, "." or ".." segments).
  RETURN_IF_ERROR(hub::ParseHfUri(location).status());
  return location;
}

Result<DatasetTableResult> CreateDatasetTable(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                              const DatasetLayout& layout, size_t config_index,
                                              const DatasetTableOptions& options) {
  PRECHECK(config_index < layout.configs.size() && config_index < layout.sources.size(),
           "config index {} is out of range: the layout has {} configs", config_index,
           layout.configs.size());
  const ConfigLayout& config = layout.configs[config_index];
  const DatasetLayout::Source& source = layout.sources[config_index];
  const catalog::TableIdentifier& id = options.id;
  auto exists_error = [&] {
    return AlreadyExists(
        "table '{}' already exists; bring it up to date with 'faceberg sync {}' (or drop it "
        "first)",
        id.ToString(), id.ToString());
  };
  ASSIGN_OR_RETURN(bool exists, catalog.TableExists(id));
  if (exists) return exists_error();

  ASSIGN_OR_RETURN(std::vector<SourceFile> files, FilesOf(layout.repo, config, source));
  if (files.empty()) {
    return InvalidArgument("config '{}' of {} has no data files at {}; nothing to map", config.name,
                           layout.repo, source.commit);
  }
  ASSIGN_OR_RETURN(FooterReads reads,
                   ReadFooters(hfio, files, options.footer_tail_bytes, options.show_progress,
                               fmt::format("{}: reading footers", id.ToString())));
  ASSIGN_OR_RETURN(iceberg::SchemaPtr schema, TableSchemaOf(files, reads.footers, config.name));

  catalog::CreateTableOptions create;
  create.schema = schema;
  ASSIGN_OR_RETURN(iceberg::PartitionSpec spec,
                   iceberg::ParsePartitionSpecString(kSplitColumn, *schema));
  create.spec = std::make_shared<const iceberg::PartitionSpec>(std::move(spec));
  create.properties = {
      {iceberg::kNameMappingProperty,
       iceberg::NameMappingToJson(iceberg::NameMappingFromSchema(*schema))},
      {kRepoProperty, layout.repo},
      {kConfigProperty, config.name},
      {kRevisionProperty, layout.revision.empty() ? "main" : layout.revision},
      {kCommitProperty, layout.commit},
      {kSourceProperty, source.revision},
      {kSourceCommitProperty, source.commit},
      {kPartialSplitsProperty, PartialSplits(config)},
      {kDatasetNameProperty, options.dataset_name},
  };
  if (create.properties[kPartialSplitsProperty].empty()) {
    create.properties.erase(kPartialSplitsProperty);
  }
  auto created = catalog.CreateTable(id, create);
  if (!created.ok()) {
    if (created.status().code() == ErrorCode::kAlreadyExists) return exists_error();
    return created.status();
  }
  FailPoint("after-table-create");
  // From here on a failure drops the new table again.
  auto committed = [&]() -> Result<iceberg::Snapshot> {
    ASSIGN_OR_RETURN(std::vector<DataFile> data_files, Describe(**created, files, reads.footers));
    ASSIGN_OR_RETURN(auto ops, catalog.LoadTable(id));
    table::AppendOptions append;
    append.summary[kCommitSummary] = layout.commit;
    return table::AppendFiles(*ops, data_files, append);
  }();
  if (!committed.ok()) {
    (void)catalog.DropTable(id, /*purge=*/true);
    return committed.status();
  }
  DatasetTableResult result;
  result.id = id;
  result.commit = layout.commit;
  result.files_added = static_cast<int64_t>(files.size());
  result.footer_requests = reads.requests;
  FillTotals(&*committed, &result);
  return result;
}

Result<DatasetTableResult> SyncDatasetTable(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                            const hub::HfApi& api,
                                            const catalog::TableIdentifier& id,
                                            const SyncDatasetOptions& options) {
  ASSIGN_OR_RETURN(auto ops, catalog.LoadTable(id));
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops->Refresh());
  const iceberg::TableMetadata& md = *metadata;
  const std::string repo = md.Property(kRepoProperty);
  const std::string config_name = md.Property(kConfigProperty);
  if (repo.empty() || config_name.empty()) {
    return InvalidArgument(
        "table '{}' is not backed by an HF dataset (it has no {} / {} properties); sync "
        "applies to tables made by 'faceberg create' from faceberg.yml",
        id.ToString(), kRepoProperty, kConfigProperty);
  }
  const std::string recorded_revision = md.Property(kRevisionProperty, "main");
  const std::string revision = options.revision.value_or(recorded_revision);
  const std::string recorded_commit = md.Property(kCommitProperty);
  const std::string recorded_source = md.Property(kSourceProperty, "main");
  const std::string recorded_source_commit = md.Property(kSourceCommitProperty, recorded_commit);

  DatasetTableResult result;
  result.id = id;
  FillTotals(md.CurrentSnapshot(), &result);
  auto unchanged = [&]() {
    result.unchanged = true;
    result.commit = recorded_commit;
    if (const iceberg::Snapshot* current = md.CurrentSnapshot()) {
      result.files_kept = current->SummaryInt(iceberg::summary::kTotalDataFiles, 0);
    }
    return result;
  };

  // A table without a snapshot is one whose create died before its first commit: it records
  // the dataset commit but holds none of its files, so it is never up to date.
  const bool has_snapshot = md.CurrentSnapshot() != nullptr;
  // The cheap check first: one request (two for a Parquet-export source).
  if (revision == recorded_revision && has_snapshot) {
    ASSIGN_OR_RETURN(std::string head, api.ResolveRevision(repo, revision));
    bool same = head == recorded_commit;
    if (same && recorded_source == kParquetExportRevision) {
      ASSIGN_OR_RETURN(std::string export_head, api.ResolveRevision(repo, kParquetExportRevision));
      same = export_head == recorded_source_commit;
    }
    if (same) return unchanged();
  }

  ASSIGN_OR_RETURN(DatasetLayout layout, DiscoverDataset(api, repo, revision));
  size_t config_index = layout.configs.size();
  std::vector<std::string> config_names;
  for (size_t i = 0; i < layout.configs.size(); ++i) {
    config_names.push_back(layout.configs[i].name);
    if (layout.configs[i].name == config_name) config_index = i;
  }
  if (config_index == layout.configs.size() || config_index >= layout.sources.size()) {
    return NotFound("config '{}' is no longer in {} at {} (its configs are: {}); {}", config_name,
                    repo, layout.commit, Join(config_names, ", "), SyncAdvice(id));
  }
  const ConfigLayout& config = layout.configs[config_index];
  const DatasetLayout::Source& source = layout.sources[config_index];
  if (has_snapshot && revision == recorded_revision && layout.commit == recorded_commit &&
      source.commit == recorded_source_commit) {
    return unchanged();
  }
  ASSIGN_OR_RETURN(std::vector<SourceFile> new_files, FilesOf(repo, config, source));

  // Which files stay, go and come: old blob ids from one listing at the recorded source commit
  // (only when the source is the same), live files from the current snapshot.
  std::map<std::string, std::string> old_blobs;
  if (source.revision == recorded_source && !recorded_source_commit.empty()) {
    ASSIGN_OR_RETURN(old_blobs, BlobIdsAt(api, repo, recorded_source_commit));
  }
  ASSIGN_OR_RETURN(table::RowFilterPlan plan, table::PlanRowFilter(ops->io(), metadata, "TRUE"));
  std::vector<DataFile> live = plan.all_match;
  live.insert(live.end(), plan.partial.begin(), plan.partial.end());
  const iceberg::NestedField* split_field = md.CurrentSchema()->FindFieldByName(kSplitColumn);
  const int32_t split_id = split_field != nullptr ? split_field->id : -1;
  FileChanges changes = CompareFiles(md, live, repo, split_id, new_files, old_blobs);
  result.files_kept = changes.kept;
  result.files_removed = static_cast<int64_t>(changes.removed.size());
  result.files_added = static_cast<int64_t>(changes.added.size());
  result.commit = layout.commit;

  std::map<std::string, std::string> properties = {
      {kCommitProperty, layout.commit},
      {kSourceProperty, source.revision},
      {kSourceCommitProperty, source.commit},
      {kPartialSplitsProperty, PartialSplits(config)},
  };
  if (revision != recorded_revision) properties[kRevisionProperty] = revision;

  if (changes.added.empty() && changes.removed.empty()) {
    // The dataset moved but this config's files did not: record the commit only.
    const iceberg::Snapshot* current = md.CurrentSnapshot();
    std::vector<table::TableRequirement> requirements = {table::AssertRefSnapshotId{
        iceberg::kMainBranch,
        current ? std::optional<int64_t>(current->snapshot_id) : std::nullopt}};
    FailPoint("before-commit");
    RETURN_IF_ERROR(
        table::CommitTable(*ops, requirements, {table::SetProperties{properties}}).status());
    FailPoint("after-commit");
    return result;
  }

  // Footers of new and changed files only, and the schema change they need.
  ASSIGN_OR_RETURN(
      FooterReads reads,
      ReadFooters(hfio, changes.added, options.footer_tail_bytes, options.show_progress,
                  fmt::format("{}: reading footers", id.ToString())));
  result.footer_requests = reads.requests;
  ASSIGN_OR_RETURN(SchemaChange schema_change,
                   PlanSchemaChange(md, split_id, changes.added, reads.footers, id));
  result.columns_added = schema_change.added;
  result.columns_widened = schema_change.widened;
  std::vector<table::TableUpdate> updates = std::move(schema_change.updates);
  updates.push_back(table::SetProperties{properties});

  // One commit: the files, the schema change and the properties.
  StagedTableOperations staged_ops(*ops, std::move(schema_change.requirements), std::move(updates));
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr staged, staged_ops.Stage(metadata));
  ASSIGN_OR_RETURN(std::vector<DataFile> added, Describe(*staged, changes.added, reads.footers));
  plan.base = staged;  // CommitRowDelta builds on the staged metadata
  plan.schema = staged->CurrentSchema();
  table::RowDeltaOptions delta;
  delta.operation = changes.removed.empty() ? "append" : (added.empty() ? "delete" : "overwrite");
  delta.summary[kCommitSummary] = layout.commit;
  ASSIGN_OR_RETURN(iceberg::Snapshot snapshot,
                   table::CommitRowDelta(staged_ops, plan, changes.removed, added, delta));
  FillTotals(&snapshot, &result);
  return result;
}

}  // namespace faceberg::bridge

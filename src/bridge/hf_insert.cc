#include "bridge/hf_insert.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "bridge/dataset_table.h"
#include "bridge/discovery.h"
#include "bridge/properties.h"
#include "engine/staging.h"
#include "table/append.h"
#include "util/failpoint.h"
#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::bridge {

namespace fs = std::filesystem;
using iceberg::DataFile;

namespace {

// A private folder under the system's temporary folder, removed with everything in it.
class ScratchFolder {
 public:
  static Result<ScratchFolder> Make() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) return IOError("cannot find the temporary folder: {}", ec.message());
    fs::path path = base / ("faceberg-insert-" + RandomUuid());
    fs::create_directories(path, ec);
    if (ec) return IOError("cannot create {}: {}", path.string(), ec.message());
    return ScratchFolder(std::move(path));
  }
  ScratchFolder(ScratchFolder&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchFolder& operator=(ScratchFolder&&) = delete;
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchFolder(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// The table operations of `inner` that refuse to build on metadata whose dataset commit is no
// longer `expected`: a sync (or another insert) that moved the table between the Hub commit and
// the table commit must not be overwritten by this insert's properties and files.
class CommitGuardedOperations final : public table::TableOperations {
 public:
  CommitGuardedOperations(table::TableOperations& inner, std::string expected,
                          std::string table_name)
      : inner_(inner), expected_(std::move(expected)), table_name_(std::move(table_name)) {}

  io::FileIO& io() override { return inner_.io(); }
  Result<iceberg::TableMetadataPtr> Refresh() override {
    ASSIGN_OR_RETURN(iceberg::TableMetadataPtr md, inner_.Refresh());
    if (md->Property(kCommitProperty) != expected_) {
      return Conflict("table '{}' moved to dataset commit {} meanwhile (a sync or another insert)",
                      table_name_, md->Property(kCommitProperty));
    }
    return md;
  }
  std::string current_metadata_location() const override {
    return inner_.current_metadata_location();
  }
  Status Commit(const iceberg::TableMetadata* base,
                const iceberg::TableMetadata& updated) override {
    return inner_.Commit(base, updated);
  }

 private:
  table::TableOperations& inner_;
  const std::string expected_;
  const std::string table_name_;
};

// 64 random bits as 16 hex digits: the part of a new file name that keeps names from colliding.
std::string UniqueHex() {
  std::string uuid = RandomUuid();  // the version nibble sits in the middle group
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex += c;
  }
  return hex.substr(0, 8) + hex.substr(hex.size() - 8);
}

Status DatasetMoved(const std::string& repo, const std::string& table) {
  return Conflict(
      "dataset {} has new commits since the table's last sync; run 'faceberg sync {}' and insert "
      "again",
      repo, table);
}

// The branch `revision` names ("main", or "refs/heads/main"), if it is one.
std::optional<hub::GitRef> FindBranch(const hub::RepoRefs& refs, const std::string& revision) {
  for (const hub::GitRef& branch : refs.branches) {
    if (branch.name == revision || branch.ref == revision) return branch;
  }
  return std::nullopt;
}

}  // namespace

bool IsDatasetTable(const iceberg::TableMetadata& metadata) {
  return !metadata.Property(kRepoProperty).empty();
}

Result<DatasetInsertResult> InsertIntoDatasetTable(table::TableOperations& ops,
                                                   engine::Connection& connection,
                                                   const hub::HfApi& api,
                                                   const engine::InsertSource& source,
                                                   const DatasetInsertOptions& options) {
  const std::string table = options.id.ToString();
  ASSIGN_OR_RETURN(iceberg::TableMetadataPtr metadata, ops.Refresh());
  const iceberg::TableMetadata& md = *metadata;
  const std::string repo = md.Property(kRepoProperty);
  const std::string config_name = md.Property(kConfigProperty);
  const std::string revision = md.Property(kRevisionProperty, "main");
  const std::string recorded = md.Property(kCommitProperty);
  if (repo.empty() || config_name.empty() || recorded.empty()) {
    return InvalidArgument(
        "table '{}' is not backed by an HF dataset (it lacks the {}, {} or {} property); insert "
        "its rows with a plain insert",
        table, kRepoProperty, kConfigProperty, kCommitProperty);
  }
  if (md.CurrentSnapshot() == nullptr) {
    // Its create died before the first commit: the table holds none of the dataset's files yet.
    return Conflict("table '{}' holds none of the files of dataset {} yet; run 'faceberg sync {}'",
                    table, repo, table);
  }
  if (md.Property(kSourceProperty, "main") == kParquetExportRevision) {
    return NotSupported(
        "table '{}' reads dataset {} from the Hub's Parquet export (refs/convert/parquet), which "
        "only the Hub writes; faceberg inserts only into configs stored as Parquet files",
        table, repo);
  }

  // The revision must be a branch still at the table's commit.
  ASSIGN_OR_RETURN(hub::RepoRefs refs, api.ListRefs(repo));
  std::optional<hub::GitRef> branch = FindBranch(refs, revision);
  if (!branch) {
    return NotSupported(
        "table '{}' follows revision '{}' of dataset {}, a tag or a commit, not a branch; new "
        "files can only be committed to a branch: set the dataset's revision to a branch in "
        "faceberg.yml and run 'faceberg sync {}'",
        table, revision, repo, table);
  }
  if (branch->target_commit != recorded) return DatasetMoved(repo, table);

  // Only the split partitioning of a table made by create can be written into the dataset.
  iceberg::SchemaPtr schema = md.CurrentSchema();
  iceberg::PartitionSpecPtr spec = md.DefaultSpec();
  const iceberg::NestedField* split_field =
      schema ? schema->FindFieldByName(kSplitColumn) : nullptr;
  if (!spec || split_field == nullptr || spec->fields.size() != 1 ||
      spec->fields[0].source_id != split_field->id || !spec->fields[0].transform.is_identity()) {
    return NotSupported(
        "table '{}' is not partitioned by its '{}' column alone, so its rows cannot be placed in "
        "the dataset's splits",
        table, kSplitColumn);
  }

  // The repo as the table last saw it: where new files may go, and the config's splits.
  ASSIGN_OR_RETURN(std::vector<RepoFile> repo_files, ListRepoFiles(api, repo, recorded));
  ASSIGN_OR_RETURN(std::string readme, ReadRepoReadme(api, repo, recorded, repo_files));
  auto inferred = InferConfigs(repo_files, readme);
  if (!inferred.ok()) {
    return inferred.status().WithContext(fmt::format("dataset {} at {}", repo, recorded));
  }
  std::vector<std::string> splits;
  bool config_found = false;
  for (const ConfigLayout& c : *inferred) {
    if (c.name != config_name) continue;
    config_found = true;
    for (const SplitFiles& s : c.splits) splits.push_back(s.split);
  }
  if (!config_found) {
    return NotFound(
        "config '{}' of table '{}' is no longer in dataset {} at {}; run 'faceberg sync "
        "{}'",
        config_name, table, repo, recorded, table);
  }

  // Write the rows (without the split column and field ids) into a scratch folder.
  ASSIGN_OR_RETURN(ScratchFolder scratch, ScratchFolder::Make());
  engine::WriteOptions write = engine::WriteOptionsFromProperties(md.properties);
  write.data_location = scratch.path().string();
  write.omit_identity_partition_columns = true;
  write.write_field_ids = false;
  io::LocalFileIO local_io;
  ASSIGN_OR_RETURN(std::vector<DataFile> written,
                   engine::WriteDataFiles(connection, local_io, md, source, write));
  if (written.empty()) return InvalidArgument("the input has no rows; nothing was inserted");

  // Each file's split, and its name in the repo.
  DatasetInsertResult result;
  result.repo = repo;
  std::vector<std::string> local_paths;
  std::vector<RepoFile> tree = repo_files;
  for (const DataFile& file : written) {
    InsertedDatasetFile added;
    added.rows = file.record_count();
    const iceberg::Value& value = file.partition.at(0);
    if (const auto* split = std::get_if<std::string>(&value)) {
      added.split = *split;
    } else if (splits.size() == 1) {
      added.split = splits[0];
    } else {
      return InvalidArgument(
          "{} row(s) have no '{}' value, and config '{}' of {} has the splits {}: give every row "
          "one of them (or a new split name)",
          added.rows, kSplitColumn, config_name, repo, Join(splits, ", "));
    }
    auto path = NewDataFilePath(tree, readme, config_name, added.split, UniqueHex());
    if (!path.ok()) return path.status().WithContext(fmt::format("dataset {}", repo));
    added.path = *path;
    tree.push_back({added.path, static_cast<uint64_t>(file.file_size_in_bytes), ""});
    local_paths.push_back(file.file_path);
    result.rows += added.rows;
    result.files.push_back(std::move(added));
  }

  // One Hub commit with every file, on top of the table's commit.
  std::vector<hub::CommitOperation> operations;
  for (size_t i = 0; i < result.files.size(); ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<io::InputFile> input, local_io.NewInputFile(local_paths[i]));
    ASSIGN_OR_RETURN(std::string content, input->ReadAll(uint64_t{1} << 40));
    operations.push_back(hub::CommitOperation::Add(result.files[i].path, std::move(content)));
  }
  hub::CommitOptions commit_options;
  commit_options.summary = options.commit_message.empty()
                               ? fmt::format("Add {} rows to {} with faceberg", result.rows, table)
                               : options.commit_message;
  commit_options.parent_commit = recorded;
  FailPoint("hf-insert-before-hub-commit");
  auto committed = api.CreateCommit(repo, branch->name, operations, commit_options);
  operations.clear();
  if (!committed.ok()) {
    if (committed.status().code() == ErrorCode::kConflict) {
      auto head = api.ResolveRevision(repo, branch->name);
      if (head.ok() && *head != recorded) return DatasetMoved(repo, table);
    }
    return committed.status();
  }
  if (committed->nothing_to_commit) {
    return Internal("the Hub made no commit for the {} new file(s) of table '{}'",
                    result.files.size(), table);
  }
  result.commit = committed->commit_oid;
  FailPoint("hf-insert-after-hub-commit");

  // The table's snapshot of the new dataset files, which the next scan reads from the cache
  // (best effort: a failure to cache only costs a download later). From here on, a failure
  // leaves the rows in the dataset only, for a sync to add.
  auto snapshot = [&]() -> Result<iceberg::Snapshot> {
    engine::StagingOptions staging;
    staging.cache_dir = options.cache_dir;
    std::vector<DataFile> data_files = written;
    for (size_t i = 0; i < data_files.size(); ++i) {
      ASSIGN_OR_RETURN(result.files[i].location,
                       DatasetFileLocation(repo, result.commit, result.files[i].path));
      (void)engine::CacheLocalCopy(result.files[i].location, local_paths[i], staging);
      data_files[i].file_path = result.files[i].location;
      data_files[i].partition = iceberg::PartitionValues{iceberg::Value(result.files[i].split)};
    }
    CommitGuardedOperations guarded(ops, recorded, table);
    table::AppendOptions append;
    append.summary[kCommitSummary] = result.commit;
    append.set_properties = {{kCommitProperty, result.commit},
                             {kSourceCommitProperty, result.commit}};
    return table::AppendFiles(guarded, data_files, append);
  }();
  if (!snapshot.ok()) {
    return Status(snapshot.status().code(),
                  fmt::format("the rows are in dataset {} at commit {}, but table '{}' could not "
                              "commit them ({}); 'faceberg sync {}' adds them to the table",
                              repo, result.commit, table, snapshot.status().message(), table));
  }
  result.snapshot = std::move(*snapshot);
  return result;
}

}  // namespace faceberg::bridge

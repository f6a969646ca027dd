#include "bridge/tables.h"

#include <algorithm>
#include <map>
#include <set>

#include "bridge/properties.h"
#include "util/strings.h"

namespace faceberg::bridge {

namespace {

std::string ConfigNames(const DatasetLayout& layout) {
  std::vector<std::string> names;
  for (const auto& c : layout.configs) names.push_back(c.name);
  return Join(names, ", ");
}

}  // namespace

Result<std::vector<PlannedTable>> TablesOfEntry(const DatasetEntry& entry,
                                                std::shared_ptr<const DatasetLayout> layout) {
  std::vector<size_t> chosen;
  if (entry.configs.empty()) {
    // The default config first, then the rest in discovery order.
    for (size_t i = 0; i < layout->configs.size(); ++i) {
      if (layout->configs[i].is_default) chosen.push_back(i);
    }
    for (size_t i = 0; i < layout->configs.size(); ++i) {
      if (!layout->configs[i].is_default) chosen.push_back(i);
    }
  } else {
    for (const auto& name : entry.configs) {
      size_t i = 0;
      while (i < layout->configs.size() && layout->configs[i].name != name) ++i;
      if (i == layout->configs.size()) {
        return InvalidArgument(
            "dataset '{}' ({}) has no config '{}'; its configs are: {} (fix 'configs' in "
            "faceberg.yml)",
            entry.name, entry.repo, name, ConfigNames(*layout));
      }
      chosen.push_back(i);
    }
  }
  if (entry.table && chosen.size() != 1) {
    return InvalidArgument(
        "dataset '{}' sets 'table' but maps {} configs ({}); name one config in 'configs', or "
        "drop 'table' to get {{name}}_{{config}} tables",
        entry.name, chosen.size(), ConfigNames(*layout));
  }
  std::vector<PlannedTable> out;
  for (size_t i : chosen) {
    PlannedTable t;
    t.id.ns = entry.ns;
    t.id.name = entry.table ? *entry.table : TableNameFor(entry.name, layout->configs[i].name);
    RETURN_IF_ERROR(catalog::ValidateTableIdentifier(t.id));
    t.entry = entry;
    t.layout = layout;
    t.config_index = i;
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<PlannedTable>> PlanTables(const hub::HfApi& api, const BridgeConfig& config,
                                             const std::vector<std::string>& names) {
  std::vector<catalog::TableIdentifier> wanted;
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
    wanted.push_back(std::move(id));
  }
  if (config.datasets.empty()) {
    return InvalidArgument("{} lists no datasets; add one under 'datasets:' (name and repo)",
                           config.file.empty() ? std::string("faceberg.yml") : config.file);
  }
  std::vector<PlannedTable> all;
  std::map<std::string, std::string> owner;  // table -> entry name
  // With names, only entries that can map one of them are discovered (a table of an entry is
  // named by its `table`, else "{name}_{config}").
  auto may_map = [&](const DatasetEntry& entry) {
    if (wanted.empty()) return true;
    const std::string prefix = TableNameFor(entry.name, "");
    return std::any_of(wanted.begin(), wanted.end(), [&](const catalog::TableIdentifier& id) {
      if (id.ns != entry.ns) return false;
      return entry.table ? id.name == *entry.table : StartsWith(id.name, prefix);
    });
  };
  for (const auto& entry : config.datasets) {
    if (!may_map(entry)) continue;
    ASSIGN_OR_RETURN(DatasetLayout layout, DiscoverDataset(api, entry.repo, entry.revision));
    auto shared = std::make_shared<const DatasetLayout>(std::move(layout));
    ASSIGN_OR_RETURN(auto tables, TablesOfEntry(entry, shared));
    for (auto& t : tables) {
      auto [it, inserted] = owner.emplace(t.id.ToString(), entry.name);
      if (!inserted) {
        return InvalidArgument(
            "datasets '{}' and '{}' both map table '{}'; give one of them a 'table' name or "
            "another 'namespace'",
            it->second, entry.name, t.id.ToString());
      }
      all.push_back(std::move(t));
    }
  }
  if (wanted.empty()) return all;
  std::vector<PlannedTable> out;
  for (const auto& id : wanted) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& t) { return t.id == id; });
    if (it == all.end()) {
      std::vector<std::string> known;
      for (const auto& t : all) known.push_back(t.id.ToString());
      return InvalidArgument("table '{}' is not mapped by {}; it maps: {}", id.ToString(),
                             config.file.empty() ? std::string("faceberg.yml") : config.file,
                             Join(known, ", "));
    }
    out.push_back(*it);
  }
  return out;
}

Result<std::vector<TableOutcome>> CreateTables(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                               const std::vector<PlannedTable>& plan,
                                               const CreateTablesOptions& options) {
  std::vector<TableOutcome> out;
  for (const auto& planned : plan) {
    TableOutcome outcome;
    outcome.id = planned.id;
    outcome.repo = planned.layout->repo;
    outcome.config = planned.config().name;
    for (const auto& split : planned.config().splits) {
      outcome.splits.emplace_back(split.split, split.files.size());
    }
    ASSIGN_OR_RETURN(bool exists, catalog.TableExists(planned.id));
    if (exists && options.skip_existing) {
      outcome.existed = true;
      out.push_back(std::move(outcome));
      continue;
    }
    DatasetTableOptions create;
    create.id = planned.id;
    create.dataset_name = planned.entry.name;
    create.show_progress = options.show_progress;
    auto result = CreateDatasetTable(catalog, hfio, *planned.layout, planned.config_index, create);
    if (!result.ok()) return result.status().WithContext(planned.id.ToString());
    outcome.result = std::move(*result);
    out.push_back(std::move(outcome));
  }
  return out;
}

namespace {

std::string Property(const iceberg::TableMetadata& md, const char* key) {
  auto it = md.properties.find(key);
  return it == md.properties.end() ? std::string() : it->second;
}

// The revision faceberg.yml asks for the table `id` (whose properties are `md`), if an entry
// maps it.
std::optional<std::string> ConfiguredRevision(const BridgeConfig& config,
                                              const catalog::TableIdentifier& id,
                                              const iceberg::TableMetadata& md) {
  const std::string repo = Property(md, kRepoProperty);
  const std::string hf_config = Property(md, kConfigProperty);
  for (const auto& entry : config.datasets) {
    if (entry.repo != repo || entry.ns != id.ns) continue;
    const std::string name = entry.table ? *entry.table : TableNameFor(entry.name, hf_config);
    if (name == id.name) return entry.revision;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<TableOutcome>> SyncTables(catalog::Catalog& catalog, hub::HfFileIO& hfio,
                                             const hub::HfApi& api,
                                             const std::vector<std::string>& names,
                                             const SyncTablesOptions& options) {
  std::vector<catalog::TableIdentifier> ids;
  const bool all = names.empty();
  if (all) {
    ASSIGN_OR_RETURN(ids, catalog.ListTables(""));
  } else {
    for (const auto& name : names) {
      ASSIGN_OR_RETURN(auto id, catalog::ParseTableIdentifier(name));
      ids.push_back(std::move(id));
    }
  }
  std::vector<TableOutcome> out;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(auto ops, catalog.LoadTable(id));
    ASSIGN_OR_RETURN(auto md, ops->Refresh());
    if (!md->properties.count(kRepoProperty)) {
      if (all) continue;
      return InvalidArgument(
          "table '{}' is not HF-backed (it has no {} property): sync follows tables that "
          "'faceberg create' made from faceberg.yml",
          id.ToString(), kRepoProperty);
    }
    SyncDatasetOptions sync;
    sync.show_progress = options.show_progress;
    if (options.config) {
      auto revision = ConfiguredRevision(*options.config, id, *md);
      if (revision && *revision != Property(*md, kRevisionProperty)) sync.revision = *revision;
    }
    auto result = SyncDatasetTable(catalog, hfio, api, id, sync);
    if (!result.ok()) return result.status().WithContext(id.ToString());
    TableOutcome outcome;
    outcome.id = id;
    outcome.repo = Property(*md, kRepoProperty);
    outcome.config = Property(*md, kConfigProperty);
    outcome.result = std::move(*result);
    out.push_back(std::move(outcome));
  }
  return out;
}

}  // namespace faceberg::bridge

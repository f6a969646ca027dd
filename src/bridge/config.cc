#include "bridge/config.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "util/strings.h"

namespace faceberg::bridge {
namespace {

constexpr uint64_t kMaxConfigBytes = uint64_t{16} << 20;

constexpr char kTopKeys[] = "catalog, datasets";
constexpr char kCatalogKeys[] = "name, location";
constexpr char kEntryKeys[] = "name, repo, configs, revision, namespace, table";

int LineAt(std::string_view text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

/// 1-based line of a node; yaml-cpp gives -1 for nodes it made up (an absent document).
int LineOf(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 1; }

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a string";
    default:
      return "empty";
  }
}

/// Builds "FILE:LINE: message" errors for one file.
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view file) : file_(file) {}

  template <typename... Args>
  Status Error(int line, fmt::format_string<Args...> format, Args&&... args) const {
    return InvalidArgument("{}:{}: {}", file_, line,
                           fmt::format(format, std::forward<Args>(args)...));
  }

  /// The (key, value) pairs of `map`, checking keys are unique strings out of `allowed`
  /// (comma-separated), in file order.
  Result<std::vector<std::pair<YAML::Node, YAML::Node>>> Entries(const YAML::Node& map,
                                                                 std::string_view where,
                                                                 std::string_view allowed) const {
    std::vector<std::string> allowed_keys = Split(allowed, ',');
    for (auto& key : allowed_keys) key = std::string(Trim(key));
    std::map<std::string, int> seen;
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    for (const auto& pair : map) {  // a YAML::detail::iterator_value, held for the iteration
      const YAML::Node& key = pair.first;
      if (!key.IsScalar()) {
        return Error(LineOf(key), "a key in {} is {}, not a name; allowed keys: {}", where,
                     KindName(key), allowed);
      }
      const std::string& name = key.Scalar();
      if (std::find(allowed_keys.begin(), allowed_keys.end(), name) == allowed_keys.end()) {
        return Error(LineOf(key), "unknown key '{}' in {}; allowed keys: {}", name, where, allowed);
      }
      auto [previous, inserted] = seen.emplace(name, LineOf(key));
      if (!inserted) {
        return Error(LineOf(key), "key '{}' appears twice in {} (first at line {}); keep one", name,
                     where, previous->second);
      }
      out.emplace_back(key, pair.second);
    }
    return out;
  }

  /// A non-empty string value of `key`.
  Result<std::string> String(const YAML::Node& key, const YAML::Node& value,
                             std::string_view where) const {
    const std::string& name = key.Scalar();
    if (value.IsNull()) {
      return Error(LineOf(key), "'{}' in {} has no value; give it a string or remove it", name,
                   where);
    }
    if (!value.IsScalar()) {
      return Error(LineOf(key), "'{}' in {} must be a string, not {}", name, where,
                   KindName(value));
    }
    if (Trim(value.Scalar()).empty()) {
      return Error(LineOf(key), "'{}' in {} is an empty string; give it a value or remove it", name,
                   where);
    }
    // Names, repos, revisions and locations never hold control characters; one (a stray \r,
    // say) would not survive a round trip through the YAML writer.
    for (unsigned char c : value.Scalar()) {
      if (c < 0x20 || c == 0x7f) {
        return Error(LineOf(key), "'{}' in {} holds the control character 0x{:02x}; remove it",
                     name, where, c);
      }
    }
    return value.Scalar();
  }

  Status ReadCatalog(const YAML::Node& key, const YAML::Node& value, BridgeConfig& config) const {
    if (value.IsNull()) return Status::OK();
    if (!value.IsMap()) {
      return Error(LineOf(key), "'catalog' must be a mapping with keys {}, not {}", kCatalogKeys,
                   KindName(value));
    }
    ASSIGN_OR_RETURN(auto entries, Entries(value, "'catalog'", kCatalogKeys));
    for (const auto& [k, v] : entries) {
      ASSIGN_OR_RETURN(std::string text, String(k, v, "'catalog'"));
      if (k.Scalar() == "name") {
        config.catalog_name = std::move(text);
      } else {
        config.catalog_location = std::move(text);
      }
    }
    return Status::OK();
  }

  Result<std::vector<std::string>> ReadConfigs(const YAML::Node& key, const YAML::Node& value,
                                               std::string_view where) const {
    if (!value.IsSequence()) {
      return Error(LineOf(key),
                   "'configs' in {} must be a list of config names like [main], not {}", where,
                   KindName(value));
    }
    if (value.size() == 0) {
      return Error(LineOf(key), "'configs' in {} is an empty list; remove it to map every config",
                   where);
    }
    std::vector<std::string> configs;
    std::map<std::string, int> seen;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar() || Trim(item.Scalar()).empty()) {
        return Error(LineOf(item.IsNull() ? key : item),
                     "'configs' in {} must list config names (non-empty strings), found {}", where,
                     item.IsScalar() ? std::string_view("an empty string") : KindName(item));
      }
      auto [previous, inserted] = seen.emplace(item.Scalar(), LineOf(item));
      if (!inserted) {
        return Error(LineOf(item), "config '{}' is listed twice in {}; list it once", item.Scalar(),
                     where);
      }
      configs.push_back(item.Scalar());
    }
    return configs;
  }

  Result<DatasetEntry> ReadEntry(const YAML::Node& item) const {
    int line = LineOf(item);
    if (!item.IsMap()) {
      return Error(line, "each item of 'datasets' must be a mapping with keys {}, not {}",
                   kEntryKeys, KindName(item));
    }
    DatasetEntry entry;
    entry.line = line;
    std::string where = fmt::format("the dataset entry at line {}", line);
    int table_line = 0;
    bool has_name = false, has_repo = false;
    ASSIGN_OR_RETURN(auto entries, Entries(item, where, kEntryKeys));
    for (const auto& [k, v] : entries) {
      const std::string& name = k.Scalar();
      if (name == "configs") {
        ASSIGN_OR_RETURN(entry.configs, ReadConfigs(k, v, where));
        continue;
      }
      ASSIGN_OR_RETURN(std::string text, String(k, v, where));
      if (name == "name") {
        entry.name = std::move(text);
        has_name = true;
      } else if (name == "repo") {
        if (!IsRepoId(text)) {
          return Error(LineOf(k),
                       "repo '{}' is not OWNER/NAME (letters, digits, '-', '_', '.'), e.g. "
                       "stanfordnlp/imdb",
                       text);
        }
        entry.repo = std::move(text);
        has_repo = true;
      } else if (name == "revision") {
        entry.revision = std::move(text);
      } else if (name == "namespace") {
        entry.ns = std::move(text);
      } else {
        entry.table = std::move(text);
        table_line = LineOf(k);
      }
    }
    if (!has_name) return Error(line, "the dataset entry has no 'name'; add name: NAME");
    if (!has_repo) {
      return Error(line, "dataset '{}' has no 'repo'; add repo: OWNER/NAME", entry.name);
    }
    if (entry.table && entry.configs.size() > 1) {
      return Error(table_line,
                   "dataset '{}' sets 'table' but maps {} configs; a table name fits one config, "
                   "so list one config or remove 'table'",
                   entry.name, entry.configs.size());
    }
    return entry;
  }

  Status ReadDatasets(const YAML::Node& key, const YAML::Node& value, BridgeConfig& config) const {
    if (value.IsNull()) return Status::OK();
    if (!value.IsSequence()) {
      return Error(LineOf(key), "'datasets' must be a list of dataset entries, not {}",
                   KindName(value));
    }
    std::map<std::string, int> names;
    for (const YAML::Node& item : value) {
      ASSIGN_OR_RETURN(DatasetEntry entry, ReadEntry(item));
      auto [previous, inserted] = names.emplace(entry.name, entry.line);
      if (!inserted) {
        return Error(entry.line,
                     "dataset name '{}' is already used at line {}; dataset names must be unique",
                     entry.name, previous->second);
      }
      config.datasets.push_back(std::move(entry));
    }
    return Status::OK();
  }

  static bool IsRepoId(std::string_view text) {
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) return false;
    for (std::string_view part : {text.substr(0, slash), text.substr(slash + 1)}) {
      if (part.empty() || part.find_first_not_of('.') == std::string_view::npos) return false;
      for (char c : part) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) return false;
      }
    }
    return true;
  }

 private:
  std::string file_;
};

/// Whether a string must be quoted so YAML readers (yaml-cpp, PyYAML) read it back as that same
/// string: empty, a YAML 1.1 boolean or null word, or number-like.
bool NeedsQuotes(std::string_view text) {
  if (text.empty()) return true;
  static const std::set<std::string> kWords = {"y",     "n",    "yes",   "no",   "true",
                                               "false", "on",   "off",   "null", "~",
                                               ".nan",  ".inf", "-.inf", "+.inf"};
  if (kWords.count(ToLower(text))) return true;
  char first = text.front();
  return (first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.';
}

void EmitString(YAML::Emitter& out, const std::string& text) {
  if (NeedsQuotes(text)) out << YAML::DoubleQuoted;
  out << text;
}

// Records where each document of a YAML stream starts.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7's LoadAll loops forever, allocating, on some malformed streams (one starting with
// ',' is enough): the parser returns a document that consumed no input, again and again. Returns
// the mark of such a document (two documents starting at the same position), if any.
// Throws what yaml-cpp's parser throws.
std::optional<YAML::Mark> FindStalledDocument(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  DocumentStarts handler;
  while (parser.HandleNextDocument(handler)) {
    const std::vector<YAML::Mark>& starts = handler.starts;
    if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos) {
      return starts.back();
    }
  }
  return std::nullopt;
}

}  // namespace

Result<BridgeConfig> ParseBridgeConfig(std::string_view text, std::string_view file) {
  ConfigReader reader(file);
  if (text.size() > kMaxConfigBytes) {
    return InvalidArgument("{}: {} bytes is too large for a faceberg.yml (at most {} MiB)", file,
                           text.size(), kMaxConfigBytes >> 20);
  }
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return reader.Error(LineAt(text, bad), "the text is not valid UTF-8; save the file as UTF-8");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F) {
      return reader.Error(LineAt(text, i), "the text has a control character (0x{:02x}); remove it",
                          byte);
    }
  }
  std::vector<YAML::Node> documents;
  try {
    const std::string yaml(text);
    if (std::optional<YAML::Mark> stalled = FindStalledDocument(yaml)) {
      const size_t pos = static_cast<size_t>(std::max(0, stalled->pos));
      return reader.Error(std::max(0, stalled->line) + 1,
                          "invalid YAML (column {}): unexpected '{}'; fix the syntax",
                          std::max(0, stalled->column) + 1,
                          pos < yaml.size() ? yaml.substr(pos, 1) : std::string("end of file"));
    }
    documents = YAML::LoadAll(yaml);
  } catch (const YAML::DeepRecursion& e) {
    return reader.Error(std::max(0, e.mark.line) + 1,
                        "the YAML is nested too deeply; faceberg.yml needs only a few levels");
  } catch (const YAML::Exception& e) {
    return reader.Error(std::max(0, e.mark.line) + 1,
                        "invalid YAML (column {}): {}; fix the syntax",
                        std::max(0, e.mark.column) + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument("{}: cannot read the YAML: {}", file, e.what());
  }
  BridgeConfig config;
  config.file = std::string(file);
  // A trailing "---" makes an empty extra document, which is harmless.
  std::erase_if(documents, [](const YAML::Node& node) { return node.IsNull(); });
  if (documents.size() > 1) {
    return reader.Error(LineOf(documents[1]),
                        "the file holds more than one YAML document ('---'); keep one");
  }
  if (documents.empty()) return config;
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    return reader.Error(LineOf(root), "the top level must be a mapping with the keys {}, not {}",
                        kTopKeys, KindName(root));
  }
  ASSIGN_OR_RETURN(auto entries, reader.Entries(root, "the top level", kTopKeys));
  for (const auto& [key, value] : entries) {
    if (key.Scalar() == "catalog") {
      RETURN_IF_ERROR(reader.ReadCatalog(key, value, config));
    } else {
      RETURN_IF_ERROR(reader.ReadDatasets(key, value, config));
    }
  }
  return config;
}

Result<BridgeConfig> LoadBridgeConfig(io::FileIO& io, const std::string& path) {
  auto file = io.NewInputFile(path);
  if (!file.ok()) {
    if (file.status().code() == ErrorCode::kNotFound) {
      return NotFound("{} does not exist; create faceberg.yml or pass --config", path);
    }
    return file.status();
  }
  ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
  if (size > kMaxConfigBytes) {
    return InvalidArgument("{}: {} bytes is too large for a faceberg.yml (at most {} MiB)", path,
                           size, kMaxConfigBytes >> 20);
  }
  ASSIGN_OR_RETURN(std::string text, (*file)->ReadAll(kMaxConfigBytes));
  return ParseBridgeConfig(text, path);
}

std::string DumpBridgeConfig(const BridgeConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "catalog" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  EmitString(out, config.catalog_name);
  if (!config.catalog_location.empty()) {
    out << YAML::Key << "location" << YAML::Value;
    EmitString(out, config.catalog_location);
  }
  out << YAML::EndMap;
  out << YAML::Key << "datasets" << YAML::Value;
  if (config.datasets.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const DatasetEntry& entry : config.datasets) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    EmitString(out, entry.name);
    out << YAML::Key << "repo" << YAML::Value;
    EmitString(out, entry.repo);
    if (!entry.configs.empty()) {
      out << YAML::Key << "configs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const std::string& name : entry.configs) EmitString(out, name);
      out << YAML::EndSeq;
    }
    if (entry.revision != "main") {
      out << YAML::Key << "revision" << YAML::Value;
      EmitString(out, entry.revision);
    }
    if (entry.ns != "default") {
      out << YAML::Key << "namespace" << YAML::Value;
      EmitString(out, entry.ns);
    }
    if (entry.table) {
      out << YAML::Key << "table" << YAML::Value;
      EmitString(out, *entry.table);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace faceberg::bridge

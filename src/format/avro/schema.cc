#include "format/avro/schema.h"

#include <algorithm>
#include <limits>
#include <set>

#include "util/strings.h"

namespace faceberg::avro {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kBytes:
      return "bytes";
    case Type::kString:
      return "string";
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
  }
  return "unknown";
}

namespace {

// Sizes are summed saturating at this bound; it only needs to exceed any real input size.
constexpr int64_t kSizeCap = int64_t{1} << 40;
// A fixed larger than this is certainly hostile.
constexpr int64_t kMaxFixedSize = int64_t{1} << 30;

std::optional<Type> PrimitiveType(std::string_view name) {
  if (name == "null") return Type::kNull;
  if (name == "boolean") return Type::kBoolean;
  if (name == "int") return Type::kInt;
  if (name == "long") return Type::kLong;
  if (name == "float") return Type::kFloat;
  if (name == "double") return Type::kDouble;
  if (name == "bytes") return Type::kBytes;
  if (name == "string") return Type::kString;
  return std::nullopt;
}

// The minimum encoded size known before children are parsed; records and fixed start at 0 (a
// record being parsed may refer to itself) and are updated once complete.
int64_t InitialMinSize(Type type) {
  switch (type) {
    case Type::kNull:
    case Type::kRecord:
    case Type::kFixed:
      return 0;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 8;
    default:
      return 1;  // one byte: boolean, a varint, a length, a block count, a branch index
  }
}

std::optional<int64_t> JsonToInt(const Json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return value.get<int64_t>();
  }
  if (value.is_string()) return ParseInt64(value.get<std::string>());
  return std::nullopt;
}

// JSON nesting allowed in schema text: a schema level can take a few JSON levels (record ->
// "fields" array -> field object -> "type"), attributes add a few more. Copying or dumping
// deeper JSON would recurse without bound.
constexpr int kMaxJsonDepth = 4 * kMaxSchemaDepth + 16;

// True when `json` nests deeper than `limit`; recursion stops at the limit.
bool DeeperThan(const Json& json, int limit) {
  if (!json.is_structured()) return false;
  if (limit <= 0) return true;
  for (const Json& child : json) {
    if (DeeperThan(child, limit - 1)) return true;
  }
  return false;
}

// Splits off every key not in `reserved` into an attributes object.
Json CollectAttributes(const Json& obj, std::initializer_list<std::string_view> reserved) {
  Json attributes = Json::object();
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(reserved.begin(), reserved.end(), it.key()) != reserved.end()) continue;
    attributes[it.key()] = it.value();
  }
  return attributes;
}

}  // namespace

std::optional<int64_t> Node::IntAttribute(std::string_view key) const {
  auto it = attributes_.find(key);
  if (it == attributes_.end()) return std::nullopt;
  return JsonToInt(*it);
}

std::optional<size_t> Node::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name() == name) return i;
  }
  return std::nullopt;
}

std::optional<size_t> Node::FieldIndexById(int32_t field_id) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].field_id() == field_id) return i;
  }
  return std::nullopt;
}

const Field* Node::FindFieldById(int32_t field_id) const {
  auto index = FieldIndexById(field_id);
  return index ? &fields_[*index] : nullptr;
}

std::optional<size_t> Node::NonNullBranch() const {
  if (type_ != Type::kUnion || branches_.size() != 2) return std::nullopt;
  if (branches_[0]->type() == Type::kNull && branches_[1]->type() != Type::kNull) return 1;
  if (branches_[1]->type() == Type::kNull && branches_[0]->type() != Type::kNull) return 0;
  return std::nullopt;
}

const Node* Schema::FindNamed(std::string_view full_name) const {
  auto it = named_.find(full_name);
  return it == named_.end() ? nullptr : it->second;
}

// Builds a Schema from JSON. Nodes are appended to the schema's arena; named types are
// registered before their children are parsed so that recursive references resolve.
class SchemaParser {
 public:
  Result<SchemaPtr> Run(const Json& json) {
    schema_ = std::make_shared<Schema>(Schema::Key());
    ASSIGN_OR_RETURN(schema_->root_, ParseNode(json, "", 1));
    return SchemaPtr(std::move(schema_));
  }

 private:
  Node* NewNode(Type type) {
    schema_->nodes_.push_back(std::make_unique<Node>());
    Node* node = schema_->nodes_.back().get();
    node->type_ = type;
    node->min_size_ = InitialMinSize(type);
    return node;
  }

  Result<const Node*> ResolveName(const std::string& name, const std::string& ns) {
    if (name.find('.') == std::string::npos && !ns.empty()) {
      if (const Node* node = schema_->FindNamed(ns + "." + name)) return node;
    }
    if (const Node* node = schema_->FindNamed(name)) return node;
    return Corrupt("avro schema: unknown type '{}'", name);
  }

  Result<const Node*> ParseNode(const Json& json, const std::string& ns, int depth) {
    if (depth > kMaxSchemaDepth) {
      return Corrupt("avro schema: nesting deeper than {} levels", kMaxSchemaDepth);
    }
    if (json.is_string()) {
      const auto& name = json.get_ref<const std::string&>();
      if (auto type = PrimitiveType(name)) return NewNode(*type);
      return ResolveName(name, ns);
    }
    if (json.is_array()) return ParseUnion(json, ns, depth);
    if (!json.is_object()) {
      return Corrupt("avro schema: expected a type name, object or array, got {}",
                     json.type_name());
    }
    auto type_it = json.find("type");
    if (type_it == json.end()) return Corrupt("avro schema: object without a 'type'");
    if (type_it->is_object() || type_it->is_array()) {
      return ParseNode(*type_it, ns, depth + 1);
    }
    if (!type_it->is_string()) return Corrupt("avro schema: 'type' must be a string");
    const auto& type_name = type_it->get_ref<const std::string&>();

    std::string logical_type;
    if (auto it = json.find("logicalType"); it != json.end()) {
      if (!it->is_string()) return Corrupt("avro schema: 'logicalType' must be a string");
      logical_type = it->get<std::string>();
    }

    if (auto type = PrimitiveType(type_name)) {
      Node* node = NewNode(*type);
      node->logical_type_ = std::move(logical_type);
      node->attributes_ = CollectAttributes(json, {"type", "logicalType"});
      return node;
    }
    if (type_name == "record" || type_name == "error") {
      return ParseRecord(json, ns, depth, std::move(logical_type));
    }
    if (type_name == "enum") return ParseEnum(json, ns, std::move(logical_type));
    if (type_name == "fixed") return ParseFixed(json, ns, std::move(logical_type));
    if (type_name == "array" || type_name == "map") {
      bool is_array = type_name == "array";
      const char* key = is_array ? "items" : "values";
      auto it = json.find(key);
      if (it == json.end()) return Corrupt("avro schema: {} without '{}'", type_name, key);
      Node* node = NewNode(is_array ? Type::kArray : Type::kMap);
      node->logical_type_ = std::move(logical_type);
      node->attributes_ = CollectAttributes(json, {"type", "logicalType", key});
      ASSIGN_OR_RETURN(node->child_, ParseNode(*it, ns, depth + 1));
      return node;
    }
    // {"type": "SomeNamedType"} refers to a defined type.
    if (schema_->FindNamed(type_name) != nullptr ||
        (!ns.empty() && schema_->FindNamed(ns + "." + type_name) != nullptr)) {
      return ResolveName(type_name, ns);
    }
    return Corrupt("avro schema: unknown type '{}'", type_name);
  }

  Result<const Node*> ParseUnion(const Json& json, const std::string& ns, int depth) {
    Node* node = NewNode(Type::kUnion);
    std::set<std::string> seen;
    int64_t min_branch = kSizeCap;
    for (const Json& branch_json : json) {
      ASSIGN_OR_RETURN(const Node* branch, ParseNode(branch_json, ns, depth + 1));
      if (branch->type() == Type::kUnion) {
        return Corrupt("avro schema: a union may not directly contain a union");
      }
      std::string key =
          branch->is_named() ? branch->full_name() : std::string(TypeName(branch->type()));
      if (!seen.insert(key).second) {
        return Corrupt("avro schema: union has two branches of type '{}'", key);
      }
      node->branches_.push_back(branch);
      min_branch = std::min(min_branch, branch->min_encoded_size());
    }
    if (node->branches_.empty()) return Corrupt("avro schema: empty union");
    node->min_size_ = 1 + min_branch;
    return node;
  }

  // Sets name, namespace and full name from "name"/"namespace" and registers the node.
  Status NameNode(const Json& json, const std::string& ns, Node* node) {
    auto it = json.find("name");
    if (it == json.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return Corrupt("avro schema: {} without a 'name'", TypeName(node->type()));
    }
    const auto& name = it->get_ref<const std::string&>();
    if (auto dot = name.rfind('.'); dot != std::string::npos) {
      node->namespace_ = name.substr(0, dot);
      node->name_ = name.substr(dot + 1);
    } else {
      node->name_ = name;
      if (auto ns_it = json.find("namespace"); ns_it != json.end() && !ns_it->is_null()) {
        if (!ns_it->is_string()) return Corrupt("avro schema: 'namespace' must be a string");
        node->namespace_ = ns_it->get<std::string>();
      } else {
        node->namespace_ = ns;
      }
    }
    if (node->name_.empty()) return Corrupt("avro schema: empty name '{}'", name);
    if (PrimitiveType(node->name_)) {
      return Corrupt("avro schema: a named type may not be called '{}'", node->name_);
    }
    node->full_name_ =
        node->namespace_.empty() ? node->name_ : node->namespace_ + "." + node->name_;
    if (!schema_->named_.emplace(node->full_name_, node).second) {
      return Corrupt("avro schema: type '{}' is defined twice", node->full_name_);
    }
    return Status::OK();
  }

  Result<const Node*> ParseRecord(const Json& json, const std::string& ns, int depth,
                                  std::string logical_type) {
    Node* node = NewNode(Type::kRecord);
    RETURN_IF_ERROR(NameNode(json, ns, node));
    node->logical_type_ = std::move(logical_type);
    node->attributes_ =
        CollectAttributes(json, {"type", "name", "namespace", "fields", "logicalType"});
    auto fields_it = json.find("fields");
    if (fields_it == json.end() || !fields_it->is_array()) {
      return Corrupt("avro schema: record '{}' without a 'fields' array", node->full_name_);
    }
    int64_t min_size = 0;
    std::set<std::string> names;
    for (const Json& field_json : *fields_it) {
      if (!field_json.is_object()) {
        return Corrupt("avro schema: record '{}' has a field that is not an object",
                       node->full_name_);
      }
      Field field;
      auto name_it = field_json.find("name");
      if (name_it == field_json.end() || !name_it->is_string()) {
        return Corrupt("avro schema: record '{}' has a field without a 'name'", node->full_name_);
      }
      field.name_ = name_it->get<std::string>();
      if (!names.insert(field.name_).second) {
        return Corrupt("avro schema: record '{}' has two fields named '{}'", node->full_name_,
                       field.name_);
      }
      auto type_it = field_json.find("type");
      if (type_it == field_json.end()) {
        return Corrupt("avro schema: field '{}' of record '{}' has no 'type'", field.name_,
                       node->full_name_);
      }
      auto type = ParseNode(*type_it, node->namespace_, depth + 1);
      if (!type.ok()) {
        return type.status().WithContext(fmt::format("field '{}'", field.name_));
      }
      field.type_ = *type;
      if (auto it = field_json.find("default"); it != field_json.end()) field.default_ = *it;
      field.attributes_ = CollectAttributes(field_json, {"name", "type", "default"});
      if (auto it = field_json.find("field-id"); it != field_json.end()) {
        auto id = JsonToInt(*it);
        if (!id || *id < std::numeric_limits<int32_t>::min() ||
            *id > std::numeric_limits<int32_t>::max()) {
          return Corrupt("avro schema: field '{}' has an invalid field-id {}", field.name_,
                         DumpJson(*it));
        }
        field.field_id_ = static_cast<int32_t>(*id);
      }
      min_size = std::min(kSizeCap, min_size + field.type_->min_encoded_size());
      node->fields_.push_back(std::move(field));
    }
    node->min_size_ = min_size;
    return node;
  }

  Result<const Node*> ParseEnum(const Json& json, const std::string& ns, std::string logical_type) {
    Node* node = NewNode(Type::kEnum);
    RETURN_IF_ERROR(NameNode(json, ns, node));
    node->logical_type_ = std::move(logical_type);
    node->attributes_ =
        CollectAttributes(json, {"type", "name", "namespace", "symbols", "logicalType"});
    auto it = json.find("symbols");
    if (it == json.end() || !it->is_array()) {
      return Corrupt("avro schema: enum '{}' without a 'symbols' array", node->full_name_);
    }
    std::set<std::string> seen;
    for (const Json& symbol : *it) {
      if (!symbol.is_string()) {
        return Corrupt("avro schema: enum '{}' has a symbol that is not a string",
                       node->full_name_);
      }
      if (!seen.insert(symbol.get<std::string>()).second) {
        return Corrupt("avro schema: enum '{}' repeats symbol '{}'", node->full_name_,
                       symbol.get<std::string>());
      }
      node->symbols_.push_back(symbol.get<std::string>());
    }
    return node;
  }

  Result<const Node*> ParseFixed(const Json& json, const std::string& ns,
                                 std::string logical_type) {
    Node* node = NewNode(Type::kFixed);
    RETURN_IF_ERROR(NameNode(json, ns, node));
    node->logical_type_ = std::move(logical_type);
    node->attributes_ =
        CollectAttributes(json, {"type", "name", "namespace", "size", "logicalType"});
    auto it = json.find("size");
    std::optional<int64_t> size;
    if (it != json.end() && it->is_number_integer()) size = JsonToInt(*it);
    if (!size || *size < 0 || *size > kMaxFixedSize) {
      return Corrupt("avro schema: fixed '{}' needs a 'size' between 0 and {}", node->full_name_,
                     kMaxFixedSize);
    }
    node->fixed_size_ = *size;
    node->min_size_ = *size;
    return node;
  }

  std::shared_ptr<Schema> schema_;
};

Result<SchemaPtr> Schema::FromJson(const Json& json) {
  if (DeeperThan(json, kMaxJsonDepth)) {
    return Corrupt("avro schema: nesting deeper than {} levels", kMaxSchemaDepth);
  }
  return SchemaParser().Run(json);
}

Result<SchemaPtr> Schema::Parse(std::string_view json_text) {
  ASSIGN_OR_RETURN(Json json, ParseJson(json_text, "avro schema"));
  return FromJson(json);
}

namespace {

class SchemaWriter {
 public:
  OrderedJson Write(const Node& node, const std::string& ns) {
    if (node.is_named()) {
      if (!emitted_.insert(node.full_name()).second) return node.full_name();
      OrderedJson out = OrderedJson::object();
      out["type"] = TypeName(node.type());
      out["name"] = node.name();
      if (node.name_space() != ns) out["namespace"] = node.name_space();
      switch (node.type()) {
        case Type::kRecord: {
          OrderedJson fields = OrderedJson::array();
          for (const Field& field : node.fields()) {
            OrderedJson f = OrderedJson::object();
            f["name"] = field.name();
            f["type"] = Write(field.type(), node.name_space());
            if (const Json* def = field.default_value()) f["default"] = OrderedJson(*def);
            AppendAttributes(field.attributes(), f);
            fields.push_back(std::move(f));
          }
          out["fields"] = std::move(fields);
          break;
        }
        case Type::kEnum:
          out["symbols"] = node.symbols();
          break;
        default:
          out["size"] = node.fixed_size();
          break;
      }
      AppendLogicalAndAttributes(node, out);
      return out;
    }
    switch (node.type()) {
      case Type::kUnion: {
        OrderedJson out = OrderedJson::array();
        for (const Node* branch : node.branches()) out.push_back(Write(*branch, ns));
        return out;
      }
      case Type::kArray:
      case Type::kMap: {
        OrderedJson out = OrderedJson::object();
        out["type"] = TypeName(node.type());
        out[node.type() == Type::kArray ? "items" : "values"] = Write(node.items(), ns);
        AppendLogicalAndAttributes(node, out);
        return out;
      }
      default: {
        if (node.logical_type().empty() && node.attributes().empty()) {
          return TypeName(node.type());
        }
        OrderedJson out = OrderedJson::object();
        out["type"] = TypeName(node.type());
        AppendLogicalAndAttributes(node, out);
        return out;
      }
    }
  }

 private:
  static void AppendAttributes(const Json& attributes, OrderedJson& out) {
    for (auto it = attributes.begin(); it != attributes.end(); ++it) {
      out[it.key()] = OrderedJson(it.value());
    }
  }
  static void AppendLogicalAndAttributes(const Node& node, OrderedJson& out) {
    if (!node.logical_type().empty()) out["logicalType"] = node.logical_type();
    AppendAttributes(node.attributes(), out);
  }

  std::set<std::string> emitted_;
};

}  // namespace

OrderedJson Schema::ToJson() const { return SchemaWriter().Write(*root_, ""); }

std::string Schema::ToJsonString() const { return DumpJson(ToJson()); }

}  // namespace faceberg::avro
